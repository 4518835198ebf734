package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/jackc/pgx/v5"
)

// AuditRow is one audit event as shown on a record's page.
type AuditRow struct {
	At     time.Time       `db:"at"`
	User   string          `db:"user_name"`
	Action string          `db:"action"`
	Before json.RawMessage `db:"before"`
	After  json.RawMessage `db:"after"`
}

// AuditTrail returns the audit events of one record (entity "household",
// "deputy", ...), newest first, at most 200.
func (s *Store) AuditTrail(ctx context.Context, entity string, id int64) ([]AuditRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT a.at, coalesce(u.display_name, '系统') AS user_name, a.action,
		coalesce(a.before, 'null'::jsonb) AS before, coalesce(a.after, 'null'::jsonb) AS after
		FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.id DESC LIMIT 200`, entity, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditRow])
	if err != nil {
		return nil, fmt.Errorf("store.AuditTrail: %w", err)
	}
	return out, nil
}

// AuditReveal records that actorID saw household id's personal data in full;
// the household must be in scope (else ErrNotFound).
func (s *Store) AuditReveal(ctx context.Context, scope auth.Scope, id int64, actorID int64) error {
	if _, err := s.Household(ctx, scope, id); err != nil {
		return err
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		return audit(ctx, tx, actorID, "household.reveal", "household", id, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("store.AuditReveal: %w", err)
	}
	return nil
}

// AuditExport records that actorID exported the households matching f (count
// rows; full reports whether ID numbers were exported unmasked).
func (s *Store) AuditExport(ctx context.Context, actorID int64, f HouseholdFilter, count int, full bool) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		return audit(ctx, tx, actorID, "household.export", "household_export", 0, nil, map[string]any{
			"division": f.Division, "status": f.Status, "attribute": f.Attribute, "cause": f.Cause, "paired": f.Paired,
			"query": f.Query, "households": count, "unmasked": full})
	})
	if err != nil {
		return fmt.Errorf("store.AuditExport: %w", err)
	}
	return nil
}
