package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/jackc/pgx/v5/pgconn"
)

// auditFixture writes a few audit events through the application's own
// paths, with an origin, as the application's role.
func auditFixture(t *testing.T) (owner, app *store.Store, ids []int64) {
	t.Helper()
	owner = testutil.NewStore(t)
	app = testutil.AppStore(t, owner)
	ctx := store.WithOrigin(context.Background(), store.Origin{IP: "10.0.0.7", RequestID: "r1"})
	uid := testutil.User(t, app, "office", auth.Staff, "", 0)
	for _, ok := range []bool{false, true, true} {
		if err := app.AuditLogin(ctx, uid, "office", ok); err != nil {
			t.Fatal(err)
		}
	}
	if err := app.AuditDenied(ctx, uid, "GET", "/settings"); err != nil {
		t.Fatal(err)
	}
	rows, _ := owner.Pool.Query(context.Background(), `SELECT id FROM audit_events ORDER BY id`)
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) != 5 {
		t.Fatalf("fixture: %d events, want 5", len(ids))
	}
	return owner, app, ids
}

func permissionDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// TestAuditAppRoleCannotChange: as the application's database role,
// audit events cannot be updated, deleted or truncated and the chain
// cannot be written (permission denied); as the owner the append-only
// trigger still refuses (the second wall).
func TestAuditAppRoleCannotChange(t *testing.T) {
	t.Parallel()
	owner, app, ids := auditFixture(t)
	ctx := context.Background()
	if _, err := app.SealAudit(ctx); err != nil {
		t.Fatalf("the application seals through audit_seal: %v", err)
	}
	for _, sql := range []string{
		`UPDATE audit_events SET after = '{"username": "someone"}'`,
		`DELETE FROM audit_events WHERE id = $1`,
		`TRUNCATE audit_events`,
		`DELETE FROM audit_chain`,
		`UPDATE audit_chain_head SET seq = 0`,
		`INSERT INTO audit_chain (seq, event_id, prev_hash, hash) VALUES (99, $1, '\x00', '\x00')`,
		`DELETE FROM audit_unsealed`,
	} {
		var args []any
		if strings.Contains(sql, "$1") {
			args = append(args, ids[0])
		}
		if _, err := app.Pool.Exec(ctx, sql, args...); !permissionDenied(err) {
			t.Errorf("as %s: %s: %v, want permission denied", store.AppRole, sql, err)
		}
	}
	// The role cannot simply be left: it is what every connection runs as.
	var role string
	if err := app.Pool.QueryRow(ctx, `SELECT current_user`).Scan(&role); err != nil || role != store.AppRole {
		t.Errorf("current_user = %q, %v", role, err)
	}
	for _, sql := range []string{`UPDATE audit_events SET action = 'x' WHERE id = $1`, `DELETE FROM audit_events WHERE id = $1`} {
		if _, err := owner.Pool.Exec(ctx, sql, ids[0]); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("as the owner: %s: %v, want the append-only trigger", sql, err)
		}
	}
	if v, err := app.VerifyAudit(ctx); err != nil || !v.OK || v.Checked != len(ids) {
		t.Errorf("after the refused changes: %+v, %v", v, err)
	}
	// The role may write an event, but not choose its id nor back-date it.
	if _, err := app.Pool.Exec(ctx, `INSERT INTO audit_events (id, action, entity) OVERRIDING SYSTEM VALUE VALUES (5000000, 'user.login', 'user')`); err == nil ||
		!strings.Contains(err.Error(), "sequence") {
		t.Errorf("an event with a chosen id: %v, want refused", err)
	}
	var back bool
	if err := app.Pool.QueryRow(ctx, `INSERT INTO audit_events (at, action, entity) VALUES ('2025-01-01', 'user.login', 'user')
		RETURNING at < now() - interval '1 day'`).Scan(&back); err != nil || back {
		t.Errorf("a back-dated event kept its date (%v)", err)
	}
}

// TestAuditChainVerify: the chain verifies; an edited event, a removed
// event and a removed link are each found and named.
func TestAuditChainVerify(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tamper := map[string]struct {
		sql  func(ids []int64) (string, []any)
		want string
		seq  int64
	}{
		"edited": {func(ids []int64) (string, []any) {
			return `UPDATE audit_events SET after = '{"username": "nobody"}' WHERE id = $1`, []any{ids[2]}
		}, "was edited", 3},
		"removed": {func(ids []int64) (string, []any) {
			return `DELETE FROM audit_events WHERE id = $1`, []any{ids[1]}
		}, "was removed", 2},
		"link removed": {func(ids []int64) (string, []any) {
			return `DELETE FROM audit_chain WHERE seq = 3`, nil
		}, "links removed or reordered", 4},
		"ip changed": {func(ids []int64) (string, []any) {
			return `UPDATE audit_events SET ip = '10.0.0.8' WHERE id = $1`, []any{ids[4]}
		}, "was edited", 5},
		"tail cut": {func(ids []int64) (string, []any) {
			return `DELETE FROM audit_chain WHERE seq = 5`, nil
		}, "removed from the end", 5},
	}
	for name, tc := range tamper {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			owner, app, ids := auditFixture(t)
			v, err := app.VerifyAudit(ctx)
			if err != nil || !v.OK || v.Checked != 5 || v.HeadSeq != 5 || v.Pending != 0 {
				t.Fatalf("before tampering: %+v, %v", v, err)
			}
			// A superuser turns the walls off and changes the past.
			admin := testutil.AdminPool(t, owner)
			sql, args := tc.sql(ids)
			tx, err := admin.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				t.Fatal(err)
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			v, err = app.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v.OK || v.Seq != tc.seq || !strings.Contains(v.Problem, tc.want) {
				t.Errorf("after tampering: %+v, want a break at position %d: %q", v, tc.seq, tc.want)
			}
		})
	}
}

// TestAuditEventWrittenAroundTheChain: an event inserted with the
// triggers off (never queued, never chained) is reported.
func TestAuditEventWrittenAroundTheChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	owner, app, _ := auditFixture(t)
	admin := testutil.AdminPool(t, owner)
	tx, _ := admin.Begin(ctx)
	_, _ = tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_events (action, entity) VALUES ('user.login', 'user')`); err != nil {
		t.Fatal(err)
	}
	_ = tx.Commit(ctx)
	if v, err := app.VerifyAudit(ctx); err != nil || v.OK || !strings.Contains(v.Problem, "neither the chain nor its queue") {
		t.Errorf("stray event: %+v, %v", v, err)
	}
}
