package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	embeddedpostgres "github.com/fergusstrange/embedded-postgres"
	"github.com/jackc/pgx/v5"

	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/store"
)

// localServer is the PostgreSQL that `bangfu up` tries when DATABASE_URL is
// not set.
const localServer = "postgres://postgres@127.0.0.1:5432/%s?sslmode=disable"

// cmdUp does the whole set-up of `make run`: pick a database (DATABASE_URL;
// else a PostgreSQL answering on 127.0.0.1:5432, creating database bangfu if
// missing; else an embedded PostgreSQL under ./.data), migrate, import the
// divisions, load the demo data if there are no households yet, and serve.
func cmdUp(ctx context.Context, log *slog.Logger, cfg config.Config) error {
	if cfg.DatabaseURL == "" {
		url, stop, err := findDatabase(ctx, log)
		if err != nil {
			return err
		}
		defer stop()
		cfg.DatabaseURL = url
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.Keys)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	if err := importDivisions(ctx, log, st, cfg.CountyCode); err != nil {
		return err
	}
	var households int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM households`).Scan(&households); err != nil {
		return fmt.Errorf("count households: %w", err)
	}
	if households == 0 {
		if err := loadDemo(ctx, log, st, demo.Scale{}); err != nil {
			return err
		}
	} else {
		log.Info("database has data; demo data not loaded", "households", households)
		printAccounts()
	}
	st.Close()
	return serve(ctx, log, cfg, func() {
		fmt.Printf("帮扶台账已启动：%s\n", displayURL(cfg.ListenAddr))
	})
}

// displayURL is the address to open in a browser for LISTEN_ADDR addr
// (":8080" → http://localhost:8080, "127.0.0.1:18204" →
// http://127.0.0.1:18204).
func displayURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// findDatabase returns the URL of a usable database and a function that
// stops whatever it started.
func findDatabase(ctx context.Context, log *slog.Logger) (string, func(), error) {
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if conn, err := pgx.Connect(pingCtx, fmt.Sprintf(localServer, "postgres")); err == nil {
		defer conn.Close(ctx)
		var exists bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'bangfu')`).Scan(&exists); err != nil {
			return "", nil, fmt.Errorf("local PostgreSQL: %w", err)
		}
		if !exists {
			if _, err := conn.Exec(ctx, `CREATE DATABASE bangfu`); err != nil {
				return "", nil, fmt.Errorf("create database bangfu: %w", err)
			}
			log.Info("created database bangfu on 127.0.0.1:5432")
		}
		return fmt.Sprintf(localServer, "bangfu"), func() {}, nil
	}
	log.Info("no PostgreSQL on 127.0.0.1:5432; trying an embedded PostgreSQL under ./.data")
	if os.Geteuid() == 0 {
		return "", nil, errors.New("no PostgreSQL answers on 127.0.0.1:5432, and the embedded PostgreSQL cannot run as root. " +
			"Start PostgreSQL or set DATABASE_URL, e.g. DATABASE_URL=postgres://user:pass@host:5432/bangfu?sslmode=disable make run")
	}
	dir, err := filepath.Abs(".data")
	if err != nil {
		return "", nil, err
	}
	const port = 54329
	pg := embeddedpostgres.NewDatabase(embeddedpostgres.DefaultConfig().
		Port(port).Database("bangfu").
		DataPath(filepath.Join(dir, "pgdata")).RuntimePath(filepath.Join(dir, "runtime")).
		BinariesPath(filepath.Join(dir, "bin")).CachePath(filepath.Join(dir, "cache")))
	if err := pg.Start(); err != nil {
		return "", nil, fmt.Errorf("embedded PostgreSQL could not start (%v); start PostgreSQL or set DATABASE_URL", err)
	}
	return fmt.Sprintf("postgres://postgres:postgres@127.0.0.1:%d/bangfu?sslmode=disable", port), func() { _ = pg.Stop() }, nil
}
