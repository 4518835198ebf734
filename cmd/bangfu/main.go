// Command bangfu is the Bangfu (帮扶) server and its administration tool:
//
//	bangfu up                 find or create a database, migrate, import divisions, load demo data if empty, serve
//	bangfu serve              serve HTTP on LISTEN_ADDR (refuses an out-of-date schema)
//	bangfu migrate            apply the database migrations
//	bangfu migrate -force N   after a migration stopped halfway: record version N (asks to confirm; -yes for scripts)
//	bangfu import-divisions   load the embedded divisions of a county (-county, default 430681)
//	bangfu demo               load the deterministic demo data (idempotent)
//	bangfu demo -households N load a larger county of N poor households instead, for
//	                          performance work (N >= 3068; 100000 gives 20,000 deputies and
//	                          about a million ledger entries; idempotent too)
//	bangfu user add           create an account with a random initial password
//	bangfu backup -o FILE     save the database (pg_dump custom format, photos included)
//	bangfu restore -i FILE    load a backup into an empty database (pg_restore)
//	bangfu audit verify       check the audit events' hash chain (exit status 1 on a break)
//	bangfu audit seal         chain the audit events not yet chained (serve does it every 2 s)
//	bangfu keys new           print a fresh key for DATA_KEYS / DATA_HASH_KEY
//	bangfu keys rotate        re-encrypt personal data under the current key of DATA_KEYS
//
// Settings come from the environment (see internal/config).
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // Asia/Shanghai on hosts without zoneinfo

	"github.com/bangfu/bangfu/internal/config"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, log, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bangfu:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, log *slog.Logger, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: bangfu up|serve|migrate|import-divisions|demo|user|backup|restore|audit|keys")
	}
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	if cfg.Keys.IsDev() && args[0] != "keys" {
		log.Warn("DATA_KEYS is not set: personal data is encrypted with the published development key, which protects nothing (docs/operations.md)")
	}
	switch args[0] {
	case "up":
		return cmdUp(ctx, log, cfg)
	case "serve":
		return cmdServe(ctx, log, cfg)
	case "migrate":
		return cmdMigrate(ctx, log, cfg, args[1:], os.Stdin, os.Stdout)
	case "import-divisions":
		return cmdImportDivisions(ctx, log, cfg, args[1:])
	case "demo":
		return cmdDemo(ctx, log, cfg, args[1:])
	case "user":
		return cmdUser(ctx, log, cfg, args[1:])
	case "backup":
		return cmdBackup(ctx, log, cfg, args[1:])
	case "restore":
		return cmdRestore(ctx, log, cfg, args[1:])
	case "audit":
		return cmdAudit(ctx, log, cfg, args[1:])
	case "keys":
		return cmdKeys(ctx, log, cfg, args[1:])
	}
	return fmt.Errorf("unknown command %q (want up, serve, migrate, import-divisions, demo, user, backup, restore, audit or keys)", args[0])
}
