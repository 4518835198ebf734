package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// statsSnapshot is every non-zero row of the summary tables, as text, and
// the pairings' last visits.
func statsSnapshot(t *testing.T, st *store.Store) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for name, q := range map[string]string{
		"division":   `SELECT division_code, households, paired, exited, relapsed, yuan FROM stats_division WHERE households <> 0 OR paired <> 0 OR exited <> 0 OR relapsed <> 0 OR yuan <> 0`,
		"year":       `SELECT division_code, year, planned, exited FROM stats_division_year WHERE planned <> 0 OR exited <> 0`,
		"cause":      `SELECT division_code, cause, households FROM stats_division_cause WHERE households <> 0`,
		"followup":   `SELECT division_code, day, pairings FROM stats_followup WHERE pairings <> 0`,
		"day":        `SELECT division_code, day, visits, approved, first_pass, returns, yuan FROM stats_ledger_day WHERE visits <> 0 OR approved <> 0 OR first_pass <> 0 OR returns <> 0 OR yuan <> 0`,
		"month":      `SELECT division_code, day, visits, approved, first_pass, returns, yuan FROM stats_ledger_month WHERE visits <> 0 OR approved <> 0 OR first_pass <> 0 OR returns <> 0 OR yuan <> 0`,
		"last_visit": `SELECT id, last_visit FROM pairings WHERE last_visit IS NOT NULL`,
		"deputies":   `SELECT division_code, deputy_id, pairings FROM stats_deputy_division WHERE pairings <> 0`,
		"takingpart": `SELECT division_code, key, deputies FROM stats_participation WHERE deputies <> 0`,
	} {
		rows, err := st.Pool.Query(context.Background(), `SELECT x::text FROM (`+q+`) x ORDER BY 1`)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], s)
		}
		rows.Close()
	}
	return out
}

// checkStats fails when the trigger-maintained summaries differ from a
// rebuild from the raw tables.
func checkStats(t *testing.T, st *store.Store, after string) {
	t.Helper()
	kept := statsSnapshot(t, st)
	if _, err := st.Pool.Exec(context.Background(), `SELECT stats_rebuild()`); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(statsSnapshot(t, st), kept); diff != "" {
		t.Errorf("after %s, summaries kept by triggers differ from a rebuild (-rebuild +kept):\n%s", after, diff)
	}
}

