package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/vault"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/jackc/pgx/v5"
)

// TestTwoInstances checks that the application scales out (issue 10): two
// instances start at the same moment against one empty database (the
// migration lock lets one migrate and the other wait), and a user who signs
// in on one continues on the other, because sessions live in PostgreSQL.
func TestTwoInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testutil.Config()
	admin := fmt.Sprintf("postgres://%s@%s:%s/postgres?sslmode=disable", cfg.User, cfg.Host, cfg.Port)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("bangfu_scaleout_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		conn.Close(context.Background())
	})
	dsn := fmt.Sprintf("postgres://%s@%s:%s/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)

	// Two instances open the same empty database and migrate at once.
	stores := make([]*store.Store, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := store.Open(ctx, dsn, vault.Dev())
			if err != nil {
				errs[i] = err
				return
			}
			stores[i] = st
			if err := st.Migrate(ctx); err != nil {
				errs[i] = err
				return
			}
			errs[i] = st.CheckSchema(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	for _, st := range stores {
		t.Cleanup(st.Close)
	}
	divs, err := division.Load(division.DefaultCounty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stores[0].ImportDivisions(ctx, divs); err != nil {
		t.Fatal(err)
	}
	testutil.User(t, stores[0], "office", auth.Staff, "", 0)

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var servers []*httptest.Server
	for _, st := range stores {
		h := web.New(st, web.NewSessionManager(st, false), log, web.Options{CountyCode: "430681"})
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		servers = append(servers, srv)
	}
	// Sign in on the first instance, with one cookie jar for both (a load
	// balancer in front of them has one host name).
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(servers[0].URL+"/login", url.Values{"username": {"office"}, "password": {testutil.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login on instance 1: %d", resp.StatusCode)
	}
	u0, _ := url.Parse(servers[0].URL)
	u1, _ := url.Parse(servers[1].URL)
	jar.SetCookies(u1, jar.Cookies(u0))
	// Continue on the second instance.
	resp, err = c.Get(servers[1].URL + "/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard on instance 2 with instance 1's session: %d, want 200", resp.StatusCode)
	}
	// And the schema was migrated once: one row in schema_migrations, clean.
	var version int
	var dirty bool
	if err := stores[1].Pool.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations`).Scan(&version, &dirty); err != nil || dirty {
		t.Fatalf("schema_migrations: %d dirty=%v (%v)", version, dirty, err)
	}
}
