package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestAuditVerifyCommand: `bangfu audit verify` reports an intact chain
// and fails (an error, exit status 1) naming the event once one is edited.
func TestAuditVerifyCommand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	uid := testutil.User(t, st, "office", auth.Staff, "", 0)
	if err := st.AuditLogin(ctx, uid, "office", true); err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{DatabaseURL: st.Pool.Config().ConnString()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := cmdAudit(ctx, log, cfg, []string{"verify"}); err != nil {
		t.Fatalf("bangfu audit verify on an intact chain: %v", err)
	}
	var out bytes.Buffer
	if err := auditVerify(ctx, st, &out); err != nil || !strings.HasPrefix(out.String(), "OK: 2 audit events checked") {
		t.Fatalf("verify: %v %q", err, out.String())
	}

	admin := testutil.AdminPool(t, st)
	tx, _ := admin.Begin(ctx)
	_, _ = tx.Exec(ctx, `SET LOCAL session_replication_role = replica`)
	if _, err := tx.Exec(ctx, `UPDATE audit_events SET after = '{"username": "someone"}' WHERE action = 'user.login'`); err != nil {
		t.Fatal(err)
	}
	_ = tx.Commit(ctx)
	out.Reset()
	err := auditVerify(ctx, st, &out)
	var broken errAuditBroken
	if !errors.As(err, &broken) || broken.v.Seq != 2 || !strings.Contains(out.String(), "audit event 2 (chain position 2) was edited") {
		t.Fatalf("after an edit: %v %q", err, out.String())
	}
	if err := cmdAudit(ctx, log, cfg, []string{"verify"}); err == nil {
		t.Fatal("bangfu audit verify: no error on a broken chain")
	}
}
