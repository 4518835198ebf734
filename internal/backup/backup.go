// Package backup saves and restores a Bangfu database with PostgreSQL's own
// tools: pg_dump in its custom format (compressed, every table including
// the ledger photos, which are stored in the database) and pg_restore.
// Both must be on PATH (Debian: postgresql-client).
package backup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Backup writes a pg_dump custom-format archive of the database at dsn (a
// PostgreSQL URL) to w. It returns pg_dump's message on failure.
func Backup(ctx context.Context, dsn string, w io.Writer) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--dbname="+dsn)
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// Restore loads an archive written by Backup from r into the database at
// dsn, which must be empty (a new database): everything is restored in one
// transaction, so a failed restore leaves it empty. It returns
// pg_restore's message on failure.
func Restore(ctx context.Context, dsn string, r io.Reader) error {
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname="+dsn)
	cmd.Stdin, cmd.Stderr = r, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("backup: pg_restore: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
