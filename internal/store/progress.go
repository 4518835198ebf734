package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// Figures are the progress figures of one division (DESIGN.md §4), counted
// from the database at call time. Day windows end today in Asia/Shanghai.
type Figures struct {
	Code             string          `json:"code"`
	Name             string          `json:"name"`
	Households       int             `json:"households"`
	Paired           int             `json:"paired"`             // households with an active pairing
	Exited           int             `json:"exited"`             // households with status exited
	LedgerEntries30d int             `json:"ledger_entries_30d"` // approved entries dated in the last 30 days
	Visits30d        int             `json:"visits_30d"`         // approved or submitted visits dated in the last 30 days
	ApprovedYuan     decimal.Decimal `json:"approved_yuan"`      // money and goods of approved entries, all time, yuan
	NoVisit30d       int             `json:"no_visit_30d"`       // active pairings whose last visit (or start) is 30–59 days ago (amber)
	NoVisit60d       int             `json:"no_visit_60d"`       // active pairings with no visit (or start) in 60 days (red)
	Children         []Figures       `json:"children"`
}

// Unpaired is the number of households without an active pairing.
func (f Figures) Unpaired() int { return f.Households - f.Paired }

func (f *Figures) add(g Figures) {
	f.Households += g.Households
	f.Paired += g.Paired
	f.Exited += g.Exited
	f.LedgerEntries30d += g.LedgerEntries30d
	f.Visits30d += g.Visits30d
	f.ApprovedYuan = f.ApprovedYuan.Add(g.ApprovedYuan)
	f.NoVisit30d += g.NoVisit30d
	f.NoVisit60d += g.NoVisit60d
}

// villageFigures counts the figures of every village whose code starts with
// prefix, in one pass over households, pairings and ledger entries.
const villageFigures = `
WITH today AS (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS d),
hh AS (
	SELECT h.village_code, count(*) AS households, count(ap.id) AS paired,
		count(*) FILTER (WHERE h.status = 'exited') AS exited,
		count(ap.id) FILTER (WHERE coalesce(lv.last_visit, ap.start_date) <= (SELECT d FROM today) - $2::int
			AND coalesce(lv.last_visit, ap.start_date) > (SELECT d FROM today) - $3::int) AS no_visit_30,
		count(ap.id) FILTER (WHERE coalesce(lv.last_visit, ap.start_date) <= (SELECT d FROM today) - $3::int) AS no_visit_60
	FROM households h
	LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active'
	LEFT JOIN LATERAL (SELECT max(e.entry_date) AS last_visit FROM ledger_entries e
		WHERE e.pairing_id = ap.id AND e.kind = 'visit' AND e.status IN ('submitted', 'approved')) lv ON true
	WHERE h.village_code LIKE $1 || '%'
	GROUP BY h.village_code
),
le AS (
	SELECT h.village_code,
		count(*) FILTER (WHERE e.status = 'approved' AND e.entry_date > (SELECT d FROM today) - 30) AS entries_30,
		count(*) FILTER (WHERE e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date > (SELECT d FROM today) - 30) AS visits_30,
		coalesce(sum(e.amount) FILTER (WHERE e.status = 'approved'), 0) AS approved_yuan
	FROM ledger_entries e
	JOIN pairings p ON p.id = e.pairing_id
	JOIN households h ON h.id = p.household_id
	WHERE h.village_code LIKE $1 || '%'
	GROUP BY h.village_code
)
SELECT coalesce(hh.village_code, le.village_code) AS code,
	coalesce(hh.households, 0)::int, coalesce(hh.paired, 0)::int, coalesce(hh.exited, 0)::int,
	coalesce(le.entries_30, 0)::int, coalesce(le.visits_30, 0)::int, coalesce(le.approved_yuan, 0),
	coalesce(hh.no_visit_30, 0)::int, coalesce(hh.no_visit_60, 0)::int
FROM hh FULL JOIN le ON le.village_code = hh.village_code`

// Progress returns the figures of division code (county, township or
// village) with one entry in Children per child division (every child, also
// those with nothing yet), ordered by code. A village has no children. An
// unknown code returns ErrNotFound.
func (s *Store) Progress(ctx context.Context, code string) (Figures, error) {
	d, err := s.Division(ctx, code)
	if err != nil {
		return Figures{}, err
	}
	out := Figures{Code: d.Code, Name: d.Name, ApprovedYuan: decimal.Zero}
	var kids []DivisionRow
	if d.Level != "village" {
		if kids, err = s.Children(ctx, code); err != nil {
			return Figures{}, err
		}
	}
	idx := map[string]int{}
	out.Children = make([]Figures, len(kids))
	for i, k := range kids {
		out.Children[i] = Figures{Code: k.Code, Name: k.Name, ApprovedYuan: decimal.Zero}
		idx[k.Code] = i
	}
	childLen := len(code) + 3
	amber, red, err := s.FollowUpThresholds(ctx)
	if err != nil {
		return Figures{}, err
	}
	rows, err := s.Pool.Query(ctx, villageFigures, code, amber, red)
	if err != nil {
		return Figures{}, fmt.Errorf("store.Progress %s: %w", code, err)
	}
	defer rows.Close()
	for rows.Next() {
		var v Figures
		if err := rows.Scan(&v.Code, &v.Households, &v.Paired, &v.Exited, &v.LedgerEntries30d, &v.Visits30d,
			&v.ApprovedYuan, &v.NoVisit30d, &v.NoVisit60d); err != nil {
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
// (a deputy at two levels counts at both) and in total.
type Participation struct {
	Total   int
	ByLevel map[string]int
}

// DeputyParticipation returns the county-wide count of deputies taking part.
func (s *Store) DeputyParticipation(ctx context.Context) (Participation, error) {
	p := Participation{ByLevel: map[string]int{}}
	rows, err := s.Pool.Query(ctx, `SELECT l, count(*)::int FROM deputies d, unnest(d.levels) l
		WHERE EXISTS (SELECT 1 FROM pairings p WHERE p.deputy_id = d.id AND p.status = 'active') GROUP BY l`)
	if err != nil {
		return p, fmt.Errorf("store.DeputyParticipation: %w", err)
	}
	var level string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&level, &n}, func() error { p.ByLevel[level] = n; return nil }); err != nil {
		return p, fmt.Errorf("store.DeputyParticipation: %w", err)
	}
	if err := s.Pool.QueryRow(ctx, `SELECT count(DISTINCT deputy_id)::int FROM pairings WHERE status = 'active'`).Scan(&p.Total); err != nil {
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
