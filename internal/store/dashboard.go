package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// statsRows selects the summary rows of division $1: its own row, or for a
// county (which has none, see migration 000010) its townships' rows.
const statsRows = `(division_code = $1 OR (length($1) = 6 AND length(division_code) = 9 AND left(division_code, 6) = $1))`

// MonthFigures are one calendar month's ledger figures of a division.
type MonthFigures struct {
	Month  time.Time       `json:"month"`  // first day of the month
	Visits int             `json:"visits"` // visits submitted or approved, dated in the month
	Yuan   decimal.Decimal `json:"yuan"`   // money and goods of approved entries dated in the month, yuan
}

// MonthlyLedger returns the 12 calendar months ending with the month of
// last (oldest first; months without entries are present with zeros) for
// the households of division (a county, township or village code).
func (s *Store) MonthlyLedger(ctx context.Context, division string, last time.Time) ([]MonthFigures, error) {
	end := time.Date(last.Year(), last.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	start := end.AddDate(-1, 0, 0)
	out := make([]MonthFigures, 12)
	for i := range out {
		out[i] = MonthFigures{Month: start.AddDate(0, i, 0), Yuan: decimal.Zero}
	}
	rows, err := s.Pool.Query(ctx, `SELECT day, sum(visits)::int, sum(yuan) FROM stats_ledger_month
		WHERE `+statsRows+` AND day >= $2 AND day < $3 GROUP BY day`, division, start, end)
	if err != nil {
		return nil, fmt.Errorf("store.MonthlyLedger: %w", err)
	}
	var m time.Time
	var f MonthFigures
	_, err = pgx.ForEachRow(rows, []any{&m, &f.Visits, &f.Yuan}, func() error {
		i := (m.Year()-start.Year())*12 + int(m.Month()) - int(start.Month())
		if i >= 0 && i < 12 {
			out[i].Visits, out[i].Yuan = f.Visits, f.Yuan
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store.MonthlyLedger: %w", err)
	}
	return out, nil
}

// CauseCount is the number of households of a main poverty cause.
type CauseCount struct {
	Cause string `json:"cause"` // codelist value of the main cause
	Count int    `json:"count"`
}

// HouseholdsByCause counts the households of division (a code prefix) by
// main poverty cause (主要致贫原因), most frequent first. division is a
// county, township or village code.
func (s *Store) HouseholdsByCause(ctx context.Context, division string) ([]CauseCount, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT cause, sum(households)::int AS count FROM stats_division_cause
		WHERE `+statsRows+` GROUP BY cause HAVING sum(households) > 0 ORDER BY 2 DESC, 1`, division)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[CauseCount])
	if err != nil {
		return nil, fmt.Errorf("store.HouseholdsByCause: %w", err)
	}
	return out, nil
}

// ReliefPoint is the progress of a relief point (帮扶联系点) village towards
// its year-end goal: every registered household exited and the village off
// the poor-village list (摘帽).
type ReliefPoint struct {
	Code, Name, TownshipName string
	Households               int  // registered households: the goal of exits
	Exited                   int  // households with status exited
	InProcess                int  // households with an exit under way (拟退出 … 审核)
	PoorVillage              bool // still on the poor-village list
	ExitYear                 *int // the village's planned or actual exit year
}

// ReliefPointIn returns the relief-point village within division (a code
// prefix), or ErrNotFound when it has none.
func (s *Store) ReliefPointIn(ctx context.Context, division string) (ReliefPoint, error) {
	var r ReliefPoint
	err := s.Pool.QueryRow(ctx, `SELECT v.code, v.name, t.name, v.poor_village, v.poor_village_exit_year,
		(SELECT count(*) FROM households h WHERE h.village_code = v.code)::int,
		(SELECT count(*) FROM households h WHERE h.village_code = v.code AND h.status = 'exited')::int,
		(SELECT count(*) FROM household_exits x JOIN households h ON h.id = x.household_id
			WHERE h.village_code = v.code AND x.status IN ('proposed', 'appraised', 'notice', 'reviewed'))::int
		FROM divisions v JOIN divisions t ON t.code = v.parent_code
		WHERE v.relief_point AND v.code LIKE $1 || '%' ORDER BY v.code LIMIT 1`, division).
		Scan(&r.Code, &r.Name, &r.TownshipName, &r.PoorVillage, &r.ExitYear, &r.Households, &r.Exited, &r.InProcess)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store.ReliefPointIn: %w", err)
	}
	return r, nil
}
