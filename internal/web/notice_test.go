package web_test

import (
	"bytes"
	"context"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// noticeFile is one attachment of a publish form.
type noticeFile struct {
	name string
	data []byte
}

// publishNotice sends the multipart publish form as c and returns the
// status, the Location header and the page.
func (a *app) publishNotice(t *testing.T, c *http.Client, fields url.Values, files ...noticeFile) (int, string, *goquery.Document) {
	t.Helper()
	if !fields.Has("form_token") { // as the publish form would carry
		fields = maps.Clone(fields)
		fields.Set("form_token", testToken())
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("files", f.name)
		_, _ = fw.Write(f.data)
	}
	_ = mw.Close()
	resp, err := c.Post(a.srv.URL+"/notices", mw.FormDataContentType(), &body)
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

// TestNoticeReadAndAnswered checks issue 11's acceptance line 1: staff
// publish a notice (the county's 活动方案, with the application button) to
// the deputies of 弼时镇; one deputy reads it, another applies, a third is
// applied for by staff; staff see the read and answered counts per
// township, on the page and in the database, and the lists of those who
// have not read or answered. A deputy of another township gets 404; a
// non-PDF/Word upload is refused in Chinese with the typed text kept; the
// unread count on the home page drops after reading.
func TestNoticeReadAndAnswered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	reader := testutil.Deputy(t, st, "刘建华", bishi)
	applicant := testutil.Deputy(t, st, "何春兰", bishi)
	noAccount := testutil.Deputy(t, st, "王德明", bishi) // no login: staff apply for it
	early := testutil.Deputy(t, st, "陈秋菊", bishi)     // applied before the notice
	outsider := testutil.Deputy(t, st, "李国平", xinshi)
	// Lives in 新市镇 but is paired with a household of 弼时镇: a deputy of 弼时镇's programme.
	paired := testutil.Deputy(t, st, "赵春生", xinshi)
	testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "孙大勇"), paired, time.Now().AddDate(0, -2, 0))
	left := testutil.Deputy(t, st, "钱永福", bishi)
	if _, err := st.Pool.Exec(ctx, `UPDATE deputies SET status = 'left_office', left_office_date = current_date WHERE id = $1`, left); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE deputies SET phone_enc = $2, phone_hash = $3 WHERE id = $1`,
		append([]any{applicant}, st.DeputyPersonal("13812345678")...)...); err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "reader", auth.Deputy, "", reader)
	testutil.User(t, st, "applicant", auth.Deputy, "", applicant)
	testutil.User(t, st, "early", auth.Deputy, "", early)
	testutil.User(t, st, "outsider", auth.Deputy, "", outsider)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	leader := a.client(t, "leader", testutil.Password)
	chair := a.client(t, "chair", testutil.Password)
	readerC := a.client(t, "reader", testutil.Password)
	applicantC := a.client(t, "applicant", testutil.Password)
	earlyC := a.client(t, "early", testutil.Password)
	outsiderC := a.client(t, "outsider", testutil.Password)
	apply := func(c *http.Client, form url.Values) {
		t.Helper()
		form.Set("capacity", "2")
		form.Add("offers", "industry")
		form.Add("preferred_townships", bishi)
		if status, loc, doc := a.post(t, c, "/applications", form); status != http.StatusSeeOther {
			t.Fatalf("application: %d %s %s", status, loc, doc.Find(".field-error").Text())
		}
	}
	apply(earlyC, url.Values{}) // before the notice: not an answer to it

	// A non-PDF/Word file is refused in Chinese; the typed title and body stay.
	fields := url.Values{"title": {"关于开展代表“一对一”帮扶活动的方案"}, "body": {"各位代表：\n\n请积极报名。<script>alert(1)</script>\n汨罗市人大常委会"},
		"audience": {"township"}, "townships": {bishi}, "call_to_apply": {"1"}}
	status, _, doc := a.publishNotice(t, staff, fields, noticeFile{"活动方案.pdf", []byte("MZ\x90\x00 not a pdf")})
	if status != http.StatusUnprocessableEntity || !strings.Contains(text(doc, `[data-testid="error-files"]`), "只能上传PDF或Word文件") {
		t.Fatalf("bad upload: %d %q", status, text(doc, `[data-testid="error-files"]`))
	}
	if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != fields.Get("title") {
		t.Errorf("title lost: %q", v)
	}
	if v := doc.Find(`textarea[name="body"]`).Text(); !strings.Contains(v, "请积极报名。") {
		t.Errorf("body lost: %q", v)
	}
	if !doc.Find(`input[name="townships"][value="` + bishi + `"]`).Is("[checked]") {
		t.Errorf("township choice lost")
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM notices`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("refused notice stored: %d %v", n, err)
	}

	// Published with the 活动方案 attached; a resent form publishes once.
	token, _ := doc.Find(`input[name="form_token"]`).Attr("value")
	fields.Set("form_token", token)
	plan := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("活动方案"), 100)...)
	status, loc, doc := a.publishNotice(t, staff, fields, noticeFile{"活动方案.pdf", plan})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/notices/") {
		t.Fatalf("publish: %d %s %s", status, loc, doc.Find(".field-error").Text())
	}
	if _, again, _ := a.publishNotice(t, staff, fields, noticeFile{"活动方案.pdf", plan}); again != loc {
		t.Errorf("resent form: %s, want %s", again, loc)
	}
	noticeID, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/notices/"), 10, 64)
	var notices, audits int
	if err := st.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM notices), (SELECT count(*) FROM audit_events WHERE action = 'notice.publish' AND entity_id = $1)`, noticeID).Scan(&notices, &audits); err != nil {
		t.Fatal(err)
	}
	if notices != 1 || audits != 1 {
		t.Errorf("notices %d, audit events %d; want 1 and 1", notices, audits)
	}
	// Recipients: 弼时镇's deputies in office (accounts or not) and the
	// deputy paired there; not 新市镇's other deputy, not the one who left.
	got := map[int64]bool{}
	rows, _ := st.Pool.Query(ctx, `SELECT deputy_id, had_account FROM notice_recipients WHERE notice_id = $1`, noticeID)
	for rows.Next() {
		var id int64
		var acct bool
		if err := rows.Scan(&id, &acct); err != nil {
			t.Fatal(err)
		}
		got[id] = acct
	}
	rows.Close()
	want := map[int64]bool{reader: true, applicant: true, noAccount: false, early: true, paired: false}
	if len(got) != len(want) {
		t.Errorf("recipients %v, want %v", got, want)
	}
	for id, acct := range want {
		if g, ok := got[id]; !ok || g != acct {
			t.Errorf("recipient %d: present %v account %v, want account %v", id, ok, g, acct)
		}
	}

	// A deputy of another township: not in its list, 404 on the notice and its file.
	var fileID int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM notice_files WHERE notice_id = $1`, noticeID).Scan(&fileID); err != nil {
		t.Fatal(err)
	}
	filePath := loc + "/files/" + strconv.FormatInt(fileID, 10)
	if status, _ := a.get(t, outsiderC, loc); status != http.StatusNotFound {
		t.Errorf("outsider opens the notice: %d", status)
	}
	if status, _ := a.getBody(t, outsiderC, filePath); status != http.StatusNotFound {
		t.Errorf("outsider downloads the attachment: %d", status)
	}
	if _, doc := a.get(t, outsiderC, "/notices"); strings.Contains(doc.Text(), fields.Get("title")) {
		t.Errorf("outsider's list shows the notice")
	}
	if status, _ := a.get(t, chair, loc); status != http.StatusNotFound {
		t.Errorf("chair (not a recipient) opens the notice: %d", status)
	}

	// The reader: one unread on its home page; opening marks it read once.
	if _, doc := a.get(t, readerC, "/my"); text(doc, `[data-testid="unread-count"]`) != "1" {
		t.Fatalf("reader's unread count: %q", text(doc, `[data-testid="unread-count"]`))
	}
	status, doc = a.get(t, readerC, loc)
	if status != http.StatusOK {
		t.Fatalf("reader opens: %d", status)
	}
	if doc.Find(`[data-testid="notice-body"] script`).Length() != 0 || !strings.Contains(text(doc, `[data-testid="notice-body"]`), "<script>alert(1)</script>") {
		t.Errorf("body is not shown as plain text: %q", text(doc, `[data-testid="notice-body"]`))
	}
	if doc.Find(`[data-testid="notice-body"] p`).Length() != 3 {
		t.Errorf("paragraphs: %d, want 3", doc.Find(`[data-testid="notice-body"] p`).Length())
	}
	if href, _ := doc.Find(`[data-testid="apply"]`).Attr("href"); href != "/applications/new" {
		t.Errorf("call to action: %q", href)
	}
	if doc.Find(`[data-testid="notice-figures"]`).Length() != 0 {
		t.Errorf("a deputy sees the figures")
	}
	if _, doc := a.get(t, readerC, "/my"); doc.Find(`[data-testid="unread-notices"]`).Length() != 0 {
		t.Errorf("unread box after reading: %q", text(doc, `[data-testid="unread-notices"]`))
	}
	var firstRead time.Time
	if err := st.Pool.QueryRow(ctx, `SELECT read_at FROM notice_reads`).Scan(&firstRead); err != nil {
		t.Fatal(err)
	}
	a.get(t, readerC, loc)
	var reads int
	var readAt time.Time
	if err := st.Pool.QueryRow(ctx, `SELECT count(*), max(read_at) FROM notice_reads`).Scan(&reads, &readAt); err != nil || reads != 1 || !readAt.Equal(firstRead) {
		t.Errorf("reads after a second opening: %d %v (first %v) %v", reads, readAt, firstRead, err)
	}
	resp, err := readerC.Get(a.srv.URL + filePath)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(b, plan) ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
	}

	// The applicant answers by filing an application (without reading);
	// staff file one on behalf of the deputy without an account.
	if _, doc := a.get(t, applicantC, "/notices"); !strings.Contains(doc.Find(`[data-testid="notices"]`).Text(), "未读") {
		t.Errorf("applicant's list does not show the notice unread")
	}
	apply(applicantC, url.Values{})
	apply(staff, url.Values{"deputy_id": {strconv.FormatInt(noAccount, 10)}})

	// Staff see 5 recipients, 1 read, 2 answered; per township.
	status, doc = a.get(t, staff, loc)
	if status != http.StatusOK {
		t.Fatalf("staff opens: %d", status)
	}
	for sel, want := range map[string]string{`[data-testid="recipients"]`: "5", `[data-testid="read"]`: "1", `[data-testid="answered"]`: "2"} {
		if got := text(doc, sel); got != want {
			t.Errorf("staff figure %s = %q, want %s", sel, got, want)
		}
	}
	cells := func(code string) string {
		var out []string
		doc.Find(`[data-testid="township-` + code + `"] td`).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
		return strings.Join(out, "|")
	}
	if got := cells(bishi); got != "弼时镇|4|1|1|3|2|2" {
		t.Errorf("弼时镇 row: %q", got)
	}
	if got := cells(xinshi); got != "新市镇|1|1|0|1|0|1" {
		t.Errorf("新市镇 row: %q", got)
	}
	var dbRead, dbAnswered int
	if err := st.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM notice_reads rd JOIN notice_recipients r ON r.id = rd.recipient_id WHERE r.notice_id = $1),
		(SELECT count(*) FROM notice_recipients r JOIN notices n ON n.id = r.notice_id
		 WHERE r.notice_id = $1 AND EXISTS (SELECT 1 FROM applications a WHERE a.deputy_id = r.deputy_id AND a.created_at >= n.published_at))`,
		noticeID).Scan(&dbRead, &dbAnswered); err != nil || dbRead != 1 || dbAnswered != 2 {
		t.Errorf("database: read %d answered %d, want 1 and 2 (%v)", dbRead, dbAnswered, err)
	}
	if _, doc := a.get(t, staff, "/notices"); !strings.Contains(doc.Find(`[data-testid="notices"] tbody tr`).Text(), "1（20.0%）") ||
		!strings.Contains(doc.Find(`[data-testid="notices"] tbody tr`).Text(), "弼时镇") {
		t.Errorf("staff list (figures, township by name): %q", doc.Find(`[data-testid="notices"] tbody tr`).Text())
	}

	// Who has not read, who has not answered: names (by township code, then
	// pinyin), township, phones in full for staff, masked for leaders.
	names := func(c *http.Client, q string) string {
		t.Helper()
		status, doc := a.get(t, c, loc+"/recipients?"+q)
		if status != http.StatusOK {
			t.Fatalf("recipients?%s: %d", q, status)
		}
		var out []string
		doc.Find(`[data-testid="recipients"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Find("td").Eq(0).Text())+"@"+strings.TrimSpace(s.Find("td").Eq(1).Text())+"@"+strings.TrimSpace(s.Find("td").Eq(2).Text()))
		})
		return strings.Join(out, ",")
	}
	if got := names(staff, "filter=unread"); got != "赵春生@新市镇@,陈秋菊@弼时镇@,何春兰@弼时镇@13812345678,王德明@弼时镇@" {
		t.Errorf("unread list: %q", got)
	}
	if got := names(leader, "filter=unread&township="+bishi); got != "陈秋菊@弼时镇@,何春兰@弼时镇@138****5678,王德明@弼时镇@" {
		t.Errorf("leader's unread list of 弼时镇: %q", got)
	}
	if got := names(staff, "filter=unanswered"); got != "赵春生@新市镇@,陈秋菊@弼时镇@,刘建华@弼时镇@" {
		t.Errorf("unanswered list: %q", got)
	}
	if status, _ := a.get(t, readerC, loc+"/recipients"); status != http.StatusForbidden {
		t.Errorf("deputy asks for the recipients: %d", status)
	}
}

