// Package store is all of Bangfu's SQL: a pgx pool, the one transaction helper
// InTx, the schema migrations, and one file per noun. Methods take ctx first,
// wrap errors with the operation, and turn pgx.ErrNoRows into ErrNotFound.
package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bangfu/bangfu/internal/vault"
	"github.com/bangfu/bangfu/migrations"
	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// ErrNotFound is returned when a record does not exist or lies outside the
// caller's scope; callers show 404 for both so existence is not revealed.
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a write would break an invariant another user
// got to first (e.g. a second active pairing, reviewing an entry twice).
var ErrConflict = errors.New("conflict")

// Store wraps the connection pool and the keyring that seals and opens
// personal data (ID numbers, phones; see personal.go).
type Store struct {
	Pool *pgxpool.Pool
	divs divisionCache // division lists, reused for divisionCacheFor
	Keys *vault.Keyring
}

// Open connects to databaseURL as the user of the URL and pings it; use it
// for migrations and administration (the schema's owner). keys seal and
// open personal data (config.Config.Keys). It sets no time limits (a
// migration may run long); `serve` uses OpenAs with PoolLimits.
func Open(ctx context.Context, databaseURL string, keys *vault.Keyring) (*Store, error) {
	return OpenAs(ctx, databaseURL, "", keys, PoolLimits{})
}

// PoolLimits bound how long the application waits for the database, so
// that a hung server, a network partition or a lock queue cannot hold a
// request (or the pool) for as long as the database does. Zero durations
// leave PostgreSQL's default (no limit).
type PoolLimits struct {
	// StatementTimeout is PostgreSQL's statement_timeout for every
	// connection: the longest a single statement runs.
	StatementTimeout time.Duration
	// LockTimeout is PostgreSQL's lock_timeout: the longest a statement
	// waits for a lock another transaction holds (SQLSTATE 55P03 then).
	LockTimeout time.Duration
	// ConnectTimeout bounds opening one connection (TCP and start-up).
	ConnectTimeout time.Duration
	// MaxConns is the pool's size; 0 keeps pgxpool's default (4 or the
	// number of CPUs, whichever is larger).
	MaxConns int32
}

// DefaultPoolLimits are the limits of `bangfu serve` when the environment
// sets none (internal/config DB_STATEMENT_TIMEOUT, DB_LOCK_TIMEOUT,
// DB_CONNECT_TIMEOUT).
var DefaultPoolLimits = PoolLimits{StatementTimeout: 60 * time.Second, LockTimeout: 3 * time.Second, ConnectTimeout: 3 * time.Second}

// OpenAs is Open with every connection switched to the database role role
// (SET ROLE, e.g. AppRole) right after it connects ("" keeps the URL's
// user; the user of the URL must be a member of role) and bounded by lim.
func OpenAs(ctx context.Context, databaseURL, role string, keys *vault.Keyring, lim PoolLimits) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("store.Open: parse url: %w", err)
	}
	if lim.StatementTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(lim.StatementTimeout.Milliseconds(), 10)
	}
	if lim.LockTimeout > 0 {
		cfg.ConnConfig.RuntimeParams["lock_timeout"] = strconv.FormatInt(lim.LockTimeout.Milliseconds(), 10)
	}
	if lim.ConnectTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = lim.ConnectTimeout
	}
	if lim.MaxConns > 0 {
		cfg.MaxConns = lim.MaxConns
	}
	if role != "" {
		cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "SET ROLE "+pgx.Identifier{role}.Sanitize())
			return err
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store.Open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store.Open: ping: %w", err)
	}
	return &Store{Pool: pool, Keys: keys}, nil
}

// AppRole is the database role the application serves as (migration
// 000024): every table, but no UPDATE, DELETE or TRUNCATE of audit events.
const AppRole = "bangfu_app"

// New wraps an existing pool (tests) with keys.
func New(pool *pgxpool.Pool, keys *vault.Keyring) *Store { return &Store{Pool: pool, Keys: keys} }

// Close closes the pool.
func (s *Store) Close() { s.Pool.Close() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.Pool.Ping(ctx) }

// InTx runs fn in one transaction: it commits if fn returns nil and rolls back
// if fn returns an error or panics (the panic is re-raised).
func (s *Store) InTx(ctx context.Context, fn func(tx pgx.Tx) error) (err error) {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback(ctx)
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback(ctx)
			return
		}
		if cerr := tx.Commit(ctx); cerr != nil {
			err = fmt.Errorf("commit: %w", cerr)
		}
	}()
	return fn(tx)
}

// newMigrate builds a golang-migrate instance over the embedded migrations.
func newMigrate(s *Store) (*migrate.Migrate, func(), error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, nil, fmt.Errorf("migrations source: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.Pool)
	drv, err := migratepgx.WithInstance(db, &migratepgx.Config{})
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrations driver: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", drv)
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrate: %w", err)
	}
	return m, func() { _, _ = m.Close() }, nil
}

