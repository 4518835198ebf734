package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/project"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// ProjectRow is a village project as listed and shown.
type ProjectRow struct {
	ID            int64           `db:"id"`
	VillageCode   string          `db:"village_code"`
	VillageName   string          `db:"village_name"`
	Name          string          `db:"name"`
	Kind          string          `db:"kind"`
	Budget        decimal.Decimal `db:"budget"`
	FundsReceived decimal.Decimal `db:"funds_received"`
	FundsSpent    decimal.Decimal `db:"funds_spent"`
	Status        string          `db:"status"`
	AppliedOn     *time.Time      `db:"applied_on"`
	ApprovedOn    *time.Time      `db:"approved_on"`
	StartedOn     *time.Time      `db:"started_on"`
	CompletedOn   *time.Time      `db:"completed_on"`
	Department    string          `db:"department"`
	Note          string          `db:"note"`
	Version       int             `db:"version"`
	Beneficiaries int             `db:"beneficiaries"`
}

const projectSelect = `SELECT p.id, p.village_code, v.name AS village_name, p.name, p.kind, p.budget, p.funds_received,
	p.funds_spent, p.status, p.applied_on, p.approved_on, p.started_on, p.completed_on, p.department, p.note, p.version,
	(SELECT count(*) FROM project_beneficiaries b WHERE b.project_id = p.id)::int AS beneficiaries
FROM projects p JOIN divisions v ON v.code = p.village_code`

// Projects returns the projects of the villages under division (a code
// prefix; a township chair's scope is its township), by village and id.
func (s *Store) Projects(ctx context.Context, division string) ([]ProjectRow, error) {
	rows, _ := s.Pool.Query(ctx, projectSelect+` WHERE p.village_code LIKE $1 || '%' ORDER BY p.village_code, p.id`, division)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ProjectRow])
	if err != nil {
		return nil, fmt.Errorf("store.Projects: %w", err)
	}
	return out, nil
}

// Project returns project id if its village lies under division.
func (s *Store) Project(ctx context.Context, division string, id int64) (ProjectRow, error) {
	rows, _ := s.Pool.Query(ctx, projectSelect+` WHERE p.id = $1 AND p.village_code LIKE $2 || '%'`, id, division)
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ProjectRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return p, ErrNotFound
	}
	if err != nil {
		return p, fmt.Errorf("store.Project: %w", err)
	}
	return p, nil
}

// SaveProject creates (id 0) or updates project id at version, audited; it
// returns the id. A stale version returns ErrVersionConflict.
func (s *Store) SaveProject(ctx context.Context, id int64, version int, p project.Project, actorID int64) (int64, error) {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if id == 0 {
			if err := tx.QueryRow(ctx, `INSERT INTO projects (village_code, name, kind, budget, funds_received, funds_spent, status,
				applied_on, approved_on, started_on, completed_on, department, note, created_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
				p.VillageCode, p.Name, p.Kind, p.Budget, p.FundsReceived, p.FundsSpent, p.Status, p.AppliedOn, p.ApprovedOn,
				p.StartedOn, p.DoneOn, p.Department, p.Note, nullID(actorID)).Scan(&id); err != nil {
				return err
			}
			return audit(ctx, tx, actorID, "project.create", "project", id, nil, p)
		}
		var before ProjectRow
		rows, _ := tx.Query(ctx, projectSelect+` WHERE p.id = $1 FOR UPDATE OF p`, id)
		before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ProjectRow])
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if before.Version != version {
			return ErrVersionConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE projects SET village_code = $2, name = $3, kind = $4, budget = $5, funds_received = $6,
			funds_spent = $7, status = $8, applied_on = $9, approved_on = $10, started_on = $11, completed_on = $12,
			department = $13, note = $14, version = version + 1, updated_at = now() WHERE id = $1`,
			id, p.VillageCode, p.Name, p.Kind, p.Budget, p.FundsReceived, p.FundsSpent, p.Status, p.AppliedOn, p.ApprovedOn,
			p.StartedOn, p.DoneOn, p.Department, p.Note); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "project.update", "project", id, before, p)
	})
	if err != nil {
		return 0, fmt.Errorf("store.SaveProject: %w", err)
	}
	return id, nil
}

// Beneficiary is a household benefiting from a project or a member of a
// cooperative.
type Beneficiary struct {
	HouseholdID int64           `db:"household_id"`
	HeadName    string          `db:"head_name"`
	JoinedOn    *time.Time      `db:"joined_on"`
	Paid        decimal.Decimal `db:"paid"` // cooperatives: all payouts to the household, yuan
}

