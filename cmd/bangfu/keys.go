package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"sort"

	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/vault"
)

// cmdKeys manages the keys of the personal data (docs/operations.md):
//
//	bangfu keys new                  print a random key (base64 of 32 bytes)
//	bangfu keys rotate [-batch 1000] [-rehash]
//	                                 re-seal every value not under the current key;
//	                                 -rehash also recomputes every keyed hash (new DATA_HASH_KEY)
func cmdKeys(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: bangfu keys new|rotate")
	}
	switch args[0] {
	case "new":
		fmt.Println(vault.NewSecret())
		return nil
	case "rotate":
		return cmdKeysRotate(ctx, log, cfg, args[1:])
	}
	return fmt.Errorf("unknown keys command %q (want new or rotate)", args[0])
}

// cmdKeysRotate re-seals the personal data under the current key (the first
// of DATA_KEYS), batch rows per transaction, and prints the rows re-sealed
// per table and then the rows per key id. Running it again prints zeros.
func cmdKeysRotate(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	batch := fs.Int("batch", 1000, "rows per transaction")
	rehash := fs.Bool("rehash", false, "also recompute every keyed hash with DATA_HASH_KEY (after changing it; run before serving)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckSchema(ctx); err != nil {
		return err
	}
	if _, err := st.EncryptLegacy(ctx); err != nil {
		return err
	}
	fmt.Printf("current key id %d; keys held %v\n", cfg.Keys.CurrentID(), cfg.Keys.IDs())
	res, err := st.RotateKeys(ctx, store.RotateOptions{Batch: *batch, Rehash: *rehash}, func(r store.RotateResult) {
		log.Info("re-encrypted", "table", r.Table, "rows", r.Rows)
	})
	for _, r := range res {
		fmt.Printf("%-18s %8d rows re-encrypted or rehashed\n", r.Table, r.Rows)
	}
	if err != nil {
		return err
	}
	usage, err := st.KeyUsage(ctx)
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(usage))
	for t := range usage {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		ids := make([]int, 0, len(usage[t]))
		for id := range usage[t] {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		for _, id := range ids {
			fmt.Fprintf(os.Stdout, "%-18s key id %3d: %8d values\n", t, id, usage[t][id])
		}
	}
	return nil
}
