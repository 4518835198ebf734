package web_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/jackc/pgx/v5"
)

// TestSessionManagerStartsNoCleanupGoroutine: a session manager (one per
// server, many in the tests) starts no clean-up goroutine of its own; one
// on a store without a pool used to panic five minutes later and take the
// whole test binary down.
func TestSessionManagerStartsNoCleanupGoroutine(t *testing.T) {
	st := &store.Store{} // no pool
	for range 5 {
		web.NewSessionManager(st, false)
	}
	buf := make([]byte, 1<<22)
	stacks := string(buf[:runtime.Stack(buf, true)])
	if n := strings.Count(stacks, "created by github.com/alexedwards/scs/pgxstore.NewWithCleanupInterval"); n > 0 {
		t.Fatalf("session managers left %d clean-up goroutines on the database pool", n)
	}
}

// TestSweepSessionsDeletesExpired: serve's sweeper deletes the expired
// sessions and keeps the live ones.
func TestSweepSessionsDeletesExpired(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	ctx := context.Background()
	if _, err := st.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES
		('old', '\x00', now() - interval '1 hour'), ('live', '\x00', now() + interval '1 hour')`); err != nil {
		t.Fatal(err)
	}
	sweepCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { web.SweepSessions(sweepCtx, st, 50*time.Millisecond); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	var left []string
	for time.Now().Before(deadline) {
		rows, _ := st.Pool.Query(ctx, `SELECT token FROM sessions ORDER BY token`)
		var err error
		if left, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			t.Fatal(err)
		}
		if len(left) == 1 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	<-done
	if len(left) != 1 || left[0] != "live" {
		t.Fatalf("sessions left: %v, want [live]", left)
	}
}
