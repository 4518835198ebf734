// Package testutil gives tests a fresh PostgreSQL database per test (pgtestdb
// over the embedded golang-migrate migrations) and small fixture builders.
package testutil

import (
	"context"
	"os"
	"testing"

	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/migrations"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/golangmigrator"
)

// Config returns the server tests connect to: TEST_PG_HOST/PORT/USER or
// 127.0.0.1:5432 as postgres with trust auth.
func Config() pgtestdb.Config {
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       env("TEST_PG_HOST", "127.0.0.1"),
		Port:       env("TEST_PG_PORT", "5432"),
		User:       env("TEST_PG_USER", "postgres"),
		Password:   env("TEST_PG_PASSWORD", ""),
		Options:    "sslmode=disable",
	}
}

// NewStore returns a store on a new database with every migration applied;
// the database is dropped when the test passes.
func NewStore(t testing.TB) *store.Store {
	t.Helper()
	m := golangmigrator.New(".", golangmigrator.WithFS(migrations.FS))
	cfg := pgtestdb.Custom(t, Config(), m)
	pool, err := pgxpool.New(context.Background(), cfg.URL())
	if err != nil {
		t.Fatalf("testutil.NewStore: %v", err)
	}
	t.Cleanup(pool.Close)
	return store.New(pool)
}

// NewStoreWithDivisions is NewStore plus the real divisions of 汨罗市.
func NewStoreWithDivisions(t testing.TB) *store.Store {
	t.Helper()
	st := NewStore(t)
	divs, err := division.Load(division.DefaultCounty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportDivisions(context.Background(), divs); err != nil {
		t.Fatal(err)
	}
	return st
}
