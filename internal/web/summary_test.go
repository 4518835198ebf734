package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// postCase sends the "设为典型" form (multipart, with an optional photo).
func postCase(t *testing.T, a *app, c *http.Client, path string, fields map[string]string, pic []byte) (int, string, *goquery.Document) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if pic != nil {
		fw, _ := mw.CreateFormFile("photo", "case.png")
		_, _ = fw.Write(pic)
	}
	_ = mw.Close()
	resp, err := c.Post(a.srv.URL+path, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), doc
}

// TestModelCasesAndShowcase: staff and chairs mark model cases in their
// scope (deputies cannot), the showcase shows them to every signed-in
// role without any household name or ID number, by township and theme;
// marking, editing and unmarking are audited.
func TestModelCasesAndShowcase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "刘建华", bishi)
	depX := testutil.Deputy(t, st, "何春兰", xinshi)
	hh := testutil.Household(t, st, yuchi, "孙大勇")
	hhX := testutil.Household(t, st, xinshiV1, "钱小红")
	start := time.Now().AddDate(0, -2, 0)
	pid := testutil.Pairing(t, st, hh, dep, start)
	pidX := testutil.Pairing(t, st, hhX, depX, start)
	var entry int64
	if err := st.Pool.QueryRow(ctx, `INSERT INTO ledger_entries (pairing_id, entry_date, kind, description, amount, status)
		VALUES ($1, current_date - 3, 'job', '介绍到合作社务工', 0, 'approved') RETURNING id`, pid).Scan(&entry); err != nil {
		t.Fatal(err)
	}
	hrow, err := st.Household(ctx, auth.Scope{}, hh)
	if err != nil {
		t.Fatal(err)
	}
	idNumber := hrow.IDNumber
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair2", auth.TownshipChair, xinshi, 0)
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	chair := a.client(t, "chair", testutil.Password)
	chair2 := a.client(t, "chair2", testutil.Password)
	deputy := a.client(t, "dep", testutil.Password)
	leader := a.client(t, "leader", testutil.Password)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }

	// The household page links to the form for its pairing and approved entry.
	_, doc := a.get(t, chair, "/households/"+id(hh))
	if doc.Find(`[data-testid="mark-pairing"]`).Length() != 1 || doc.Find(`[data-testid="mark-entry-`+id(entry)+`"]`).Length() != 1 {
		t.Errorf("household page lacks the 设为典型 links")
	}
	status, doc := a.get(t, chair, "/model-cases/new?kind=ledger_entry&ref="+id(entry))
	if status != http.StatusOK || strings.Contains(doc.Find(`[data-testid="target"]`).Text(), "孙大勇") {
		t.Errorf("case form: %d %q", status, doc.Find(`[data-testid="target"]`).Text())
	}

	// A story naming the household is refused, what was typed is kept.
	form := map[string]string{"kind": "ledger_entry", "ref": id(entry), "theme": "employment", "title": "合作社务工稳增收", "story": "刘建华代表介绍孙大勇到合作社务工。"}
	status, _, doc = postCase(t, a, staff, "/model-cases", form, nil)
	if status != http.StatusUnprocessableEntity || !strings.Contains(text(doc, `[data-testid="error-story"]`), "姓名") ||
		doc.Find(`textarea[name="story"]`).Text() != form["story"] {
		t.Fatalf("story with the household's name: %d %q", status, text(doc, `[data-testid="error-story"]`))
	}
	form["story"] = "刘建华代表介绍孙某到猕猴桃合作社务工，月收入2000元。"
	if status, loc, doc := postCase(t, a, staff, "/model-cases", form, testPNG(t)); status != http.StatusSeeOther || loc != "/showcase" {
		t.Fatalf("staff marking: %d %s %s", status, loc, doc.Find(".field-error, [role=alert]").Text())
	}
	// Marked twice: a conflict, nothing added.
	if status, _, _ := postCase(t, a, staff, "/model-cases", form, nil); status != http.StatusConflict {
		t.Errorf("marking twice: %d", status)
	}
	// A chair marks its township's pairing, not another township's.
	pform := map[string]string{"kind": "pairing", "ref": id(pid), "theme": "industry", "title": "一户一策种猕猴桃", "story": "代表帮助孙某种植猕猴桃三亩。"}
	if status, _, _ := postCase(t, a, chair2, "/model-cases", pform, nil); status != http.StatusNotFound {
		t.Errorf("another township's chair marking: %d", status)
	}
	if status, _, _ := postCase(t, a, deputy, "/model-cases", pform, nil); status != http.StatusForbidden {
		t.Errorf("deputy marking: %d", status)
	}
	if status, _, doc := postCase(t, a, chair, "/model-cases", pform, nil); status != http.StatusSeeOther {
		t.Fatalf("chair marking: %d %s", status, doc.Find(".field-error").Text())
	}
	// Once marked, the household page offers the case's edit form instead.
	if _, doc := a.get(t, chair, "/households/"+id(hh)); !strings.Contains(text(doc, `[data-testid="mark-pairing"]`), "已是典型") ||
		!strings.Contains(doc.Find(`[data-testid="mark-pairing"]`).AttrOr("href", ""), "/edit") {
		t.Errorf("a marked pairing's link: %q %q", text(doc, `[data-testid="mark-pairing"]`), doc.Find(`[data-testid="mark-pairing"]`).AttrOr("href", ""))
	}
	xform := map[string]string{"kind": "pairing", "ref": id(pidX), "theme": "education", "title": "助学圆梦", "story": "代表资助钱某的孩子上学。"}
	if status, _, _ := postCase(t, a, staff, "/model-cases", xform, nil); status != http.StatusSeeOther {
		t.Fatalf("staff marking in 新市镇: %d", status)
	}

	// Every signed-in role sees the showcase; no household name or ID.
	for name, c := range map[string]*http.Client{"deputy": deputy, "leader": leader, "chair2": chair2} {
		status, body := a.getBody(t, c, "/showcase")
		if status != http.StatusOK || !strings.Contains(body, "合作社务工稳增收") || !strings.Contains(body, "助学圆梦") || !strings.Contains(body, "刘建华") {
			t.Errorf("%s's showcase: %d", name, status)
		}
		for _, secret := range []string{"孙大勇", "钱小红", idNumber, idNumber[len(idNumber)-4:] + "<"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s's showcase shows %q", name, secret)
			}
		}
	}
	_, doc = a.get(t, deputy, "/showcase?theme=employment")
	if n := doc.Find(`article.case`).Length(); n != 1 || !strings.Contains(doc.Find("article.case").Text(), "玉池村") {
		t.Errorf("theme filter: %d cases", n)
	}
	_, doc = a.get(t, deputy, "/showcase?township="+xinshi)
	if n := doc.Find(`article.case`).Length(); n != 1 || !strings.Contains(doc.Find("article.case").Text(), "助学圆梦") {
		t.Errorf("township filter: %d cases", n)
	}
	// The photo is served, and a deputy has no edit buttons.
	var withPhoto, chairCase, xCase int64
	if err := st.Pool.QueryRow(ctx, `SELECT max(id) FILTER (WHERE photo IS NOT NULL), max(id) FILTER (WHERE kind = 'pairing' AND township_code = $1),
		max(id) FILTER (WHERE township_code = $2) FROM model_cases`, bishi, xinshi).Scan(&withPhoto, &chairCase, &xCase); err != nil {
		t.Fatal(err)
	}
	if status, body := a.getBody(t, deputy, "/model-cases/"+id(withPhoto)+"/photo"); status != http.StatusOK || !strings.HasPrefix(body, "\xff\xd8") {
		t.Errorf("photo: %d", status)
	}
	if doc.Find(`[data-testid^="unmark-"]`).Length() != 0 {
		t.Errorf("deputy sees unmark buttons")
	}

	// Edit with a stale version: a conflict, the text kept; then saved.
	edit := url.Values{"version": {"1"}, "theme": {"industry"}, "title": {"猕猴桃种出好日子"}, "story": {"代表帮助孙某种植猕猴桃三亩，年增收八千元。"}}
	if status, _, _ := a.post(t, chair, "/model-cases/"+id(chairCase), edit); status != http.StatusSeeOther {
		t.Fatalf("chair editing: %d", status)
	}
	if status, _, doc := a.post(t, chair, "/model-cases/"+id(chairCase), edit); status != http.StatusConflict || !strings.Contains(doc.Find(`textarea[name="story"]`).Text(), "八千元") {
		t.Errorf("stale edit: %d", status)
	}
	if status, _, _ := a.post(t, chair, "/model-cases/"+id(xCase), edit); status != http.StatusNotFound {
		t.Errorf("chair editing another township's case: %d", status)
	}
	if status, _, _ := a.post(t, chair2, "/model-cases/"+id(chairCase)+"/delete", url.Values{"confirm": {"1"}}); status != http.StatusNotFound {
		t.Errorf("another chair unmarking: %d", status)
	}
	if status, _, _ := a.post(t, chair, "/model-cases/"+id(chairCase)+"/delete", url.Values{"confirm": {"1"}}); status != http.StatusSeeOther {
		t.Errorf("chair unmarking: %d", status)
	}
	if _, body := a.getBody(t, deputy, "/showcase"); strings.Contains(body, "猕猴桃种出好日子") {
		t.Errorf("unmarked case still shown")
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('model_case.mark', 'model_case.update', 'model_case.unmark')`).Scan(&n); err != nil || n != 3+1+1 {
		t.Errorf("%d audit events (%v), want 5", n, err)
	}
}

// TestQuarterlySummary checks issue 11's acceptance line 3: the summary's
// figures equal direct SQL counts on the raw tables for the township and
// quarter; after the chair edits and submits, later data changes do not
// alter the submitted text or figures (nor the stored snapshot), while
// another township's draft follows the data. Chairs reach their own
// township's summary only; staff read all side by side and may return one.
func TestQuarterlySummary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	var now atomic.Value
	setDay := func(d string) {
		day, _ := time.ParseInLocation(time.DateOnly, d, web.Shanghai)
		now.Store(day.Add(10 * time.Hour))
	}
	setDay("2026-09-10")
	a := newAppAt(t, st, func() time.Time { return now.Load().(time.Time) })
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	dep := testutil.Deputy(t, st, "刘建华", bishi)
	depX := testutil.Deputy(t, st, "何春兰", xinshi)
	hs := make([]int64, 6)
	for i := range hs {
		hs[i] = testutil.Household(t, st, yuchi, testutil.Name("户", i))
	}
	hx := testutil.Household(t, st, xinshiV1, "钱小红")
	// 弼时镇: p0 since Q2, never visited (red on 09-30); p1 since Q2, last
	// visit 08-15 (amber); p2 new in Q3, visited 09-20; p3 since Q2, ended
	// (transferred) 08-01; p4 new in Q3 but ended 09-05; p5 a rejected proposal.
	p0 := testutil.Pairing(t, st, hs[0], dep, d("2026-05-01"))
	p1 := testutil.Pairing(t, st, hs[1], dep, d("2026-04-10"))
	p2 := testutil.Pairing(t, st, hs[2], dep, d("2026-07-05"))
	p3 := testutil.Pairing(t, st, hs[3], dep, d("2026-04-01"))
	p4 := testutil.Pairing(t, st, hs[4], dep, d("2026-07-20"))
	px := testutil.Pairing(t, st, hx, depX, d("2026-07-01"))
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`UPDATE pairings SET status = 'ended', end_date = '2026-08-01', end_reason = 'transferred' WHERE id = $1`, p3)
	exec(`UPDATE pairings SET status = 'ended', end_date = '2026-09-05', end_reason = 'household_exited' WHERE id = $1`, p4)
	exec(`INSERT INTO pairings (household_id, deputy_id, start_date, end_date, status, end_reason) VALUES ($1, $2, '2026-07-10', '2026-07-12', 'ended', 'rejected')`, hs[5], dep)
	entry := func(pairing int64, day, kind, amount, status string) {
		t.Helper()
		exec(`INSERT INTO ledger_entries (pairing_id, entry_date, kind, description, amount, status, review_comment)
			VALUES ($1, $2, $3, '帮扶', $4, $5, CASE WHEN $5 = 'returned' THEN '补充照片' ELSE '' END)`, pairing, day, kind, amount, status)
	}
	entry(p1, "2026-08-15", "visit", "0", "approved")
	entry(p1, "2026-06-20", "visit", "0", "approved")  // Q2
	entry(p2, "2026-09-20", "visit", "0", "submitted") // counts as a visit, not as approved
	entry(p2, "2026-07-15", "cash", "1234.56", "approved")
	entry(p3, "2026-07-20", "goods", "300.10", "approved")
	entry(p3, "2026-08-02", "cash", "999.99", "draft")   // a draft: nothing
	entry(p2, "2026-08-03", "cash", "50.00", "returned") // returned: nothing
	entry(p1, "2026-10-02", "cash", "70.00", "approved") // Q4
	entry(px, "2026-08-08", "visit", "0", "approved")    // 新市镇
	entry(px, "2026-08-09", "cash", "88.80", "approved")
	exec(`INSERT INTO household_status_history (household_id, status, exited_year, note, changed_at) VALUES
		($1, 'exited', 2026, '脱贫', '2026-08-20 10:00+08'), ($2, 'exited', 2026, '脱贫', '2026-06-30 23:00+08'),
		($3, 'exited', 2026, '脱贫', '2026-09-30 23:30+08')`, hs[4], hs[3], hx)
	// Meetings of the quarter: the county's and 弼时镇's own record shortcomings.
	var county, own int64
	if err := st.Pool.QueryRow(ctx, `INSERT INTO meetings (year, quarter, meeting_date, title, kind, host_township, shortcomings, status)
		VALUES (2026, 3, '2026-08-10', '第三季度联席会议', 'on_site', $1, '部分结对超期未走访。', 'held') RETURNING id`, bishi).Scan(&county); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool.QueryRow(ctx, `INSERT INTO meetings (year, quarter, meeting_date, title, kind, host_township, township_code, shortcomings, status)
		VALUES (2026, 3, '2026-08-30', '弼时镇推进会', 'on_site', $1, $1, '台账照片不全。', 'held') RETURNING id`, bishi).Scan(&own); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO meetings (year, quarter, meeting_date, title, kind, host_township, township_code, shortcomings)
		VALUES (2026, 3, '2026-08-31', '新市镇推进会', 'on_site', $1, $1, '新市镇自己的不足。')`, xinshi)
	exec(`INSERT INTO action_items (meeting_id, title, owner_township, due_date) VALUES ($1, '修缮玉池村山塘', $2, '2026-09-01'), ($1, '新市镇的事项', $3, '2026-09-01')`, county, bishi, xinshi)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair2", auth.TownshipChair, xinshi, 0)
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	staff := a.client(t, "office", testutil.Password)
	leader := a.client(t, "leader", testutil.Password)
	chair := a.client(t, "chair", testutil.Password)
	chair2 := a.client(t, "chair2", testutil.Password)
	deputy := a.client(t, "dep", testutil.Password)
	// A model case marked in the quarter.
	if status, _, doc := postCase(t, a, chair, "/model-cases", map[string]string{"kind": "pairing", "ref": strconv.FormatInt(p2, 10), "theme": "industry",
		"title": "猕猴桃种出好日子", "story": "代表帮助户某种植猕猴桃。"}, nil); status != http.StatusSeeOther {
		t.Fatalf("marking: %d %s", status, doc.Find(".field-error").Text())
	}

	// The quarter is over; the chair opens its summary.
	setDay("2026-10-12")
	path := "/summaries/" + bishi + "/2026-Q3"
	// Independent counts on the raw tables (households by village prefix).
	counts := func(prefix string) map[string]string {
		t.Helper()
		var active, fresh, visits, entries, exits, amber, red int
		var yuan decimal.Decimal
		err := st.Pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM pairings p, households h WHERE h.id = p.household_id AND h.village_code LIKE $1
				AND p.status <> 'proposed' AND coalesce(p.end_reason, '') <> 'rejected' AND p.start_date <= '2026-09-30'
				AND coalesce(p.end_date, '2100-01-01') > '2026-09-30'),
			(SELECT count(*) FROM pairings p, households h WHERE h.id = p.household_id AND h.village_code LIKE $1
				AND p.status <> 'proposed' AND coalesce(p.end_reason, '') <> 'rejected' AND p.start_date BETWEEN '2026-07-01' AND '2026-09-30'),
			(SELECT count(*) FROM ledger_entries e, pairings p, households h WHERE p.id = e.pairing_id AND h.id = p.household_id
				AND h.village_code LIKE $1 AND e.kind = 'visit' AND e.status <> 'draft' AND e.status <> 'returned' AND e.entry_date BETWEEN '2026-07-01' AND '2026-09-30'),
			(SELECT count(*) FROM ledger_entries e, pairings p, households h WHERE p.id = e.pairing_id AND h.id = p.household_id
				AND h.village_code LIKE $1 AND e.status = 'approved' AND e.entry_date BETWEEN '2026-07-01' AND '2026-09-30'),
			(SELECT coalesce(sum(e.amount), 0) FROM ledger_entries e, pairings p, households h WHERE p.id = e.pairing_id AND h.id = p.household_id
				AND h.village_code LIKE $1 AND e.status = 'approved' AND e.entry_date BETWEEN '2026-07-01' AND '2026-09-30'),
			(SELECT count(DISTINCT sh.household_id) FROM household_status_history sh, households h WHERE h.id = sh.household_id
				AND h.village_code LIKE $1 AND sh.status = 'exited'
				AND sh.changed_at >= '2026-07-01 00:00+08' AND sh.changed_at < '2026-10-01 00:00+08'),
			(SELECT count(*) FILTER (WHERE gap BETWEEN 30 AND 59) FROM (SELECT '2026-09-30'::date - greatest(p.start_date,
				coalesce(max(e.entry_date), p.start_date)) AS gap FROM pairings p JOIN households h ON h.id = p.household_id
				LEFT JOIN ledger_entries e ON e.pairing_id = p.id AND e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date <= '2026-09-30'
				WHERE h.village_code LIKE $1 AND p.status <> 'proposed' AND coalesce(p.end_reason, '') <> 'rejected'
				AND p.start_date <= '2026-09-30' AND coalesce(p.end_date, '2100-01-01') > '2026-09-30' GROUP BY p.id) g),
			(SELECT count(*) FILTER (WHERE gap >= 60) FROM (SELECT '2026-09-30'::date - greatest(p.start_date,
				coalesce(max(e.entry_date), p.start_date)) AS gap FROM pairings p JOIN households h ON h.id = p.household_id
				LEFT JOIN ledger_entries e ON e.pairing_id = p.id AND e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date <= '2026-09-30'
				WHERE h.village_code LIKE $1 AND p.status <> 'proposed' AND coalesce(p.end_reason, '') <> 'rejected'
				AND p.start_date <= '2026-09-30' AND coalesce(p.end_date, '2100-01-01') > '2026-09-30' GROUP BY p.id) g)`,
			prefix+"%").Scan(&active, &fresh, &visits, &entries, &yuan, &exits, &amber, &red)
		if err != nil {
			t.Fatal(err)
		}
		s := strconv.Itoa
		return map[string]string{"在帮结对": s(active), "新结对": s(fresh), "走访": s(visits), "台账记录": s(entries),
			"帮扶资金物资": money.Format(yuan), "脱贫户": s(exits), "30–59天未走访": s(amber), "60天以上未走访": s(red)}
	}
	figures := func(doc *goquery.Document) map[string]string {
		out := map[string]string{}
		doc.Find(`table[data-testid="figures"] tr[data-figure]`).Each(func(_ int, tr *goquery.Selection) {
			label, _ := tr.Attr("data-figure")
			out[label] = strings.TrimSpace(tr.Find("td.num").Text())
		})
		return out
	}
	want := counts(bishi)
	// The fixture's own arithmetic, so that the SQL above cannot be wrong
	// the same way as the store's.
	hand := map[string]string{"在帮结对": "3", "新结对": "2", "走访": "2", "台账记录": "3", "帮扶资金物资": "1,534.66", "脱贫户": "1", "30–59天未走访": "1", "60天以上未走访": "1"}
	if diff := cmpMaps(hand, want); diff != "" {
		t.Fatalf("fixture counts mismatch (-hand +sql):\n%s", diff)
	}
	status, doc := a.get(t, chair, path)
	if status != http.StatusOK {
		t.Fatalf("chair's summary: %d", status)
	}
	if diff := cmpMaps(want, figures(doc)); diff != "" {
		t.Errorf("summary figures mismatch (-sql +page):\n%s", diff)
	}
	if txt := doc.Find(`[data-testid="summary-cases"]`).Text(); !strings.Contains(txt, "猕猴桃种出好日子") {
		t.Errorf("summary cases: %q", txt)
	}
	if txt := doc.Find(`[data-testid="shortcomings"]`).Text(); !strings.Contains(txt, "部分结对超期未走访") || !strings.Contains(txt, "台账照片不全") || strings.Contains(txt, "新市镇自己的不足") {
		t.Errorf("shortcomings: %q", txt)
	}
	if txt := doc.Find(`[data-testid="summary-items"]`).Text(); !strings.Contains(txt, "修缮玉池村山塘") || !strings.Contains(txt, "已逾期") || strings.Contains(txt, "新市镇的事项") {
		t.Errorf("items: %q", txt)
	}
	draft := doc.Find(`textarea[name="prose"]`).Text()
	for _, s := range []string{"有台帐", "有典型", "有效果", "猕猴桃种出好日子", "1,534.66"} {
		if !strings.Contains(draft, s) {
			t.Errorf("drafted prose lacks %q", s)
		}
	}

	// Access: other chairs 404, deputies 403, leaders read only.
	if status, _ := a.get(t, chair2, path); status != http.StatusNotFound {
		t.Errorf("another chair reading: %d", status)
	}
	if status, _, _ := a.post(t, chair2, path, url.Values{"version": {"0"}, "prose": {"篡改"}}); status != http.StatusNotFound {
		t.Errorf("another chair writing: %d", status)
	}
	if status, _ := a.get(t, deputy, path); status != http.StatusForbidden {
		t.Errorf("deputy reading: %d", status)
	}
	if status, doc := a.get(t, leader, path); status != http.StatusOK || doc.Find(`[data-testid="summary-form"]`).Length() != 0 {
		t.Errorf("leader: %d, form %d", status, doc.Find(`[data-testid="summary-form"]`).Length())
	}
	if status, _, _ := a.post(t, staff, path, url.Values{"version": {"0"}, "prose": {"代写"}}); status != http.StatusForbidden {
		t.Errorf("staff writing the chair's prose: %d", status)
	}

	// The chair edits: a draft, a stale save (conflict, text kept), submit.
	prose := "弼时镇第三季度：有台帐、有典型、有效果。" + draft
	mustPost := func(c *http.Client, p string, form url.Values) {
		t.Helper()
		if status, loc, doc := a.post(t, c, p, form); status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s %s", p, status, loc, doc.Find(".field-error, [role=alert]").Text())
		}
	}
	mustPost(chair, path, url.Values{"version": {"0"}, "action": {"save"}, "prose": {prose}})
	if status, _, doc := a.post(t, chair, path, url.Values{"version": {"0"}, "action": {"save"}, "prose": {"另一版"}}); status != http.StatusConflict ||
		doc.Find(`textarea[name="prose"]`).Text() != "另一版" || text(doc, `[data-testid="theirs"] pre`) != strings.TrimSpace(strings.ReplaceAll(prose, "\r\n", "\n")) {
		t.Errorf("stale save: %d, the saved text shown: %q", status, text(doc, `[data-testid="theirs"] pre`))
	}
	if status, _, doc := a.post(t, chair, path, url.Values{"version": {"1"}, "action": {"submit"}, "prose": {"  "}}); status != http.StatusUnprocessableEntity ||
		text(doc, `[data-testid="error-prose"]`) == "" {
		t.Errorf("empty submit: %d", status)
	}
	mustPost(chair, path, url.Values{"version": {"1"}, "action": {"submit"}, "prose": {prose}})
	var snapshot string
	if err := st.Pool.QueryRow(ctx, `SELECT snapshot::text FROM township_summaries WHERE township_code = $1`, bishi).Scan(&snapshot); err != nil {
		t.Fatal(err)
	}

	// Later changes to the data of that quarter.
	setDay("2026-10-20")
	entry(p2, "2026-09-25", "cash", "500.00", "approved")
	entry(p0, "2026-09-26", "visit", "0", "approved")
	testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "新来户"), dep, d("2026-09-15"))
	exec(`UPDATE meetings SET shortcomings = '改过的不足。' WHERE id = $1`, own)
	if status, _, _ := postCase(t, a, staff, "/model-cases", map[string]string{"kind": "pairing", "ref": strconv.FormatInt(p1, 10), "theme": "health",
		"title": "迟到的典型", "story": "事迹。"}, nil); status != http.StatusSeeOther {
		t.Fatalf("late case: %d", status)
	}
	a.get(t, staff, "/showcase") // shows (and so clears) the flash naming the late case
	if moved := counts(bishi); moved["帮扶资金物资"] == want["帮扶资金物资"] || moved["在帮结对"] == want["在帮结对"] {
		t.Fatalf("the later changes did not change the raw counts: %v", moved)
	}
	_, doc = a.get(t, staff, path)
	if diff := cmpMaps(want, figures(doc)); diff != "" {
		t.Errorf("submitted figures changed (-submitted +page):\n%s", diff)
	}
	if got := text(doc, `[data-testid="prose"]`); got != strings.TrimSpace(prose) {
		t.Errorf("submitted prose: %q", got)
	}
	body, _ := doc.Html()
	if strings.Contains(body, "迟到的典型") || strings.Contains(body, "改过的不足") || !strings.Contains(body, "台账照片不全") {
		t.Errorf("submitted report follows later data")
	}
	var after string
	if err := st.Pool.QueryRow(ctx, `SELECT snapshot::text FROM township_summaries WHERE township_code = $1`, bishi).Scan(&after); err != nil || after != snapshot {
		t.Errorf("snapshot changed (%v)", err)
	}
	// Frozen in the database too, and for the chair.
	if _, err := st.Pool.Exec(ctx, `UPDATE township_summaries SET prose = 'x' WHERE township_code = $1`, bishi); err == nil {
		t.Errorf("a submitted summary's prose could be updated")
	}
	if status, _, _ := a.post(t, chair, path, url.Values{"version": {"2"}, "action": {"save"}, "prose": {"再改"}}); status != http.StatusConflict {
		t.Errorf("saving a submitted summary: %d", status)
	}
	// Another township's draft follows its own data only.
	_, doc = a.get(t, staff, "/summaries/"+xinshi+"/2026-Q3")
	if diff := cmpMaps(counts(xinshi), figures(doc)); diff != "" {
		t.Errorf("新市镇 figures mismatch (-sql +page):\n%s", diff)
	}
	if got := figures(doc)["帮扶资金物资"]; got != "88.80" {
		t.Errorf("新市镇 yuan %q", got)
	}

	// Staff read every township side by side (the submitted row frozen)
	// and export them.
	_, doc = a.get(t, staff, "/summaries?year=2026&quarter=3")
	if n := doc.Find(`table[data-testid="summaries"] tbody tr`).Length(); n != 16 {
		t.Errorf("side by side: %d townships", n)
	}
	row := doc.Find(`tr[data-code="` + bishi + `"]`).Text()
	if !strings.Contains(row, "已提交") || !strings.Contains(row, "1,534.66") {
		t.Errorf("弼时镇 row: %q", row)
	}
	_, doc = a.get(t, chair, "/summaries?year=2026&quarter=3")
	if n := doc.Find(`table[data-testid="summaries"] tbody tr`).Length(); n != 1 {
		t.Errorf("chair's list: %d rows", n)
	}
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/summaries/export.xlsx?year=2026&quarter=3", nil)
	resp, err := staff.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	xb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f, err := excelize.OpenReader(bytes.NewReader(xb))
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	rows, _ := f.GetRows("季度总结")
	found := false
	for _, r := range rows {
		if len(r) > 8 && r[1] == "弼时镇" {
			found = true
			if r[2] != "已提交" || r[4] != want["在帮结对"] || r[8] != want["帮扶资金物资"] {
				t.Errorf("export row: %v", r)
			}
		}
	}
	if !found {
		t.Errorf("export lacks 弼时镇: %v", rows)
	}
	if _, body := a.getBody(t, leader, path+"/print"); !strings.Contains(body, "有台帐、有典型、有效果") || !strings.Contains(body, "summary-print") {
		t.Errorf("print view lacks the prose")
	}

	// Staff return it with a reason; the chair edits again on live data.
	if status, _, _ := a.post(t, staff, path+"/return", url.Values{"reason": {""}}); status != http.StatusUnprocessableEntity {
		t.Errorf("return without a reason: %d", status)
	}
	mustPost(staff, path+"/return", url.Values{"reason": {"请补充典型事迹。"}})
	_, doc = a.get(t, chair, path)
	if !strings.Contains(text(doc, `[data-testid="returned-reason"]`), "请补充典型事迹") || doc.Find(`[data-testid="summary-form"]`).Length() != 1 ||
		figures(doc)["帮扶资金物资"] != "2,034.66" {
		t.Errorf("returned summary: %q, yuan %q", text(doc, `[data-testid="returned-reason"]`), figures(doc)["帮扶资金物资"])
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('summary.save', 'summary.submit', 'summary.return')`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d audit events (%v), want 3", n, err)
	}
}

// cmpMaps lists the keys whose values differ: "-want +got".
func cmpMaps(want, got map[string]string) string {
	var b strings.Builder
	for k, w := range want {
		if g, ok := got[k]; !ok || g != w {
			b.WriteString("- " + k + ": " + w + "\n+ " + k + ": " + got[k] + "\n")
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			b.WriteString("+ " + k + ": " + g + "\n")
		}
	}
	return b.String()
}

var _ = store.ErrNotFound
