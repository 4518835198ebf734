package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
)

// clockApp is a server whose sessions age by a clock the test moves.
func clockApp(t *testing.T, st *store.Store) (*app, *atomic.Int64) {
	t.Helper()
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC).Unix())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := web.New(st, web.NewSessionManager(st, false), log, web.Options{CountyCode: "430681",
		SessionClock: func() time.Time { return time.Unix(now.Load(), 0) }})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &app{st: st, srv: srv, routes: h.Routes}, &now
}

// sessionCookie returns the session cookie a login answered with.
func loginCookie(t *testing.T, a *app, c *http.Client, form url.Values) *http.Cookie {
	t.Helper()
	resp, err := c.PostForm(a.srv.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", form.Get("username"), resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "bangfu_session" {
			return ck
		}
	}
	t.Fatal("login set no session cookie")
	return nil
}

// signedIn reports whether c still reaches path (200) rather than being sent
// to /login.
func signedIn(t *testing.T, a *app, c *http.Client, path string) bool {
	t.Helper()
	resp, err := c.Get(a.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return true
	case resp.StatusCode == http.StatusSeeOther && resp.Header.Get("Location") == "/login":
		return false
	}
	t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Location"))
	return false
}

// TestSessionLifetimes: staff time out after 30 idle minutes and 12 hours in
// all, whatever they tick; a deputy who ticks "remember me" gets a 14-day
// cookie and stays signed in across days, one who does not times out like
// staff.
func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	dep := testutil.Deputy(t, st, "李代表", "430681107")
	testutil.User(t, st, "deputy.li", auth.Deputy, "", dep)
	dep2 := testutil.Deputy(t, st, "王代表", "430681107")
	testutil.User(t, st, "deputy.wang", auth.Deputy, "", dep2)
	a, now := clockApp(t, st)
	step := func(d time.Duration) { now.Add(int64(d / time.Second)) }
	login := func(user string, remember bool) (*http.Client, *http.Cookie) {
		c := a.client(t, "", "")
		form := url.Values{"username": {user}, "password": {testutil.Password}}
		if remember {
			form.Set("remember", "1")
		}
		return c, loginCookie(t, a, c, form)
	}

	// Staff: "remember me" is ignored; the cookie ends with the browser.
	staff, ck := login("office", true)
	if !ck.Expires.IsZero() || ck.MaxAge != 0 {
		t.Errorf("staff cookie persists (expires %v, max-age %d)", ck.Expires, ck.MaxAge)
	}
	// Activity every 25 minutes keeps it alive …
	for range 4 {
		step(25 * time.Minute)
		if !signedIn(t, a, staff, "/dashboard") {
			t.Fatal("staff signed out after 25 active minutes")
		}
	}
	// … 31 idle minutes end it.
	step(31 * time.Minute)
	if signedIn(t, a, staff, "/dashboard") {
		t.Error("staff still signed in after 31 idle minutes")
	}
	// And 12 hours in all end it however active.
	staff, _ = login("office", false)
	var lasted time.Duration
	for lasted = 0; lasted < 13*time.Hour && signedIn(t, a, staff, "/dashboard"); lasted += 20 * time.Minute {
		step(20 * time.Minute)
	}
	// lasted is the first check that found it signed out.
	if lasted <= 12*time.Hour || lasted > 12*time.Hour+20*time.Minute {
		t.Errorf("an active staff session ended at %v, want just after 12h", lasted)
	}

	// A remembering deputy: a 14-day cookie, signed in after 3 idle days,
	// signed out after 15.
	li, ck := login("deputy.li", true)
	if ck.Expires.IsZero() && ck.MaxAge == 0 {
		t.Fatal("remembered deputy's cookie ends with the browser")
	}
	if d := time.Until(ck.Expires); ck.MaxAge == 0 && (d < 13*24*time.Hour || d > 15*24*time.Hour) {
		t.Errorf("remembered cookie expires in %v, want 14 days", d)
	}
	// One who does not tick it times out like staff.
	wang, _ := login("deputy.wang", false)
	step(31 * time.Minute)
	if signedIn(t, a, wang, "/my") {
		t.Error("deputy without remember me still signed in after 31 idle minutes")
	}
	step(3 * 24 * time.Hour)
	if !signedIn(t, a, li, "/my") {
		t.Error("remembered deputy signed out after 3 idle days")
	}
	// The store keeps the session 14 days from signing in (real time: the
	// row's expiry), so 15 days later it is gone.
	if _, err := st.Pool.Exec(context.Background(), `UPDATE sessions SET expiry = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if signedIn(t, a, li, "/my") {
		t.Error("remembered deputy still signed in after its session expired")
	}
}

// TestSessionTokenRenewed: signing in issues a new token and the old one
// stops working (no session fixation); so does signing out.
func TestSessionTokenRenewed(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	a := newApp(t, st)
	c := a.client(t, "", "")
	first := loginCookie(t, a, c, url.Values{"username": {"office"}, "password": {testutil.Password}})
	second := loginCookie(t, a, c, url.Values{"username": {"leader"}, "password": {testutil.Password}})
	if first.Value == second.Value {
		t.Fatal("signing in again kept the session token")
	}
	// The first token is dead: a browser still holding it is anonymous.
	stale := a.client(t, "", "")
	u, _ := url.Parse(a.srv.URL)
	stale.Jar.SetCookies(u, []*http.Cookie{{Name: "bangfu_session", Value: first.Value}})
	if signedIn(t, a, stale, "/dashboard") {
		t.Error("the token from before signing in again still works")
	}
	// Signing out kills the current token too.
	held := a.client(t, "", "")
	held.Jar.SetCookies(u, []*http.Cookie{{Name: "bangfu_session", Value: second.Value}})
	if !signedIn(t, a, held, "/dashboard") {
		t.Fatal("the current token does not work")
	}
	if status, _, _ := a.post(t, c, "/logout", nil); status != http.StatusSeeOther {
		t.Fatalf("logout: %d", status)
	}
	if signedIn(t, a, held, "/dashboard") {
		t.Error("the token still works after signing out")
	}
}

// TestPasswordMaxAge: once staff require a change every 90 days, an account
// whose password is 91 days old is sent to /password (and its POSTs refused)
// until it changes it; a 30-day-old one is not; switching the rule off frees
// the old one.
func TestPasswordMaxAge(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair.old", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair.new", auth.TownshipChair, xinshi, 0)
	if _, err := st.Pool.Exec(ctx, `UPDATE users SET password_changed_at = now() - interval '91 days' WHERE username = 'chair.old';
		UPDATE users SET password_changed_at = now() - interval '30 days' WHERE username = 'chair.new'`); err != nil {
		t.Fatal(err)
	}
	a := newApp(t, st)
	office := a.client(t, "office", testutil.Password)
	old := a.client(t, "chair.old", testutil.Password)
	// Off by default.
	if !signedIn(t, a, old, "/dashboard") {
		t.Fatal("old password refused before the rule is on")
	}
	if status, _, doc := a.post(t, office, "/settings/password-age", url.Values{"days": {"45"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(doc.Text(), "请选择") {
		t.Errorf("a 45-day rule: %d", status)
	}
	if status, loc, _ := a.post(t, office, "/settings/password-age", url.Values{"days": {"90"}}); status != http.StatusSeeOther || loc != "/settings" {
		t.Fatalf("turning the rule on: %d %s", status, loc)
	}
	var audited int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'settings.password_age'`).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("rule change audited %d times (%v)", audited, err)
	}
	resp, err := old.Get(a.srv.URL + "/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/password" {
		t.Fatalf("91-day-old password: %d %s, want 303 /password", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, doc := a.get(t, old, "/password"); !strings.Contains(text(doc, "[data-testid=forced]"), "超过规定的使用期限") {
		t.Error("the password page does not say why")
	}
	if status, _, _ := a.post(t, old, "/meetings", url.Values{"title": {"x"}}); status != http.StatusForbidden {
		t.Errorf("POST with an expired password: %d, want 403", status)
	}
	newer := a.client(t, "chair.new", testutil.Password)
	if !signedIn(t, a, newer, "/dashboard") {
		t.Error("a 30-day-old password is refused")
	}
	// Changing it frees the account and restarts the clock.
	const next = "Next-Pass-2026"
	if status, _, _ := a.post(t, old, "/password", url.Values{"current": {testutil.Password}, "new": {next}, "confirm": {next}}); status != http.StatusSeeOther {
		t.Fatalf("changing the expired password: %d", status)
	}
	if !signedIn(t, a, old, "/dashboard") {
		t.Error("still sent to /password after changing it")
	}
	var fresh bool
	if err := st.Pool.QueryRow(ctx, `SELECT password_changed_at > now() - interval '1 minute' FROM users WHERE username = 'chair.old'`).Scan(&fresh); err != nil || !fresh {
		t.Errorf("password_changed_at not restarted (%v)", err)
	}
}

// TestPanicBecomes500: a handler that panics (here /healthz on a store
// without a pool) answers the Chinese 500 page and the panic is logged; the
// server goes on serving.
func TestPanicBecomes500(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	st := &store.Store{} // no pool: any query panics
	srv := httptest.NewServer(web.New(st, web.NewSessionManager(st, false), log, web.Options{CountyCode: "430681"}))
	t.Cleanup(srv.Close)
	for range 2 {
		resp, err := http.Get(srv.URL + "/healthz")
		if err != nil {
			t.Fatalf("the panic was not recovered: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "系统出错了") {
			t.Fatalf("panicking handler: %d %q", resp.StatusCode, body)
		}
	}
	if !strings.Contains(logs.String(), "panic") {
		t.Errorf("the panic is not in the log: %s", logs.String())
	}
}

// TestPasswordChangeEndsOtherSessions: changing the password on one device
// signs out the account's other sessions (a lost phone, a copied cookie);
// the device that changed it stays signed in. An API call while a change is
// forced answers JSON 403, not the HTML page.
func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	a := newApp(t, st)
	phone := a.client(t, "chair.bishi", testutil.Password)
	office := a.client(t, "chair.bishi", testutil.Password)
	const next = "Next-Pass-2026"
	if status, _, _ := a.post(t, office, "/password", url.Values{"current": {testutil.Password}, "new": {next}, "confirm": {next}}); status != http.StatusSeeOther {
		t.Fatalf("password change: %d", status)
	}
	if !signedIn(t, a, office, "/dashboard") {
		t.Error("the device that changed the password was signed out")
	}
	if signedIn(t, a, phone, "/dashboard") {
		t.Error("another session survived the password change")
	}
	if _, err := st.Pool.Exec(context.Background(), `UPDATE users SET must_change_password = true WHERE username = 'chair.bishi'`); err != nil {
		t.Fatal(err)
	}
	resp, err := office.Get(a.srv.URL + "/api/v1/progress?division=" + bishi)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(body), "修改密码") {
		t.Errorf("API during a forced change: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
