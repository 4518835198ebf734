package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/bangfu/bangfu/internal/backup"
	"github.com/bangfu/bangfu/internal/config"
)

// cmdBackup saves the database at DATABASE_URL: bangfu backup -o FILE.
func cmdBackup(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("o", "", "archive file to write (pg_dump custom format)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || cfg.DatabaseURL == "" {
		return errors.New("usage: DATABASE_URL=… bangfu backup -o FILE")
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := backup.Backup(ctx, cfg.DatabaseURL, f); err != nil {
		f.Close()
		os.Remove(*out)
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	info, _ := os.Stat(*out)
	log.Info("backup written", "file", *out, "bytes", info.Size())
	return nil
}

// cmdRestore loads a backup into the (empty) database at DATABASE_URL:
// bangfu restore -i FILE.
func cmdRestore(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	in := fs.String("i", "", "archive file written by bangfu backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || cfg.DatabaseURL == "" {
		return errors.New("usage: DATABASE_URL=… bangfu restore -i FILE (into an empty database)")
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	if err := backup.Restore(ctx, cfg.DatabaseURL, f); err != nil {
		return err
	}
	log.Info("backup restored", "file", *in)
	return nil
}
