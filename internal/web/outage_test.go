package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/jackc/pgx/v5"
)

// TestDatabaseOutage: when PostgreSQL terminates the application's
// connections mid-use, pages answer 503 with a Chinese message (never a
// bare 500) and the application recovers by itself; when the database is
// gone for good, pages and /healthz answer 503.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	for i := range 5 {
		testutil.Household(t, st, yuchi, testutil.Name("户", i))
	}
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	if status, _ := a.get(t, staff, "/households"); status != http.StatusOK {
		t.Fatalf("before: %d", status)
	}
	cfg := testutil.Config()
	admin, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@%s:%s/postgres?sslmode=disable", cfg.User, cfg.Host, cfg.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	db := st.Pool.Config().ConnConfig.Database
	// Terminate every connection of the application, three times over,
	// with requests in between.
	recovered := false
	for round := range 3 {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1`, db).Scan(&n); err != nil {
			t.Fatal(err)
		}
		for attempt := range 5 {
			status, body := a.getBody(t, staff, "/households")
			switch status {
			case http.StatusOK:
				recovered = true
			case http.StatusServiceUnavailable:
				if !strings.Contains(body, "数据库暂时无法连接") {
					t.Errorf("round %d attempt %d: 503 without the Chinese message", round, attempt)
				}
			default:
				t.Errorf("round %d attempt %d (%d connections terminated): status %d, want 200 or 503", round, attempt, n, status)
			}
			if status == http.StatusOK {
				break
			}
		}
	}
	if !recovered {
		t.Fatal("the application did not recover after its connections were terminated")
	}
	// The database gone for good.
	a.closeDB()
	if status, body := a.getBody(t, staff, "/households"); status != http.StatusServiceUnavailable || !strings.Contains(body, "数据库暂时无法连接") {
		t.Errorf("page without a database: %d", status)
	}
	if status, _ := a.getBody(t, staff, "/healthz"); status != http.StatusServiceUnavailable {
		t.Errorf("healthz without a database: %d", status)
	}
}

// newAppOn is newApp with the server on appSt (e.g. a store through a
// testutil.Proxy) and options o (the county is filled in).
func newAppOn(t *testing.T, st, appSt *store.Store, o web.Options) (*app, *web.Handler) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o.CountyCode = "430681"
	h := web.New(appSt, web.NewSessionManager(appSt, false), log, o)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &app{st: st, appSt: appSt, srv: srv, routes: h.Routes}, h
}

// timedGet fetches path and returns the status, the body and how long the
// answer took (a client limit of 30 s stands for "hangs").
func timedGet(t *testing.T, a *app, c *http.Client, path string) (int, string, time.Duration) {
	t.Helper()
	start := time.Now()
	cc := *c
	cc.Timeout = 30 * time.Second
	resp, err := cc.Get(a.srv.URL + path)
	if err != nil {
		t.Fatalf("GET %s: no answer after %v: %v", path, time.Since(start).Round(time.Millisecond), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), time.Since(start)
}

// TestFrozenDatabaseAnswers503Quickly: with the database hung (a proxy in
// front of it stops forwarding bytes, as a SIGSTOPped server or a network
// partition does), pages answer 503 暂时无法服务 within 5 s under the
// default limits instead of hanging for as long as the database, and the
// server recovers by itself when the database answers again.
func TestFrozenDatabaseAnswers503Quickly(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	hh := testutil.Household(t, st, yuchi, "冻结户")
	p := testutil.NewProxy(t)
	a, _ := newAppOn(t, st, testutil.ProxyStore(t, st, p, store.DefaultPoolLimits), web.Options{})
	staff := a.client(t, "office", testutil.Password)
	pages := []string{"/dashboard", "/households/" + strconv.FormatInt(hh, 10)}
	for _, path := range pages {
		if status, _, _ := timedGet(t, a, staff, path); status != http.StatusOK {
			t.Fatalf("before: GET %s: %d", path, status)
		}
	}
	p.Freeze()
	for _, path := range pages {
		status, body, took := timedGet(t, a, staff, path)
		if status != http.StatusServiceUnavailable || !strings.Contains(body, "暂时无法服务") {
			t.Errorf("frozen: GET %s: %d, want 503 暂时无法服务", path, status)
		}
		if took > 5*time.Second {
			t.Errorf("frozen: GET %s took %v, want at most 5 s", path, took.Round(time.Millisecond))
		}
	}
	p.Thaw()
	for _, path := range pages {
		if status, _, took := timedGet(t, a, staff, path); status != http.StatusOK {
			t.Errorf("after: GET %s: %d (%v), want 200", path, status, took)
		}
	}
}

// TestLockedRowAnswers503WithinDeadline: a write that queues behind a lock
// another transaction holds answers 503 within 5 s (lock_timeout), not
// when the other transaction ends.
func TestLockedRowAnswers503WithinDeadline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	if status, _, _ := timedGet(t, a, staff, "/dashboard"); status != http.StatusOK {
		t.Fatalf("before: %d", status)
	}
	// Another transaction holds the session rows; signing out deletes one.
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT token FROM sessions FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cc := *staff
	cc.Timeout = 30 * time.Second
	resp, err := cc.PostForm(a.srv.URL+"/logout", nil)
	if err != nil {
		t.Fatalf("POST /logout: no answer after %v: %v", time.Since(start).Round(time.Millisecond), err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "暂时无法服务") || took > 5*time.Second {
		t.Errorf("write behind a lock: %d after %v, want 503 暂时无法服务 within 5 s", resp.StatusCode, took.Round(time.Millisecond))
	}
}
