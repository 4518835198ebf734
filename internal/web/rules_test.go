package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	anon := a.client(t, "", "")

	// Anonymous users are sent to the login page.
	resp, err := anon.Get(a.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("GET / anonymous: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A wrong password keeps the name and says so in Chinese.
	status, _, doc := a.post(t, anon, "/login", url.Values{"username": {"office"}, "password": {"wrong-password"}})
	if status != http.StatusUnprocessableEntity || text(doc, `[data-testid="login-error"]`) != "用户名或密码不正确。" {
		t.Fatalf("wrong password: %d %q", status, text(doc, `[data-testid="login-error"]`))
	}
	if v, _ := doc.Find(`input[name="username"]`).Attr("value"); v != "office" {
		t.Fatalf("username not kept: %q", v)
	}
	var failed int
	if err := st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'user.login_failed'`).Scan(&failed); err != nil || failed != 1 {
		t.Fatalf("failed logins audited = %d, %v", failed, err)
	}
	// Staff lands on the dashboard; after logout the session is gone.
	staff := a.client(t, "office", testutil.Password)
	resp, _ = staff.Get(a.srv.URL + "/")
	resp.Body.Close()
	if resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("staff home = %q", resp.Header.Get("Location"))
	}
	if status, loc, _ := a.post(t, staff, "/logout", nil); status != http.StatusSeeOther || loc != "/login" {
		t.Fatalf("logout: %d %s", status, loc)
	}
	resp, _ = staff.Get(a.srv.URL + "/dashboard")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("dashboard after logout: %d", resp.StatusCode)
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	a := newApp(t, st)
	if status, body := a.getBody(t, a.client(t, "", ""), "/healthz"); status != http.StatusOK || body != "ok\n" {
		t.Fatalf("healthz = %d %q", status, body)
	}
	a.closeDB() // the database no longer answers
	if status, _ := a.getBody(t, a.client(t, "", ""), "/healthz"); status != http.StatusServiceUnavailable {
		t.Fatalf("healthz without database = %d, want 503", status)
	}
}

func TestHouseholdCreateValidation(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	existing := testutil.Household(t, st, yuchi, "赵德明")
	h, err := st.Household(context.Background(), auth.Scope{}, existing)
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	form := func(id, income string) url.Values {
		return url.Values{"village_code": {yuchi}, "head_name": {"钱小红"}, "head_sex": {"male"}, "id_number": {id},
			"attribute": {"general"}, "standard": {"national"}, "main_cause": {"缺技术"},
			"identification_year": {"2015"}, "per_capita_income": {income}}
	}
	withCause := func(v url.Values, c string) url.Values { v.Set("other_causes", c); return v }
	tests := []struct {
		name   string
		form   url.Values
		fields map[string]string // field → part of the message
	}{
		{"bad check digit, income with too many decimals, main cause repeated", withCause(form("430681196503120047", "12.345"), "缺技术"),
			map[string]string{"id_number": "校验位", "per_capita_income": "两位小数", "other_causes": "不能与主要原因重复"}},
		{"lower-case x", form("43068119650312010x", "100"), map[string]string{"id_number": "大写X"}},
		{"sex disagrees with the ID", form("43068119650312010X", "100"), map[string]string{"id_number": "性别不符"}},
		{"ID already registered", form(h.IDNumber, "100"), map[string]string{"id_number": "玉池村 赵德明"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, doc := a.post(t, staff, "/households", tt.form)
			if status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", status)
			}
			for field, want := range tt.fields {
				if got := text(doc, `[data-testid="error-`+field+`"]`); !strings.Contains(got, want) {
					t.Errorf("error beside %s = %q, want it to contain %q", field, got, want)
				}
			}
			// Nothing typed is lost.
			if v, _ := doc.Find(`input[name="head_name"]`).Attr("value"); v != "钱小红" {
				t.Errorf("head name not kept: %q", v)
			}
			if v, _ := doc.Find(`input[name="id_number"]`).Attr("value"); v != tt.form.Get("id_number") {
				t.Errorf("ID number not kept: %q", v)
			}
			if v, _ := doc.Find(`select[name="village_code"] option[selected]`).Attr("value"); v != yuchi {
				t.Errorf("village not kept: %q", v)
			}
		})
	}
	var n int
	if err := st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM households`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("households = %d, %v; want only the fixture", n, err)
	}
}

