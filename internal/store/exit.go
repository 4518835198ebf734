package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/jackc/pgx/v5"
)

// ExitRow is a 脱贫退出 case with the names of who did each step.
type ExitRow struct {
	ID             int64      `db:"id"`
	HouseholdID    int64      `db:"household_id"`
	Status         string     `db:"status"`
	ExitYear       int        `db:"exit_year"`
	ProposedBy     string     `db:"proposed_by"`
	ProposedAt     time.Time  `db:"proposed_at"`
	AppraisalDate  *time.Time `db:"appraisal_date"`
	AppraisalBy    string     `db:"appraisal_by"`
	NoticeStart    *time.Time `db:"notice_start"`
	NoticeBy       string     `db:"notice_by"`
	ReviewedBy     string     `db:"reviewed_by"`
	ReviewedAt     *time.Time `db:"reviewed_at"`
	ApprovedBy     string     `db:"approved_by"`
	ApprovedAt     *time.Time `db:"approved_at"`
	ReturnedReason string     `db:"returned_reason"`
	ReturnedBy     string     `db:"returned_by"`
	ReturnedAt     *time.Time `db:"returned_at"`
}

const exitSelect = `SELECT x.id, x.household_id, x.status, x.exit_year,
	coalesce(u1.display_name, '') AS proposed_by, x.proposed_at, x.appraisal_date, coalesce(u2.display_name, '') AS appraisal_by,
	x.notice_start, coalesce(u3.display_name, '') AS notice_by, coalesce(u4.display_name, '') AS reviewed_by, x.reviewed_at,
	coalesce(u5.display_name, '') AS approved_by, x.approved_at, x.returned_reason, coalesce(u6.display_name, '') AS returned_by, x.returned_at
FROM household_exits x
LEFT JOIN users u1 ON u1.id = x.proposed_by LEFT JOIN users u2 ON u2.id = x.appraisal_by LEFT JOIN users u3 ON u3.id = x.notice_by
LEFT JOIN users u4 ON u4.id = x.reviewed_by LEFT JOIN users u5 ON u5.id = x.approved_by LEFT JOIN users u6 ON u6.id = x.returned_by`

// householdExitsSQL reads the exit cases of household $1, newest first.
const householdExitsSQL = exitSelect + ` WHERE x.household_id = $1 ORDER BY x.id DESC`

// Exits returns the exit cases of a household, newest first.
func (s *Store) Exits(ctx context.Context, householdID int64) ([]ExitRow, error) {
	rows, _ := s.Pool.Query(ctx, householdExitsSQL, householdID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ExitRow])
	if err != nil {
		return nil, fmt.Errorf("store.Exits: %w", err)
	}
	return out, nil
}

// ErrNoticeRunning is returned when the public notice has not run
// household.NoticeDays yet.
var ErrNoticeRunning = errors.New("public notice still running")

// ProposeExit opens an exit case for household id (in scope, not exited,
// with no open case: else ErrConflict) for exitYear.
func (s *Store) ProposeExit(ctx context.Context, scope auth.Scope, id int64, exitYear int, actorID int64) error {
	h, err := s.Household(ctx, scope, id)
	if err != nil {
		return err
	}
	if h.Status == "exited" {
		return ErrConflict
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var xid int64
		err := tx.QueryRow(ctx, `INSERT INTO household_exits (household_id, exit_year, proposed_by) VALUES ($1, $2, $3) RETURNING id`,
			id, exitYear, nullID(actorID)).Scan(&xid)
		if isUniqueViolation(err, "household_exits_one_open") {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "household.exit_propose", "household", id, nil, map[string]any{"exit_year": exitYear, "exit_id": xid})
	})
	if errors.Is(err, ErrConflict) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store.ProposeExit: %w", err)
	}
	return nil
}

// ExitStep moves the open exit case of household id (in scope) one step:
// "appraised" (village appraisal on date), "notice" (public notice from
// date), "reviewed" (township review) or "approved" (county sign-off; the
// household becomes exited in the case's year, with a status history row).
// Review and sign-off are refused with ErrNoticeRunning before the notice has
// run household.NoticeDays by today. A step out of order is ErrConflict; no
// open case or out of scope, ErrNotFound.
func (s *Store) ExitStep(ctx context.Context, scope auth.Scope, id int64, step string, date, today time.Time, actorID int64) error {
	if _, err := s.Household(ctx, scope, id); err != nil {
		return err
	}
	prev := map[string]string{"appraised": "proposed", "notice": "appraised", "reviewed": "notice", "approved": "reviewed"}[step]
	if prev == "" {
		return fmt.Errorf("store.ExitStep: unknown step %q", step)
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var xid int64
		var status string
		var notice, appraisal *time.Time
		var year int
		err := tx.QueryRow(ctx, `SELECT id, status, notice_start, appraisal_date, exit_year FROM household_exits
			WHERE household_id = $1 AND status IN ('proposed', 'appraised', 'notice', 'reviewed') FOR UPDATE`, id).
			Scan(&xid, &status, &notice, &appraisal, &year)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != prev {
			return ErrConflict
		}
		switch step {
		case "appraised":
			_, err = tx.Exec(ctx, `UPDATE household_exits SET status = 'appraised', appraisal_date = $2, appraisal_by = $3 WHERE id = $1`, xid, date, nullID(actorID))
		case "notice":
			if appraisal != nil && date.Before(*appraisal) {
				return ErrConflict
			}
			_, err = tx.Exec(ctx, `UPDATE household_exits SET status = 'notice', notice_start = $2, notice_by = $3 WHERE id = $1`, xid, date, nullID(actorID))
		case "reviewed", "approved":
			if notice == nil || !household.NoticeOver(*notice, today) {
				return ErrNoticeRunning
			}
			if step == "reviewed" {
				_, err = tx.Exec(ctx, `UPDATE household_exits SET status = 'reviewed', reviewed_by = $2, reviewed_at = now() WHERE id = $1`, xid, nullID(actorID))
				break
			}
			if _, err = tx.Exec(ctx, `UPDATE household_exits SET status = 'approved', approved_by = $2, approved_at = now() WHERE id = $1`, xid, nullID(actorID)); err != nil {
				return err
			}
			if _, err = tx.Exec(ctx, `UPDATE households SET status = 'exited', exited_year = $2, version = version + 1, updated_at = now() WHERE id = $1`, id, year); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `INSERT INTO household_status_history (household_id, status, exited_year, note, changed_by)
				VALUES ($1, 'exited', $2, '脱贫退出：县（市）批准', $3)`, id, year, nullID(actorID))
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "household.exit_"+step, "household", id, map[string]string{"status": status},
			map[string]any{"status": step, "exit_id": xid, "date": date.Format(time.DateOnly)})
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict), errors.Is(err, ErrNoticeRunning):
		return err
	case err != nil:
		return fmt.Errorf("store.ExitStep: %w", err)
	}
	return nil
}

// ReturnExit sends the open exit case of household id back with a reason.
func (s *Store) ReturnExit(ctx context.Context, scope auth.Scope, id int64, reason string, actorID int64) error {
	if _, err := s.Household(ctx, scope, id); err != nil {
		return err
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE household_exits SET status = 'returned', returned_reason = $2, returned_by = $3, returned_at = now()
			WHERE household_id = $1 AND status IN ('proposed', 'appraised', 'notice', 'reviewed')`, id, reason, nullID(actorID))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, actorID, "household.exit_return", "household", id, nil, map[string]string{"reason": reason})
	})
	if errors.Is(err, ErrNotFound) {
		return err
	}
	if err != nil {
		return fmt.Errorf("store.ReturnExit: %w", err)
	}
	return nil
}
