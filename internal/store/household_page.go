package store

import (
	"context"
	"fmt"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// HouseholdPage is what a household's page shows, read in two round trips
// (issue 10: the page made 15 queries one after another). Goal is nil
// while none is set; Measures, Goal, Entries and Photos are empty without
// an active pairing.
type HouseholdPage struct {
	Household HouseholdRow
	Members   []MemberRow
	Pairings  []PairingRow // newest first
	Active    *PairingRow  // the active one among Pairings, if any
	Statuses  []StatusRow
	Incomes   []IncomeRow
	Payouts   []CreditedPayout // credited to the incomes, newest year first
	Exits     []ExitRow
	Audit     []AuditRow // only when asked for: the household's story (householdTrailSQL)
	// PovertyLines are the lines of the asked years for the household's
	// standard, in yuan per person and year, by year.
	PovertyLines map[int]decimal.Decimal
	Measures     []MeasureRow
	Goal         *GoalRow
	Entries      []LedgerEntryRow
	Photos       map[int64][]PhotoRef // by entry id
	// Cases are the model cases already marked on the active pairing and
	// its entries: case id by CaseKey(kind, ref).
	Cases map[string]int64
}

// CaseKey is the key of HouseholdPage.Cases: "pairing:12", "ledger_entry:34".
func CaseKey(kind string, ref int64) string { return kind + ":" + strconv.FormatInt(ref, 10) }

// HouseholdPageOptions say what else a viewer's page needs: the audit trail
// (staff and chairs), the drafts of the active pairing (its own deputy:
// DraftsOf is the deputy whose drafts are shown, 0 for none) and the years
// whose poverty line is compared.
type HouseholdPageOptions struct {
	WithAudit bool
	DraftsOf  int64
	Years     []int
}

// HouseholdPageData reads household id's page if id is in scope, else
// ErrNotFound. The same rows as Household, Members, HouseholdPairings,
// StatusHistory, Incomes, the cooperative payouts, Exits, AuditTrail, PovertyLineFor, Measures,
// Goal, LedgerEntries and EntryPhotos, sent as two pgx batches: the first
// by household, the second by its active pairing.
func (s *Store) HouseholdPageData(ctx context.Context, scope auth.Scope, id int64, o HouseholdPageOptions) (HouseholdPage, error) {
	var (
		p       HouseholdPage
		hs      []householdScan
		members []memberScan
		lines   []PovertyLine
	)
	where, args := householdScope(scope, 2)
	b := &pgx.Batch{}
	b.Queue(householdSelect+` WHERE h.id = $1 AND `+where, append([]any{id}, args...)...).Query(func(rows pgx.Rows) (err error) {
		hs, err = pgx.CollectRows(rows, pgx.RowToStructByName[householdScan])
		return err
	})
	b.Queue(membersSQL, id).Query(func(rows pgx.Rows) (err error) {
		members, err = pgx.CollectRows(rows, pgx.RowToStructByName[memberScan])
		return err
	})
	b.Queue(householdPairingsSQL, id).Query(func(rows pgx.Rows) (err error) {
		p.Pairings, err = pgx.CollectRows(rows, pgx.RowToStructByName[PairingRow])
		return err
	})
	b.Queue(statusHistorySQL, id).Query(func(rows pgx.Rows) (err error) {
		p.Statuses, err = pgx.CollectRows(rows, pgx.RowToStructByName[StatusRow])
		return err
	})
	b.Queue(incomesSQL, id).Query(func(rows pgx.Rows) (err error) {
		p.Incomes, err = pgx.CollectRows(rows, pgx.RowToStructByName[IncomeRow])
		return err
	})
	b.Queue(creditedPayoutsSQL, id).Query(func(rows pgx.Rows) (err error) {
		p.Payouts, err = pgx.CollectRows(rows, pgx.RowToStructByName[CreditedPayout])
		return err
	})
	b.Queue(householdExitsSQL, id).Query(func(rows pgx.Rows) (err error) {
		p.Exits, err = pgx.CollectRows(rows, pgx.RowToStructByName[ExitRow])
		return err
	})
	if o.WithAudit {
		b.Queue(householdTrailSQL, id).Query(func(rows pgx.Rows) (err error) {
			p.Audit, err = pgx.CollectRows(rows, pgx.RowToStructByName[AuditRow])
			return err
		})
	}
	b.Queue(`SELECT year, standard, yuan FROM poverty_lines WHERE year = ANY($1)`, o.Years).Query(func(rows pgx.Rows) (err error) {
		lines, err = pgx.CollectRows(rows, pgx.RowToStructByName[PovertyLine])
		return err
	})
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return HouseholdPage{}, fmt.Errorf("store.HouseholdPageData %d: %w", id, err)
	}
	if len(hs) != 1 {
		return HouseholdPage{}, ErrNotFound // out of scope, or no such household
	}
	var err error
	if p.Household, err = s.openHousehold(hs[0]); err != nil {
		return HouseholdPage{}, fmt.Errorf("store.HouseholdPageData: %w", err)
	}
	if p.Members, err = s.openMembers(members); err != nil {
		return HouseholdPage{}, fmt.Errorf("store.HouseholdPageData: %w", err)
	}
	p.PovertyLines = map[int]decimal.Decimal{}
	for _, l := range lines {
		if l.Standard == p.Household.Standard {
			p.PovertyLines[l.Year] = l.Yuan
		}
	}
	for i := range p.Pairings {
		if p.Pairings[i].Status == "active" {
			p.Active = &p.Pairings[i]
		}
	}
	if p.Active == nil {
		return p, nil
	}

	pid := p.Active.ID
	b = &pgx.Batch{}
	b.Queue(measuresSQL, pid).Query(func(rows pgx.Rows) (err error) {
		p.Measures, err = pgx.CollectRows(rows, pgx.RowToStructByName[MeasureRow])
		return err
	})
	b.Queue(goalSQL, pid).Query(func(rows pgx.Rows) error {
		var g GoalRow
		found, err := pgx.ForEachRow(rows, []any{&g.TargetIncome, &g.TargetExitYear}, func() error { return nil })
		if err == nil && found.RowsAffected() > 0 {
			g.Checks = map[string]GoalCheck{}
			p.Goal = &g
		}
		return err
	})
	checks := map[string]GoalCheck{}
	b.Queue(goalChecksSQL, pid).Query(func(rows pgx.Rows) error {
		var item string
		var c GoalCheck
		_, err := pgx.ForEachRow(rows, []any{&item, &c.By, &c.At}, func() error { checks[item] = c; return nil })
		return err
	})
	b.Queue(pairingEntriesSQL, pid, o.DraftsOf != 0 && o.DraftsOf == p.Active.DeputyID).Query(func(rows pgx.Rows) (err error) {
		p.Entries, err = pgx.CollectRows(rows, pgx.RowToStructByName[LedgerEntryRow])
		return err
	})
	var photos []PhotoRef
	b.Queue(`SELECT id, entry_id, width, height FROM ledger_photos
		WHERE entry_id IN (SELECT id FROM ledger_entries WHERE pairing_id = $1) ORDER BY id`, pid).Query(func(rows pgx.Rows) (err error) {
		photos, err = pgx.CollectRows(rows, pgx.RowToStructByName[PhotoRef])
		return err
	})
	p.Cases = map[string]int64{}
	b.Queue(`SELECT id, kind, ref_id FROM model_cases WHERE (kind = 'pairing' AND ref_id = $1)
		OR (kind = 'ledger_entry' AND ref_id IN (SELECT id FROM ledger_entries WHERE pairing_id = $1))`, pid).Query(func(rows pgx.Rows) error {
		var caseID, ref int64
		var kind string
		_, err := pgx.ForEachRow(rows, []any{&caseID, &kind, &ref}, func() error { p.Cases[CaseKey(kind, ref)] = caseID; return nil })
		return err
	})
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return HouseholdPage{}, fmt.Errorf("store.HouseholdPageData %d: pairing %d: %w", id, pid, err)
	}
	if p.Goal != nil {
		p.Goal.Checks = checks
	}
	p.Photos = map[int64][]PhotoRef{}
	shown := make(map[int64]bool, len(p.Entries))
	for _, e := range p.Entries {
		shown[e.ID] = true
	}
	for _, ph := range photos {
		if shown[ph.EntryID] {
			p.Photos[ph.EntryID] = append(p.Photos[ph.EntryID], ph)
		}
	}
	return p, nil
}

// goalSQL and goalChecksSQL read a pairing's goal ($1) and its ticked items.
const (
	goalSQL = `SELECT target_income, coalesce(target_exit_year, extract(year FROM target_exit_date)::int)
		FROM goals WHERE pairing_id = $1`
	goalChecksSQL = `SELECT c.item, coalesce(u.display_name, '系统'), c.checked_at FROM goal_checks c
		LEFT JOIN users u ON u.id = c.checked_by WHERE c.pairing_id = $1`
)
