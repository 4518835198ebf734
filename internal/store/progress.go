package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/period"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// Figures are the progress figures of one division (DESIGN.md §4), counted
// from the database at call time for a reporting period (a year or a
// quarter) and a day: day windows (30/90 days, follow-up thresholds) end on
// that day; period figures count entries dated in the period; exits count
// the period's year (an exit has a year, not a date).
type Figures struct {
	Code             string          `json:"code"`
	Name             string          `json:"name"`
	Households       int             `json:"households"`
	Paired           int             `json:"paired"`             // households with an active pairing
	Exited           int             `json:"exited"`             // households with status exited
	Relapsed         int             `json:"relapsed"`           // households with status relapsed (返贫)
	ExitPlanned      int             `json:"exit_planned"`       // households planned to exit in the period's year
	ExitedInYear     int             `json:"exited_in_year"`     // households exited (status exited) in the period's year
	LedgerEntries30d int             `json:"ledger_entries_30d"` // approved entries dated in the last 30 days
	Visits30d        int             `json:"visits_30d"`         // approved or submitted visits dated in the last 30 days
	LedgerEntries90d int             `json:"ledger_entries_90d"` // approved entries dated in the last 90 days
	Visits90d        int             `json:"visits_90d"`         // approved or submitted visits dated in the last 90 days
	ApprovedYuan     decimal.Decimal `json:"approved_yuan"`      // money and goods of approved entries, all time, yuan
	NoVisit30d       int             `json:"no_visit_30d"`       // active pairings whose last visit (or start) is amber–red days ago
	NoVisit60d       int             `json:"no_visit_60d"`       // active pairings with no visit (or start) for red days or more
	PeriodVisits     int             `json:"period_visits"`      // approved or submitted visits dated in the period
	PeriodApproved   int             `json:"period_approved"`    // approved entries dated in the period
	PeriodFirstPass  int             `json:"period_first_pass"`  // of those, approved without ever being returned
	PeriodReturned   int             `json:"period_returned"`    // returns by the chair of entries dated in the period
	PeriodYuan       decimal.Decimal `json:"period_yuan"`        // money and goods of approved entries dated in the period, yuan
	Children         []Figures       `json:"children"`
}

// Unpaired is the number of households without an active pairing.
func (f Figures) Unpaired() int { return f.Households - f.Paired }

func (f *Figures) add(g Figures) {
	f.Households += g.Households
	f.Paired += g.Paired
	f.Exited += g.Exited
	f.Relapsed += g.Relapsed
	f.ExitPlanned += g.ExitPlanned
	f.ExitedInYear += g.ExitedInYear
	f.LedgerEntries30d += g.LedgerEntries30d
	f.Visits30d += g.Visits30d
	f.LedgerEntries90d += g.LedgerEntries90d
	f.Visits90d += g.Visits90d
	f.ApprovedYuan = f.ApprovedYuan.Add(g.ApprovedYuan)
	f.NoVisit30d += g.NoVisit30d
	f.NoVisit60d += g.NoVisit60d
	f.PeriodVisits += g.PeriodVisits
	f.PeriodApproved += g.PeriodApproved
	f.PeriodFirstPass += g.PeriodFirstPass
	f.PeriodReturned += g.PeriodReturned
	f.PeriodYuan = f.PeriodYuan.Add(g.PeriodYuan)
}

// divisionFigures reads the figures of the divisions $1 (codes) from the
// summary tables (migration 000010, kept exact by triggers in the writes'
// transactions). $2/$3 are the amber/red thresholds in days, $4 the day,
// [$5, $6) the period (whole months), $7 its year.
const divisionFigures = `
WITH c AS (
	SELECT unnest($1::text[]) AS division_code
), v AS (
	SELECT * FROM stats_division WHERE division_code = ANY ($1)
), y AS (
	SELECT division_code, planned, exited FROM stats_division_year WHERE division_code = ANY ($1) AND year = $7
), f AS (
	SELECT division_code,
		sum(pairings) FILTER (WHERE day > $4::date - $3::int) AS amber,
		sum(pairings) FILTER (WHERE day <= $4::date - $3::int) AS red
	FROM stats_followup WHERE division_code = ANY ($1) AND day <= $4::date - $2::int GROUP BY 1
), d AS (
	SELECT division_code,
		sum(approved) FILTER (WHERE day > $4::date - 30) AS entries_30, sum(visits) FILTER (WHERE day > $4::date - 30) AS visits_30,
		sum(approved) AS entries_90, sum(visits) AS visits_90
	FROM stats_ledger_day WHERE division_code = ANY ($1) AND day > $4::date - 90 AND day <= $4::date GROUP BY 1
), m AS (
	SELECT division_code, sum(visits) AS visits, sum(approved) AS approved, sum(first_pass) AS first_pass,
		sum(returns) AS returns, sum(yuan) AS yuan
	FROM stats_ledger_month WHERE division_code = ANY ($1) AND day >= $5 AND day < $6 GROUP BY 1
)
SELECT c.division_code, coalesce(v.households, 0), coalesce(v.paired, 0), coalesce(v.exited, 0), coalesce(v.relapsed, 0),
	coalesce(y.planned, 0), coalesce(y.exited, 0),
	coalesce(d.entries_30, 0)::int, coalesce(d.visits_30, 0)::int, coalesce(d.entries_90, 0)::int, coalesce(d.visits_90, 0)::int,
	coalesce(v.yuan, 0), coalesce(f.amber, 0)::int, coalesce(f.red, 0)::int,
	coalesce(m.visits, 0)::int, coalesce(m.approved, 0)::int, coalesce(m.first_pass, 0)::int, coalesce(m.returns, 0)::int,
	coalesce(m.yuan, 0)
FROM c LEFT JOIN v USING (division_code) LEFT JOIN y USING (division_code) LEFT JOIN f USING (division_code)
LEFT JOIN d USING (division_code) LEFT JOIN m USING (division_code)`

