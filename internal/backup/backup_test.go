package backup_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/backup"
	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/notice"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/jackc/pgx/v5"
)

// figures are what must survive a backup: row counts of every table and
// approved money per township.
func figures(t *testing.T, ctx context.Context, conn interface {
	QueryRow(context.Context, string, ...any) pgx.Row
	Query(context.Context, string, ...any) (pgx.Rows, error)
}) map[string]string {
	t.Helper()
	out := map[string]string{}
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{tb}.Sanitize()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out["rows "+tb] = fmt.Sprint(n)
	}
	rows, err = conn.Query(ctx, `SELECT h.township_code, sum(e.amount)::text FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		JOIN households h ON h.id = p.household_id WHERE e.status = 'approved' GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code, sum string
		if err := rows.Scan(&code, &sum); err != nil {
			t.Fatal(err)
		}
		out["yuan "+code] = sum
	}
	rows.Close()
	var photos string
	if err := conn.QueryRow(ctx, `SELECT coalesce(md5(string_agg(md5(data), '' ORDER BY id)), '') FROM ledger_photos`).Scan(&photos); err != nil {
		t.Fatal(err)
	}
	out["photos"] = photos
	var files string
	if err := conn.QueryRow(ctx, `SELECT coalesce(md5(string_agg(file_name || md5(data), '' ORDER BY id)), '') FROM notice_files`).Scan(&files); err != nil {
		t.Fatal(err)
	}
	out["notice files"] = files
	return out
}

// TestBackupRestoreRoundTrip backs up a database holding the demo data,
// restores it into a new database and compares the row counts of every
// table, the approved money per township and the photos.
func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	if _, err := demo.Load(ctx, st, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A notice with its attachment (kept in the database, like the photos).
	if _, err := st.PublishNotice(ctx, notice.Notice{Title: "倡议书", Body: "各位代表：", Audience: "all"},
		[]store.NoticeFile{{Name: "倡议书.pdf", ContentType: notice.PDF, Data: []byte("%PDF-1.4\n倡议书")}}, "430681", "", 0); err != nil {
		t.Fatal(err)
	}
	src := st.Pool.Config().ConnConfig.ConnString()
	var buf bytes.Buffer
	if err := backup.Backup(ctx, src, &buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() < 1000 {
		t.Fatalf("archive of %d bytes", buf.Len())
	}
	restored, dst := restoreCopy(t, &buf)
	want, got := figures(t, ctx, st.Pool), figures(t, ctx, restored)
	if len(want) < 20 {
		t.Fatalf("only %d figures compared", len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s before, %s after the restore", k, v, got[k])
		}
	}
	// A second restore into the same (now full) database fails and changes nothing.
	if err := backup.Restore(ctx, dst, bytes.NewReader(nil)); !errors.Is(err, backup.ErrNotEmpty) {
		t.Errorf("restoring into the full database: %v, want ErrNotEmpty", err)
	}
}

// restoreCopy restores the archive in buf into a new database (dropped when
// the test ends) and returns a connection to it and its URL.
func restoreCopy(t *testing.T, buf *bytes.Buffer) (*pgx.Conn, string) {
	t.Helper()
	ctx := context.Background()
	cfg := testutil.Config()
	admin, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@%s:%s/postgres?sslmode=disable", cfg.User, cfg.Host, cfg.Port))
	if err != nil {
		t.Fatal(err)
	}
	// Closed after the database is dropped (cleanups run last first): a
	// deferred Close ran before the drop and left every restored database.
	t.Cleanup(func() { admin.Close(context.Background()) })
	name := fmt.Sprintf("bangfu_restore_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	dst := fmt.Sprintf("postgres://%s@%s:%s/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
	if err := backup.Restore(ctx, dst, buf); err != nil {
		t.Fatal(err)
	}
	restored, err := pgx.Connect(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { restored.Close(context.Background()) })
	return restored, dst
}

// TestRestoredCopyHasNoSessions: a backup leaves out the sign-in sessions,
// so a restored copy (a training or test copy) accepts no cookie issued by
// the live system; the accounts themselves are restored.
func TestRestoredCopyHasNoSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	if _, err := st.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ('live-token', '\x00', now() + interval '1 day')`); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := backup.Backup(ctx, st.Pool.Config().ConnConfig.ConnString(), &buf); err != nil {
		t.Fatal(err)
	}
	restored, _ := restoreCopy(t, &buf)
	var sessions, users int
	if err := restored.QueryRow(ctx, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM users)`).Scan(&sessions, &users); err != nil {
		t.Fatal(err)
	}
	if sessions != 0 || users != 1 {
		t.Errorf("restored copy: %d sessions, %d users; want 0 sessions, 1 user", sessions, users)
	}
}