// ProjectBeneficiaries returns the households of project id.
func (s *Store) ProjectBeneficiaries(ctx context.Context, id int64) ([]Beneficiary, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT h.id AS household_id, h.head_name, NULL::date AS joined_on, 0::numeric AS paid
		FROM project_beneficiaries b JOIN households h ON h.id = b.household_id WHERE b.project_id = $1
		ORDER BY h.head_name COLLATE zh_stroke, h.id`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Beneficiary])
	if err != nil {
		return nil, fmt.Errorf("store.ProjectBeneficiaries: %w", err)
	}
	return out, nil
}

// SetBeneficiary adds (on) or removes a household of the project's
// village as a beneficiary, audited. A household of another village is
// ErrNotFound.
func (s *Store) SetBeneficiary(ctx context.Context, projectID, householdID int64, on bool, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM projects p JOIN households h ON h.village_code = p.village_code
			WHERE p.id = $1 AND h.id = $2)`, projectID, householdID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		q := `INSERT INTO project_beneficiaries (project_id, household_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
		if !on {
			q = `DELETE FROM project_beneficiaries WHERE project_id = $1 AND household_id = $2`
		}
		if _, err := tx.Exec(ctx, q, projectID, householdID); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "project.beneficiary", "project", projectID, nil, map[string]any{"household_id": householdID, "on": on})
	})
	if err != nil {
		return fmt.Errorf("store.SetBeneficiary: %w", err)
	}
	return nil
}

// CooperativeRow is a cooperative with its member count and payouts.
type CooperativeRow struct {
	ID          int64           `db:"id"`
	VillageCode string          `db:"village_code"`
	VillageName string          `db:"village_name"`
	Name        string          `db:"name"`
	Product     string          `db:"product"`
	FoundedOn   *time.Time      `db:"founded_on"`
	Note        string          `db:"note"`
	Members     int             `db:"members"`
	Paid        decimal.Decimal `db:"paid"` // all payouts, yuan
}

const cooperativeSelect = `SELECT c.id, c.village_code, v.name AS village_name, c.name, c.product, c.founded_on, c.note,
	(SELECT count(*) FROM cooperative_members m WHERE m.cooperative_id = c.id)::int AS members,
	(SELECT coalesce(sum(amount), 0) FROM cooperative_payouts x WHERE x.cooperative_id = c.id) AS paid
FROM cooperatives c JOIN divisions v ON v.code = c.village_code`

// Cooperatives returns the cooperatives of the villages under division.
func (s *Store) Cooperatives(ctx context.Context, division string) ([]CooperativeRow, error) {
	rows, _ := s.Pool.Query(ctx, cooperativeSelect+` WHERE c.village_code LIKE $1 || '%' ORDER BY c.village_code, c.id`, division)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[CooperativeRow])
	if err != nil {
		return nil, fmt.Errorf("store.Cooperatives: %w", err)
	}
	return out, nil
}

// Cooperative returns cooperative id if its village lies under division.
func (s *Store) Cooperative(ctx context.Context, division string, id int64) (CooperativeRow, error) {
	rows, _ := s.Pool.Query(ctx, cooperativeSelect+` WHERE c.id = $1 AND c.village_code LIKE $2 || '%'`, id, division)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[CooperativeRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store.Cooperative: %w", err)
	}
	return c, nil
}

// CreateCooperative stores a cooperative, audited, and returns its id.
func (s *Store) CreateCooperative(ctx context.Context, c project.Cooperative, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO cooperatives (village_code, name, product, founded_on, note, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.VillageCode, c.Name, c.Product, c.FoundedOn, c.Note, nullID(actorID)).Scan(&id); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "cooperative.create", "cooperative", id, nil, c)
	})
	if err != nil {
		return 0, fmt.Errorf("store.CreateCooperative: %w", err)
	}
	return id, nil
}

// CooperativeMembers returns the member households of cooperative id with
// their join date and what they were paid, yuan.
func (s *Store) CooperativeMembers(ctx context.Context, id int64) ([]Beneficiary, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT h.id AS household_id, h.head_name, m.joined_on,
		(SELECT coalesce(sum(amount), 0) FROM cooperative_payouts x WHERE x.cooperative_id = m.cooperative_id AND x.household_id = h.id) AS paid
		FROM cooperative_members m JOIN households h ON h.id = m.household_id WHERE m.cooperative_id = $1
		ORDER BY m.joined_on, h.id`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Beneficiary])
	if err != nil {
		return nil, fmt.Errorf("store.CooperativeMembers: %w", err)
	}
	return out, nil
}

// AddMember adds a registered household of the cooperative's township (a
// household can be in several cooperatives) to cooperative id from
// joinedOn, audited. A household that does not exist or lies in another
// township is ErrNotFound, a member already ErrConflict.
func (s *Store) AddMember(ctx context.Context, coopID, householdID int64, joinedOn time.Time, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM households h JOIN cooperatives c ON c.id = $2
			WHERE h.id = $1 AND h.township_code = left(c.village_code, 9))`, householdID, coopID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return ErrNotFound
		}
		tag, err := tx.Exec(ctx, `INSERT INTO cooperative_members (cooperative_id, household_id, joined_on) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, coopID, householdID, joinedOn)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrConflict
		}
		return audit(ctx, tx, actorID, "cooperative.member", "cooperative", coopID, nil, map[string]any{"household_id": householdID, "joined_on": joinedOn})
	})
	if err != nil {
		return fmt.Errorf("store.AddMember: %w", err)
	}
	return nil
}

