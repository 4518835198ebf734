package demo_test

import (
	"context"
	"errors"
	"regexp"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// shanghaiToday is the current date in Asia/Shanghai (UTC+8, no DST).
func shanghaiToday() time.Time {
	now := time.Now().In(time.FixedZone("CST", 8*60*60))
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

func load(t *testing.T, st *store.Store, today time.Time) bool {
	t.Helper()
	start := time.Now()
	loaded, err := demo.Load(context.Background(), st, today)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	t.Logf("Load(%s) = %v in %v", today.Format(time.DateOnly), loaded, time.Since(start).Round(time.Millisecond))
	return loaded
}

// scalar runs a one-value query.
func scalar[T any](t *testing.T, st *store.Store, sql string, args ...any) T {
	t.Helper()
	var v T
	if err := st.Pool.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}

// tableCounts counts the rows of every table Load writes to.
func tableCounts(t *testing.T, st *store.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"deputies", "users", "households", "household_members", "pairings", "measures",
		"goals", "ledger_entries", "audit_events", "app_meta"} {
		out[table] = scalar[int](t, st, `SELECT count(*)::int FROM `+table)
	}
	out["poor_villages"] = scalar[int](t, st, `SELECT count(*)::int FROM divisions WHERE poor_village`)
	return out
}

func TestLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	today := shanghaiToday()

	if !load(t, st, today) {
		t.Fatal("first Load = false, want true")
	}
	counts := tableCounts(t, st)
	t.Logf("rows: %v", counts)
	if load(t, st, today) {
		t.Fatal("second Load = true, want false")
	}
	if diff := cmp.Diff(counts, tableCounts(t, st)); diff != "" {
		t.Errorf("second Load changed row counts (-before +after):\n%s", diff)
	}
	if n := scalar[int](t, st, `SELECT count(*)::int FROM audit_events WHERE action = 'demo.load'`); n != 1 {
		t.Errorf("demo.load audit events = %d, want 1", n)
	}

	t.Run("deputies", func(t *testing.T) {
		rows, _ := st.Pool.Query(ctx, `SELECT levels[1], count(*)::int FROM deputies WHERE kind = 'deputy' GROUP BY 1`)
		got := map[string]int{}
		var level string
		var n int
		if _, err := pgx.ForEachRow(rows, []any{&level, &n}, func() error { got[level] = n; return nil }); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"prefectural": 40, "county": 258, "township": 1033}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("deputies by primary level mismatch (-want +got):\n%s", diff)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM deputies WHERE levels = '{county,township}'`); n != 30 {
			t.Errorf("county deputies also at township level = %d, want 30", n)
		}
		if n := scalar[int](t, st, `SELECT count(DISTINCT home_township_code)::int FROM deputies WHERE kind = 'deputy'`); n != 16 {
			t.Errorf("deputies live in %d townships, want all 16", n)
		}
		rows, _ = st.Pool.Query(ctx, `SELECT phone_enc FROM deputies WHERE kind = 'deputy'`)
		var sealed []byte
		bad := 0
		if _, err := pgx.ForEachRow(rows, []any{&sealed}, func() error {
			phone, err := st.Keys.Open("deputies.phone", sealed)
			if !regexp.MustCompile(`^1[358][0-9]{9}$`).MatchString(phone) {
				bad++
			}
			return err
		}); err != nil || bad != 0 {
			t.Errorf("%d deputies without an 11-digit mobile (%v)", bad, err)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM deputies d JOIN pairings p ON p.deputy_id = d.id
			WHERE d.status = 'left_office' AND p.status = 'active'`); n != 0 {
			t.Errorf("%d active pairings of deputies who left office", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM deputies WHERE home_village_code IS NOT NULL
			AND substr(home_village_code, 1, 9) <> home_township_code`); n != 0 {
			t.Errorf("%d deputies whose home village is outside their township", n)
		}
	})

	t.Run("households", func(t *testing.T) {
		if n := scalar[int](t, st, `SELECT count(*)::int FROM households WHERE village_code = '430681107231'`); n != 78 {
			t.Errorf("households in 玉池村 = %d, want 78", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM households`); n < 2900 || n > 3200 {
			t.Errorf("households = %d, want 2,900–3,200", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM households h WHERE
			(SELECT count(*) FROM household_members m WHERE m.household_id = h.id) NOT BETWEEN 1 AND 6
			OR NOT EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = h.id AND m.relation = '户主'
				AND m.name = h.head_name AND m.id_hash = h.id_hash)`); n != 0 {
			t.Errorf("%d households without 1–6 members headed by the 户主", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM households WHERE main_cause = ANY(other_causes)`); n != 0 {
			t.Errorf("%d households with the main cause among the other causes", n)
		}
		v, err := st.Division(ctx, "430681107231")
		if err != nil {
			t.Fatal(err)
		}
		if !v.ReliefPoint || !v.PoorVillage {
			t.Errorf("玉池村 relief point %v, poor village %v; want both", v.ReliefPoint, v.PoorVillage)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM divisions WHERE poor_village`); n < 10 || n > 40 {
			t.Errorf("poor villages = %d, want about 10%% of 185", n)
		}
	})

	t.Run("id numbers", func(t *testing.T) {
		rows, _ := st.Pool.Query(ctx, `SELECT 'household_members.id_number', id_enc, sex FROM household_members
			UNION ALL SELECT 'households.id_number', h.id_enc, m.sex FROM households h JOIN household_members m ON m.id_hash = h.id_hash`)
		var label, sex string
		var sealed []byte
		n := 0
		_, err := pgx.ForEachRow(rows, []any{&label, &sealed, &sex}, func() error {
			n++
			id, err := st.Keys.Open(label, sealed)
			if err != nil {
				return err
			}
			p, err := idcard.Parse(id)
			if err != nil {
				t.Errorf("ID number %s: %v", id, err)
				return nil
			}
			if p.Region != "430681" || p.Male != (sex == "male") {
				t.Errorf("ID number %s: region %s male %v, person is %s", id, p.Region, p.Male, sex)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n < 3000 {
			t.Errorf("checked %d ID numbers, want thousands", n)
		}
	})

	t.Run("pairings", func(t *testing.T) {
		households := scalar[int](t, st, `SELECT count(*)::int FROM households`)
		active := scalar[int](t, st, `SELECT count(*)::int FROM pairings WHERE status = 'active'`)
		if active*100 < households*85 {
			t.Errorf("active pairings %d < 85%% of %d households", active, households)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM households h WHERE h.village_code = '430681107231'
			AND NOT EXISTS (SELECT 1 FROM pairings p WHERE p.household_id = h.id AND p.status = 'active')`); n != 0 {
			t.Errorf("%d 玉池村 households unpaired", n)
		}
		for _, status := range []string{"ended", "proposed"} {
			if n := scalar[int](t, st, `SELECT count(*)::int FROM pairings WHERE status = $1`, status); n == 0 {
				t.Errorf("no %s pairings", status)
			}
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM pairings WHERE status = 'active'
			AND start_date NOT BETWEEN $1::date - interval '7 months' AND $1::date - interval '5 months'`, today); n != 0 {
			t.Errorf("%d active pairings start outside 5–7 months ago", n)
		}
		if n := scalar[int](t, st, `SELECT max(c)::int FROM (SELECT count(*) AS c FROM pairings
			WHERE status = 'active' GROUP BY deputy_id) x`); n > 8 {
			t.Errorf("a deputy holds %d pairings, want a handful at most", n)
		}
		same := scalar[int](t, st, `SELECT count(*)::int FROM pairings p JOIN households h ON h.id = p.household_id
			JOIN deputies d ON d.id = p.deputy_id WHERE p.status = 'active' AND d.home_township_code = h.township_code`)
		if same*100 < active*80 {
			t.Errorf("only %d of %d active pairings within the deputy's township", same, active)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM pairings p WHERE p.status = 'active'
			AND NOT EXISTS (SELECT 1 FROM measures m WHERE m.pairing_id = p.id)`); n != 0 {
			t.Errorf("%d active pairings without measures", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM goals`); n*100 < active*80 {
			t.Errorf("goals %d, want most of %d active pairings", n, active)
		}
	})

	t.Run("units", func(t *testing.T) {
		// Five 委办 each help one household in extreme difficulty, with
		// approved entries; unit.demo is the first one's account.
		if n := scalar[int](t, st, `SELECT count(*)::int FROM deputies d JOIN pairings p ON p.deputy_id = d.id AND p.status = 'active'
			JOIN households h ON h.id = p.household_id WHERE d.kind = 'unit' AND h.attribute = 'extreme'`); n != 5 {
			t.Errorf("%d units paired with a household in extreme difficulty, want 5", n)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
			JOIN deputies d ON d.id = p.deputy_id WHERE d.kind = 'unit' AND e.status = 'approved'`); n < 10 {
			t.Errorf("%d approved entries of units, want at least 10", n)
		}
		u, _, err := st.UserForLogin(ctx, "unit.demo")
		if err != nil || !u.Unit || u.Role != auth.Deputy {
			t.Errorf("unit.demo = %+v (%v), want a unit's account of role deputy", u, err)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
			JOIN households h ON h.id = p.household_id JOIN users u ON u.deputy_id = p.deputy_id
			WHERE u.username = 'unit.demo' AND e.status = 'submitted' AND h.township_code = '430681107'`); n == 0 {
			t.Errorf("unit.demo has no 弼时镇 entry waiting for chair.bishi")
		}
	})

	t.Run("ledger", func(t *testing.T) {
		n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries`)
		if n < 20000 || n > 30000 {
			t.Errorf("ledger entries = %d, want 20k–30k", n)
		}
		for _, status := range []string{"draft", "submitted", "approved", "returned"} {
			if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries WHERE status = $1`, status); n == 0 {
				t.Errorf("no %s ledger entries", status)
			}
		}
		checks := map[string]string{
			"returned without comment":      `status = 'returned' AND review_comment = ''`,
			"dated today or later":          `entry_date >= $1::date`,
			"reviewed without reviewer":     `(status IN ('approved', 'returned')) <> (reviewed_by IS NOT NULL AND reviewed_at IS NOT NULL)`,
			"submitted_at wrong for status": `(status = 'draft') <> (submitted_at IS NULL)`,
			"reviewed before submitted":     `reviewed_at < submitted_at`,
			"timestamps after today":        `greatest(created_at, submitted_at, reviewed_at, updated_at) >= $1::date::timestamp AT TIME ZONE 'Asia/Shanghai'`,
			"money kind without amount":     `kind IN ('cash', 'goods', 'school_aid') AND amount <= 0`,
			"visit with amount":             `kind = 'visit' AND amount <> 0`,
			"before the pairing started":    `entry_date < (SELECT start_date FROM pairings p WHERE p.id = pairing_id)`,
		}
		for name, cond := range checks {
			if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries WHERE `+cond+` AND $1::date IS NOT NULL`, today); n != 0 {
				t.Errorf("%d ledger entries %s", n, name)
			}
		}
		// Reviews come from the township's chair where there is one.
		if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
			JOIN households h ON h.id = p.household_id JOIN users u ON u.id = e.reviewed_by
			WHERE h.township_code = '430681107' AND u.username <> 'chair.bishi'`); n != 0 {
			t.Errorf("%d 弼时镇 entries reviewed by someone else than chair.bishi", n)
		}
	})

	t.Run("follow-up warnings", func(t *testing.T) {
		f, err := st.Progress(ctx, "430681")
		if err != nil {
			t.Fatal(err)
		}
		if f.NoVisit30d == 0 || f.NoVisit60d == 0 {
			t.Errorf("no-visit warnings amber %d, red %d; want some of each", f.NoVisit30d, f.NoVisit60d)
		}
		if share := (f.NoVisit30d + f.NoVisit60d) * 100 / f.Paired; share < 4 || share > 15 {
			t.Errorf("%d%% of pairings without a recent visit, want about 8%%", share)
		}
		if f.Visits30d == 0 || !f.ApprovedYuan.IsPositive() {
			t.Errorf("visits in 30 days %d, approved yuan %s; want both positive", f.Visits30d, f.ApprovedYuan)
		}
	})

	t.Run("accounts", func(t *testing.T) {
		for _, a := range demo.Accounts {
			u, hash, err := st.UserForLogin(ctx, a.Username)
			if err != nil {
				t.Fatalf("%s: %v", a.Username, err)
			}
			if u.Role != a.Role {
				t.Errorf("%s role %s, want %s", a.Username, u.Role, a.Role)
			}
			if a.Username == "office" {
				if ok, err := auth.CheckPassword(demo.Password, hash); err != nil || !ok {
					t.Errorf("office password check = %v, %v; want true", ok, err)
				}
			}
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM users WHERE must_change_password`); n != 0 {
			t.Errorf("%d demo accounts must change password", n)
		}
		chair, _, err := st.UserForLogin(ctx, "chair.bishi")
		if err != nil || chair.TownshipCode != "430681107" {
			t.Errorf("chair.bishi township %q (%v), want 430681107", chair.TownshipCode, err)
		}
		dep, _, err := st.UserForLogin(ctx, "deputy.demo")
		if err != nil {
			t.Fatal(err)
		}
		if name := scalar[string](t, st, `SELECT name FROM deputies WHERE id = $1 AND levels[1] = 'county'
			AND home_township_code = '430681107' AND status = 'active'`, dep.DeputyID); name != dep.DisplayName {
			t.Errorf("deputy.demo's deputy is %q, display name %q", name, dep.DisplayName)
		}
		if n := scalar[int](t, st, `SELECT count(*)::int FROM pairings p JOIN households h ON h.id = p.household_id
			WHERE p.deputy_id = $1 AND p.status = 'active' AND h.village_code = '430681107231'`, dep.DeputyID); n < 3 {
			t.Errorf("deputy.demo paired with %d 玉池村 households, want at least 3", n)
		}
		for _, status := range []string{"draft", "submitted", "approved", "returned"} {
			if n := scalar[int](t, st, `SELECT count(*)::int FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
				WHERE p.deputy_id = $1 AND e.status = $2 AND e.created_by = $3`, dep.DeputyID, status, dep.ID); n == 0 {
				t.Errorf("deputy.demo has no %s entry of its own", status)
			}
		}
	})
}

