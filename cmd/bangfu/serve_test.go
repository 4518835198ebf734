package main

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestGracefulShutdown: on SIGTERM (here: its context cancelled) serve
// stops taking connections but finishes the request in flight, which gets
// its answer, then returns without error (and closes its pool).
func TestGracefulShutdown(t *testing.T) {
	t.Parallel()
	st := testutil.NewStore(t)
	testutil.AllowAppRole(t) // serve runs as DB_ROLE's default, bangfu_app
	// What `bangfu migrate` does as the owner before serve runs as the
	// application's role.
	if _, err := st.EncryptLegacy(context.Background()); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": st.Pool.Config().ConnString(), "LISTEN_ADDR": "127.0.0.1:0"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	env["LISTEN_ADDR"] = ln.Addr().String()
	ln.Close()
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	ready := make(chan struct{})
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- serve(ctx, log, cfg, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	}
	// A request in flight: a sign-in whose body is still arriving (its
	// handler is running, reading the form).
	conn, err := net.Dial("tcp", cfg.ListenAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	form := "username=nobody&password=wrong-Pass-1"
	if _, err := io.WriteString(conn, "POST /login HTTP/1.1\r\nHost: bangfu\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: "+strconv.Itoa(len(form))+"\r\n\r\n"+form[:10]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is waiting for the rest
	stop()                             // SIGTERM
	time.Sleep(200 * time.Millisecond)
	// New connections are refused once shutting down …
	if c, err := net.DialTimeout("tcp", cfg.ListenAddr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after shutdown began")
	}
	// … while the request in flight is finished and answered.
	if _, err := io.WriteString(conn, form[10:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "用户名或密码不正确") {
		t.Errorf("the request in flight: %d", resp.StatusCode)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not return after shutdown")
	}
}

// TestServeRefusesAnEmptyDatabase: serve on a database nobody migrated says
// so and returns at once (it used to hang closing its pool, the migration
// driver having kept a connection).
func TestServeRefusesAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	admin := testutil.AdminPool(t, st)
	name := "bangfu_empty_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	cfgURL := admin.Config().ConnString()
	cfgURL = strings.Replace(cfgURL, "/"+admin.Config().ConnConfig.Database+"?", "/"+name+"?", 1)
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"DATABASE_URL": cfgURL, "LISTEN_ADDR": "127.0.0.1:0"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	go func() { done <- serve(ctx, log, cfg, nil) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "bangfu migrate") {
			t.Errorf("serve on an empty database: %v, want a pointer to bangfu migrate", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve on an empty database hangs")
	}
}

func TestDisplayURL(t *testing.T) {
	for addr, want := range map[string]string{":8080": "http://localhost:8080", "127.0.0.1:18204": "http://127.0.0.1:18204",
		"0.0.0.0:80": "http://localhost:80", "[::1]:8080": "http://[::1]:8080"} {
		if got := displayURL(addr); got != want {
			t.Errorf("displayURL(%q) = %q, want %q", addr, got, want)
		}
	}
}
