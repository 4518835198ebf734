package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/web"
)

var errNoDatabaseURL = errors.New("DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/bangfu?sslmode=disable); `bangfu up` finds one by itself")

// openStore connects to cfg.DatabaseURL as its user (the schema's owner).
func openStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	if cfg.DatabaseURL == "" {
		return nil, errNoDatabaseURL
	}
	return store.Open(ctx, cfg.DatabaseURL, cfg.Keys)
}

func cmdServe(ctx context.Context, log *slog.Logger, cfg config.Config) error {
	if cfg.DatabaseURL == "" {
		return errNoDatabaseURL
	}
	return serve(ctx, log, cfg, nil)
}

// serve runs the HTTP server as the database role cfg.DBRole until ctx is
// cancelled, then shuts down gracefully; meanwhile it chains new audit
// events every 2 seconds. ready, if not nil, is called once the port is
// listening.
func serve(ctx context.Context, log *slog.Logger, cfg config.Config, ready func()) error {
	st, err := store.OpenAs(ctx, cfg.DatabaseURL, cfg.DBRole, cfg.Keys, cfg.Pool)
	if err != nil {
		return fmt.Errorf("serve as database role %q (DB_ROLE): %w", cfg.DBRole, err)
	}
	defer closeStore(log, st, 3*time.Second)
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	// Personal data left in plaintext by an older version is sealed before
	// serving; a keyring that cannot read the stored data stops here.
	if n, err := st.EncryptLegacy(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("personal data encrypted", "rows", n)
	}
	if err := st.CheckKeys(ctx); err != nil {
		return err
	}
	sealCtx, stopSeal := context.WithCancel(ctx)
	defer stopSeal()
	go sealAudit(sealCtx, log, st, 2*time.Second)
	go web.SweepSessions(sealCtx, st, 5*time.Minute)
	log.Info("configuration", "config", cfg.Redacted())
	if err := st.FailInterruptedJobs(ctx); err != nil {
		return err
	}
	sm := web.NewSessionManager(st, cfg.SecureCookies)
	h := web.New(st, sm, log, web.Options{CountyCode: cfg.CountyCode, SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies,
		RequestTimeout: cfg.RequestTimeout, JobTimeout: cfg.JobTimeout, MaxJobs: cfg.MaxJobs})
	srv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	// Bound before ready is called, so that the port answers once ready.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", cfg.ListenAddr)
	startDebug(log)
	if ready != nil {
		ready()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	return shutdown(log, srv, h)
}

// shutdown stops srv and h's jobs within 25 seconds whatever runs: requests
// in flight get 15 s to finish (each is bounded by REQUEST_TIMEOUT anyway),
// then running and queued jobs are cancelled and recorded as failed, with
// a message asking to start them again, within 10 s.
func shutdown(log *slog.Logger, srv *http.Server, h *web.Handler) error {
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	jobsCtx, cancelJobs := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancelJobs()
	if jerr := h.StopJobs(jobsCtx); jerr != nil {
		log.Error("shutting down", "err", jerr)
	}
	return err
}

// closeStore closes st's pool, waiting at most wait for connections still
// in use (pgxpool's Close waits for every one of them).
func closeStore(log *slog.Logger, st *store.Store, wait time.Duration) {
	done := make(chan struct{})
	go func() { st.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(wait):
		log.Error("database connections still in use at exit; leaving them")
	}
}
