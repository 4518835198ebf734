package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/summary"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// summaryFigures counts a quarter's figures per township of county $1
// ($2 = one township, empty = all) from the raw tables (not the dashboard's
// summary tables), with [$3, $4) the quarter, $5 the as-of day and $6/$7
// the amber/red follow-up thresholds in days. The definitions are those of
// summary.Figures.
const summaryFigures = `
WITH tw AS (
	SELECT code FROM divisions WHERE level = 'township' AND parent_code = $1 AND ($2 = '' OR code = $2)
), pr AS (
	SELECT h.township_code AS t, p.id, p.start_date, p.end_date
	FROM pairings p JOIN households h ON h.id = p.household_id
	WHERE h.township_code IN (SELECT code FROM tw) AND p.status IN ('active', 'ended') AND p.end_reason IS DISTINCT FROM 'rejected'
), inforce AS (
	SELECT pr.t, coalesce((SELECT max(e.entry_date) FROM ledger_entries e WHERE e.pairing_id = pr.id AND e.kind = 'visit'
		AND e.status IN ('submitted', 'approved') AND e.entry_date <= $5::date), pr.start_date) AS since
	FROM pr WHERE pr.start_date <= $5::date AND (pr.end_date IS NULL OR pr.end_date > $5::date)
), le AS (
	SELECT h.township_code AS t,
		count(*) FILTER (WHERE e.kind = 'visit' AND e.status IN ('submitted', 'approved')) AS visits,
		count(*) FILTER (WHERE e.status = 'approved') AS entries,
		coalesce(sum(e.amount) FILTER (WHERE e.status = 'approved'), 0) AS yuan
	FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id
	WHERE h.township_code IN (SELECT code FROM tw) AND e.entry_date >= $3::date AND e.entry_date < $4::date
	GROUP BY 1
), ex AS (
	SELECT h.township_code AS t, count(DISTINCT sh.household_id) AS exits
	FROM household_status_history sh JOIN households h ON h.id = sh.household_id
	WHERE h.township_code IN (SELECT code FROM tw) AND sh.status = 'exited'
		AND (sh.changed_at AT TIME ZONE 'Asia/Shanghai')::date >= $3::date AND (sh.changed_at AT TIME ZONE 'Asia/Shanghai')::date < $4::date
	GROUP BY 1
)
SELECT tw.code,
	(SELECT count(*) FROM inforce WHERE inforce.t = tw.code)::int,
	(SELECT count(*) FROM pr WHERE pr.t = tw.code AND pr.start_date >= $3::date AND pr.start_date < $4::date)::int,
	coalesce(le.visits, 0)::int, coalesce(le.entries, 0)::int, coalesce(le.yuan, 0), coalesce(ex.exits, 0)::int,
	(SELECT count(*) FROM inforce WHERE inforce.t = tw.code AND $5::date - since >= $6::int AND $5::date - since < $7::int)::int,
	(SELECT count(*) FROM inforce WHERE inforce.t = tw.code AND $5::date - since >= $7::int)::int
FROM tw LEFT JOIN le ON le.t = tw.code LEFT JOIN ex ON ex.t = tw.code
ORDER BY tw.code`

