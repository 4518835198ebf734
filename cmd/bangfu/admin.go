package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/jackc/pgx/v5/pgconn"
)

// cmdMigrate applies the pending migrations, or with -force N records the
// schema as being at migration N without running anything (after a
// migration stopped halfway: store.DirtyError), once the operator has
// typed N again on stdin or passed -yes.
func cmdMigrate(ctx context.Context, log *slog.Logger, cfg config.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	force := fs.Int("force", -1, "record the schema as being at migration `N` (clean) without running anything; only after checking the database (docs/operations.md)")
	yes := fs.Bool("yes", false, "with -force: do not ask for confirmation (scripts)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if *force >= 0 {
		if !*yes {
			fmt.Fprintf(stdout, "This records the database as being at migration %d, complete, without running anything.\n"+
				"Do it only after checking that migration %d's changes are all there (or, for the version before, none are).\n"+
				"Type %d to confirm: ", *force, *force, *force)
			line, _ := bufio.NewReader(stdin).ReadString('\n')
			if strings.TrimSpace(line) != strconv.Itoa(*force) {
				return fmt.Errorf("not confirmed: the schema version is unchanged")
			}
		}
		if err := st.ForceVersion(ctx, uint(*force)); err != nil {
			return err
		}
		log.Info("schema version set; run `bangfu migrate` to apply the migrations after it", "version", *force)
		return nil
	}
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	log.Info("schema is up to date")
	return nil
}

func cmdImportDivisions(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("import-divisions", flag.ContinueOnError)
	county := fs.String("county", cfg.CountyCode, "6-digit county code")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	return importDivisions(ctx, log, st, *county)
}

func importDivisions(ctx context.Context, log *slog.Logger, st *store.Store, county string) error {
	divs, err := division.Load(county)
	if err != nil {
		return err
	}
	n, err := st.ImportDivisions(ctx, divs)
	if err != nil {
		return err
	}
	log.Info("divisions imported", "county", county, "divisions", len(divs), "changed", n)
	return nil
}

// cmdDemo loads the demo data: bangfu demo [-households N]. Without
// -households it is the default demo; with it, a county of N poor households
// (N >= demo.DefaultHouseholds) for performance work (demo.LoadScaled).
func cmdDemo(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	households := fs.Int("households", 0, fmt.Sprintf("generate a larger county of this many poor households (at least %d; 0 = the default demo)", demo.DefaultHouseholds))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("demo: unexpected argument %q", fs.Arg(0))
	}
	sc := demo.Scale{Households: *households}
	if err := sc.Validate(); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := importDivisions(ctx, log, st, cfg.CountyCode); err != nil {
		return err
	}
	return loadDemo(ctx, log, st, sc)
}

// loadDemo loads the demo data of size sc (the zero Scale is the default
// demo) unless it is already loaded, and prints the demo accounts.
func loadDemo(ctx context.Context, log *slog.Logger, st *store.Store, sc demo.Scale) error {
	start := time.Now()
	now := time.Now().In(web.Shanghai)
	loaded, err := demo.LoadScaled(ctx, st, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), sc)
	if err != nil {
		return err
	}
	if loaded {
		log.Info("demo data loaded", "households", max(sc.Households, demo.DefaultHouseholds), "took", time.Since(start).Round(time.Millisecond))
	} else {
		log.Info("demo data already present; nothing changed")
	}
	printAccounts()
	return nil
}

func printAccounts() {
	fmt.Println("演示账号（密码均为 " + demo.Password + "）：")
	for _, a := range demo.Accounts {
		fmt.Printf("  %-14s %s\n", a.Username, a.Description)
	}
}

// cmdUser creates an account: bangfu user add -username NAME -name 显示名
// -role staff|leader|township_chair|deputy [-township CODE] [-deputy ID].
// It prints a random initial password.
// userUsage lists the forms of `bangfu user`.
const userUsage = `usage: bangfu user add -username NAME -name 显示名 -role ROLE [-township CODE] [-deputy ID]
       bangfu user disable|enable|unlock|reset-password NAME`

func cmdUser(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	if len(args) == 2 {
		ops := map[string]store.UserAdmin{"disable": store.UserDisable, "enable": store.UserEnable,
			"unlock": store.UserUnlock, "reset-password": store.UserReset}
		if op, ok := ops[args[0]]; ok {
			return administerUser(ctx, log, cfg, args[1], op)
		}
	}
	if len(args) == 0 || args[0] != "add" {
		return errors.New(userUsage)
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	username := fs.String("username", "", "login name (lower case letters, digits, . _ -)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "staff, leader, township_chair or deputy")
	township := fs.String("township", "", "9-digit township code (township_chair)")
	deputyID := fs.Int64("deputy", 0, "deputy id (deputy)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch {
	case *username == "" || *name == "":
		return errors.New("user add: -username and -name are required")
	case !auth.Roles.Has(*role):
		return fmt.Errorf("user add: -role %q: use staff (人大办工作人员), leader (常委会领导), township_chair (乡镇人大主席, with -township) or deputy (人大代表, with -deputy)", *role)
	case auth.Role(*role) == auth.TownshipChair && *township == "":
		return errors.New("user add: a township_chair needs -township (the 9-digit township code)")
	case auth.Role(*role) == auth.Deputy && *deputyID == 0:
		return errors.New("user add: a deputy's account needs -deputy (the deputy's id; staff can also open it from the deputy's page)")
	case auth.Role(*role) != auth.TownshipChair && *township != "", auth.Role(*role) != auth.Deputy && *deputyID != 0:
		return errors.New("user add: -township is only for township_chair, -deputy only for deputy")
	}
	password, err := auth.RandomPassword(16)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	id, err := st.CreateUser(ctx, store.NewUser{Username: *username, DisplayName: *name, PasswordHash: hash,
		Role: auth.Role(*role), TownshipCode: *township, DeputyID: *deputyID, MustChangePassword: true}, 0)
	var pgErr *pgconn.PgError
	switch {
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("user add: the username %q is taken, or the deputy already has an account", *username)
	case errors.As(err, &pgErr) && pgErr.Code == "23503": // foreign_key_violation
		return fmt.Errorf("user add: no such township %q or deputy %d", *township, *deputyID)
	case errors.As(err, &pgErr) && pgErr.Code == "23514": // check_violation: the username's pattern
		return fmt.Errorf("user add: -username %q: lower case letters, digits, . _ - (2 to 40)", *username)
	case err != nil:
		return err
	}
	log.Info("user created", "id", id, "username", *username)
	fmt.Printf("账号 %s 的初始密码：%s\n", *username, password)
	return nil
}

// administerUser disables, enables, unlocks or resets the password of the
// account username (audited as user.<op>); a reset prints the new random
// password, which must be changed at the next sign-in.
func administerUser(ctx context.Context, log *slog.Logger, cfg config.Config, username string, op store.UserAdmin) error {
	var password, hash string
	if op == store.UserReset {
		var err error
		if password, err = auth.RandomPassword(16); err != nil {
			return err
		}
		if hash, err = auth.HashPassword(password); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.AdministerUser(ctx, username, op, hash); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user %s: no account named %q", op, username)
		}
		return err
	}
	log.Info("user changed", "username", username, "change", string(op))
	if password != "" {
		fmt.Printf("账号 %s 的新初始密码：%s（下次登录须修改）\n", username, password)
	}
	return nil
}