func TestLoadWithoutDivisions(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	_, err := demo.Load(context.Background(), st, shanghaiToday())
	if !errors.Is(err, demo.ErrNoDivisions) {
		t.Fatalf("Load without divisions = %v, want ErrNoDivisions", err)
	}
	if n := scalar[int](t, st, `SELECT count(*)::int FROM app_meta`); n != 0 {
		t.Errorf("app_meta has %d rows after a failed Load, want 0", n)
	}
}

func TestLoadRefusesTakenUsername(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	if _, err := st.CreateUser(ctx, store.NewUser{Username: "office", DisplayName: "管理员", PasswordHash: "x", Role: auth.Staff}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, st, shanghaiToday()); err == nil {
		t.Fatal("Load over an existing 'office' account succeeded, want an error")
	}
	if n := scalar[int](t, st, `SELECT count(*)::int FROM deputies`); n != 0 {
		t.Errorf("%d deputies after a failed Load, want 0", n)
	}
}

// TestLoadBesideExistingData loads the demo into a database that already has
// a household: the demo takes ids after it, and later inserts carry on after
// the demo's ids.
func TestLoadBesideExistingData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	newHousehold := func(seq int) int64 {
		t.Helper()
		id, err := idcard.Build("430681", time.Date(1970, time.March, 3, 0, 0, 0, 0, time.UTC), seq)
		if err != nil {
			t.Fatal(err)
		}
		hid, err := st.CreateHousehold(ctx, household.Household{VillageCode: "430681102206", HeadName: "测试户",
			HeadSex: "male", IDNumber: id, Attribute: "general", Standard: "national", MainCause: "因病",
			IdentificationYear: 2015, PerCapitaIncome: decimal.RequireFromString("2500.00")}, 0)
		if err != nil {
			t.Fatal(err)
		}
		return hid
	}
	before := newHousehold(1)
	if !load(t, st, shanghaiToday()) {
		t.Fatal("Load = false, want true")
	}
	if n := scalar[int](t, st, `SELECT count(*)::int FROM households WHERE id <= $1`, before); n != 1 {
		t.Errorf("%d households with id <= %d, want only the one made before Load", n, before)
	}
	after := newHousehold(3)
	if max := scalar[int64](t, st, `SELECT max(id) FROM households WHERE id <> $1`, after); after <= max {
		t.Errorf("household created after Load got id %d, want > %d", after, max)
	}
}