// TestStatsFollowEveryWrite makes each kind of write the application makes
// (and a few only SQL can) and checks after each that the summary tables
// equal a rebuild from the raw tables.
func TestStatsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	const (
		bishi   = "430681107"
		yuchi   = "430681107231"
		village = "430681107202"
	)
	staff := testutil.User(t, st, "office", auth.Staff, "", 0)
	chair := testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	dep := testutil.Deputy(t, st, "王代表", bishi)
	depUser := testutil.User(t, st, "dep", auth.Deputy, "", dep)
	var hs []int64
	for i := range 4 {
		hs = append(hs, testutil.Household(t, st, yuchi, testutil.Name("户", i)))
	}
	checkStats(t, st, "registering households")
	start := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	var ps []int64
	for _, h := range hs[:3] {
		ps = append(ps, testutil.Pairing(t, st, h, dep, start))
	}
	// A unit (帮扶单位) helping a household counts among the paired
	// households but under 'units', never as a deputy taking part.
	unit := testutil.Unit(t, st, "汨罗市人大常委会农业农村工作委员会", "430681119")
	unitPairing := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "特困户"), unit, start)
	checkStats(t, st, "pairing")
	var units, total int
	if err := st.Pool.QueryRow(ctx, `SELECT coalesce(sum(deputies) FILTER (WHERE key = 'units'), 0)::int,
		coalesce(sum(deputies) FILTER (WHERE key = 'total'), 0)::int FROM stats_participation WHERE division_code = $1`, bishi).Scan(&units, &total); err != nil {
		t.Fatal(err)
	}
	if units != 1 || total != 1 {
		t.Errorf("弼时镇 taking part: %d units, %d deputies; want 1 and 1", units, total)
	}
	if err := st.EndPairing(ctx, unitPairing, "transferred", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), staff); err != nil {
		t.Fatal(err)
	}
	checkStats(t, st, "ending a unit's pairing")
	if _, err := st.Pool.Exec(ctx, `UPDATE deputies SET name = '汨罗市人大常委会农工委' WHERE id = $1`, unit); err != nil {
		t.Fatal(err)
	}
	checkStats(t, st, "renaming a unit")

	entry := func(kind, amount string, day int) ledger.Entry {
		return ledger.Entry{EntryDate: time.Date(2026, 6, day, 0, 0, 0, 0, time.UTC), Kind: kind, Description: "帮扶记录" + kind,
			Amount: decimal.RequireFromString(amount)}
	}
	var ids []int64
	for i, p := range ps {
		id, err := st.SaveLedgerEntry(ctx, dep, p, 0, entry("visit", "0", 3+i), true, "", nil, depUser)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
		id, err = st.SaveLedgerEntry(ctx, dep, p, 0, entry("cash", "500.50", 10+i), true, "", nil, depUser)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, err := st.SaveLedgerEntry(ctx, dep, ps[0], 0, entry("visit", "0", 20), false, "", nil, depUser); err != nil {
		t.Fatal(err) // a draft counts nowhere
	}
	checkStats(t, st, "submitting entries")
	if err := st.ReviewLedgerEntry(ctx, bishi, ids[1], false, "金额与票据不符", chair); err != nil {
		t.Fatal(err)
	}
	checkStats(t, st, "a return")
	if _, err := st.SaveLedgerEntry(ctx, dep, ps[0], ids[1], entry("cash", "480", 10), true, "", nil, depUser); err != nil {
		t.Fatal(err)
	}
	if err := st.ReviewLedgerEntry(ctx, bishi, ids[0], true, "", chair); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApproveMany(ctx, bishi, ids, chair); err != nil {
		t.Fatal(err)
	}
	checkStats(t, st, "approvals")

	if err := st.EndPairing(ctx, ps[2], "transferred", time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), staff); err != nil {
		t.Fatal(err)
	}
	checkStats(t, st, "ending a pairing")

	late, err := st.SaveLedgerEntry(ctx, dep, ps[1], 0, entry("visit", "0", 28), true, "", nil, depUser)
	if err != nil {
		t.Fatal(err)
	}
	checkStats(t, st, "a later visit")

	// Writes only SQL makes: a household moving village, a status change,
	// a new plan, a deleted household.
	for what, q := range map[string]string{
		"a household moving village": fmt.Sprintf(`UPDATE households SET village_code = '%s' WHERE id = %d`, village, hs[0]),
		"a household exiting":        fmt.Sprintf(`UPDATE households SET status = 'exited', exited_year = 2026, planned_exit_year = 2026 WHERE id = %d`, hs[1]),
		"a changed cause":            fmt.Sprintf(`UPDATE households SET main_cause = '因残' WHERE id = %d`, hs[2]),
		"a moved visit date":         fmt.Sprintf(`UPDATE ledger_entries SET entry_date = '2026-06-25' WHERE id = %d`, late),
		"a deleted entry":            fmt.Sprintf(`DELETE FROM ledger_entries WHERE status <> 'approved' AND id <> %d`, late),
		"a deputy's new level":       fmt.Sprintf(`UPDATE deputies SET levels = '{provincial}', category = 'other' WHERE id = %d`, dep),
		"a deleted household":        fmt.Sprintf(`DELETE FROM households WHERE id = %d`, hs[3]),
	} {
		if _, err := st.Pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		checkStats(t, st, what)
	}

	// Household lists narrowed only by division are counted from the
	// summaries: the same totals as counting the rows, and none outside a
	// chair's township.
	for _, c := range []struct {
		scope    auth.Scope
		division string
	}{{auth.Scope{}, ""}, {auth.Scope{}, bishi}, {auth.Scope{}, yuchi}, {auth.Scope{}, village},
		{auth.Scope{TownshipCode: bishi}, ""}, {auth.Scope{TownshipCode: "430681102"}, bishi}} {
		_, total, err := st.Households(ctx, c.scope, store.HouseholdFilter{Division: c.division, Page: 1})
		if err != nil {
			t.Fatal(err)
		}
		var want int
		if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM households WHERE village_code LIKE $1 || '%'
			AND ($2 = '' OR township_code = $2)`, c.division, c.scope.TownshipCode).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if total != want {
			t.Errorf("households of %q seen by %+v: %d listed, %d rows", c.division, c.scope, total, want)
		}
	}

	// The dashboard reads the summaries: the moved household's approved
	// money and active pairing are now counted in its new village; the
	// ended pairing's approved money stays with its household's village.
	f, err := st.ProgressFor(ctx, bishi, period.Period{Year: 2026}, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, c := range f.Children {
		if c.Households > 0 {
			got[c.Code] = [2]string{fmt.Sprintf("%d/%d", c.Households, c.Paired), c.PeriodYuan.String()}
		}
	}
	want := map[string][2]string{yuchi: {"3/1", "1001"}, village: {"1/1", "480"}} // the unit's household is unpaired again
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("township children (-want +got):\n%s", diff)
	}
}