// SummaryFigures returns the figures of quarter p as of day asOf for
// township of county ("" = every township of the county), by township code.
func (s *Store) SummaryFigures(ctx context.Context, county, township string, p period.Period, asOf time.Time) (map[string]summary.Figures, error) {
	amber, red, err := s.FollowUpThresholds(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.Pool.Query(ctx, summaryFigures, county, township, p.Start(), p.End(), asOf, amber, red)
	if err != nil {
		return nil, fmt.Errorf("store.SummaryFigures: %w", err)
	}
	out := map[string]summary.Figures{}
	var code string
	f := summary.Figures{AsOf: asOf, AmberDays: amber, RedDays: red}
	_, err = pgx.ForEachRow(rows, []any{&code, &f.ActivePairings, &f.NewPairings, &f.Visits, &f.Entries, &f.Yuan, &f.Exits, &f.OverdueAmber, &f.OverdueRed},
		func() error { out[code] = f; return nil })
	if err != nil {
		return nil, fmt.Errorf("store.SummaryFigures: %w", err)
	}
	return out, nil
}

// SummaryReport generates the report of township's quarter p as of today:
// figures, the model cases marked in the quarter, the shortcomings
// recorded by the quarter's joint meetings (the county's and the
// township's own), and the action items owned by the township or its
// accounts that were due in the quarter or still open from before it.
// An unknown township is ErrNotFound.
func (s *Store) SummaryReport(ctx context.Context, county, township string, p period.Period, today time.Time) (summary.Report, error) {
	d, err := s.Division(ctx, township)
	if err != nil {
		return summary.Report{}, err
	}
	if d.Level != "township" || d.ParentCode != county {
		return summary.Report{}, ErrNotFound
	}
	asOf := summary.AsOf(p, today)
	r := summary.Report{Township: township, TownshipName: d.Name, Period: p, Made: today,
		Cases: []summary.Case{}, Shortcomings: []summary.Shortcoming{}, Items: []summary.Item{}}
	figs, err := s.SummaryFigures(ctx, county, township, p, asOf)
	if err != nil {
		return r, err
	}
	r.Figures = figs[township]
	if r.Figures.Yuan.IsZero() {
		r.Figures.Yuan = decimal.Zero
	}
	cases, _, err := s.ShowcaseCases(ctx, CaseFilter{Township: township, From: p.Start(), To: p.End()}, 0)
	if err != nil {
		return r, err
	}
	for i := len(cases) - 1; i >= 0; i-- { // in the order marked
		c := cases[i]
		r.Cases = append(r.Cases, summary.Case{ID: c.ID, Title: c.Title, Theme: c.Theme, Story: c.Story, Helper: c.Helper, Village: c.Village,
			Marked: c.MarkedAt.In(shanghai)})
	}
	rows, _ := s.Pool.Query(ctx, `SELECT id, title, meeting_date, township_code IS NULL, shortcomings FROM meetings
		WHERE year = $1 AND quarter = $2 AND (township_code IS NULL OR township_code = $3) AND btrim(shortcomings) <> ''
		ORDER BY meeting_date, id`, p.Year, p.Quarter, township)
	var sc summary.Shortcoming
	if _, err := pgx.ForEachRow(rows, []any{&sc.MeetingID, &sc.Meeting, &sc.Date, &sc.County, &sc.Text}, func() error {
		r.Shortcomings = append(r.Shortcomings, sc)
		return nil
	}); err != nil {
		return r, fmt.Errorf("store.SummaryReport: %w", err)
	}
	rows, _ = s.Pool.Query(ctx, `SELECT i.id, i.title, coalesce(u.display_name, t.name), i.due_date, i.status, i.closed_on
		FROM action_items i LEFT JOIN users u ON u.id = i.owner_user_id LEFT JOIN divisions t ON t.code = i.owner_township
		WHERE coalesce(i.owner_township, u.township_code) = $1
		AND ((i.due_date >= $2 AND i.due_date < $3) OR (i.status = 'open' AND i.due_date < $2))
		ORDER BY i.due_date, i.id`, township, p.Start(), p.End())
	var it summary.Item
	if _, err := pgx.ForEachRow(rows, []any{&it.ID, &it.Title, &it.Owner, &it.Due, &it.Status, &it.ClosedOn}, func() error {
		x := it
		x.Status = meeting.ItemStatus(it.Status, it.Due, today)
		r.Items = append(r.Items, x)
		return nil
	}); err != nil {
		return r, fmt.Errorf("store.SummaryReport: %w", err)
	}
	return r, nil
}

// SummaryRow is a township's saved summary of a quarter.
type SummaryRow struct {
	ID             int64      `db:"id"`
	Township       string     `db:"township_code"`
	Year           int        `db:"year"`
	Quarter        int        `db:"quarter"`
	Status         string     `db:"status"`
	Prose          string     `db:"prose"`
	Snapshot       []byte     `db:"snapshot"`
	Version        int        `db:"version"`
	SubmittedBy    string     `db:"submitted_by"`
	SubmittedAt    *time.Time `db:"submitted_at"`
	ReturnedReason string     `db:"returned_reason"`
	ReturnedBy     string     `db:"returned_by"`
	ReturnedAt     *time.Time `db:"returned_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
}

// Report decodes the snapshot of a submitted summary.
func (r SummaryRow) Report() (summary.Report, error) {
	var rep summary.Report
	if len(r.Snapshot) == 0 {
		return rep, errors.New("summary has no snapshot")
	}
	err := json.Unmarshal(r.Snapshot, &rep)
	return rep, err
}

const summarySelect = `SELECT s.id, s.township_code, s.year, s.quarter, s.status, s.prose, s.snapshot, s.version,
	coalesce(su.display_name, '') AS submitted_by, s.submitted_at, s.returned_reason, coalesce(ru.display_name, '') AS returned_by,
	s.returned_at, s.updated_at
FROM township_summaries s LEFT JOIN users su ON su.id = s.submitted_by LEFT JOIN users ru ON ru.id = s.returned_by`

// TownshipSummary returns township's saved summary of quarter p, or
// ErrNotFound when none has been saved yet.
func (s *Store) TownshipSummary(ctx context.Context, township string, p period.Period) (SummaryRow, error) {
	rows, _ := s.Pool.Query(ctx, summarySelect+` WHERE s.township_code = $1 AND s.year = $2 AND s.quarter = $3`, township, p.Year, p.Quarter)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SummaryRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, fmt.Errorf("store.TownshipSummary: %w", err)
	}
	return r, nil
}

// TownshipSummaries returns the saved summaries of quarter p by township.
func (s *Store) TownshipSummaries(ctx context.Context, p period.Period) (map[string]SummaryRow, error) {
	rows, _ := s.Pool.Query(ctx, summarySelect+` WHERE s.year = $1 AND s.quarter = $2`, p.Year, p.Quarter)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[SummaryRow])
	if err != nil {
		return nil, fmt.Errorf("store.TownshipSummaries: %w", err)
	}
	out := make(map[string]SummaryRow, len(list))
	for _, r := range list {
		out[r.Township] = r
	}
	return out, nil
}

// SaveSummary saves the chair's prose of township's quarter p, read at
// version (0: no summary saved yet) as a draft or, with report set, submits
// it with report frozen as its snapshot; audited. A submitted summary is
// ErrConflict (staff must return it first); a stale version
// ErrVersionConflict.
func (s *Store) SaveSummary(ctx context.Context, township string, p period.Period, version int, prose string, report *summary.Report, actorID int64) error {
	var snap []byte
	status, action := "draft", "summary.save"
	if report != nil {
		var err error
		if snap, err = json.Marshal(report); err != nil {
			return fmt.Errorf("store.SaveSummary: %w", err)
		}
		status, action = "submitted", "summary.submit"
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		var cur, v int
		var before, st string
		err := tx.QueryRow(ctx, `SELECT id, version, status, prose FROM township_summaries WHERE township_code = $1 AND year = $2 AND quarter = $3 FOR UPDATE`,
			township, p.Year, p.Quarter).Scan(&id, &v, &st, &before)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			if version != 0 {
				return ErrVersionConflict
			}
			// Version 0 until the update below: the first save is version 1.
			err = tx.QueryRow(ctx, `INSERT INTO township_summaries (township_code, year, quarter, version) VALUES ($1, $2, $3, 0)
				ON CONFLICT DO NOTHING RETURNING id, version, status`, township, p.Year, p.Quarter).Scan(&id, &v, &st)
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrVersionConflict // created meanwhile by another save
			}
			if err != nil {
				return err
			}
			cur = v
		case err != nil:
			return err
		default:
			cur = v
			if version != v {
				return ErrVersionConflict
			}
		}
		if st == "submitted" {
			return ErrConflict
		}
		// Any save of a returned summary makes it a draft again; a draft
		// keeps the last submitted snapshot (replaced on the next submit).
		if _, err := tx.Exec(ctx, `UPDATE township_summaries SET prose = $2, status = $3, snapshot = coalesce($4, snapshot),
			submitted_by = CASE WHEN $3 = 'submitted' THEN $5 ELSE submitted_by END,
			submitted_at = CASE WHEN $3 = 'submitted' THEN now() ELSE submitted_at END,
			updated_by = $5, version = version + 1, updated_at = now() WHERE id = $1`,
			id, prose, status, snap, nullID(actorID)); err != nil {
			return err
		}
		after := map[string]any{"township": township, "period": summary.Key(p), "status": status, "prose": prose}
		if report != nil {
			after["figures"] = report.Figures
		}
		return audit(ctx, tx, actorID, action, "township_summary", id,
			map[string]any{"status": st, "prose": before, "version": cur}, after)
	})
	if err != nil {
		return fmt.Errorf("store.SaveSummary: %w", err)
	}
	return nil
}

// ReturnSummary returns township's submitted summary of quarter p for
// revision with reason, audited; its snapshot stays until it is submitted
// again. A summary not submitted is ErrConflict, none saved ErrNotFound.
func (s *Store) ReturnSummary(ctx context.Context, township string, p period.Period, reason string, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		var st string
		err := tx.QueryRow(ctx, `SELECT id, status FROM township_summaries WHERE township_code = $1 AND year = $2 AND quarter = $3 FOR UPDATE`,
			township, p.Year, p.Quarter).Scan(&id, &st)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if st != "submitted" {
			return ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE township_summaries SET status = 'returned', returned_reason = $2, returned_by = $3, returned_at = now(),
			version = version + 1, updated_at = now() WHERE id = $1`, id, reason, nullID(actorID)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "summary.return", "township_summary", id,
			map[string]string{"status": "submitted"}, map[string]string{"status": "returned", "reason": reason})
	})
	if err != nil {
		return fmt.Errorf("store.ReturnSummary: %w", err)
	}
	return nil
}
