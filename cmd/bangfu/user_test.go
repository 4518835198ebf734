package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestUserAdministration: `bangfu user disable|enable|unlock|reset-password`
// change the account (a disabled one is gone for the application at once)
// and each writes its audit event; an unknown name is an error.
func TestUserAdministration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	id := testutil.User(t, st, "chair.old", auth.Leader, "", 0)
	cfg := config.Config{DatabaseURL: st.Pool.Config().ConnString()}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	run := func(args ...string) error { return cmdUser(ctx, log, cfg, args) }

	if err := run("disable", "chair.old"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.User(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("disabled account still served: %v", err)
	}
	if err := run("enable", "chair.old"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE users SET failed_logins = 5, locked_until = now() + interval '10 minutes' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if err := run("unlock", "chair.old"); err != nil {
		t.Fatal(err)
	}
	if until, err := st.LockedUntil(ctx, "chair.old", time.Now()); err != nil || !until.IsZero() {
		t.Errorf("after unlock: locked until %v (%v)", until, err)
	}
	if err := run("reset-password", "chair.old"); err != nil {
		t.Fatal(err)
	}
	u, hash, err := st.UserForLogin(ctx, "chair.old")
	if err != nil || !u.MustChangePassword {
		t.Errorf("after reset: must change %v (%v)", u.MustChangePassword, err)
	}
	if ok, _ := auth.CheckPassword(testutil.Password, hash); ok {
		t.Error("the old password still works after a reset")
	}
	var events int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE entity_id = $1
		AND action IN ('user.disable', 'user.enable', 'user.unlock', 'user.reset')`, id).Scan(&events); err != nil || events != 4 {
		t.Errorf("%d audit events (%v), want 4", events, err)
	}
	if err := run("disable", "nobody"); err == nil {
		t.Error("disabling an unknown account: no error")
	}
	if err := run("promote", "chair.old"); err == nil {
		t.Error("an unknown change: no error")
	}
}
