package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestDirtyMigrationCanBeCleared: after a migration stopped halfway (the
// database marked dirty at version 28), `bangfu migrate` and `serve` say
// what happened and what to check instead of golang-migrate's "Dirty
// database version 28. Fix and force version." or "run bangfu migrate";
// `bangfu migrate -force 28` asks for the version to be typed again, then
// clears it, and migrate and serve's schema check pass again.
func TestDirtyMigrationCanBeCleared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	if _, err := st.EncryptLegacy(ctx); err != nil {
		t.Fatal(err)
	}
	var version int
	if err := st.Pool.QueryRow(ctx, `UPDATE schema_migrations SET dirty = true RETURNING version`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != 28 {
		t.Logf("latest migration is %d (test written at 28)", version)
	}
	env := map[string]string{"DATABASE_URL": st.Pool.Config().ConnString(), "DB_ROLE": "none"}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	explains := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s on a dirty database: no error", what)
		}
		msg := err.Error()
		// The latest migration and the one before it (28 and 27 when the
		// test was written).
		for _, want := range []string{"stopped halfway", fmt.Sprintf("bangfu migrate -force %d", version), fmt.Sprintf("bangfu migrate -force %d", version-1), "docs/operations.md"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: %q does not say %q", what, msg, want)
			}
		}
		if strings.Contains(msg, "Fix and force version") || strings.Contains(msg, "run `bangfu migrate`") {
			t.Errorf("%s: %q", what, msg)
		}
	}
	explains("migrate", cmdMigrate(ctx, log, cfg, nil, strings.NewReader(""), io.Discard))
	explains("serve", serve(ctx, log, cfg, nil))
	// A mistyped confirmation changes nothing.
	if err := cmdMigrate(ctx, log, cfg, []string{"-force", "28"}, strings.NewReader("27\n"), io.Discard); err == nil || !strings.Contains(err.Error(), "not confirmed") {
		t.Errorf("force with the wrong version typed: %v", err)
	}
	explains("migrate after a refused force", cmdMigrate(ctx, log, cfg, nil, strings.NewReader(""), io.Discard))
	var out strings.Builder
	if err := cmdMigrate(ctx, log, cfg, []string{"-force", "28"}, strings.NewReader("28\n"), &out); err != nil {
		t.Fatalf("force 28: %v", err)
	}
	if !strings.Contains(out.String(), "Type 28 to confirm") {
		t.Errorf("prompt: %q", out.String())
	}
	if err := cmdMigrate(ctx, log, cfg, nil, strings.NewReader(""), io.Discard); err != nil {
		t.Fatalf("migrate after force: %v", err)
	}
	if err := st.CheckSchema(ctx); err != nil {
		t.Errorf("schema after force: %v", err)
	}
	// Scripts confirm with -yes; a version that does not exist is refused.
	if err := cmdMigrate(ctx, log, cfg, []string{"-force", "999", "-yes"}, strings.NewReader(""), io.Discard); err == nil || !strings.Contains(err.Error(), "no migration 999") {
		t.Errorf("force 999: %v", err)
	}
	if err := cmdMigrate(ctx, log, cfg, []string{"-force", "28", "-yes"}, strings.NewReader(""), io.Discard); err != nil {
		t.Errorf("force -yes: %v", err)
	}
}

// TestFailedMigrationExplains: a migration whose SQL fails (migration 28
// run again over its own objects) leaves the database dirty; `bangfu
// migrate` says so with the SQL error in the operator's words, says it
// again on the next run, and -force 28 -yes clears it.
func TestFailedMigrationExplains(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStore(t)
	if _, err := st.Pool.Exec(ctx, `UPDATE schema_migrations SET version = 27`); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": st.Pool.Config().ConnString()}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err = cmdMigrate(ctx, log, cfg, nil, strings.NewReader(""), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "migration 28 stopped halfway") || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("failing migration: %v", err)
	}
	var dirty bool
	if err := st.Pool.QueryRow(ctx, `SELECT dirty FROM schema_migrations`).Scan(&dirty); err != nil || !dirty {
		t.Fatalf("dirty %v, %v", dirty, err)
	}
	if err := cmdMigrate(ctx, log, cfg, nil, strings.NewReader(""), io.Discard); err == nil || !strings.Contains(err.Error(), "bangfu migrate -force 28") {
		t.Errorf("migrate again: %v", err)
	}
	if err := cmdMigrate(ctx, log, cfg, []string{"-force", "28", "-yes"}, strings.NewReader(""), io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := cmdMigrate(ctx, log, cfg, nil, strings.NewReader(""), io.Discard); err != nil {
		t.Errorf("migrate after force: %v", err)
	}
}
