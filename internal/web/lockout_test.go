package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestLoginLockout checks issue 8's lockout and per-username throttling:
// five wrong passwords in a row lock the account for 15 minutes (audited),
// during which even the right password is refused; after that it works and
// the count starts again. Ten attempts a minute at one username are
// refused with a Chinese 429 whatever the password.
func TestLoginLockout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	var now atomic.Value
	now.Store(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC))
	a := newAppAt(t, st, func() time.Time { return now.Load().(time.Time) })
	c := a.client(t, "", "")
	try := func(user, pw string) (int, string) {
		t.Helper()
		status, _, doc := a.post(t, c, "/login", url.Values{"username": {user}, "password": {pw}})
		return status, doc.Text()
	}
	for i := 1; i <= 4; i++ {
		if status, body := try("office", "wrong-Pass-1"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "用户名或密码不正确") {
			t.Fatalf("wrong password %d: %d", i, status)
		}
	}
	if _, body := try("office", "wrong-Pass-1"); !strings.Contains(body, "账号已锁定") || !strings.Contains(body, "10:15") {
		t.Fatalf("fifth wrong password: no lock message (%q)", body)
	}
	if status, body := try("office", testutil.Password); status != http.StatusUnprocessableEntity || !strings.Contains(body, "账号已锁定") {
		t.Errorf("right password while locked: %d", status)
	}
	var locks int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'user.locked'`).Scan(&locks); err != nil || locks != 1 {
		t.Errorf("lock audited %d times (%v)", locks, err)
	}
	// 16 minutes later the right password works and the count is cleared.
	now.Store(now.Load().(time.Time).Add(16 * time.Minute))
	if status, _ := try("office", testutil.Password); status != http.StatusSeeOther {
		t.Errorf("right password after the lock: %d", status)
	}
	var failed int
	if err := st.Pool.QueryRow(ctx, `SELECT failed_logins FROM users WHERE username = 'office'`).Scan(&failed); err != nil || failed != 0 {
		t.Errorf("failed_logins after success: %d (%v)", failed, err)
	}

	// Per-username throttling: the 11th attempt in a minute is a 429.
	other := newApp(t, st)
	oc := other.client(t, "", "")
	var last int
	var body string
	for range 11 {
		var doc interface{ Text() string }
		last, _, doc = other.post(t, oc, "/login", url.Values{"username": {"nobody"}, "password": {"x"}})
		body = doc.Text()
	}
	if last != http.StatusTooManyRequests || !strings.Contains(body, "登录尝试过于频繁") {
		t.Errorf("11th attempt at one username: %d", last)
	}

	// Per-address throttling: 21 attempts in a minute from one address,
	// each at another username, end in a 429.
	third := newApp(t, st)
	tc := third.client(t, "", "")
	for i := range 21 {
		var doc interface{ Text() string }
		last, _, doc = third.post(t, tc, "/login", url.Values{"username": {fmt.Sprintf("guess%d", i)}, "password": {"x"}})
		body = doc.Text()
		if i < 20 && last != http.StatusUnprocessableEntity {
			t.Fatalf("attempt %d from one address: %d", i+1, last)
		}
	}
	if last != http.StatusTooManyRequests || !strings.Contains(body, "登录尝试过于频繁") {
		t.Errorf("21st attempt from one address: %d", last)
	}
}
