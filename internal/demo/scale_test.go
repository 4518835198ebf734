package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// TestLoadScaled loads a county of 8,000 households (above the 6,655 where
// deputies start to outnumber the default's 1,331) and checks that the
// counts scale and the fixtures of the default demo are still there.
func TestLoadScaled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	today := shanghaiToday()
	const households = 8000

	start := time.Now()
	loaded, err := demo.LoadScaled(ctx, st, today, demo.Scale{Households: households})
	if err != nil || !loaded {
		t.Fatalf("LoadScaled = %v, %v; want true", loaded, err)
	}
	t.Logf("LoadScaled(%d) in %v", households, time.Since(start).Round(time.Millisecond))
	counts := tableCounts(t, st)
	t.Logf("rows: %v", counts)

	if got := counts["households"]; got != households {
		t.Errorf("households = %d, want %d", got, households)
	}
	// The deputies table also holds the five demo units (帮扶单位).
	if got := counts["deputies"]; got != households/5+5 {
		t.Errorf("deputies = %d, want %d and 5 units", got, households/5)
	}
	// Everything else keeps the default's proportions (members about 3.4, pairings
	// about 0.97, measures about 1.85 and goals about 0.83 a household), except
	// the ledger, which has about 10 entries a household.
	ranges := map[string][2]float64{"household_members": {3.0, 3.8}, "pairings": {0.9, 1.05},
		"measures": {1.5, 2.2}, "goals": {0.7, 0.95}, "ledger_entries": {9.0, 11.0}}
	for table, r := range ranges {
		if per := float64(counts[table]) / households; per < r[0] || per > r[1] {
			t.Errorf("%s = %d, %.2f a household; want %.1f–%.1f", table, counts[table], per, r[0], r[1])
		}
	}
	if n := scalar[int](t, st, `SELECT count(*)::int FROM deputies WHERE levels[1] = 'prefectural'`); n != 40*1600/1331 {
		t.Errorf("prefectural deputies = %d, want %d", n, 40*1600/1331)
	}

	t.Run("villages", func(t *testing.T) {
		if n := scalar[int](t, st, `SELECT count(*)::int FROM households WHERE village_code = '430681107231'`); n != 78 {
			t.Errorf("households in 玉池村 = %d, want 78", n)
		}
		villages := scalar[int](t, st, `SELECT count(*)::int FROM divisions WHERE level = 'village'`)
		if n := scalar[int](t, st, `SELECT count(DISTINCT village_code)::int FROM households`); n != villages {
			t.Errorf("households live in %d villages, want all %d", n, villages)
		}
		if n := scalar[int](t, st, `SELECT min(c)::int FROM (SELECT count(*) AS c FROM households
			WHERE village_code <> '430681107231' GROUP BY village_code) x`); n < 8 {
			t.Errorf("a village has only %d households", n)
		}
	})

	t.Run("id numbers", func(t *testing.T) {
		if n := scalar[int](t, st, `SELECT count(*)::int - count(DISTINCT id_hash)::int FROM household_members`); n != 0 {
			t.Errorf("%d repeated ID numbers", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM households h
			WHERE NOT EXISTS (SELECT 1 FROM household_members m WHERE m.id_hash = h.id_hash AND m.household_id = h.id)`); n != 0 {
			t.Errorf("%d heads whose ID number is not their member row's", n)
		}
		rows, _ := st.Pool.Query(ctx, `SELECT id_enc, sex FROM household_members`)
		var sealed []byte
		var sex string
		n, bad := 0, 0
		_, err := pgx.ForEachRow(rows, []any{&sealed, &sex}, func() error {
			n++
			id, err := st.Keys.Open("household_members.id_number", sealed)
			if err != nil {
				return err
			}
			p, err := idcard.Parse(id)
			if err != nil || p.Region != "430681" || p.Male != (sex == "male") {
				if bad++; bad <= 5 {
					t.Errorf("ID number %s of a %s person: %+v, %v", id, sex, p, err)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != counts["household_members"] || bad != 0 {
			t.Errorf("checked %d of %d ID numbers, %d invalid", n, counts["household_members"], bad)
		}
	})

	t.Run("pairings", func(t *testing.T) {
		active := scalar[int](t, st, `SELECT count(*)::int FROM pairings WHERE status = 'active'`)
		if active*100 < households*85 {
			t.Errorf("active pairings %d < 85%% of %d households", active, households)
		}
		if n := scalar[int](t, st, `SELECT max(c)::int FROM (SELECT count(*) AS c FROM pairings
			WHERE status = 'active' GROUP BY deputy_id) x`); n > 12 {
			t.Errorf("a deputy holds %d pairings, want a dozen at most", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM pairings p WHERE p.status = 'active'
			AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.pairing_id = p.id)`); n != 0 {
			t.Errorf("%d active pairings without measures", n)
		}
		for _, status := range []string{"draft", "submitted", "approved", "returned"} {
			if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries WHERE status = $1`, status); n == 0 {
				t.Errorf("no %s ledger entries", status)
			}
		}
	})

	t.Run("accounts", func(t *testing.T) {
		for _, a := range demo.Accounts {
			u, _, err := st.UserForLogin(ctx, a.Username)
			if err != nil {
				t.Fatalf("%s: %v", a.Username, err)
			}
			if u.Role != a.Role {
				t.Errorf("%s role %s, want %s", a.Username, u.Role, a.Role)
			}
		}
		dep, _, err := st.UserForLogin(ctx, "deputy.demo")
		if err != nil {
			t.Fatal(err)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM pairings p JOIN households h ON h.id = p.household_id
			WHERE p.deputy_id = $1 AND p.status = 'active' AND h.village_code = '430681107231'`, dep.DeputyID); n != 4 {
			t.Errorf("deputy.demo paired with %d 玉池村 households, want 4", n)
		}
		for _, status := range []string{"draft", "submitted", "approved", "returned"} {
			if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
				WHERE p.deputy_id = $1 AND e.status = $2 AND e.created_by = $3`, dep.DeputyID, status, dep.ID); n == 0 {
				t.Errorf("deputy.demo has no %s entry of its own", status)
			}
		}
		v, err := st.Division(ctx, "430681107231")
		if err != nil {
			t.Fatal(err)
		}
		if !v.ReliefPoint || !v.PoorVillage {
			t.Errorf("玉池村 relief point %v, poor village %v; want both", v.ReliefPoint, v.PoorVillage)
		}
	})

	// A second load, of any size, changes nothing.
	if loaded, err := demo.LoadScaled(ctx, st, today, demo.Scale{Households: 2 * households}); err != nil || loaded {
		t.Fatalf("second LoadScaled = %v, %v; want false", loaded, err)
	}
	if diff := cmp.Diff(counts, tableCounts(t, st)); diff != "" {
		t.Errorf("second LoadScaled changed row counts (-before +after):\n%s", diff)
	}
}

func TestLoadScaledRefusesSmallCounty(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	if _, err := demo.LoadScaled(context.Background(), st, shanghaiToday(), demo.Scale{Households: 100}); err == nil {
		t.Fatal("LoadScaled of 100 households succeeded, want an error")
	}
	if n := scalar[int](t, st, `SELECT count(*)::int FROM app_meta`); n != 0 {
		t.Errorf("app_meta has %d rows after a refused load, want 0", n)
	}
}
