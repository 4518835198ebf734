package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// PairingRow is a pairing with the names of its household, village and deputy.
type PairingRow struct {
	ID           int64      `db:"id"`
	HouseholdID  int64      `db:"household_id"`
	HeadName     string     `db:"head_name"`
	VillageName  string     `db:"village_name"`
	TownshipCode string     `db:"township_code"`
	DeputyID     int64      `db:"deputy_id"`
	DeputyName   string     `db:"deputy_name"`
	StartDate    time.Time  `db:"start_date"`
	EndDate      *time.Time `db:"end_date"`
	Status       string     `db:"status"`
	EndReason    string     `db:"end_reason"`
	LastVisit    *time.Time `db:"last_visit"`
	Returned     int        `db:"returned"`
	// NeedsReassignment is set when the deputy left office.
	NeedsReassignment bool `db:"needs_reassignment"`
	// ProposalReason is why the matcher proposed this deputy (proposals).
	ProposalReason string `db:"proposal_reason"`
	VillageCode    string `db:"village_code"`
}

const pairingSelect = `SELECT p.id, p.household_id, h.head_name, v.name AS village_name, h.township_code, p.deputy_id,
	d.name AS deputy_name, p.start_date, p.end_date, p.status, coalesce(p.end_reason, '') AS end_reason,
	(SELECT max(e.entry_date) FROM ledger_entries e WHERE e.pairing_id = p.id AND e.kind = 'visit' AND e.status <> 'draft') AS last_visit,
	(SELECT count(*) FROM ledger_entries e WHERE e.pairing_id = p.id AND e.status = 'returned')::int AS returned,
	p.needs_reassignment, p.proposal_reason, h.village_code
FROM pairings p
JOIN households h ON h.id = p.household_id
JOIN divisions v ON v.code = h.village_code
JOIN deputies d ON d.id = p.deputy_id`

// Pairing returns pairing id if its household is in scope, else ErrNotFound.
// A deputy's scope admits only its own active pairings.
func (s *Store) Pairing(ctx context.Context, scope auth.Scope, id int64) (PairingRow, error) {
	where, args := householdScope(scope, 2)
	rows, _ := s.Pool.Query(ctx, pairingSelect+` WHERE p.id = $1 AND `+where, append([]any{id}, args...)...)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[PairingRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return PairingRow{}, ErrNotFound
	}
	if err != nil {
		return PairingRow{}, fmt.Errorf("store.Pairing %d: %w", id, err)
	}
	return p, nil
}

// HouseholdPairings returns every pairing of a household, newest first (the
// history is never overwritten).
func (s *Store) HouseholdPairings(ctx context.Context, householdID int64) ([]PairingRow, error) {
	rows, _ := s.Pool.Query(ctx, pairingSelect+` WHERE p.household_id = $1 ORDER BY p.id DESC`, householdID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PairingRow])
	if err != nil {
		return nil, fmt.Errorf("store.HouseholdPairings: %w", err)
	}
	return out, nil
}

// DeputyPairings returns the active pairings of a deputy, the longest without
// a visit first.
func (s *Store) DeputyPairings(ctx context.Context, deputyID int64) ([]PairingRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT * FROM (`+pairingSelect+` WHERE p.deputy_id = $1 AND p.status = 'active') x
		ORDER BY last_visit NULLS FIRST, id`, deputyID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PairingRow])
	if err != nil {
		return nil, fmt.Errorf("store.DeputyPairings: %w", err)
	}
	return out, nil
}

// StartBeforeLastEndError is returned by CreatePairing when the new pairing
// would start before the household's previous pairing ended: the history of
// helpers must not overlap.
type StartBeforeLastEndError struct{ LastEnd time.Time }

func (e *StartBeforeLastEndError) Error() string {
	return "pairing would start before " + e.LastEnd.Format(time.DateOnly)
}

// CreatePairing pairs a household with an active deputy from startDate, as an
// active pairing, with its audit event. A start before the end of the
// household's last pairing returns *StartBeforeLastEndError. The household row is locked so two
// clerks cannot pair it at once; a household that already has an active
// pairing returns ErrConflict (the partial unique index backs this up), an
// unknown household or a deputy not in office returns ErrNotFound.
func (s *Store) CreatePairing(ctx context.Context, householdID, deputyID int64, startDate time.Time, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var hid int64
		if err := tx.QueryRow(ctx, `SELECT id FROM households WHERE id = $1 FOR UPDATE`, householdID).Scan(&hid); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		var active bool
		if err := tx.QueryRow(ctx, `SELECT status = 'active' FROM deputies WHERE id = $1`, deputyID).Scan(&active); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if !active {
			return ErrNotFound
		}
		var lastEnd *time.Time
		if err := tx.QueryRow(ctx, `SELECT max(end_date) FROM pairings WHERE household_id = $1`, householdID).Scan(&lastEnd); err != nil {
			return err
		}
		if lastEnd != nil && startDate.Before(*lastEnd) {
			return &StartBeforeLastEndError{LastEnd: *lastEnd}
		}
		err := tx.QueryRow(ctx, `INSERT INTO pairings (household_id, deputy_id, start_date, status) VALUES ($1, $2, $3, 'active') RETURNING id`,
			householdID, deputyID, startDate).Scan(&id)
		if isUniqueViolation(err, "pairings_one_active_per_household") {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "pairing.create", "pairing", id, nil,
			map[string]any{"household_id": householdID, "deputy_id": deputyID, "start_date": startDate.Format(time.DateOnly), "status": "active"})
	})
	if err != nil {
		return 0, fmt.Errorf("store.CreatePairing: %w", err)
	}
	return id, nil
}

// EndPairing ends an active pairing on endDate for reason (a value of
// pairing.EndReasons), with its audit event. A pairing that is not active
// returns ErrConflict; an unknown one ErrNotFound.
func (s *Store) EndPairing(ctx context.Context, id int64, reason string, endDate time.Time, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var status string
		var start time.Time
		if err := tx.QueryRow(ctx, `SELECT status, start_date FROM pairings WHERE id = $1 FOR UPDATE`, id).Scan(&status, &start); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if status != "active" {
			return ErrConflict
		}
		if endDate.Before(start) {
			endDate = start
		}
		if _, err := tx.Exec(ctx, `UPDATE pairings SET status = 'ended', end_date = $2, end_reason = $3 WHERE id = $1`, id, endDate, reason); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "pairing.end", "pairing", id, map[string]string{"status": status},
			map[string]string{"status": "ended", "end_reason": reason, "end_date": endDate.Format(time.DateOnly)})
	})
	if err != nil {
		return fmt.Errorf("store.EndPairing %d: %w", id, err)
	}
	return nil
}

// MeasureRow is one support measure (帮扶措施). Funds are yuan.
type MeasureRow struct {
	ID               int64           `db:"id"`
	SupportType      string          `db:"support_type"`
	Content          string          `db:"content"`
	Scale            string          `db:"scale"`
	Funds            decimal.Decimal `db:"funds"`
	Deadline         *time.Time      `db:"deadline"`
	Outcome          string          `db:"outcome"`
	OutcomeConfirmed bool            `db:"outcome_confirmed"`
}

// Measures returns the measures of a pairing in the order they were added.
func (s *Store) Measures(ctx context.Context, pairingID int64) ([]MeasureRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, support_type, content, scale, funds, deadline, outcome, outcome_confirmed
		FROM measures WHERE pairing_id = $1 ORDER BY id`, pairingID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[MeasureRow])
	if err != nil {
		return nil, fmt.Errorf("store.Measures: %w", err)
	}
	return out, nil
}

