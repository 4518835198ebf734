package store_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/jackc/pgx/v5"
)

// BenchmarkPageSQL is the database floor of two pages (issue 10): the store
// calls the household list and the household page make for one request,
// with the session and user look-ups every request makes, run straight
// against a loaded database at 16 concurrent callers, without HTTP or
// rendering. It reports p50 and p95 per page load in ms. make bench runs
// it against its database:
//
//	BENCH_DATABASE_URL=postgres://…/bangfu_bench BENCH_TOWNSHIP=430681107 \
//	BENCH_HOUSEHOLD=123 go test -run '^$' -bench PageSQL ./internal/store
//
// Skipped without BENCH_DATABASE_URL.
func BenchmarkPageSQL(b *testing.B) {
	url := os.Getenv("BENCH_DATABASE_URL")
	if url == "" {
		b.Skip("BENCH_DATABASE_URL not set")
	}
	ctx := context.Background()
	cfg, err := config.FromEnv(os.Getenv) // DATA_KEYS as the server has them
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(ctx, url, cfg.Keys)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Pool.Close()
	township := os.Getenv("BENCH_TOWNSHIP")
	hid, _ := strconv.ParseInt(os.Getenv("BENCH_HOUSEHOLD"), 10, 64)
	var staff int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM users WHERE username = 'office'`).Scan(&staff); err != nil {
		b.Fatal(err)
	}
	// What every request does first: the session (scs pgxstore's query) and
	// the user behind it.
	request := func() error {
		var data []byte
		err := st.Pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`, "no-such-token").Scan(&data)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err = st.User(ctx, staff)
		return err
	}
	pages := []struct {
		name string
		load func() error
	}{
		{"households", func() error {
			if err := request(); err != nil {
				return err
			}
			if _, _, err := st.Households(ctx, auth.Scope{}, store.HouseholdFilter{Division: township}); err != nil {
				return err
			}
			if _, err := st.Children(ctx, "430681"); err != nil {
				return err
			}
			_, err := st.Villages(ctx)
			return err
		}},
		{"household", func() error {
			if err := request(); err != nil {
				return err
			}
			return householdPageSQL(ctx, st, hid)
		}},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			var mu sync.Mutex
			var took []time.Duration
			b.SetParallelism(8) // 16 callers on 2 cores
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					start := time.Now()
					if err := p.load(); err != nil {
						b.Error(err)
						return
					}
					mine = append(mine, time.Since(start))
				}
				mu.Lock()
				took = append(took, mine...)
				mu.Unlock()
			})
			slices.Sort(took)
			if len(took) > 0 {
				ms := func(q float64) float64 { return took[int(q*float64(len(took)-1))].Seconds() * 1000 }
				b.ReportMetric(ms(0.5), "p50-ms")
				b.ReportMetric(ms(0.95), "p95-ms")
			}
		})
	}
}

// householdPageSQL makes the store call of internal/web's householdPageFor
// for a staff viewer.
func householdPageSQL(ctx context.Context, st *store.Store, id int64) error {
	_, err := st.HouseholdPageData(ctx, auth.Scope{}, id, store.HouseholdPageOptions{
		WithAudit: true, Years: []int{time.Now().Year(), time.Now().Year() - 1}})
	return err
}
