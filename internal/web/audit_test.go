package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/xuri/excelize/v2"
)

// auditRow is what a test reads back of one audit event.
type auditRow struct {
	User, Role, IP, RequestID, After string
}

func lastAudit(t *testing.T, a *app, action string) (auditRow, bool) {
	t.Helper()
	var r auditRow
	err := a.st.Pool.QueryRow(context.Background(), `SELECT coalesce(u.username, ''), coalesce(e.role, ''), coalesce(e.ip, ''),
			coalesce(e.request_id, ''), coalesce(e.after::text, '')
		FROM audit_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.action = $1 ORDER BY e.id DESC LIMIT 1`, action).
		Scan(&r.User, &r.Role, &r.IP, &r.RequestID, &r.After)
	return r, err == nil
}

// TestAuditLoginsWithRoleAndAddress: a successful and a failed login are
// audit events carrying the user, the role, the client address and the
// request id.
func TestAuditLoginsWithRoleAndAddress(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	anon := a.client(t, "", "")
	if status, _, _ := a.post(t, anon, "/login", url.Values{"username": {"office"}, "password": {"wrong-password"}}); status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password: %d", status)
	}
	a.client(t, "office", testutil.Password)
	for _, action := range []string{"user.login_failed", "user.login"} {
		r, ok := lastAudit(t, a, action)
		if !ok {
			t.Fatalf("no %s event", action)
		}
		if r.User != "office" || r.Role != "staff" || r.IP != "127.0.0.1" || len(r.RequestID) != 16 {
			t.Errorf("%s: %+v, want user office, role staff, ip 127.0.0.1 and a request id", action, r)
		}
	}
}

// TestAuthzDeniedAudited: a refused request (403) of a signed-in user is an
// audit event authz.denied with method and path, never the query string.
func TestAuthzDeniedAudited(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "dep", auth.Deputy, "", testutil.Deputy(t, st, "张三", "430681107"))
	a := newApp(t, st)
	dep := a.client(t, "dep", testutil.Password)
	if status, _ := a.get(t, dep, "/households?q=430681199001011234"); status != http.StatusForbidden {
		t.Fatalf("deputy on /households: %d, want 403", status)
	}
	r, ok := lastAudit(t, a, "authz.denied")
	if !ok {
		t.Fatal("no authz.denied event")
	}
	if r.User != "dep" || r.Role != "deputy" || r.IP != "127.0.0.1" ||
		!strings.Contains(r.After, `"path": "/households"`) || !strings.Contains(r.After, `"method": "GET"`) {
		t.Errorf("authz.denied = %+v", r)
	}
	if strings.Contains(r.After, "430681199001011234") {
		t.Errorf("the query string reached the audit log: %s", r.After)
	}
}

// TestAuditPage: staff search the audit log by action and user and export
// the result (itself audited); other roles get 403.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "boss", auth.Leader, "", 0)
	testutil.User(t, st, "chair", auth.TownshipChair, "430681107", 0)
	a := newApp(t, st)
	anon := a.client(t, "", "")
	a.post(t, anon, "/login", url.Values{"username": {"boss"}, "password": {"wrong-password"}})
	staff := a.client(t, "office", testutil.Password)
	leader := a.client(t, "boss", testutil.Password)
	chair := a.client(t, "chair", testutil.Password)

	status, doc := a.get(t, staff, "/audit?action=user.login_failed")
	if status != http.StatusOK {
		t.Fatalf("/audit: %d", status)
	}
	rows := doc.Find(`[data-testid="audit-event"]`)
	if rows.Length() != 1 || !strings.Contains(rows.Text(), "boss") || !strings.Contains(rows.Text(), "127.0.0.1") || !strings.Contains(rows.Text(), "登录失败") {
		t.Fatalf("filtered by action: %d rows %q", rows.Length(), rows.Text())
	}
	// Prefix of actions and a user: office's own login only.
	_, doc = a.get(t, staff, "/audit?action=user.&user=offi")
	if got := doc.Find(`[data-testid="audit-event"]`); got.Length() != 1 || got.AttrOr("data-action", "") != "user.login" {
		t.Fatalf("filtered by user: %d rows %q", got.Length(), got.Text())
	}
	// A bad date is refused beside its field, what was typed kept.
	status, doc = a.get(t, staff, "/audit?from=yesterday")
	if status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find("#from-error").Text(), "日期") {
		t.Fatalf("bad date: %d %q", status, doc.Find("#from-error").Text())
	}

	resp, err := staff.Get(a.srv.URL + "/audit/export.xlsx?action=user.")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("export: %d %v", resp.StatusCode, err)
	}
	xrows, _ := f.GetRows("审计日志")
	joined := ""
	for _, r := range xrows {
		joined += strings.Join(r, "|") + "\n"
	}
	// Title, unit/date, headings, then 3 accounts created and 4 logins
	// (boss failed, office, boss, chair).
	if len(xrows) != 3+7 || !strings.Contains(joined, "user.login_failed") || !strings.Contains(joined, "127.0.0.1") {
		t.Fatalf("export rows:\n%s", joined)
	}
	if r, ok := lastAudit(t, a, "audit.export"); !ok || r.User != "office" || !strings.Contains(r.After, `"events": 7`) {
		t.Errorf("export not audited: %+v", r)
	}
	for _, c := range []*http.Client{leader, chair} {
		for _, path := range []string{"/audit", "/audit/export.xlsx"} {
			if status, _ := a.get(t, c, path); status != http.StatusForbidden {
				t.Errorf("%s by a non-staff: %d, want 403", path, status)
			}
		}
	}
}