// TestNoticeToChairs: a notice to one township's chair shows on that
// chair's home page until read; another township's chair gets 404.
func TestNoticeToChairs(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair2", auth.TownshipChair, xinshi, 0)
	testutil.User(t, st, "dep", auth.Deputy, "", testutil.Deputy(t, st, "刘建华", bishi))
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	chair := a.client(t, "chair", testutil.Password)
	chair2 := a.client(t, "chair2", testutil.Password)
	dep := a.client(t, "dep", testutil.Password)
	status, loc, doc := a.publishNotice(t, staff, url.Values{"title": {"请组织本镇代表报名"}, "body": {"请于月底前汇总。"}, "audience": {"chairs"}, "townships": {bishi}})
	if status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", status, doc.Find(".field-error").Text())
	}
	if _, doc := a.get(t, chair, "/dashboard"); text(doc, `[data-testid="unread-count"]`) != "1" {
		t.Errorf("chair's unread count: %q", text(doc, `[data-testid="unread-count"]`))
	}
	for who, c := range map[string]*http.Client{"chair2": chair2, "dep": dep} {
		if status, _ := a.get(t, c, loc); status != http.StatusNotFound {
			t.Errorf("%s opens a notice to 弼时镇's chair: %d", who, status)
		}
	}
	if status, doc := a.get(t, chair, loc); status != http.StatusOK || doc.Find(`[data-testid="apply"]`).Length() != 0 {
		t.Errorf("chair opens: %d", status)
	}
	if _, doc := a.get(t, chair, "/dashboard"); doc.Find(`[data-testid="unread-notices"]`).Length() != 0 {
		t.Errorf("chair's unread box after reading")
	}
	if _, doc := a.get(t, staff, loc); text(doc, `[data-testid="read"]`) != "1" || doc.Find(`[data-testid="answered"]`).Length() != 0 {
		t.Errorf("staff figures of a chairs' notice: read %q", text(doc, `[data-testid="read"]`))
	}
	// A level notice without a level is refused beside the field.
	status, _, doc = a.publishNotice(t, staff, url.Values{"title": {"t"}, "body": {"b"}, "audience": {"level"}})
	if status != http.StatusUnprocessableEntity || text(doc, `[data-testid="error-levels"]`) != "请至少选择一个代表层级" {
		t.Errorf("level without levels: %d %q", status, text(doc, `[data-testid="error-levels"]`))
	}
}