func TestScopes(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	other := testutil.Deputy(t, st, "吴国强", xinshi)
	mine := testutil.Household(t, st, yuchi, "孙大勇")
	notMine := testutil.Household(t, st, yuchi, "郑小平")
	xinshiHH := testutil.Household(t, st, xinshiV1, "冯志刚")
	start := time.Now().AddDate(0, -1, 0)
	pMine := testutil.Pairing(t, st, mine, dep, start)
	pOther := testutil.Pairing(t, st, notMine, other, start)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair.xinshi", auth.TownshipChair, xinshi, 0)
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	a := newApp(t, st)
	path := func(id int64) string { return "/households/" + strconv.FormatInt(id, 10) }
	tests := []struct {
		user string
		path string
		want int
	}{
		{"chair.bishi", path(mine), 200},
		{"chair.bishi", path(xinshiHH), 404},
		{"chair.xinshi", path(mine), 404},
		{"chair.xinshi", path(xinshiHH), 200},
		{"chair.xinshi", "/api/v1/progress?division=" + bishi, 404},
		{"chair.xinshi", "/api/v1/progress?division=" + yuchi, 404},
		{"chair.xinshi", "/api/v1/progress?division=430681", 404},
		{"chair.xinshi", "/dashboard?division=" + bishi, 404},
		{"chair.bishi", "/api/v1/progress?division=" + bishi, 200},
		{"chair.bishi", "/api/v1/progress?division=" + yuchi, 200},
		{"dep", path(mine), 200},
		{"dep", path(notMine), 404},
		{"dep", path(xinshiHH), 404},
		{"dep", "/pairings/" + strconv.FormatInt(pOther, 10) + "/ledger/new", 404},
		{"dep", "/pairings/" + strconv.FormatInt(pMine, 10) + "/ledger/new", 200},
		{"dep", "/households", 403},
		{"dep", "/dashboard", 403},
		{"leader", "/households/new", 403},
		{"leader", "/api/v1/progress?division=999999", 404},
		{"leader", path(xinshiHH), 200},
	}
	clients := map[string]*http.Client{}
	for _, tt := range tests {
		c, ok := clients[tt.user]
		if !ok {
			c = a.client(t, tt.user, testutil.Password)
			clients[tt.user] = c
		}
		if status, _ := a.getBody(t, c, tt.path); status != tt.want {
			t.Errorf("%s GET %s = %d, want %d", tt.user, tt.path, status, tt.want)
		}
	}
	// A deputy cannot write into another deputy's pairing, nor a chair review another township.
	if status, _, _ := a.post(t, clients["dep"], "/pairings/"+strconv.FormatInt(pOther, 10)+"/ledger", url.Values{
		"entry_date": {time.Now().Format(time.DateOnly)}, "kind": {"visit"}, "description": {"走访"}}); status != http.StatusNotFound {
		t.Errorf("deputy writes into another's pairing: %d, want 404", status)
	}
}

