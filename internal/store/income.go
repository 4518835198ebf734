package store

import (
	"context"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// IncomeRow is one year's income of a household with that year's poverty
// line for the household's standard (Line zero when the table has none).
type IncomeRow struct {
	Year       int             `db:"year"`
	Wages      decimal.Decimal `db:"wages"`
	Production decimal.Decimal `db:"production"`
	Property   decimal.Decimal `db:"property"`
	Transfers  decimal.Decimal `db:"transfers"`
	Costs      decimal.Decimal `db:"costs"`
	Size       int             `db:"size"`
	PerCapita  decimal.Decimal `db:"per_capita"`
	Line       decimal.Decimal `db:"line"`
	RecordedBy string          `db:"recorded_by"`
	RecordedAt time.Time       `db:"recorded_at"`
}

// incomesSQL reads the incomes of household $1.
const incomesSQL = `SELECT i.year, i.wages, i.production, i.property, i.transfers, i.costs, i.size, i.per_capita,
		coalesce(pl.yuan, 0) AS line, coalesce(u.display_name, '系统') AS recorded_by, i.recorded_at
		FROM household_incomes i JOIN households h ON h.id = i.household_id
		LEFT JOIN poverty_lines pl ON pl.year = i.year AND pl.standard = h.standard
		LEFT JOIN users u ON u.id = i.recorded_by WHERE i.household_id = $1 ORDER BY i.year DESC`

// CreditedPayout is what a cooperative paid a household, credited to its
// income of Year (see household.Credit).
type CreditedPayout struct {
	Year   int             `db:"year"`
	Source string          `db:"source"` // the cooperative's name
	Kind   string          `db:"kind"`   // "wage" or "dividend" (project.PayoutKinds)
	Amount decimal.Decimal `db:"amount"` // yuan
	PaidOn time.Time       `db:"paid_on"`
}

// creditedPayoutsSQL reads what was paid to household $1, newest year first.
const creditedPayoutsSQL = `SELECT p.year, c.name AS source, p.kind, p.amount, p.paid_on
		FROM cooperative_payouts p JOIN cooperatives c ON c.id = p.cooperative_id
		WHERE p.household_id = $1 ORDER BY p.year DESC, p.paid_on, p.id`

// CreditOf sums the payouts of year.
func CreditOf(payouts []CreditedPayout, year int) household.Credit {
	var c household.Credit
	for _, p := range payouts {
		if p.Year == year {
			c = c.Add(p.Kind, p.Amount)
		}
	}
	return c
}

// Incomes returns a household's incomes, newest year first.
func (s *Store) Incomes(ctx context.Context, householdID int64) ([]IncomeRow, error) {
	rows, _ := s.Pool.Query(ctx, incomesSQL, householdID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[IncomeRow])
	if err != nil {
		return nil, fmt.Errorf("store.Incomes: %w", err)
	}
	return out, nil
}

// RecordIncome stores (or replaces) a year's income of household id in
// scope as typed in the income form (in: without what cooperatives paid),
// keeping what was credited to that year: the stored year is in plus the
// year's cooperative payouts (household.Credit), so a save never drops them.
// The per-capita figure (yuan) is computed from today's member count and
// returned; when it is the newest year recorded, the household's 人均纯收入
// follows it. One transaction with an audit event.
func (s *Store) RecordIncome(ctx context.Context, scope auth.Scope, id int64, in household.Income, actorID int64) (decimal.Decimal, error) {
	if _, err := s.Household(ctx, scope, id); err != nil {
		return decimal.Zero, err
	}
	var per, credit decimal.Decimal
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var size int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM household_members WHERE household_id = $1`, id).Scan(&size); err != nil {
			return err
		}
		// Lock the year before reading its credit: a payout recorded at the
		// same time waits for this save and then adds to it.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM household_incomes WHERE household_id = $1 AND year = $2 FOR UPDATE`, id, in.Year); err != nil {
			return err
		}
		var c household.Credit
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(amount) FILTER (WHERE kind = 'wage'), 0), coalesce(sum(amount) FILTER (WHERE kind <> 'wage'), 0)
			FROM cooperative_payouts WHERE household_id = $1 AND year = $2`, id, in.Year).Scan(&c.Wages, &c.Property); err != nil {
			return err
		}
		credit = c.Total()
		in = in.WithCredit(c)
		per = in.PerCapita(size)
		if _, err := tx.Exec(ctx, `INSERT INTO household_incomes (household_id, year, wages, production, property, transfers, costs, size, per_capita, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (household_id, year) DO UPDATE SET wages = EXCLUDED.wages, production = EXCLUDED.production,
			property = EXCLUDED.property, transfers = EXCLUDED.transfers, costs = EXCLUDED.costs, size = EXCLUDED.size,
			per_capita = EXCLUDED.per_capita, recorded_by = EXCLUDED.recorded_by, recorded_at = now()`,
			id, in.Year, in.Wages, in.Production, in.Property, in.Transfers, in.Costs, size, per, nullID(actorID)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE households SET per_capita_income = $2, version = version + 1, updated_at = now()
			WHERE id = $1 AND $3 >= (SELECT max(year) FROM household_incomes WHERE household_id = $1)`, id, per, in.Year); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "household.income", "household", id, nil,
			map[string]any{"year": in.Year, "per_capita_income": per.StringFixed(2), "size": size, "credited": credit.StringFixed(2)})
	})
	if err != nil {
		return decimal.Zero, fmt.Errorf("store.RecordIncome: %w", err)
	}
	return per, nil
}