// Migrate applies every pending up migration, then seals any personal data
// still in plaintext (EncryptLegacy, which SQL migrations cannot do) and
// fills the members' pinyin keys (FillMemberPinyin).
func (s *Store) Migrate(ctx context.Context) error {
	m, done, err := newMigrate(s)
	if err != nil {
		return fmt.Errorf("store.Migrate: %w", err)
	}
	defer done()
	// Up checks the dirty flag under golang-migrate's lock: read before it,
	// the flag of another instance's migration in progress looked like one
	// that had stopped halfway.
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		var dirtyErr migrate.ErrDirty
		if errors.As(err, &dirtyErr) {
			return &DirtyError{Version: uint(dirtyErr.Version)}
		}
		if v, dirty, verr := m.Version(); verr == nil && dirty {
			return &DirtyError{Version: v, Cause: err}
		}
		return fmt.Errorf("store.Migrate: %w", err)
	}
	if _, err := s.EncryptLegacy(ctx); err != nil {
		return fmt.Errorf("store.Migrate: %w", err)
	}
	if err := s.InTx(ctx, func(tx pgx.Tx) error { _, err := FillMemberPinyin(ctx, tx); return err }); err != nil {
		return fmt.Errorf("store.Migrate: %w", err)
	}
	return nil
}

// DirtyError means a migration stopped halfway: golang-migrate marked the
// database dirty at Version and applies nothing until an operator has
// checked the database and set the version (ForceVersion, `bangfu migrate
// -force N`). Cause is the migration's own error, when known.
type DirtyError struct {
	Version uint
	Cause   error
}

func (e *DirtyError) Error() string {
	msg := fmt.Sprintf("migration %d stopped halfway, so the database is marked as being in the middle of it "+
		"(schema_migrations: version %d, dirty) and no migration will run until you have checked it. ", e.Version, e.Version)
	if e.Cause != nil {
		msg += fmt.Sprintf("What went wrong: %v. ", e.Cause)
	}
	return msg + fmt.Sprintf("Look at migrations/%06d_*.up.sql and the database (a backup first: `bangfu backup`): "+
		"if all of its changes are there, run `bangfu migrate -force %d`; if none are, run `bangfu migrate -force %d` "+
		"(the version before) and then `bangfu migrate` to apply it again; if only some are, undo them by hand first. "+
		"See \"A migration failed halfway\" in docs/operations.md", e.Version, e.Version, previousMigration(e.Version))
}

func (e *DirtyError) Unwrap() error { return e.Cause }

// previousMigration is the embedded migration before v (0: none).
func previousMigration(v uint) uint {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return 0
	}
	defer src.Close()
	p, err := src.Prev(v)
	if err != nil {
		return 0
	}
	return p
}

// ForceVersion records the schema as being at migration version, clean,
// without running anything (golang-migrate's force): for an operator who
// has checked a database left dirty (DirtyError). version must be an
// embedded migration, or 0 for an empty schema.
func (s *Store) ForceVersion(ctx context.Context, version uint) error {
	if version != 0 {
		src, err := iofs.New(migrations.FS, ".")
		if err != nil {
			return fmt.Errorf("store.ForceVersion: %w", err)
		}
		_, _, rerr := src.ReadUp(version)
		src.Close()
		if rerr != nil {
			return fmt.Errorf("store.ForceVersion: there is no migration %d", version)
		}
	}
	m, done, err := newMigrate(s)
	if err != nil {
		return fmt.Errorf("store.ForceVersion: %w", err)
	}
	defer done()
	force := int(version)
	if version == 0 {
		force = -1 // golang-migrate's "no version"
	}
	if err := m.Force(force); err != nil {
		return fmt.Errorf("store.ForceVersion: %w", err)
	}
	return nil
}

// CheckSchema returns an error unless the database is at the newest embedded
// migration and not dirty; `serve` refuses to start otherwise.
func (s *Store) CheckSchema(ctx context.Context) error {
	// Read golang-migrate's table directly: its driver would try to create
	// the table on an empty database (which the application's role may not)
	// and, failing, keep a pooled connection, so that closing the pool hung.
	var have int64
	var dirty bool
	err := s.Pool.QueryRow(ctx, `SELECT version, dirty FROM schema_migrations LIMIT 1`).Scan(&have, &dirty)
	var pgErr *pgconn.PgError
	if errors.Is(err, pgx.ErrNoRows) || errors.As(err, &pgErr) && pgErr.Code == "42P01" {
		return errors.New("store.CheckSchema: no schema (run `bangfu migrate`)")
	}
	if err != nil {
		return fmt.Errorf("store.CheckSchema: %w", err)
	}
	want, err := latestMigration()
	if err != nil {
		return fmt.Errorf("store.CheckSchema: %w", err)
	}
	if dirty {
		return &DirtyError{Version: uint(have)}
	}
	if uint(have) != want {
		return fmt.Errorf("store.CheckSchema: schema version %d (dirty %v), binary needs %d: run `bangfu migrate`", have, dirty, want)
	}
	return nil
}

func latestMigration() (uint, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return 0, err
	}
	defer src.Close()
	v, err := src.First()
	if err != nil {
		return 0, err
	}
	for {
		next, err := src.Next(v)
		if err != nil {
			return v, nil
		}
		v = next
	}
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation on
// the named constraint or index ("" matches any).
func isUniqueViolation(err error, name string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && (name == "" || pgErr.ConstraintName == name)
}

// audit writes one append-only audit event inside tx. before and after are
// marshalled to jsonb (nil → SQL NULL). The role is the user's at the time
// (read from users); the client address and request id come from ctx
// (WithOrigin; none for the command line).
func audit(ctx context.Context, tx pgx.Tx, userID int64, action, entity string, entityID int64, before, after any) error {
	o := originFrom(ctx)
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (user_id, action, entity, entity_id, before, after, role, ip, request_id)
		VALUES ($1, $2, $3, $4, $5, $6, (SELECT role FROM users WHERE id = $1), $7, $8)`,
		nullID(userID), action, entity, entityID, before, after, nullText(o.IP), nullText(o.RequestID))
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// nullID maps the id 0 ("the system", "none") to SQL NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