func TestLedgerDoubleSubmitAndReturn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	hh := testutil.Household(t, st, yuchi, "孙大勇")
	pid := testutil.Pairing(t, st, hh, dep, time.Now().AddDate(0, -1, 0))
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair.xinshi", auth.TownshipChair, xinshi, 0)
	a := newApp(t, st)
	d := a.client(t, "dep", testutil.Password)
	_, doc := a.get(t, d, "/pairings/"+strconv.FormatInt(pid, 10)+"/ledger/new")
	token, _ := doc.Find(`input[name="form_token"]`).Attr("value")
	form := url.Values{"form_token": {token}, "entry_date": {time.Now().Format(time.DateOnly)}, "kind": {"visit"},
		"description": {"走访了解家庭收入"}, "action": {"submit"}}
	for i := 0; i < 2; i++ { // a double click sends the form twice
		if status, _, _ := a.post(t, d, "/pairings/"+strconv.FormatInt(pid, 10)+"/ledger", form); status != http.StatusSeeOther {
			t.Fatalf("send %d: status %d", i, status)
		}
	}
	var n int
	var eid int64
	if err := st.Pool.QueryRow(ctx, `SELECT count(*), max(id) FROM ledger_entries`).Scan(&n, &eid); err != nil || n != 1 {
		t.Fatalf("entries after double submit = %d, %v; want 1", n, err)
	}
	entry := "/ledger/" + strconv.FormatInt(eid, 10)
	// Another township's chair cannot review it; returning needs a comment.
	if status, _, _ := a.post(t, a.client(t, "chair.xinshi", testutil.Password), entry+"/approve", nil); status != http.StatusNotFound {
		t.Fatalf("other chair approves: %d, want 404", status)
	}
	chair := a.client(t, "chair.bishi", testutil.Password)
	if status, _, _ := a.post(t, chair, entry+"/return", url.Values{"comment": {"  "}}); status != http.StatusUnprocessableEntity {
		t.Fatalf("return without comment: %d, want 422", status)
	}
	if status, _, _ := a.post(t, chair, entry+"/return", url.Values{"comment": {"请补充走访时间"}}); status != http.StatusSeeOther {
		t.Fatalf("return: %d", status)
	}
	// The deputy sees the comment, edits and resubmits; the chair approves.
	_, doc = a.get(t, d, entry+"/edit")
	if got := text(doc, `[data-testid="return-comment"]`); !strings.Contains(got, "请补充走访时间") {
		t.Fatalf("return comment shown as %q", got)
	}
	form.Set("description", "3月31日上午走访，了解家庭收入")
	if status, _, _ := a.post(t, d, entry, form); status != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", status)
	}
	if status, _, _ := a.post(t, chair, entry+"/approve", nil); status != http.StatusSeeOther {
		t.Fatalf("approve: %d", status)
	}
	// Approved entries are immutable, in Go and in the database.
	if status, _ := a.getBody(t, d, entry+"/edit"); status != http.StatusConflict {
		t.Fatalf("edit approved entry: %d, want 409", status)
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE ledger_entries SET amount = 1 WHERE id = $1`, eid); err == nil {
		t.Fatal("the database let an approved entry change")
	}
	if _, err := st.Pool.Exec(ctx, `DELETE FROM ledger_entries WHERE id = $1`, eid); err == nil {
		t.Fatal("the database let an approved entry be deleted")
	}
	// Approving twice is a conflict, not a second audit event.
	if err := st.ReviewLedgerEntry(ctx, bishi, eid, true, "", 0); err == nil || !strings.Contains(err.Error(), store.ErrConflict.Error()) {
		t.Fatalf("second approval: %v, want conflict", err)
	}
}

func TestOneActivePairingInTheSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	d1 := testutil.Deputy(t, st, "周红梅", bishi)
	d2 := testutil.Deputy(t, st, "吴国强", bishi)
	hh := testutil.Household(t, st, yuchi, "孙大勇")
	testutil.Pairing(t, st, hh, d1, time.Now())
	// Bypass the Go code: the partial unique index still refuses.
	_, err := st.Pool.Exec(ctx, `INSERT INTO pairings (household_id, deputy_id, start_date, status) VALUES ($1, $2, current_date, 'active')`, hh, d2)
	if err == nil || !strings.Contains(err.Error(), "pairings_one_active_per_household") {
		t.Fatalf("second active pairing inserted directly: %v", err)
	}
}

func TestSearchCannotUnmaskIDs(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	h, err := st.Household(context.Background(), auth.Scope{}, hid)
	if err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	a := newApp(t, st)
	count := func(c *http.Client, q string) int {
		status, doc := a.get(t, c, "/households?q="+url.QueryEscape(q))
		if status != http.StatusOK {
			t.Fatalf("search %q: status %d", q, status)
		}
		return doc.Find(`[data-testid="households"] tbody tr`).Length()
	}
	chair := a.client(t, "chair.bishi", testutil.Password)
	staff := a.client(t, "office", testutil.Password)
	id := h.IDNumber
	tests := []struct {
		c    *http.Client
		who  string
		q    string
		want int
	}{
		{chair, "chair", id[14:], 1},  // the visible tail
		{chair, "chair", id[13:], 0},  // one hidden digit more: no answer either way
		{chair, "chair", id, 0},       // the whole number cannot be confirmed
		{chair, "chair", id[6:14], 0}, // nor the hidden birth date
		{chair, "chair", "%", 0},      // wildcards are literal
		{chair, "chair", "孙", 1},      // names still work
		{staff, "staff", id, 1},       // staff sees IDs, so may search a whole number
		{staff, "staff", id[14:], 1},  // or its last four characters
		{staff, "staff", id[10:], 0},  // other tails: IDs are stored encrypted, only keyed hashes are searchable
		{staff, "staff", `\`, 0},      // a lone escape character is harmless
		{staff, "staff", "_", 0},
	}
	for _, tt := range tests {
		if got := count(tt.c, tt.q); got != tt.want {
			t.Errorf("%s searches %q: %d rows, want %d", tt.who, tt.q, got, tt.want)
		}
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	// NUL and invalid UTF-8 are refused with a Chinese 400, not a 500.
	if status, doc := a.get(t, staff, "/households?q=a%00"); status != http.StatusBadRequest || !strings.Contains(doc.Text(), "无法识别的字符") {
		t.Errorf("NUL in query: %d", status)
	}
	if status, _, _ := a.post(t, staff, "/households", url.Values{"head_name": {"\xff\xfe"}}); status != http.StatusBadRequest {
		t.Errorf("invalid UTF-8 in form: %d", status)
	}
	// A cross-site POST is refused with the Chinese 403 page.
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/households", strings.NewReader("head_name=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := staff.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "其他网站") {
		t.Errorf("cross-site POST: %d", resp.StatusCode)
	}
	// GET on a POST route says so in Chinese.
	if status, doc := a.get(t, staff, "/pairings/1/end"); status != http.StatusMethodNotAllowed || text(doc, "h1") != "不支持该操作" {
		t.Errorf("GET on POST route: %d %q", status, text(doc, "h1"))
	}
}

func TestLedgerFormResentAfterDraft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	p1 := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "孙大勇"), dep, time.Now().AddDate(0, -1, 0))
	p2 := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "郑小平"), dep, time.Now().AddDate(0, -1, 0))
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	a := newApp(t, st)
	d := a.client(t, "dep", testutil.Password)
	form := url.Values{"form_token": {"6f1c1f0e-4a51-4b1e-9a7e-3a5c2b8d9e01"}, "entry_date": {time.Now().Format(time.DateOnly)},
		"kind": {"visit"}, "description": {"走访"}, "action": {"draft"}}
	entryURL := func(p int64) string { return "/pairings/" + strconv.FormatInt(p, 10) + "/ledger" }
	if status, _, _ := a.post(t, d, entryURL(p1), form); status != http.StatusSeeOther {
		t.Fatalf("draft: %d", status)
	}
	// Back, edit, and submit the same form: the draft becomes the submitted entry.
	form.Set("description", "走访，了解收入")
	form.Set("action", "submit")
	if status, _, _ := a.post(t, d, entryURL(p1), form); status != http.StatusSeeOther {
		t.Fatalf("submit after draft: %d", status)
	}
	var n int
	var status, desc string
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) OVER (), status, description FROM ledger_entries`).Scan(&n, &status, &desc); err != nil {
		t.Fatal(err)
	}
	if n != 1 || status != "submitted" || desc != "走访，了解收入" {
		t.Fatalf("entries %d, status %q, description %q", n, status, desc)
	}
	// The same token on another pairing is refused rather than claimed as saved.
	if got, _, _ := a.post(t, d, entryURL(p2), form); got != http.StatusConflict {
		t.Fatalf("token reused on another pairing: %d, want 409", got)
	}
}

func TestPairingStartsAfterLastEnd(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	d1 := testutil.Deputy(t, st, "周红梅", bishi)
	d2 := testutil.Deputy(t, st, "吴国强", bishi)
	hh := testutil.Household(t, st, yuchi, "孙大勇")
	p := testutil.Pairing(t, st, hh, d1, time.Now().AddDate(0, -2, 0))
	if err := st.EndPairing(context.Background(), p, "transferred", time.Now().AddDate(0, 0, -7), 0); err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	path := "/households/" + strconv.FormatInt(hh, 10) + "/pairings"
	for _, start := range []string{time.Now().AddDate(0, 0, -30).Format(time.DateOnly), "1900-01-01"} {
		if status, _, _ := a.post(t, staff, path, url.Values{"deputy_id": {strconv.FormatInt(d2, 10)}, "start_date": {start}}); status != http.StatusUnprocessableEntity {
			t.Errorf("start %s: %d, want 422", start, status)
		}
	}
	if status, _, _ := a.post(t, staff, path, url.Values{"deputy_id": {strconv.FormatInt(d2, 10)}}); status != http.StatusSeeOther {
		t.Errorf("start today: %d, want 303", status)
	}
}
