// Package backup saves and restores a Bangfu database with PostgreSQL's own
// tools: pg_dump in its custom format (compressed, every table including
// the ledger photos, which are stored in the database, but not the
// sign-in sessions) and pg_restore.
// Both must be on PATH (Debian: postgresql-client).
package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Backup writes a pg_dump custom-format archive of the database at dsn (a
// PostgreSQL URL) to w: every table, but the sessions table empty, so that
// a restored copy (a training or test copy) does not accept the sign-ins
// of the live system. It returns pg_dump's message on failure.
func Backup(ctx context.Context, dsn string, w io.Writer) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
		"--exclude-table-data=public.sessions", "--dbname="+dsn)
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Restore loads an archive written by Backup from r into the database at
// dsn, which must be empty (a new database): everything is restored in one
// transaction, so a failed restore leaves it empty; sign-in sessions an
// older archive carries are deleted. It returns
// pg_restore's message on failure. Archives carry no privileges, so the
// application's database role (bangfu_app) gets its grants again
// (app_role_grants, migration 000024).
func Restore(ctx context.Context, dsn string, r io.Reader) error {
	if err := checkEmpty(ctx, dsn); err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname="+dsn)
	cmd.Stdin, cmd.Stderr = r, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: pg_restore: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("backup: grants: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DO $$ BEGIN IF to_regproc('app_role_grants') IS NOT NULL THEN PERFORM app_role_grants(); END IF; END $$`); err != nil {
		return fmt.Errorf("backup: grants: %w", err)
	}
	// Archives made before sessions were left out still carry them.
	if _, err := conn.Exec(ctx, `DO $$ BEGIN IF to_regclass('public.sessions') IS NOT NULL THEN DELETE FROM sessions; END IF; END $$`); err != nil {
		return fmt.Errorf("backup: sessions: %w", err)
	}
	return nil
}

// ErrNotEmpty is returned by Restore for a database that already has
// tables: restoring over them would fail halfway or mix two databases.
var ErrNotEmpty = errors.New("backup: the database is not empty: restore into a new one (createdb …)")

// checkEmpty returns ErrNotEmpty when the database at dsn has a table in
// its public schema.
func checkEmpty(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close(ctx)
	var tables int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if tables > 0 {
		return ErrNotEmpty
	}
	return nil
}
