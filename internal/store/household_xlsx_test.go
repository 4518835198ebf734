package store_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"

	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

const yuchi = "430681107231" // 弼时镇 玉池村

var importSeq atomic.Int64

// importID returns a valid ID number, different on every call, of a man or
// a woman born from 1980 on (testutil.IDNumber's are 1970 men).
func importID(male bool) string {
	n := importSeq.Add(1)
	birth := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/400))
	seq := int(n%400) * 2
	if male {
		seq++
	}
	s, err := idcard.Build("430681", birth, seq)
	if err != nil {
		panic(err)
	}
	return s
}

// importHousehold is a valid household of size people (head included).
func importHousehold(village, head string, size int) store.ImportHousehold {
	h := store.ImportHousehold{Household: household.Household{
		VillageCode: village, GroupName: "2组", HeadName: head, HeadSex: "male", IDNumber: importID(true),
		Phone: "13912345678", Attribute: "subsistence", Standard: "national", MainCause: "因残",
		OtherCauses: []string{"缺资金"}, IdentificationYear: 2016, PerCapitaIncome: decimal.RequireFromString("3123.45"),
		PlannedExitYear: 2027, Remark: "导入测试",
		Head: household.Member{Ethnicity: "土家族", Education: "小学", Health: "残疾", Labour: "丧失劳动力"},
	}, Status: "not_exited"}
	h.Head.Name, h.Head.Sex, h.Head.IDNumber, h.Head.Relation = h.HeadName, h.HeadSex, h.IDNumber, "户主"
	relations := []string{"配偶", "子", "女", "母亲", "孙子"}
	for i := 1; i < size; i++ {
		male := i%2 == 0
		sex := map[bool]string{true: "male", false: "female"}[male]
		h.Members = append(h.Members, household.Member{Name: testutil.Name(head[:3]+"成员", i), Sex: sex,
			IDNumber: importID(male), Relation: relations[(i-1)%len(relations)], Ethnicity: "汉族",
			Health: "健康", Labour: "普通劳动力", MigrantWork: "省外务工"})
	}
	return h
}

