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
	st, err := store.OpenAs(ctx, cfg.DatabaseURL, cfg.DBRole, cfg.Keys)
	if err != nil {
		return fmt.Errorf("serve as database role %q (DB_ROLE): %w", cfg.DBRole, err)
	}
	defer st.Close()
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
	log.Info("configuration", "config", cfg.Redacted())
	if err := st.FailInterruptedJobs(ctx); err != nil {
		return err
	}
	sm := web.NewSessionManager(st, cfg.SecureCookies)
	srv := &http.Server{
		Addr:              cfg.ListenAddr,
		Handler:           web.New(st, sm, log, web.Options{CountyCode: cfg.CountyCode, SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies}),
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
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return srv.Shutdown(shutCtx)
}
