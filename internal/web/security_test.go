package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
)

// TestSecurityHeaders checks the headers of a page with personal data, and
// in production mode (SECURE_COOKIES) HSTS and the __Host- session cookie.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	hh := testutil.Household(t, st, yuchi, "孙秀英")
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	resp, err := staff.Get(a.srv.URL + "/households/" + strconv.FormatInt(hh, 10))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"} {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Errorf("HSTS over plain HTTP")
	}
	// Static files may be cached.
	resp, err = staff.Get(a.srv.URL + "/static/bangfu.css")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age") {
		t.Errorf("static Cache-Control %q", cc)
	}

	// Production mode.
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(web.New(st, web.NewSessionManager(st, true), log, web.Options{CountyCode: "430681", SecureCookies: true}))
	t.Cleanup(srv.Close)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = c.PostForm(srv.URL+"/login", url.Values{"username": {"office"}, "password": {testutil.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Errorf("no HSTS in production mode")
	}
	var found bool
	for _, ck := range resp.Cookies() {
		if ck.Name == "__Host-bangfu_session" {
			found = true
			if !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" {
				t.Errorf("session cookie %+v", ck)
			}
		}
	}
	if !found {
		t.Errorf("no __Host-bangfu_session cookie: %v", resp.Header.Values("Set-Cookie"))
	}
}

// TestDisabledAccountLosesItsSession: a deputy marked as left office loses
// its login at once, on its next request.
func TestDisabledAccountLosesItsSession(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	dep := testutil.Deputy(t, st, "陈志远", bishi)
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	deputy := a.client(t, "dep", testutil.Password)
	if status, _ := a.get(t, deputy, "/my"); status != http.StatusOK {
		t.Fatalf("deputy home before: %d", status)
	}
	if status, _, _ := a.post(t, staff, "/deputies/"+strconv.FormatInt(dep, 10)+"/left-office",
		url.Values{"left_office_date": {time.Now().Format(time.DateOnly)}}); status != http.StatusSeeOther {
		t.Fatalf("left office: %d", status)
	}
	resp, err := deputy.Get(a.srv.URL + "/my")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("disabled deputy's next request: %d %s, want 303 to /login", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestWriteRollsBackWithItsAudit: when the audit event cannot be written,
// the write it records is not kept either (one transaction).
func TestWriteRollsBackWithItsAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	if _, err := st.Pool.Exec(ctx, `CREATE FUNCTION fail_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'audit unavailable'; END; $$;
		CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.action = 'household.create')
		EXECUTE FUNCTION fail_audit()`); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"village_code": {yuchi}, "head_name": {"钱小红"}, "head_sex": {"male"}, "id_number": {testutil.IDNumber()},
		"attribute": {"general"}, "standard": {"national"}, "main_cause": {"缺技术"},
		"identification_year": {"2015"}, "per_capita_income": {"2600"}}
	status, _, _ := a.post(t, staff, "/households", form)
	if status != http.StatusInternalServerError {
		t.Errorf("create with a failing audit: %d, want 500", status)
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM households WHERE head_name = '钱小红'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d households kept without their audit event (%v)", n, err)
	}
	if _, err := st.Pool.Exec(ctx, `DROP TRIGGER fail_audit ON audit_events`); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := a.post(t, staff, "/households", form); status != http.StatusSeeOther {
		t.Errorf("create once the audit works: %d", status)
	}
}

// TestNoIDNumbersInLogs runs requests that carry resident ID numbers (a
// search by a full ID, a form with one, a refused form, a 404) with the
// server logging at debug level, and finds no 18-character ID in the log.
func TestNoIDNumbersInLogs(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	id := testutil.IDNumber()
	var logBuf strings.Builder
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: &logBuf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(web.New(st, web.NewSessionManager(st, false), log, web.Options{CountyCode: "430681"}))
	t.Cleanup(srv.Close)
	a := &app{st: st, srv: srv}
	staff := a.client(t, "office", testutil.Password)
	form := url.Values{"village_code": {yuchi}, "head_name": {"钱小红"}, "head_sex": {"male"}, "id_number": {id},
		"attribute": {"general"}, "standard": {"national"}, "main_cause": {"缺技术"},
		"identification_year": {"2015"}, "per_capita_income": {"2600"}}
	_, loc, _ := a.post(t, staff, "/households", form)
	a.get(t, staff, "/households?q="+id)
	a.get(t, staff, loc)
	form.Set("per_capita_income", "abc")
	a.post(t, staff, "/households", form)
	a.get(t, staff, "/households/999999?id="+id)
	if logBuf.Len() == 0 {
		t.Fatal("nothing logged: the test would prove nothing")
	}
	if m := fullID.FindString(logBuf.String()); m != "" {
		t.Errorf("the log holds an ID number %s", m)
	}
}

// lockedWriter serialises writes of concurrent requests to one builder.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