// TestNoticeWithdrawAndEmptyAudience: a notice whose audience holds nobody
// is refused beside the audience field (nothing published); staff withdraw
// a published notice with a reason, after which its recipient no longer
// sees it (404, gone from home and list) while staff see it marked; the
// withdrawal is audited, and without a reason nothing happens.
func TestNoticeWithdrawAndEmptyAudience(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "dep", auth.Deputy, "", testutil.Deputy(t, st, "刘建华", bishi))
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	dep := a.client(t, "dep", testutil.Password)

	status, _, doc := a.publishNotice(t, staff, url.Values{"title": {"只发全国代表"}, "body": {"正文"}, "audience": {"level"}, "levels": {"national"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(text(doc, `[data-testid="error-audience"]`), "没有接收人") {
		t.Errorf("empty audience: %d %q", status, text(doc, `[data-testid="error-audience"]`))
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM notices`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d notices after an empty audience (%v)", n, err)
	}

	status, loc, _ := a.publishNotice(t, staff, url.Values{"title": {"关于报名的通知"}, "body": {"请报名。"}, "audience": {"township"}, "townships": {bishi}})
	if status != http.StatusSeeOther {
		t.Fatalf("publish: %d", status)
	}
	if status, _ := a.get(t, dep, loc); status != http.StatusOK {
		t.Fatalf("recipient opens: %d", status)
	}
	if status, _, _ := a.post(t, staff, loc+"/withdraw", url.Values{"reason": {"  "}}); status != http.StatusUnprocessableEntity {
		t.Errorf("withdraw without a reason: %d", status)
	}
	if status, _, _ := a.post(t, dep, loc+"/withdraw", url.Values{"reason": {"x"}}); status != http.StatusForbidden {
		t.Errorf("a deputy withdraws: %d", status)
	}
	if status, _ := a.get(t, dep, loc); status != http.StatusOK {
		t.Fatalf("refused withdrawals withdrew it: %d", status)
	}
	if status, got, _ := a.post(t, staff, loc+"/withdraw", url.Values{"reason": {"内容有误，将重新发布"}}); status != http.StatusSeeOther || got != loc {
		t.Fatalf("withdraw: %d %s", status, got)
	}
	if status, _ := a.get(t, dep, loc); status != http.StatusNotFound {
		t.Errorf("recipient opens a withdrawn notice: %d", status)
	}
	if _, doc := a.get(t, dep, "/notices"); strings.Contains(doc.Text(), "关于报名的通知") {
		t.Error("the withdrawn notice is still in the recipient's list")
	}
	if _, doc := a.get(t, dep, "/my"); strings.Contains(doc.Text(), "关于报名的通知") {
		t.Error("the withdrawn notice is still on the recipient's home page")
	}
	if _, doc := a.get(t, staff, loc); !strings.Contains(text(doc, `[data-testid="withdrawn"]`), "内容有误") || doc.Find(`[data-testid="withdraw"]`).Length() != 0 {
		t.Errorf("staff view of a withdrawn notice: %q", text(doc, `[data-testid="withdrawn"]`))
	}
	if _, doc := a.get(t, staff, "/notices"); !strings.Contains(doc.Text(), "已撤回") {
		t.Error("staff list does not mark the withdrawn notice")
	}
	if status, _, _ := a.post(t, staff, loc+"/withdraw", url.Values{"reason": {"再撤一次"}}); status != http.StatusNotFound {
		t.Errorf("withdrawing twice: %d", status)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'notice.withdraw'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("withdrawal audited %d times (%v)", n, err)
	}
}