// ChinaToday is the current calendar day in Asia/Shanghai, as UTC midnight.
func ChinaToday() time.Time {
	n := time.Now().In(shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return l
}()

// Progress returns ProgressFor the current year, today in China.
func (s *Store) Progress(ctx context.Context, code string) (Figures, error) {
	today := ChinaToday()
	return s.ProgressFor(ctx, code, period.Of(today), today)
}

// ProgressFor returns the figures of division code (county, township or
// village) for period p as of day today (a calendar day, UTC midnight), with
// one entry in Children per child division (every child, also those with
// nothing yet), ordered by code. A village has no children. An unknown code
// returns ErrNotFound.
func (s *Store) ProgressFor(ctx context.Context, code string, p period.Period, today time.Time) (Figures, error) {
	d, err := s.Division(ctx, code)
	if err != nil {
		return Figures{}, err
	}
	out := Figures{Code: d.Code, Name: d.Name, ApprovedYuan: decimal.Zero, PeriodYuan: decimal.Zero}
	var kids []DivisionRow
	if d.Level != "village" {
		if kids, err = s.Children(ctx, code); err != nil {
			return Figures{}, err
		}
	}
	idx := map[string]int{}
	out.Children = make([]Figures, len(kids))
	for i, k := range kids {
		out.Children[i] = Figures{Code: k.Code, Name: k.Name, ApprovedYuan: decimal.Zero, PeriodYuan: decimal.Zero}
		idx[k.Code] = i
	}
	amber, red, err := s.FollowUpThresholds(ctx)
	if err != nil {
		return Figures{}, err
	}
	// The children's rows, or the village's own.
	codes := []string{code}
	if len(kids) > 0 {
		codes = codes[:0]
		for _, k := range kids {
			codes = append(codes, k.Code)
		}
	}
	rows, err := s.Pool.Query(ctx, divisionFigures, codes, amber, red, today, p.Start(), p.End(), p.Year)
	if err != nil {
		return Figures{}, fmt.Errorf("store.Progress %s: %w", code, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v Figures
		if err := rows.Scan(&v.Code, &v.Households, &v.Paired, &v.Exited, &v.Relapsed, &v.ExitPlanned, &v.ExitedInYear,
			&v.LedgerEntries30d, &v.Visits30d, &v.LedgerEntries90d, &v.Visits90d, &v.ApprovedYuan,
			&v.NoVisit30d, &v.NoVisit60d, &v.PeriodVisits, &v.PeriodApproved, &v.PeriodFirstPass,
			&v.PeriodReturned, &v.PeriodYuan); err != nil {
			return Figures{}, fmt.Errorf("store.Progress %s: %w", code, err)
		}
		out.add(v)
		if i, ok := idx[v.Code]; ok {
			out.Children[i].add(v)
		}
	}
	if err := rows.Err(); err != nil {
		return Figures{}, fmt.Errorf("store.Progress %s: %w", code, err)
	}
	if d.Level == "village" {
		out.Children = []Figures{}
	}
	return out, nil
}

// Participation counts deputies with at least one active pairing, by level
// (a deputy at two levels counts at both), by category and in total; units
// (帮扶单位) with one are counted apart in Units, never as deputies.
type Participation struct {
	Total      int            `json:"total"`
	ByLevel    map[string]int `json:"by_level"`
	ByCategory map[string]int `json:"by_category"`
	Units      int            `json:"units"`
}

// DeputyParticipation returns the count of deputies taking part with a
// household of division (county, township or village code), from the
// summary kept by the pairings' triggers (migration 000010).
func (s *Store) DeputyParticipation(ctx context.Context, division string) (Participation, error) {
	p := Participation{ByLevel: map[string]int{}, ByCategory: map[string]int{}}
	rows, err := s.Pool.Query(ctx, `SELECT key, deputies FROM stats_participation WHERE division_code = $1 AND deputies > 0`, division)
	if err != nil {
		return p, fmt.Errorf("store.DeputyParticipation: %w", err)
	}
	var key string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&key, &n}, func() error {
		switch kind, v, _ := strings.Cut(key, ":"); kind {
		case "level":
			p.ByLevel[v] = n
		case "category":
			p.ByCategory[v] = n
		case "total":
			p.Total = n
		case "units":
			p.Units = n
		}
		return nil
	})
	if err != nil {
		return p, fmt.Errorf("store.DeputyParticipation: %w", err)
	}
	return p, nil
}