// GoalRow is the goal (目标) of a pairing: target per-capita income in yuan
// per year, target exit date and the 一达标两不愁三保障 checklist.
type GoalRow struct {
	TargetIncome        decimal.Decimal `db:"target_income"`
	TargetExitDate      time.Time       `db:"target_exit_date"`
	IncomeAboveLine     bool            `db:"income_above_line"`
	FoodClothing        bool            `db:"food_clothing"`
	CompulsoryEducation bool            `db:"compulsory_education"`
	BasicMedical        bool            `db:"basic_medical"`
	SafeHousing         bool            `db:"safe_housing"`
	SafeWater           bool            `db:"safe_water"`
}

// Goal returns the goal of a pairing, or ErrNotFound if none is set yet.
func (s *Store) Goal(ctx context.Context, pairingID int64) (GoalRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT target_income, target_exit_date, income_above_line, food_clothing,
		compulsory_education, basic_medical, safe_housing, safe_water FROM goals WHERE pairing_id = $1`, pairingID)
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[GoalRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return GoalRow{}, ErrNotFound
	}
	if err != nil {
		return GoalRow{}, fmt.Errorf("store.Goal: %w", err)
	}
	return g, nil
}

// AddMeasure adds a measure to an active pairing with its audit event. A
// pairing that is not active returns ErrConflict.
func (s *Store) AddMeasure(ctx context.Context, pairingID int64, m MeasureRow, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO measures (pairing_id, support_type, content, scale, funds, deadline)
			SELECT p.id, $2, $3, $4, $5, $6 FROM pairings p WHERE p.id = $1 AND p.status = 'active' RETURNING id`,
			pairingID, m.SupportType, m.Content, m.Scale, m.Funds, m.Deadline).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "measure.create", "measure", id, nil, map[string]any{"pairing_id": pairingID, "support_type": m.SupportType, "funds": m.Funds})
	})
	if err != nil {
		return fmt.Errorf("store.AddMeasure: %w", err)
	}
	return nil
}

// SetGoal sets (or replaces) the goal of an active pairing, with its audit
// event holding the goal before and after.
func (s *Store) SetGoal(ctx context.Context, pairingID int64, g GoalRow, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT status = 'active' FROM pairings WHERE id = $1 FOR UPDATE`, pairingID).Scan(&ok); err != nil || !ok {
			if err == nil || errors.Is(err, pgx.ErrNoRows) {
				return ErrConflict
			}
			return err
		}
		var before *GoalRow
		rows, _ := tx.Query(ctx, `SELECT target_income, target_exit_date, income_above_line, food_clothing,
			compulsory_education, basic_medical, safe_housing, safe_water FROM goals WHERE pairing_id = $1`, pairingID)
		if old, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[GoalRow]); err == nil {
			before = &old
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO goals (pairing_id, target_income, target_exit_date, income_above_line, food_clothing,
			compulsory_education, basic_medical, safe_housing, safe_water) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (pairing_id) DO UPDATE SET target_income = EXCLUDED.target_income, target_exit_date = EXCLUDED.target_exit_date,
			income_above_line = EXCLUDED.income_above_line, food_clothing = EXCLUDED.food_clothing,
			compulsory_education = EXCLUDED.compulsory_education, basic_medical = EXCLUDED.basic_medical,
			safe_housing = EXCLUDED.safe_housing, safe_water = EXCLUDED.safe_water, updated_at = now()`,
			pairingID, g.TargetIncome, g.TargetExitDate, g.IncomeAboveLine, g.FoodClothing, g.CompulsoryEducation,
			g.BasicMedical, g.SafeHousing, g.SafeWater)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "goal.set", "pairing", pairingID, before, g)
	})
	if err != nil {
		return fmt.Errorf("store.SetGoal: %w", err)
	}
	return nil
}