// ErrNoIncomeYear is returned by RecordPayout when the household has no
// income record for the payout's year.
var ErrNoIncomeYear = errors.New("no income recorded for that year")

// RecordPayout records what cooperative id paid a member household and adds
// it to the household's income record of that year (ErrNoIncomeYear when
// there is none) (dividends as property income,
// wages as wages; the per-capita figure recomputed from today's member
// count, and the household's 人均纯收入 following it when that year is its
// newest), in one transaction with its audit events. A household that is
// not a member is ErrNotFound.
func (s *Store) RecordPayout(ctx context.Context, coopID int64, p project.Payout, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var member bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cooperative_members WHERE cooperative_id = $1 AND household_id = $2)`,
			coopID, p.HouseholdID).Scan(&member); err != nil {
			return err
		}
		if !member {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cooperative_payouts (cooperative_id, household_id, year, kind, amount, paid_on, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, coopID, p.HouseholdID, p.Year, p.Kind, p.Amount, p.PaidOn, nullID(actorID)); err != nil {
			return err
		}
		in := household.Income{Year: p.Year}
		err := tx.QueryRow(ctx, `SELECT wages, production, property, transfers, costs FROM household_incomes
			WHERE household_id = $1 AND year = $2 FOR UPDATE`, p.HouseholdID, p.Year).Scan(&in.Wages, &in.Production, &in.Property, &in.Transfers, &in.Costs)
		if errors.Is(err, pgx.ErrNoRows) {
			// Without the year's income record the payout would stand for
			// the household's whole income: record that year first.
			return ErrNoIncomeYear
		}
		if err != nil {
			return err
		}
		in = in.WithCredit(household.Credit{}.Add(p.Kind, p.Amount))
		var size int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM household_members WHERE household_id = $1`, p.HouseholdID).Scan(&size); err != nil {
			return err
		}
		size = max(size, 1)
		per := in.PerCapita(size)
		if _, err := tx.Exec(ctx, `INSERT INTO household_incomes (household_id, year, wages, production, property, transfers, costs, size, per_capita, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (household_id, year) DO UPDATE SET wages = EXCLUDED.wages, property = EXCLUDED.property, size = EXCLUDED.size,
			per_capita = EXCLUDED.per_capita, recorded_by = EXCLUDED.recorded_by, recorded_at = now()`,
			p.HouseholdID, p.Year, in.Wages, in.Production, in.Property, in.Transfers, in.Costs, size, per, nullID(actorID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE households SET per_capita_income = $2, version = version + 1, updated_at = now()
			WHERE id = $1 AND $3 >= (SELECT max(year) FROM household_incomes WHERE household_id = $1)`, p.HouseholdID, per, p.Year); err != nil {
			return err
		}
		if err := audit(ctx, tx, actorID, "cooperative.payout", "cooperative", coopID, nil,
			map[string]any{"household_id": p.HouseholdID, "year": p.Year, "kind": p.Kind, "amount": p.Amount.StringFixed(2)}); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "household.income", "household", p.HouseholdID, nil,
			map[string]any{"year": p.Year, "per_capita_income": per.StringFixed(2), "size": size, "source": "cooperative"})
	})
	if err != nil {
		return fmt.Errorf("store.RecordPayout: %w", err)
	}
	return nil
}

// ProjectTotals is the sum of a village's projects, yuan.
type ProjectTotals struct {
	Count                             int
	Budget, FundsReceived, FundsSpent decimal.Decimal
}

// Totals adds up projects.
func Totals(ps []ProjectRow) ProjectTotals {
	t := ProjectTotals{Budget: decimal.Zero, FundsReceived: decimal.Zero, FundsSpent: decimal.Zero}
	for _, p := range ps {
		t.Count++
		t.Budget = t.Budget.Add(p.Budget)
		t.FundsReceived = t.FundsReceived.Add(p.FundsReceived)
		t.FundsSpent = t.FundsSpent.Add(p.FundsSpent)
	}
	return t
}

// PayoutRow is one payout of a cooperative.
type PayoutRow struct {
	ID       int64           `db:"id"`
	HeadName string          `db:"head_name"`
	Year     int             `db:"year"`
	Kind     string          `db:"kind"`
	Amount   decimal.Decimal `db:"amount"`
	PaidOn   time.Time       `db:"paid_on"`
}

// Payouts returns the payouts of cooperative id, newest first.
func (s *Store) Payouts(ctx context.Context, id int64) ([]PayoutRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT x.id, h.head_name, x.year, x.kind, x.amount, x.paid_on FROM cooperative_payouts x
		JOIN households h ON h.id = x.household_id WHERE x.cooperative_id = $1 ORDER BY x.paid_on DESC, x.id DESC`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PayoutRow])
	if err != nil {
		return nil, fmt.Errorf("store.Payouts: %w", err)
	}
	return out, nil
}
