package store_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/google/go-cmp/cmp"
)

const bishi = "430681107" // 弼时镇

func day(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// importDeputy is a valid county and township deputy living in 弼时镇.
func importDeputy(name, credential string) store.ImportDeputy {
	return store.ImportDeputy{Deputy: deputy.Deputy{Name: name, Gender: "male", Ethnicity: "汉族", BirthDate: day(1975, 2, 28),
		Levels: []string{"county", "township"}, Category: "frontline", Term: "第十二届", WorkUnit: "弼时镇玉池村村民委员会",
		Post: "村党总支书记", Phone: "13812345678", HomeTownshipCode: bishi, HomeVillageCode: yuchi,
		CredentialNumber: credential}, Status: "active"}
}

// townshipResolver resolves township names with the divisions table.
func townshipResolver(t testing.TB, st *store.Store) func(string) (string, bool) {
	t.Helper()
	vs, err := st.Villages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, v := range vs {
		codes[v.TownshipName] = v.Code[:9]
	}
	return func(name string) (string, bool) { c, ok := codes[name]; return c, ok }
}

// exportedDeputies returns the deputies as ExportDeputies gives them, as
// import rows.
func exportedDeputies(t testing.TB, st *store.Store, f store.DeputyFilter) []store.ImportDeputy {
	t.Helper()
	var out []store.ImportDeputy
	if err := st.ExportDeputies(context.Background(), f, func(e store.ExportDeputy) error {
		out = append(out, store.ImportDeputy{Deputy: e.Deputy, Status: e.Status})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportDeputies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	ds := []store.ImportDeputy{importDeputy("李建国", "汨人代00001"), importDeputy("王秀英", ""), importDeputy("张有才", "汨人代00003")}
	ds[1].Gender, ds[1].HomeVillageCode, ds[1].Levels, ds[1].Category = "female", "", []string{"township"}, "other"
	ds[2].Status, ds[2].BirthDate, ds[2].Phone = "left_office", nil, ""
	res, err := st.ImportDeputies(ctx, ds, 0)
	if err != nil || res != (store.ImportResult{Created: 3}) {
		t.Fatalf("first import = %+v, %v", res, err)
	}
	var pinyin string
	if err := st.Pool.QueryRow(ctx, `SELECT name_pinyin FROM deputies WHERE name = '李建国'`).Scan(&pinyin); err != nil || pinyin != "ljg|lijianguo" {
		t.Errorf("name_pinyin %q, %v", pinyin, err)
	}
	if n := count(t, st, `SELECT count(*) FROM deputies WHERE status = 'left_office'
		AND left_office_date = (now() AT TIME ZONE 'Asia/Shanghai')::date`); n != 1 {
		t.Errorf("deputies that left office today = %d, want 1", n)
	}
	// What was imported reads back the same through the export (stroke order:
	// 王 4 strokes, then 张 and 李, 7 strokes each).
	got := exportedDeputies(t, st, store.DeputyFilter{})
	want := []store.ImportDeputy{ds[1], ds[2], ds[0]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("export mismatch (-want +got):\n%s", diff)
	}

	// The same again: nothing changes, nothing is written but the summary.
	audits := count(t, st, `SELECT count(*) FROM audit_events`)
	res, err = st.ImportDeputies(ctx, ds, 0)
	if err != nil || res != (store.ImportResult{Unchanged: 3}) {
		t.Fatalf("re-import = %+v, %v", res, err)
	}
	if n := count(t, st, `SELECT count(*) FROM deputies WHERE version <> 1`); n != 0 {
		t.Errorf("%d versions bumped", n)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events`); n != audits+1 {
		t.Errorf("audit events %d → %d, want one summary", audits, n)
	}

	// Matched without the credential number (name, birth date, township):
	// the registered number is kept, nothing changes.
	again := ds[0]
	again.CredentialNumber = ""
	if res, err := st.ImportDeputies(ctx, []store.ImportDeputy{again}, 0); err != nil || res != (store.ImportResult{Unchanged: 1}) {
		t.Errorf("import without credential number = %+v, %v", res, err)
	}
	// A credential number added to a deputy registered without one.
	withNumber := ds[1]
	withNumber.CredentialNumber = "镇人代00002"
	if res, err := st.ImportDeputies(ctx, []store.ImportDeputy{withNumber}, 0); err != nil || res != (store.ImportResult{Updated: 1}) {
		t.Errorf("import adding a credential number = %+v, %v", res, err)
	}
	ds[1] = withNumber

	// A changed post and a deputy back in office.
	ds[0].Post = "村委会主任"
	ds[2].Status = "active"
	res, err = st.ImportDeputies(ctx, ds, 0)
	if err != nil || res != (store.ImportResult{Updated: 2, Unchanged: 1}) {
		t.Fatalf("changed import = %+v, %v", res, err)
	}
	var version int
	var post string
	if err := st.Pool.QueryRow(ctx, `SELECT post, version FROM deputies WHERE credential_number = '汨人代00001'`).Scan(&post, &version); err != nil {
		t.Fatal(err)
	}
	if post != "村委会主任" || version != 2 {
		t.Errorf("post %q version %d", post, version)
	}
	if n := count(t, st, `SELECT count(*) FROM deputies WHERE status = 'active' AND left_office_date IS NULL`); n != 3 {
		t.Errorf("active deputies without a left_office_date = %d, want 3", n)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events WHERE action = 'deputy.import' AND entity = 'deputy'
		AND before->>'post' = '村党总支书记' AND after->>'post' = '村委会主任'`); n != 1 {
		t.Errorf("update audit events with before/after = %d", n)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events WHERE action = 'deputy.import' AND entity = 'deputy_import'`); n != 5 {
		t.Errorf("summary audit events = %d, want 5", n)
	}
}

func TestImportDeputiesLeftOffice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	id := testutil.Deputy(t, st, "赵德明", bishi)
	other := testutil.Deputy(t, st, "钱多多", bishi)
	testutil.User(t, st, "zhaodm", auth.Deputy, "", id)
	testutil.User(t, st, "qianduoduo", auth.Deputy, "", other)
	p := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "孙大户"), id, time.Now().AddDate(0, -2, 0))
	testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "周小户"), other, time.Now().AddDate(0, -2, 0))

	ds := exportedDeputies(t, st, store.DeputyFilter{})
	for i := range ds {
		if ds[i].Name == "赵德明" {
			ds[i].Status = "left_office"
		}
	}
	res, err := st.ImportDeputies(ctx, ds, 0)
	if err != nil || res != (store.ImportResult{Updated: 1, Unchanged: 1}) {
		t.Fatalf("import = %+v, %v", res, err)
	}
	checks := []struct {
		query string
		want  int
	}{
		{`SELECT count(*) FROM deputies WHERE status = 'left_office' AND left_office_date = (now() AT TIME ZONE 'Asia/Shanghai')::date AND version = 2`, 1},
		{`SELECT count(*) FROM pairings WHERE needs_reassignment AND status = 'active' AND id = ` + itoa(p), 1},
		{`SELECT count(*) FROM pairings WHERE needs_reassignment`, 1},
		{`SELECT count(*) FROM users WHERE NOT active AND deputy_id = ` + itoa(id), 1},
		{`SELECT count(*) FROM users WHERE active AND deputy_id = ` + itoa(other), 1},
		{`SELECT count(*) FROM audit_events WHERE action = 'deputy.left_office' AND entity_id = ` + itoa(id) +
			` AND (after->>'pairings_flagged')::int = 1`, 1},
	}
	for _, c := range checks {
		if n := count(t, st, c.query); n != c.want {
			t.Errorf("%s = %d, want %d", c.query, n, c.want)
		}
	}
	// Again: nothing more happens.
	if res, err := st.ImportDeputies(ctx, ds, 0); err != nil || res != (store.ImportResult{Unchanged: 2}) {
		t.Errorf("re-import = %+v, %v", res, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestImportDeputiesConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.Deputy(t, st, "李建国", bishi)
	testutil.Deputy(t, st, "李建国", bishi) // namesakes, no birth date, no credential number
	testutil.Deputy(t, st, "王德福", bishi)
	all := `SELECT (SELECT count(*) FROM deputies) + (SELECT count(*) FROM audit_events) + (SELECT coalesce(sum(version), 0) FROM deputies)`
	before := count(t, st, all)
	registered := exportedDeputies(t, st, store.DeputyFilter{Query: "王德福"})[0]

	tests := []struct {
		name string
		ds   func() []store.ImportDeputy
		want []store.DeputyConflict
	}{
		{"matches two registered deputies", func() []store.ImportDeputy {
			d := importDeputy("李建国", "")
			d.BirthDate, d.Row = nil, 5
			return []store.ImportDeputy{importDeputy("新代表", "X1"), d}
		}, []store.DeputyConflict{{Row: 5, Reason: "系统中有2名代表的姓名、出生日期、所在乡(镇)都与本行相同，无法确定是哪一位；请填写代表证号"}}},
		{"two rows match one registered deputy", func() []store.ImportDeputy {
			a, b := registered, registered
			a.CredentialNumber, a.Row = "汨人代1", 4
			b.CredentialNumber, b.Row = "汨人代2", 9
			return []store.ImportDeputy{a, b}
		}, []store.DeputyConflict{{Row: 9, Reason: "与第4行对应同一名已登记的代表（王德福）；同一人只填一行"}}},
		{"the same credential number twice", func() []store.ImportDeputy {
			a, b := importDeputy("新代表", "X1"), importDeputy("另一人", "X1")
			a.Row, b.Row = 2, 3
			return []store.ImportDeputy{a, b}
		}, []store.DeputyConflict{{Row: 3, Reason: "与第2行是同一名代表（新代表）；同一人只填一行"}}},
		{"the same person twice", func() []store.ImportDeputy {
			a, b := importDeputy("新代表", ""), importDeputy("新代表", "X2")
			a.Row, b.Row = 2, 3
			return []store.ImportDeputy{a, b}
		}, []store.DeputyConflict{{Row: 3, Reason: "与第2行是同一名代表（新代表）；同一人只填一行"}}},
	}
	for _, tt := range tests {
		_, err := st.ImportDeputies(ctx, tt.ds(), 0)
		var conflict *store.ErrDeputyImportConflict
		if !errors.As(err, &conflict) {
			t.Errorf("%s: err = %v, want *ErrDeputyImportConflict", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, conflict.Conflicts); diff != "" {
			t.Errorf("%s: conflicts mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
	if n := count(t, st, all); n != before {
		t.Errorf("rows committed: %d → %d", before, n)
	}
}

func TestImportDeputiesAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.Deputy(t, st, "王德福", bishi)
	ds := exportedDeputies(t, st, store.DeputyFilter{})
	ds[0].Post = "改过的职务"
	ds = append(ds, importDeputy("李建国", "1"), importDeputy("张有才", "2"))
	ds[2].HomeTownshipCode, ds[2].HomeVillageCode = "430681999", "" // no such township
	all := `SELECT (SELECT count(*) FROM deputies) + (SELECT count(*) FROM audit_events) + (SELECT sum(version) FROM deputies)`
	before := count(t, st, all)
	if _, err := st.ImportDeputies(ctx, ds, 0); err == nil {
		t.Fatal("import into an unknown township succeeded")
	}
	if n := count(t, st, all); n != before {
		t.Errorf("rows committed: %d → %d", before, n)
	}
}

func TestExportDeputiesFilter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	ds := []store.ImportDeputy{importDeputy("李建国", "1"), importDeputy("王秀英", "2"), importDeputy("张有才", "3")}
	ds[1].HomeTownshipCode, ds[1].HomeVillageCode, ds[1].Levels = "430681101", "", []string{"national"}
	ds[2].Status, ds[2].Category = "left_office", "cadre"
	if _, err := st.ImportDeputies(ctx, ds, 0); err != nil {
		t.Fatal(err)
	}
	names := func(f store.DeputyFilter) []string {
		var out []string
		for _, d := range exportedDeputies(t, st, f) {
			out = append(out, d.Name)
		}
		return out
	}
	tests := []struct {
		f    store.DeputyFilter
		want []string
	}{
		{store.DeputyFilter{}, []string{"王秀英", "张有才", "李建国"}},
		{store.DeputyFilter{Sort: "pinyin"}, []string{"李建国", "王秀英", "张有才"}},
		{store.DeputyFilter{Township: bishi}, []string{"张有才", "李建国"}},
		{store.DeputyFilter{Level: "national"}, []string{"王秀英"}},
		{store.DeputyFilter{Category: "cadre"}, []string{"张有才"}},
		{store.DeputyFilter{Status: "left_office"}, []string{"张有才"}},
		{store.DeputyFilter{ActiveOnly: true}, []string{"王秀英", "李建国"}},
		{store.DeputyFilter{Query: "zyc"}, []string{"张有才"}},
		{store.DeputyFilter{Query: "秀"}, []string{"王秀英"}},
		{store.DeputyFilter{Query: "nobody"}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, names(tt.f)); diff != "" {
			t.Errorf("%+v mismatch (-want +got):\n%s", tt.f, diff)
		}
	}
	// The export reads what the list shows.
	rows, total, err := st.Deputies(ctx, store.DeputyFilter{Township: bishi})
	if err != nil || total != 2 || len(rows) != 2 {
		t.Errorf("Deputies: %d of %d, %v", len(rows), total, err)
	}
}

// TestDeputiesExcelRoundTrip: the demo county's 1,331 deputies exported to
// Excel and imported back change nothing.
func TestDeputiesExcelRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	today := time.Now()
	st := testutil.NewStoreWithDemo(t, today)
	// The demo's units (帮扶单位) are in the same table but not on the roster.
	total := count(t, st, `SELECT count(*) FROM deputies WHERE kind = 'deputy'`)
	if total != 1331 {
		t.Errorf("demo deputies = %d, want 1331", total)
	}
	start := time.Now()
	var rows []xlsx.ExportDeputy
	if err := st.ExportDeputies(ctx, store.DeputyFilter{}, func(d store.ExportDeputy) error {
		rows = append(rows, xlsx.ExportDeputy(d))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != total {
		t.Fatalf("exported %d deputies of %d", len(rows), total)
	}
	var buf bytes.Buffer
	if err := xlsx.WriteDeputies(&buf, rows, xlsx.ExportMeta{Title: "汨罗市人大代表花名册", Unit: "汨罗市人大常委会办公室", Date: today}); err != nil {
		t.Fatal(err)
	}
	t.Logf("exported and written in %v (%d bytes)", time.Since(start), buf.Len())
	start = time.Now()
	resolve, _ := villageResolver(t, st)
	read, errs, err := xlsx.ReadDeputies(bytes.NewReader(buf.Bytes()), int64(buf.Len()), xlsx.DefaultLimits,
		townshipResolver(t, st), resolve, today)
	if err != nil || len(errs) > 0 {
		t.Fatalf("read back: %v; %d row errors, first %v", err, len(errs), errs[:min(len(errs), 5)])
	}
	t.Logf("read back in %v", time.Since(start))
	ds := make([]store.ImportDeputy, len(read))
	for i, d := range read {
		ds[i] = store.ImportDeputy(d)
		// The file holds exactly what the database holds.
		want := store.ImportDeputy{Deputy: rows[i].Deputy, Status: rows[i].Status, Row: d.Row}
		if diff := cmp.Diff(want, ds[i]); diff != "" {
			t.Fatalf("row %d mismatch (-want +got):\n%s", d.Row, diff)
		}
	}
	versions := count(t, st, `SELECT sum(version) FROM deputies`)
	start = time.Now()
	res, err := st.ImportDeputies(ctx, ds, 0)
	elapsed := time.Since(start)
	t.Logf("imported in %v", elapsed)
	if err != nil || res != (store.ImportResult{Unchanged: total}) {
		t.Fatalf("import = %+v, %v; want all %d unchanged", res, err, total)
	}
	if n := count(t, st, `SELECT sum(version) FROM deputies`); n != versions {
		t.Errorf("versions changed: %d → %d", versions, n)
	}

	// The same workbook into a registry holding only the divisions: all new.
	empty := testutil.NewStoreWithDivisions(t)
	start = time.Now()
	res, err = empty.ImportDeputies(ctx, ds, 0)
	elapsed = time.Since(start)
	t.Logf("imported into an empty registry in %v", elapsed)
	if err != nil || res != (store.ImportResult{Created: total}) {
		t.Fatalf("import into an empty registry = %+v, %v", res, err)
	}
	if n := count(t, empty, `SELECT count(*) FROM deputies WHERE name_pinyin = '' OR version <> 1`); n != 0 {
		t.Errorf("%d new deputies without pinyin key or at version <> 1", n)
	}
	if got := exportedDeputies(t, empty, store.DeputyFilter{}); len(got) != total {
		t.Errorf("exported %d deputies from the new registry", len(got))
	} else {
		for i := range got {
			got[i].Row = ds[i].Row
		}
		if diff := cmp.Diff(ds, got); diff != "" {
			t.Errorf("new registry mismatch (-want +got):\n%s", diff)
		}
	}
}
