package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/bangfu/bangfu/internal/config"
	"github.com/bangfu/bangfu/internal/store"
)

// errAuditBroken makes `bangfu audit verify` exit with status 1.
type errAuditBroken struct{ v store.AuditVerdict }

func (e errAuditBroken) Error() string {
	return fmt.Sprintf("audit chain broken at position %d (event %d): %s", e.v.Seq, e.v.EventID, e.v.Problem)
}

// cmdAudit runs `bangfu audit verify` (seal pending events, walk the whole
// chain, print the result; a break is an error, exit status 1) and
// `bangfu audit seal` (chain pending events now).
func cmdAudit(ctx context.Context, log *slog.Logger, cfg config.Config, args []string) error {
	if len(args) != 1 || (args[0] != "verify" && args[0] != "seal") {
		return fmt.Errorf("usage: bangfu audit verify|seal")
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "seal" {
		n, err := st.SealAudit(ctx)
		if err != nil {
			return err
		}
		log.Info("audit events chained", "events", n)
		return nil
	}
	return auditVerify(ctx, st, os.Stdout)
}

// auditVerify verifies the audit chain of st and writes the verdict to w;
// it returns errAuditBroken on a break.
func auditVerify(ctx context.Context, st *store.Store, w io.Writer) error {
	v, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if !v.OK {
		fmt.Fprintf(w, "BROKEN after %d good links: %s\n", v.Checked, v.Problem)
		return errAuditBroken{v}
	}
	fmt.Fprintf(w, "OK: %d audit events checked, chain head %d %s, %d waiting to be chained\n", v.Checked, v.HeadSeq, v.HeadHash, v.Pending)
	return nil
}

// sealAudit chains new audit events every interval until ctx ends, so that
// an event is in the hash chain seconds after its commit.
func sealAudit(ctx context.Context, log *slog.Logger, st *store.Store, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := st.SealAudit(ctx); err != nil && ctx.Err() == nil {
				log.Warn("audit seal", "err", err)
			}
		}
	}
}