// Default follow-up thresholds (人盯人), days without a visit: amber and red.
const (
	DefaultAmberDays = 30
	DefaultRedDays   = 60
)

// FollowUpThresholds returns the amber and red thresholds in days (settings
// app_meta followup_amber_days / followup_red_days, else the defaults).
func (s *Store) FollowUpThresholds(ctx context.Context) (amber, red int, err error) {
	amber, red = DefaultAmberDays, DefaultRedDays
	rows, err := s.Pool.Query(ctx, `SELECT key, value FROM app_meta WHERE key IN ('followup_amber_days', 'followup_red_days')`)
	if err != nil {
		return 0, 0, fmt.Errorf("store.FollowUpThresholds: %w", err)
	}
	var k, v string
	_, err = pgx.ForEachRow(rows, []any{&k, &v}, func() error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil
		}
		if k == "followup_amber_days" {
			amber = n
		} else {
			red = n
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("store.FollowUpThresholds: %w", err)
	}
	return amber, red, nil
}

// SetFollowUpThresholds stores the thresholds (1 <= amber < red <= 365),
// with an audit event.
func (s *Store) SetFollowUpThresholds(ctx context.Context, amber, red int, actorID int64) error {
	if amber < 1 || red <= amber || red > 365 {
		return fmt.Errorf("store.SetFollowUpThresholds: bad thresholds %d/%d", amber, red)
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		for k, v := range map[string]int{"followup_amber_days": amber, "followup_red_days": red} {
			if _, err := tx.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, k, strconv.Itoa(v)); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actorID, "settings.followup", "settings", 0, nil, map[string]int{"amber_days": amber, "red_days": red})
	})
	if err != nil {
		return fmt.Errorf("store.SetFollowUpThresholds: %w", err)
	}
	return nil
}

// FollowUp is an active pairing overdue for a visit: DaysSince counts from
// its last visit (submitted or approved), or from its start when it has none.
type FollowUp struct {
	PairingRow
	TownshipName string
	DaysSince    int
}

// FollowUps returns the active pairings of division (county, township or
// village code) with no visit for at least amber days, and those of relapsed
// (返贫) or monitored (防返贫监测) households whatever their last visit, the
// longest without a visit first.
func (s *Store) FollowUps(ctx context.Context, division string, amber int, today time.Time) ([]FollowUp, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT * FROM (`+pairingSelect+` WHERE p.status = 'active' AND h.village_code LIKE $1 || '%') x
		WHERE coalesce(x.last_visit, x.start_date) <= $2::date - $3::int OR x.household_status = 'relapsed' OR x.monitoring <> ''
		ORDER BY coalesce(x.last_visit, x.start_date), x.id`, division, today, amber)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[PairingRow])
	if err != nil {
		return nil, fmt.Errorf("store.FollowUps: %w", err)
	}
	names := map[string]string{}
	trows, err := s.Pool.Query(ctx, `SELECT code, name FROM divisions WHERE level = 'township'`)
	if err != nil {
		return nil, fmt.Errorf("store.FollowUps: %w", err)
	}
	var c, n string
	if _, err := pgx.ForEachRow(trows, []any{&c, &n}, func() error { names[c] = n; return nil }); err != nil {
		return nil, fmt.Errorf("store.FollowUps: %w", err)
	}
	out := make([]FollowUp, len(list))
	for i, p := range list {
		since := p.StartDate
		if p.LastVisit != nil {
			since = *p.LastVisit
		}
		out[i] = FollowUp{PairingRow: p, TownshipName: names[p.TownshipCode], DaysSince: int(today.Sub(since).Hours() / 24)}
	}
	return out, nil
}

// SpotCheckPercent returns the share (1–100) of a month's approved entries
// the chairs re-check (app_meta spotcheck_percent, else the default).
func (s *Store) SpotCheckPercent(ctx context.Context, def int) (int, error) {
	var v string
	err := s.Pool.QueryRow(ctx, `SELECT value FROM app_meta WHERE key = 'spotcheck_percent'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store.SpotCheckPercent: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return def, nil
	}
	return n, nil
}

// SetSpotCheckPercent stores the spot-check share (1–100), with an audit event.
func (s *Store) SetSpotCheckPercent(ctx context.Context, n int, actorID int64) error {
	if n < 1 || n > 100 {
		return fmt.Errorf("store.SetSpotCheckPercent: %d out of 1–100", n)
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES ('spotcheck_percent', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, strconv.Itoa(n)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "settings.spotcheck", "settings", 0, nil, map[string]int{"percent": n})
	})
	if err != nil {
		return fmt.Errorf("store.SetSpotCheckPercent: %w", err)
	}
	return nil
}
