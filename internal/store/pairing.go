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
	DeputyKind   string     `db:"deputy_kind"` // the helper's kind: deputy.KindDeputy or deputy.KindUnit
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
	// HouseholdStatus and Monitoring are the household's 脱贫状态 and 防返贫监测 flag.
	HouseholdStatus string `db:"household_status"`
	Monitoring      string `db:"monitoring"`
}

const pairingSelect = `SELECT p.id, p.household_id, h.head_name, v.name AS village_name, h.township_code, p.deputy_id,
	d.name AS deputy_name, d.kind AS deputy_kind, p.start_date, p.end_date, p.status, coalesce(p.end_reason, '') AS end_reason,
	p.last_visit, -- kept by the ledger's triggers (migration 000010)
	(SELECT count(*) FROM ledger_entries e WHERE e.pairing_id = p.id AND e.status = 'returned')::int AS returned,
	p.needs_reassignment, p.proposal_reason, h.village_code, h.status AS household_status, h.monitoring
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

// householdPairingsSQL reads the pairings of household $1, newest first.
const householdPairingsSQL = pairingSelect + ` WHERE p.household_id = $1 ORDER BY p.id DESC`

// HouseholdPairings returns every pairing of a household, newest first (the
// history is never overwritten).
func (s *Store) HouseholdPairings(ctx context.Context, householdID int64) ([]PairingRow, error) {
	rows, _ := s.Pool.Query(ctx, householdPairingsSQL, householdID)
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
		// Proposals that never became active (application_id set, never
		// confirmed) are not part of the household's history of helpers.
		if err := tx.QueryRow(ctx, `SELECT max(end_date) FROM pairings WHERE household_id = $1
			AND NOT (application_id IS NOT NULL AND confirmed_at IS NULL)`, householdID).Scan(&lastEnd); err != nil {
			return err
		}
		if lastEnd != nil && startDate.Before(*lastEnd) {
			return &StartBeforeLastEndError{LastEnd: *lastEnd}
		}
		// A proposal still waiting for the chair is superseded by this pairing.
		if _, err := tx.Exec(ctx, `UPDATE pairings SET status = 'ended', end_reason = 'rejected', end_date = greatest(start_date, $2::date)
			WHERE household_id = $1 AND status = 'proposed'`, householdID, startDate); err != nil {
			return err
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

// MeasureRow is one support measure (帮扶措施). Funds are yuan. The outcome
// (帮扶成效) is confirmed by the household: OutcomeConfirmedOn says when and
// RecordedBy who recorded the confirmation.
type MeasureRow struct {
	ID                 int64           `db:"id"`
	SupportType        string          `db:"support_type"`
	Content            string          `db:"content"`
	Scale              string          `db:"scale"`
	Funds              decimal.Decimal `db:"funds"`
	Deadline           *time.Time      `db:"deadline"`
	Status             string          `db:"status"`
	Outcome            string          `db:"outcome"`
	OutcomeConfirmed   bool            `db:"outcome_confirmed"`
	OutcomeConfirmedOn *time.Time      `db:"outcome_confirmed_on"`
	RecordedBy         string          `db:"recorded_by"`
}

// measuresSQL reads the measures of pairing $1.
const measuresSQL = `SELECT m.id, m.support_type, m.content, m.scale, m.funds, m.deadline, m.status, m.outcome,
		m.outcome_confirmed, m.outcome_confirmed_on, coalesce(u.display_name, '') AS recorded_by
		FROM measures m LEFT JOIN users u ON u.id = m.outcome_recorded_by WHERE m.pairing_id = $1 ORDER BY m.id`

// Measures returns the measures of a pairing in the order they were added.
func (s *Store) Measures(ctx context.Context, pairingID int64) ([]MeasureRow, error) {
	rows, _ := s.Pool.Query(ctx, measuresSQL, pairingID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[MeasureRow])
	if err != nil {
		return nil, fmt.Errorf("store.Measures: %w", err)
	}
	return out, nil
}

// GoalCheck is who ticked a checklist item and when.
type GoalCheck struct {
	By string
	At time.Time
}

// GoalRow is the goal (目标) of a pairing: target per-capita income in yuan
// per year, target exit year (and date), and the 一超两不愁三保障 checklist
// with who ticked each item and when (Checks, keyed by pairing.GoalItems
// values; an absent key is not ticked).
type GoalRow struct {
	TargetIncome   decimal.Decimal
	TargetExitYear int
	Checks         map[string]GoalCheck
}

// Goal returns the goal of a pairing, or ErrNotFound if none is set yet.
func (s *Store) Goal(ctx context.Context, pairingID int64) (GoalRow, error) {
	var g GoalRow
	err := s.Pool.QueryRow(ctx, goalSQL, pairingID).Scan(&g.TargetIncome, &g.TargetExitYear)
	if errors.Is(err, pgx.ErrNoRows) {
		return GoalRow{}, ErrNotFound
	}
	if err != nil {
		return GoalRow{}, fmt.Errorf("store.Goal: %w", err)
	}
	g.Checks = map[string]GoalCheck{}
	rows, err := s.Pool.Query(ctx, goalChecksSQL, pairingID)
	if err != nil {
		return GoalRow{}, fmt.Errorf("store.Goal checks: %w", err)
	}
	var item string
	var c GoalCheck
	if _, err := pgx.ForEachRow(rows, []any{&item, &c.By, &c.At}, func() error { g.Checks[item] = c; return nil }); err != nil {
		return GoalRow{}, fmt.Errorf("store.Goal checks: %w", err)
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
		return audit(ctx, tx, actorID, "measure.create", "pairing", pairingID, nil, map[string]any{"measure_id": id, "support_type": m.SupportType, "funds": m.Funds})
	})
	if err != nil {
		return fmt.Errorf("store.AddMeasure: %w", err)
	}
	return nil
}

// UpdateMeasure records a measure's progress and outcome on an active
// pairing: status, outcome text, and whether the household confirmed the
// outcome (the first confirmation records today and the actor; clearing it
// clears both). Not a measure of pairingID: ErrNotFound; pairing not active:
// ErrConflict.
func (s *Store) UpdateMeasure(ctx context.Context, pairingID, measureID int64, status, outcome string, confirmed bool, today time.Time, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var before MeasureRow
		var active bool
		err := tx.QueryRow(ctx, `SELECT m.status, m.outcome, m.outcome_confirmed, p.status = 'active' FROM measures m
			JOIN pairings p ON p.id = m.pairing_id WHERE m.id = $1 AND m.pairing_id = $2 FOR UPDATE OF m`, measureID, pairingID).
			Scan(&before.Status, &before.Outcome, &before.OutcomeConfirmed, &active)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !active {
			return ErrConflict
		}
		_, err = tx.Exec(ctx, `UPDATE measures SET status = $2, outcome = $3, outcome_confirmed = $4,
			outcome_confirmed_on = CASE WHEN $4 AND NOT outcome_confirmed THEN $5::date WHEN $4 THEN outcome_confirmed_on END,
			outcome_recorded_by = CASE WHEN $4 AND NOT outcome_confirmed THEN $6 WHEN $4 THEN outcome_recorded_by END
			WHERE id = $1`, measureID, status, outcome, confirmed, today, nullID(actorID))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "measure.update", "pairing", pairingID,
			map[string]any{"measure_id": measureID, "status": before.Status, "outcome": before.Outcome, "confirmed": before.OutcomeConfirmed},
			map[string]any{"measure_id": measureID, "status": status, "outcome": outcome, "confirmed": confirmed})
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		return err
	case err != nil:
		return fmt.Errorf("store.UpdateMeasure: %w", err)
	}
	return nil
}

// SetGoal sets (or replaces) the goal of an active pairing: target income,
// target exit year, and the ticked checklist items (values of
// pairing.GoalItems). Newly ticked items record the actor and now; items
// already ticked keep who ticked them; unticked items are removed. One
// transaction with an audit event holding before and after.
func (s *Store) SetGoal(ctx context.Context, pairingID int64, income decimal.Decimal, exitYear int, ticked []string, actorID int64) error {
	before, err := s.Goal(ctx, pairingID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT status = 'active' FROM pairings WHERE id = $1 FOR UPDATE`, pairingID).Scan(&ok); err != nil || !ok {
			if err == nil || errors.Is(err, pgx.ErrNoRows) {
				return ErrConflict
			}
			return err
		}
		has := func(item string) bool {
			for _, t := range ticked {
				if t == item {
					return true
				}
			}
			return false
		}
		_, err := tx.Exec(ctx, `INSERT INTO goals (pairing_id, target_income, target_exit_date, target_exit_year, income_above_line,
			food_clothing, compulsory_education, basic_medical, safe_housing, safe_water)
			VALUES ($1, $2, make_date($3, 12, 31), $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (pairing_id) DO UPDATE SET target_income = EXCLUDED.target_income, target_exit_date = EXCLUDED.target_exit_date,
			target_exit_year = EXCLUDED.target_exit_year, income_above_line = EXCLUDED.income_above_line,
			food_clothing = EXCLUDED.food_clothing, compulsory_education = EXCLUDED.compulsory_education,
			basic_medical = EXCLUDED.basic_medical, safe_housing = EXCLUDED.safe_housing, safe_water = EXCLUDED.safe_water,
			updated_at = now()`, pairingID, income, exitYear, has("income_above_line"), has("food_clothing"),
			has("compulsory_education"), has("basic_medical"), has("safe_housing"), has("safe_water"))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM goal_checks WHERE pairing_id = $1 AND NOT (item = ANY ($2))`, pairingID, ticked); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO goal_checks (pairing_id, item, checked_by) SELECT $1, unnest($2::text[]), $3
			ON CONFLICT (pairing_id, item) DO NOTHING`, pairingID, ticked, nullID(actorID)); err != nil {
			return err
		}
		var was []string
		for item := range before.Checks {
			was = append(was, item)
		}
		return audit(ctx, tx, actorID, "goal.set", "pairing", pairingID,
			map[string]any{"target_income": before.TargetIncome.StringFixed(2), "target_exit_year": before.TargetExitYear, "checks": was},
			map[string]any{"target_income": income.StringFixed(2), "target_exit_year": exitYear, "checks": ticked})
	})
	if err != nil {
		return fmt.Errorf("store.SetGoal: %w", err)
	}
	return nil
}
