package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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

// villageFigures counts the figures of every village whose code starts with
// $1, in one pass over households, pairings and ledger entries. $2/$3 are
// the amber/red thresholds in days, $4 the day, [$5, $6) the period, $7 its
// year.
const villageFigures = `
WITH hh AS (
	SELECT h.village_code, count(*) AS households, count(ap.id) AS paired,
		count(*) FILTER (WHERE h.status = 'exited') AS exited,
		count(*) FILTER (WHERE h.status = 'relapsed') AS relapsed,
		count(*) FILTER (WHERE h.planned_exit_year = $7) AS exit_planned,
		count(*) FILTER (WHERE h.status = 'exited' AND h.exited_year = $7) AS exited_year,
		count(ap.id) FILTER (WHERE coalesce(lv.last_visit, ap.start_date) <= $4::date - $2::int
			AND coalesce(lv.last_visit, ap.start_date) > $4::date - $3::int) AS no_visit_30,
		count(ap.id) FILTER (WHERE coalesce(lv.last_visit, ap.start_date) <= $4::date - $3::int) AS no_visit_60
	FROM households h
	LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active'
	LEFT JOIN LATERAL (SELECT max(e.entry_date) AS last_visit FROM ledger_entries e
		WHERE e.pairing_id = ap.id AND e.kind = 'visit' AND e.status IN ('submitted', 'approved')) lv ON true
	WHERE h.village_code LIKE $1 || '%'
	GROUP BY h.village_code
),
le AS (
	SELECT h.village_code,
		count(*) FILTER (WHERE e.status = 'approved' AND e.entry_date > $4::date - 30 AND e.entry_date <= $4::date) AS entries_30,
		count(*) FILTER (WHERE e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date > $4::date - 30 AND e.entry_date <= $4::date) AS visits_30,
		count(*) FILTER (WHERE e.status = 'approved' AND e.entry_date > $4::date - 90 AND e.entry_date <= $4::date) AS entries_90,
		count(*) FILTER (WHERE e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date > $4::date - 90 AND e.entry_date <= $4::date) AS visits_90,
		coalesce(sum(e.amount) FILTER (WHERE e.status = 'approved'), 0) AS approved_yuan,
		count(*) FILTER (WHERE e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date >= $5 AND e.entry_date < $6) AS period_visits,
		count(*) FILTER (WHERE e.status = 'approved' AND e.entry_date >= $5 AND e.entry_date < $6) AS period_approved,
		count(*) FILTER (WHERE e.status = 'approved' AND e.return_count = 0 AND e.entry_date >= $5 AND e.entry_date < $6) AS period_first_pass,
		coalesce(sum(e.return_count) FILTER (WHERE e.entry_date >= $5 AND e.entry_date < $6), 0) AS period_returned,
		coalesce(sum(e.amount) FILTER (WHERE e.status = 'approved' AND e.entry_date >= $5 AND e.entry_date < $6), 0) AS period_yuan
	FROM ledger_entries e
	JOIN pairings p ON p.id = e.pairing_id
	JOIN households h ON h.id = p.household_id
	WHERE h.village_code LIKE $1 || '%'
	GROUP BY h.village_code
)
SELECT coalesce(hh.village_code, le.village_code) AS code,
	coalesce(hh.households, 0)::int, coalesce(hh.paired, 0)::int, coalesce(hh.exited, 0)::int,
	coalesce(hh.relapsed, 0)::int, coalesce(hh.exit_planned, 0)::int, coalesce(hh.exited_year, 0)::int,
	coalesce(le.entries_30, 0)::int, coalesce(le.visits_30, 0)::int,
	coalesce(le.entries_90, 0)::int, coalesce(le.visits_90, 0)::int, coalesce(le.approved_yuan, 0),
	coalesce(hh.no_visit_30, 0)::int, coalesce(hh.no_visit_60, 0)::int,
	coalesce(le.period_visits, 0)::int, coalesce(le.period_approved, 0)::int, coalesce(le.period_first_pass, 0)::int,
	coalesce(le.period_returned, 0)::int, coalesce(le.period_yuan, 0)
FROM hh FULL JOIN le ON le.village_code = hh.village_code`

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
	childLen := len(code) + 3
	amber, red, err := s.FollowUpThresholds(ctx)
	if err != nil {
		return Figures{}, err
	}
	rows, err := s.Pool.Query(ctx, villageFigures, code, amber, red, today, p.Start(), p.End(), p.Year)
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
		if len(v.Code) >= childLen {
			if i, ok := idx[v.Code[:childLen]]; ok {
				out.Children[i].add(v)
			}
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
// (a deputy at two levels counts at both), by category and in total.
type Participation struct {
	Total      int            `json:"total"`
	ByLevel    map[string]int `json:"by_level"`
	ByCategory map[string]int `json:"by_category"`
}

// DeputyParticipation returns the count of deputies taking part with a
// household of division (a code prefix; the county code for all).
func (s *Store) DeputyParticipation(ctx context.Context, division string) (Participation, error) {
	p := Participation{ByLevel: map[string]int{}, ByCategory: map[string]int{}}
	rows, err := s.Pool.Query(ctx, `WITH d AS (
			SELECT d.id, d.levels, d.category FROM deputies d WHERE EXISTS (SELECT 1 FROM pairings p
				JOIN households h ON h.id = p.household_id
				WHERE p.deputy_id = d.id AND p.status = 'active' AND h.village_code LIKE $1 || '%'))
		SELECT 'level', l, count(*)::int FROM d, unnest(d.levels) l GROUP BY l
		UNION ALL SELECT 'category', category, count(*)::int FROM d GROUP BY category
		UNION ALL SELECT 'total', '', count(*)::int FROM d`, division)
	if err != nil {
		return p, fmt.Errorf("store.DeputyParticipation: %w", err)
	}
	var kind, key string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&kind, &key, &n}, func() error {
		switch kind {
		case "level":
			p.ByLevel[key] = n
		case "category":
			p.ByCategory[key] = n
		default:
			p.Total = n
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
