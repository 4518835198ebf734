package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
)

// TestTrustedProxyAndAuditLimits: behind a trusted reverse proxy the audit
// log and the sign-in throttle see the client's address from
// X-Forwarded-For (the right-most one not a proxy, so a forged left part is
// ignored), and one client's failures do not block another's sign-in;
// without trusted proxies the header is ignored. A huge name typed at
// sign-in and a huge refused path are not kept whole in the audit log.
func TestTrustedProxyAndAuditLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "dep", auth.Deputy, "", testutil.Deputy(t, st, "刘建华", bishi))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	proxied := httptest.NewServer(web.New(st, web.NewSessionManager(st, false), log, web.Options{CountyCode: "430681",
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}))
	t.Cleanup(proxied.Close)
	login := func(base, xff, user, pw string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"username": {user}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	lastIP := func() string {
		t.Helper()
		var ip string
		if err := st.Pool.QueryRow(ctx, `SELECT coalesce(ip, '') FROM audit_events WHERE action LIKE 'user.login%' ORDER BY id DESC LIMIT 1`).Scan(&ip); err != nil {
			t.Fatal(err)
		}
		return ip
	}
	if got := login(proxied.URL, "203.0.113.7", "nobody", "x"); got != http.StatusUnprocessableEntity || lastIP() != "203.0.113.7" {
		t.Errorf("through the proxy: %d, audited from %q", got, lastIP())
	}
	if login(proxied.URL, "1.2.3.4, 203.0.113.8", "nobody", "x"); lastIP() != "203.0.113.8" {
		t.Errorf("a forged left part was believed: %q", lastIP())
	}
	// 20 failures from one client, then: that client is throttled, another
	// signs in.
	for i := range 20 {
		login(proxied.URL, "198.51.100.1", "guess"+strings.Repeat("x", i), "x")
	}
	if got := login(proxied.URL, "198.51.100.1", "leader", testutil.Password); got != http.StatusTooManyRequests {
		t.Errorf("21st attempt from one client behind the proxy: %d, want 429", got)
	}
	if got := login(proxied.URL, "198.51.100.2", "leader", testutil.Password); got != http.StatusSeeOther {
		t.Errorf("another client behind the proxy: %d, want 303", got)
	}
	// Without trusted proxies the header is ignored.
	a := newApp(t, st)
	if login(a.srv.URL, "203.0.113.9", "nobody", "x"); lastIP() != "127.0.0.1" {
		t.Errorf("X-Forwarded-For believed from an untrusted peer: %q", lastIP())
	}

	// A 100,000-character name at sign-in: refused, and the audit event
	// keeps only that it was not a name.
	if got := login(a.srv.URL, "", strings.Repeat("a", 100000), "x"); got != http.StatusUnprocessableEntity {
		t.Errorf("huge name: %d", got)
	}
	var size int
	var kept string
	if err := st.Pool.QueryRow(ctx, `SELECT length(after::text), after->>'username' FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&size, &kept); err != nil {
		t.Fatal(err)
	}
	if size > 300 || !strings.Contains(kept, "不是有效的用户名") {
		t.Errorf("huge name audited as %d bytes: %.80q", size, kept)
	}
	if login(a.srv.URL, "", "office bangfu-demo-2017", "x"); true {
		if err := st.Pool.QueryRow(ctx, `SELECT after->>'username' FROM audit_events ORDER BY id DESC LIMIT 1`).Scan(&kept); err != nil || strings.Contains(kept, "bangfu-demo") {
			t.Errorf("a password typed into the name box was kept: %q (%v)", kept, err)
		}
	}
	// A refused 100,000-character path: 403, audited clipped.
	dep := a.client(t, "dep", testutil.Password)
	if status, _ := a.get(t, dep, "/households/"+strings.Repeat("9", 100000)+"/pair"); status != http.StatusForbidden {
		t.Errorf("huge refused path: %d", status)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT length(after->>'path') FROM audit_events WHERE action = 'authz.denied' ORDER BY id DESC LIMIT 1`).Scan(&size); err != nil || size > 210 {
		t.Errorf("refused path audited with %d characters (%v)", size, err)
	}
}
