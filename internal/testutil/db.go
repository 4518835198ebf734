// Package testutil gives tests a fresh PostgreSQL database per test (pgtestdb
// over the embedded golang-migrate migrations) and small fixture builders.
package testutil

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/vault"
	"github.com/bangfu/bangfu/migrations"
	"github.com/jackc/pgx/v5"
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
	ensureAppRole(t)
	m := golangmigrator.New(".", golangmigrator.WithFS(migrations.FS))
	cfg := pgtestdb.Custom(t, Config(), m)
	pool, err := pgxpool.New(context.Background(), cfg.URL())
	if err != nil {
		t.Fatalf("testutil.NewStore: %v", err)
	}
	t.Cleanup(pool.Close)
	return store.New(pool, vault.Dev())
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

// adminURL is the URL of database db as the server's administrator (the
// user of Config, a superuser).
func adminURL(db string) string {
	c := Config()
	return fmt.Sprintf("postgres://%s:%s@%s:%s/%s?sslmode=disable", c.User, c.Password, c.Host, c.Port, db)
}

var appRole, appMember struct {
	once sync.Once
	err  error
}

// adminTx runs fn in a transaction as the administrator, serialised with
// other test binaries (packages test at once) by an advisory lock.
func adminTx(fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, adminURL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(727014)`); err != nil {
			return err
		}
		return fn(ctx, tx)
	})
}

// ensureAppRole creates the cluster-wide role store.AppRole: migration
// 000024 grants to it, and pgtestdb migrates as a user that may not create
// roles. Once per test binary.
func ensureAppRole(t testing.TB) {
	t.Helper()
	appRole.once.Do(func() {
		appRole.err = adminTx(func(ctx context.Context, tx pgx.Tx) error {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, store.AppRole).Scan(&exists); err != nil || exists {
				return err
			}
			_, err := tx.Exec(ctx, `CREATE ROLE `+store.AppRole+` NOLOGIN`)
			return err
		})
	})
	if appRole.err != nil {
		t.Fatalf("testutil: role %s: %v", store.AppRole, appRole.err)
	}
}

// ensureAppMember makes pgtestdb's user (created by pgtestdb) a member of
// store.AppRole, so that AppStore can switch to it. Once per test binary.
func ensureAppMember(t testing.TB) {
	t.Helper()
	appMember.once.Do(func() {
		appMember.err = adminTx(func(ctx context.Context, tx pgx.Tx) error {
			var member bool
			if err := tx.QueryRow(ctx, `SELECT pg_has_role($1, $2, 'MEMBER')`, pgtestdb.DefaultRoleUsername, store.AppRole).Scan(&member); err != nil || member {
				return err
			}
			_, err := tx.Exec(ctx, `GRANT `+store.AppRole+` TO `+pgtestdb.DefaultRoleUsername)
			return err
		})
	})
	if appMember.err != nil {
		t.Fatalf("testutil: membership of %s: %v", store.AppRole, appMember.err)
	}
}

// AllowAppRole makes pgtestdb's user a member of store.AppRole, as an
// operator grants the role to the account `bangfu serve` connects with, so
// that a test can run serve with its default DB_ROLE. Roles are the
// cluster's: without it such a test passed only after another package's
// test had granted it.
func AllowAppRole(t testing.TB) {
	t.Helper()
	ensureAppMember(t)
}

// AppStore returns a store on st's database whose connections run as the
// application's database role (store.AppRole), as `bangfu serve` does:
// no UPDATE, DELETE or TRUNCATE of audit events.
func AppStore(t testing.TB, st *store.Store) *store.Store {
	t.Helper()
	return AppStoreWith(t, st, store.DefaultPoolLimits)
}

// AppStoreWith is AppStore with the pool bounded by lim (e.g. a small
// MaxConns).
func AppStoreWith(t testing.TB, st *store.Store, lim store.PoolLimits) *store.Store {
	t.Helper()
	ensureAppMember(t)
	app, err := store.OpenAs(context.Background(), st.Pool.Config().ConnString(), store.AppRole, st.Keys, lim)
	if err != nil {
		t.Fatalf("testutil.AppStore: %v", err)
	}
	t.Cleanup(app.Close)
	return app
}

// AdminPool returns a pool on st's database as the server's superuser, for
// tests that tamper with what the application cannot (disable a trigger).
func AdminPool(t testing.TB, st *store.Store) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), adminURL(st.Pool.Config().ConnConfig.Database))
	if err != nil {
		t.Fatalf("testutil.AdminPool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