func count(t testing.TB, st *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := st.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestImportHouseholds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	hs := []store.ImportHousehold{
		importHousehold(yuchi, "李建国", 3),
		importHousehold(yuchi, "张有才", 1),
		importHousehold("430681107205", "王德福", 5),
	}
	res, err := st.ImportHouseholds(ctx, hs, 0)
	if err != nil || res != (store.ImportResult{Created: 3}) {
		t.Fatalf("first import = %+v, %v", res, err)
	}
	if n := count(t, st, `SELECT count(*) FROM household_members`); n != 9 {
		t.Errorf("members = %d, want 9", n)
	}
	var pinyin string
	var positions []int32
	if err := st.Pool.QueryRow(ctx, `SELECT h.head_pinyin, array_agg(m.position ORDER BY m.position) FROM households h
		JOIN household_members m ON m.household_id = h.id WHERE h.id_hash = $1 GROUP BY h.id`, st.IDHash(hs[0].IDNumber)).Scan(&pinyin, &positions); err != nil {
		t.Fatal(err)
	}
	if pinyin != "ljg|lijianguo" || !cmp.Equal(positions, []int32{0, 1, 2}) {
		t.Errorf("pinyin %q positions %v", pinyin, positions)
	}
	// What was imported reads back the same through the export.
	var got []store.ImportHousehold
	if err := st.ExportHouseholds(ctx, auth.Scope{}, store.HouseholdFilter{}, func(e store.ExportHousehold) error {
		got = append(got, store.ImportHousehold{Household: e.Household, Status: e.Status, ExitedYear: e.ExitedYear})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	byID := map[string]store.ImportHousehold{}
	for _, h := range got {
		byID[h.IDNumber] = h
	}
	for _, h := range hs {
		if diff := cmp.Diff(h, byID[h.IDNumber], cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("export of %s mismatch (-want +got):\n%s", h.HeadName, diff)
		}
	}

	// The same again: nothing changes, nothing is written but the summary.
	maxMember := count(t, st, `SELECT max(id) FROM household_members`)
	audits := count(t, st, `SELECT count(*) FROM audit_events`)
	res, err = st.ImportHouseholds(ctx, hs, 0)
	if err != nil || res != (store.ImportResult{Unchanged: 3}) {
		t.Fatalf("re-import = %+v, %v", res, err)
	}
	if n := count(t, st, `SELECT max(id) FROM household_members`); n != maxMember {
		t.Errorf("members rewritten: max id %d → %d", maxMember, n)
	}
	if n := count(t, st, `SELECT count(*) FROM households WHERE version <> 1`); n != 0 {
		t.Errorf("%d versions bumped", n)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events`); n != audits+1 {
		t.Errorf("audit events %d → %d, want one summary", audits, n)
	}

	// Changed income, changed status, one member fewer.
	hs[0].PerCapitaIncome = decimal.RequireFromString("3123.46")
	hs[1].Status, hs[1].ExitedYear = "exited", 2020
	hs[2].Members = hs[2].Members[:3]
	res, err = st.ImportHouseholds(ctx, hs, 0)
	if err != nil || res != (store.ImportResult{Updated: 3}) {
		t.Fatalf("changed import = %+v, %v", res, err)
	}
	var income decimal.Decimal
	var version int
	if err := st.Pool.QueryRow(ctx, `SELECT per_capita_income, version FROM households WHERE id_hash = $1`, st.IDHash(hs[0].IDNumber)).Scan(&income, &version); err != nil {
		t.Fatal(err)
	}
	if !income.Equal(decimal.RequireFromString("3123.46")) || version != 2 {
		t.Errorf("income %s version %d", income, version)
	}
	if n := count(t, st, `SELECT count(*) FROM household_status_history sh JOIN households h ON h.id = sh.household_id
		WHERE h.id_hash = $1`, st.IDHash(hs[1].IDNumber)); n != 2 {
		t.Errorf("status history rows = %d, want 2 (registration, exit)", n)
	}
	if n := count(t, st, `SELECT count(*) FROM household_members`); n != 8 {
		t.Errorf("members = %d, want 8", n)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events WHERE action = 'household.import' AND entity = 'household'
		AND before IS NOT NULL AND after->>'per_capita_income' = '3123.46'`); n != 1 {
		t.Errorf("update audit events with before/after = %d", n)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events WHERE after::text LIKE '%' || $1 || '%'`, hs[0].IDNumber); n != 0 {
		t.Errorf("%d audit events hold a whole ID number", n)
	}
}

func TestImportHouseholdsConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	existing := testutil.Household(t, st, yuchi, "赵老大")
	h, err := st.Household(ctx, auth.Scope{}, existing)
	if err != nil {
		t.Fatal(err)
	}
	taken := h.IDNumber
	hs := []store.ImportHousehold{importHousehold(yuchi, "李建国", 2), importHousehold(yuchi, "张有才", 3)}
	hs[0].Row, hs[1].Row = 4, 6
	hs[1].Members[1].IDNumber, hs[1].Members[1].Sex = taken, "male" // a member of 赵老大's household
	_, err = st.ImportHouseholds(ctx, hs, 0)
	var conflict *store.ErrImportConflict
	if !errors.As(err, &conflict) {
		t.Fatalf("err = %v, want *ErrImportConflict", err)
	}
	want := []store.IDConflict{{IDNumber: taken, Row: 6, HouseholdID: existing, Holder: "玉池村 赵老大"}}
	if diff := cmp.Diff(want, conflict.Conflicts); diff != "" {
		t.Errorf("conflicts mismatch (-want +got):\n%s", diff)
	}
	if n := count(t, st, `SELECT count(*) FROM households`); n != 1 {
		t.Errorf("households = %d, want 1: nothing committed", n)
	}

	// Twice in the same import.
	hs = []store.ImportHousehold{importHousehold(yuchi, "李建国", 2), importHousehold(yuchi, "张有才", 2)}
	hs[1].Members[0] = hs[0].Members[0]
	if _, err := st.ImportHouseholds(ctx, hs, 0); !errors.As(err, &conflict) || conflict.Conflicts[0].IDNumber != hs[0].Members[0].IDNumber {
		t.Errorf("err = %v", err)
	}
}

func TestImportHouseholdsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	hs := []store.ImportHousehold{importHousehold(yuchi, "李建国", 2), importHousehold("430681999999", "张有才", 2),
		importHousehold(yuchi, "王德福", 2)}
	all := `SELECT (SELECT count(*) FROM households) + (SELECT count(*) FROM household_members)
		+ (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM household_status_history)`
	before := count(t, st, all)
	if _, err := st.ImportHouseholds(ctx, hs, 0); err == nil {
		t.Fatal("import into an unknown village succeeded")
	}
	if n := count(t, st, all); n != before {
		t.Errorf("%d rows committed", n-before)
	}
}

// villageResolver resolves township and village names with the divisions
// table, as the web layer does.
func villageResolver(t testing.TB, st *store.Store) (func(string, string) (string, bool), []xlsx.Village) {
	t.Helper()
	vs, err := st.Villages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	var list []xlsx.Village
	for _, v := range vs {
		codes[v.TownshipName+"/"+v.Name] = v.Code
		list = append(list, xlsx.Village{Township: v.TownshipName, Name: v.Name})
	}
	return func(t, v string) (string, bool) { c, ok := codes[t+"/"+v]; return c, ok }, list
}

// TestHouseholdsExcelRoundTrip: the demo county exported to Excel and
// imported back changes nothing, and the money is exact.
func TestHouseholdsExcelRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	today := time.Now()
	start := time.Now()
	st := testutil.NewStoreWithDemo(t, today)
	t.Logf("demo loaded in %v", time.Since(start))
	start = time.Now()
	var sumBefore, sumAfter decimal.Decimal
	if err := st.Pool.QueryRow(ctx, `SELECT sum(per_capita_income) FROM households`).Scan(&sumBefore); err != nil {
		t.Fatal(err)
	}
	total := count(t, st, `SELECT count(*) FROM households`)
	var rows []xlsx.ExportHousehold
	if err := st.ExportHouseholds(ctx, auth.Scope{}, store.HouseholdFilter{}, func(h store.ExportHousehold) error {
		rows = append(rows, xlsx.ExportHousehold(h))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != total {
		t.Fatalf("exported %d households of %d", len(rows), total)
	}
	var buf bytes.Buffer
	if err := xlsx.WriteHouseholds(&buf, rows, xlsx.ExportMeta{Title: "汨罗市建档立卡贫困户花名册", Unit: "汨罗市人大常委会办公室", Date: today}); err != nil {
		t.Fatal(err)
	}
	resolve, _ := villageResolver(t, st)
	read, errs, err := xlsx.ReadHouseholds(bytes.NewReader(buf.Bytes()), int64(buf.Len()), xlsx.DefaultLimits, resolve, today)
	if err != nil || len(errs) > 0 {
		t.Fatalf("read back: %v; %d row errors, first %v", err, len(errs), errs[:min(len(errs), 5)])
	}
	sumRead := decimal.Zero
	hs := make([]store.ImportHousehold, len(read))
	for i, h := range read {
		hs[i] = store.ImportHousehold(h)
		sumRead = sumRead.Add(h.PerCapitaIncome)
	}
	t.Logf("exported, written and read back in %v", time.Since(start))
	start = time.Now()
	res, err := st.ImportHouseholds(ctx, hs, 0)
	t.Logf("imported in %v", time.Since(start))
	if err != nil || res != (store.ImportResult{Unchanged: total}) {
		t.Fatalf("import = %+v, %v; want all %d unchanged", res, err, total)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT sum(per_capita_income) FROM households`).Scan(&sumAfter); err != nil {
		t.Fatal(err)
	}
	if !sumBefore.Equal(sumAfter) || !sumBefore.Equal(sumRead) {
		t.Errorf("income sums: database %s, file %s, after %s", sumBefore, sumRead, sumAfter)
	}
	t.Logf("%d households, %d bytes, income sum %s", total, buf.Len(), sumBefore.StringFixed(2))
}

func TestExportHouseholdsScope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	hs := []store.ImportHousehold{importHousehold(yuchi, "李建国", 2), importHousehold("430681101202", "张有才", 2)}
	if _, err := st.ImportHouseholds(ctx, hs, 0); err != nil {
		t.Fatal(err)
	}
	names := func(scope auth.Scope, f store.HouseholdFilter) []string {
		var out []string
		if err := st.ExportHouseholds(ctx, scope, f, func(h store.ExportHousehold) error {
			out = append(out, h.HeadName)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name  string
		scope auth.Scope
		f     store.HouseholdFilter
		want  []string
	}{
		{"county", auth.Scope{}, store.HouseholdFilter{}, []string{"张有才", "李建国"}},
		{"township chair", auth.Scope{TownshipCode: "430681107"}, store.HouseholdFilter{}, []string{"李建国"}},
		{"deputy without pairings", auth.Scope{DeputyID: 99}, store.HouseholdFilter{}, nil},
		{"filter", auth.Scope{}, store.HouseholdFilter{Division: "430681101"}, []string{"张有才"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, names(tt.scope, tt.f)); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

// BenchmarkImportHouseholds10k reads a generated 10,000-household roster
// (about 33,000 people) and imports it into a database holding only the
// divisions. Run with
//
//	go test -run XXX -bench ImportHouseholds -benchmem -benchtime 3x ./internal/store/
//
// It reports the phases (read, import into an empty registry, re-import of
// the same households: all unchanged) and the process's peak RSS (VmHWM) in
// MB. ns/op covers read + import + re-import.
func BenchmarkImportHouseholds10k(b *testing.B) {
	ctx := context.Background()
	now := time.Now()
	setup := testutil.NewStoreWithDivisions(b)
	resolve, villages := villageResolver(b, setup)
	vs, _ := setup.Villages(ctx)
	var rows []xlsx.ExportHousehold
	people := 0
	for i := 0; i < 10000; i++ {
		v := vs[i%len(vs)]
		size := []int{1, 2, 3, 3, 4, 4, 5, 6, 2, 3}[i%10]
		h := importHousehold(v.Code, testutil.Name("户主", i), size)
		if i%7 == 0 {
			h.Status, h.ExitedYear = "exited", 2020
		}
		h.PerCapitaIncome = decimal.New(int64(180000+i*37), -2)
		people += size
		rows = append(rows, xlsx.ExportHousehold{Household: h.Household, Status: h.Status, ExitedYear: h.ExitedYear,
			TownshipName: villages[i%len(vs)].Township, VillageName: villages[i%len(vs)].Name})
	}
	var buf bytes.Buffer
	if err := xlsx.WriteHouseholds(&buf, rows, xlsx.ExportMeta{Title: "基准测试", Date: now}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	rows = nil
	b.Logf("workbook: %d households, %d people, %d bytes; RSS before: %.0f MB", 10000, people, len(data), rss("VmRSS"))
	b.ResetTimer()
	var readTime, importTime, reimportTime time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st := testutil.NewStoreWithDivisions(b)
		b.StartTimer()
		start := time.Now()
		hs, errs, err := xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), xlsx.DefaultLimits, resolve, now)
		if err != nil || len(errs) > 0 {
			b.Fatalf("read: %v %v", err, errs[:min(5, len(errs))])
		}
		readTime += time.Since(start)
		start = time.Now()
		in := make([]store.ImportHousehold, len(hs))
		for j, h := range hs {
			in[j] = store.ImportHousehold(h)
		}
		res, err := st.ImportHouseholds(ctx, in, 0)
		if err != nil || res.Created != 10000 {
			b.Fatalf("import: %+v %v", res, err)
		}
		importTime += time.Since(start)
		start = time.Now()
		res, err = st.ImportHouseholds(ctx, in, 0)
		if err != nil || res.Unchanged != 10000 {
			b.Fatalf("re-import: %+v %v", res, err)
		}
		reimportTime += time.Since(start)
	}
	b.ReportMetric(readTime.Seconds()/float64(b.N), "read-s/op")
	b.ReportMetric(importTime.Seconds()/float64(b.N), "import-s/op")
	b.ReportMetric(reimportTime.Seconds()/float64(b.N), "reimport-s/op")
	b.ReportMetric(rss("VmHWM"), "peakRSS-MB")
}

// rss reads a memory figure (VmRSS, VmHWM) of this process in MB.
func rss(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