// TestLoadConcurrently starts two loads at once: exactly one loads.
func TestLoadConcurrently(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	type result struct {
		loaded bool
		err    error
	}
	results := make(chan result, 2)
	for range 2 {
		go func() {
			loaded, err := demo.Load(context.Background(), st, shanghaiToday())
			results <- result{loaded, err}
		}()
	}
	a, b := <-results, <-results
	if a.err != nil || b.err != nil || a.loaded == b.loaded {
		t.Fatalf("two concurrent loads = (%v, %v) and (%v, %v), want one true and one false", a.loaded, a.err, b.loaded, b.err)
	}
	if n := scalar[int](t, st, `SELECT count(*)::int FROM deputies WHERE kind = 'deputy'`); n != 1331 {
		t.Errorf("deputies = %d, want 1331", n)
	}
}

// checksum digests the key columns of everything Load writes.
func checksum(t *testing.T, st *store.Store) []string {
	t.Helper()
	queries := []string{
		`SELECT md5(string_agg(concat_ws('|', id, name, gender, birth_date, levels, category, work_unit, post, phone_hash,
			home_township_code, home_village_code, status), ',' ORDER BY id)) FROM deputies`,
		`SELECT md5(string_agg(concat_ws('|', id, village_code, group_name, head_name, id_hash, phone_hash, attribute,
			main_cause, other_causes, per_capita_income, status, exited_year), ',' ORDER BY id)) FROM households`,
		`SELECT md5(string_agg(concat_ws('|', id, household_id, name, id_hash, relation, health, labour), ',' ORDER BY id))
			FROM household_members`,
		`SELECT md5(string_agg(concat_ws('|', id, household_id, deputy_id, start_date, end_date, status), ',' ORDER BY id))
			FROM pairings`,
		`SELECT md5(string_agg(concat_ws('|', id, pairing_id, support_type, content, funds, deadline), ',' ORDER BY id))
			FROM measures`,
		`SELECT md5(string_agg(concat_ws('|', id, pairing_id, entry_date, kind, description, amount, status,
			review_comment, submitted_at, reviewed_at), ',' ORDER BY id)) FROM ledger_entries`,
		`SELECT sum(amount)::text FROM ledger_entries`,
		`SELECT string_agg(code, ',' ORDER BY code) FROM divisions WHERE poor_village`,
	}
	out := make([]string, len(queries))
	for i, q := range queries {
		out[i] = scalar[string](t, st, q)
	}
	return out
}

func TestLoadIsDeterministic(t *testing.T) {
	t.Parallel()
	today := time.Date(2017, time.June, 30, 0, 0, 0, 0, time.UTC)
	var sums [2][]string
	for i := range sums {
		st := testutil.NewStoreWithDivisions(t)
		load(t, st, today)
		sums[i] = checksum(t, st)
	}
	if diff := cmp.Diff(sums[0], sums[1]); diff != "" {
		t.Errorf("two loads with the same day differ (-first +second):\n%s", diff)
	}
	t.Logf("ledger total %s yuan", sums[0][6])
}
