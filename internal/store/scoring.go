package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/jackc/pgx/v5"
)

// Setting keys (app_meta) of the published scoring rules, stored as JSON.
const (
	rankingWeightsKey  = "ranking_weights"
	evaluationRulesKey = "evaluation_rules"
)

// loadSetting reads the JSON setting key into dst; a missing key leaves
// dst as it is (the caller's defaults).
func (s *Store) loadSetting(ctx context.Context, key string, dst any) error {
	var raw []byte
	err := s.Pool.QueryRow(ctx, `SELECT value FROM app_meta WHERE key = $1`, key).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, dst)
}

// saveSetting stores v as the JSON setting key with an audit event (the old
// and new values) in one transaction.
func (s *Store) saveSetting(ctx context.Context, key string, v any, actorID int64) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(tx pgx.Tx) error {
		var before []byte
		err := tx.QueryRow(ctx, `SELECT value FROM app_meta WHERE key = $1 FOR UPDATE`, key).Scan(&before)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if string(before) == string(raw) {
			return nil // unchanged: nothing to write or audit
		}
		if _, err := tx.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, key, string(raw)); err != nil {
			return err
		}
		var old any
		if before != nil {
			old = json.RawMessage(before)
		}
		return audit(ctx, tx, actorID, "settings."+key, "settings", 0, old, json.RawMessage(raw))
	})
}

// RankingWeights returns the stored township ranking weights, or the
// defaults when none are stored (or the stored ones no longer validate).
func (s *Store) RankingWeights(ctx context.Context) (scoring.RankingWeights, error) {
	w := scoring.DefaultRankingWeights()
	if err := s.loadSetting(ctx, rankingWeightsKey, &w); err != nil {
		return w, fmt.Errorf("store.RankingWeights: %w", err)
	}
	if w.Validate() != nil {
		return scoring.DefaultRankingWeights(), nil
	}
	return w, nil
}

// SetRankingWeights validates and stores the ranking weights, audited. A
// validation error is returned as it is (*scoring.InvalidError).
func (s *Store) SetRankingWeights(ctx context.Context, w scoring.RankingWeights, actorID int64) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if err := s.saveSetting(ctx, rankingWeightsKey, w, actorID); err != nil {
		return fmt.Errorf("store.SetRankingWeights: %w", err)
	}
	return nil
}

// EvaluationRules returns the stored deputy evaluation rules, or the
// defaults.
func (s *Store) EvaluationRules(ctx context.Context) (scoring.EvaluationRules, error) {
	r := scoring.DefaultEvaluationRules()
	if err := s.loadSetting(ctx, evaluationRulesKey, &r); err != nil {
		return r, fmt.Errorf("store.EvaluationRules: %w", err)
	}
	if r.Validate() != nil {
		return scoring.DefaultEvaluationRules(), nil
	}
	return r, nil
}

// SetEvaluationRules validates and stores the evaluation rules, audited.
func (s *Store) SetEvaluationRules(ctx context.Context, r scoring.EvaluationRules, actorID int64) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if err := s.saveSetting(ctx, evaluationRulesKey, r, actorID); err != nil {
		return fmt.Errorf("store.SetEvaluationRules: %w", err)
	}
	return nil
}

// RankingInputs returns the township ranking's input for every township of
// county for period p as of today, from the same figures the dashboard
// shows (ProgressFor), so the ranking and the dashboard cannot disagree.
// Meeting action items are counted by ActionItemCounts.
func (s *Store) RankingInputs(ctx context.Context, county string, p period.Period, today time.Time) ([]scoring.TownshipInput, error) {
	f, err := s.ProgressFor(ctx, county, p, today)
	if err != nil {
		return nil, err
	}
	items, err := s.ActionItemCounts(ctx, p, today)
	if err != nil {
		return nil, err
	}
	out := make([]scoring.TownshipInput, len(f.Children))
	for i, c := range f.Children {
		out[i] = scoring.TownshipInput{Code: c.Code, Name: c.Name, Households: c.Households, Paired: c.Paired,
			ExitPlanned: c.ExitPlanned, Exited: c.ExitedInYear, ActivePairings: c.Paired, Months: p.Months(today),
			Visits: c.PeriodVisits, Approved: c.PeriodApproved, FirstPass: c.PeriodFirstPass, Overdue: c.NoVisit60d,
			ActionItemsDue: items[c.Code].Due, ActionItemsOnTime: items[c.Code].OnTime}
	}
	return out, nil
}

// ItemCount is a township's meeting action items due in a period and, of
// those, the ones closed by their due date.
type ItemCount struct{ Due, OnTime int }

// evaluationInputs counts, for every deputy with a pairing (active or
// ended, not merely proposed) that overlapped [$1, $2), what the evaluation
// scores: approved visits and approved help (yuan) dated in the period,
// returns of its entries dated in it, measures whose outcome was confirmed
// in it, and paired households that exited in year $3 (pairing still
// active, or ended because the household exited).
const evaluationInputs = `
WITH dep AS (
	SELECT DISTINCT p.deputy_id FROM pairings p
	WHERE p.status IN ('active', 'ended') AND p.end_reason IS DISTINCT FROM 'rejected'
		AND p.start_date < $2 AND (p.end_date IS NULL OR p.end_date >= $1)
),
le AS (
	SELECT p.deputy_id,
		count(*) FILTER (WHERE e.kind = 'visit' AND e.status = 'approved') AS visits,
		coalesce(sum(e.amount) FILTER (WHERE e.kind <> 'visit' AND e.status = 'approved'), 0) AS help,
		coalesce(sum(e.return_count), 0) AS returns
	FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
	WHERE e.entry_date >= $1 AND e.entry_date < $2
	GROUP BY p.deputy_id
),
me AS (
	SELECT p.deputy_id, count(*) AS n FROM measures m JOIN pairings p ON p.id = m.pairing_id
	WHERE m.outcome_confirmed AND m.outcome_confirmed_on >= $1 AND m.outcome_confirmed_on < $2
	GROUP BY p.deputy_id
),
ex AS (
	SELECT p.deputy_id, count(DISTINCT h.id) AS n FROM pairings p JOIN households h ON h.id = p.household_id
	WHERE h.status = 'exited' AND h.exited_year = $3
		AND (p.status = 'active' OR (p.status = 'ended' AND p.end_reason = 'household_exited'))
	GROUP BY p.deputy_id
)
SELECT d.id, d.name, coalesce(d.levels, '{}'), coalesce(le.visits, 0)::int, coalesce(me.n, 0)::int, coalesce(ex.n, 0)::int,
	coalesce(le.help, 0), coalesce(le.returns, 0)::int
FROM dep JOIN deputies d ON d.id = dep.deputy_id
LEFT JOIN le ON le.deputy_id = d.id
LEFT JOIN me ON me.deputy_id = d.id
LEFT JOIN ex ON ex.deputy_id = d.id`

// EvaluationInputs returns the evaluation input of every helper of kind
// (deputy.KindDeputy or deputy.KindUnit) taking part in year (a pairing
// overlapping it), in id order; deputyID 0 means all, else only that helper
// (an empty slice if it took no part or is of the other kind). Deputies and
// units are evaluated apart: a unit never competes with deputies for
// 评先评优, and its Levels are empty.
func (s *Store) EvaluationInputs(ctx context.Context, year int, kind string, deputyID int64) ([]scoring.DeputyInput, error) {
	p := period.Period{Year: year}
	q := evaluationInputs + ` WHERE d.kind = $5 AND ($4::bigint = 0 OR d.id = $4) ORDER BY d.id`
	rows, err := s.Pool.Query(ctx, q, p.Start(), p.End(), year, deputyID, kind)
	if err != nil {
		return nil, fmt.Errorf("store.EvaluationInputs: %w", err)
	}
	var out []scoring.DeputyInput
	var in scoring.DeputyInput
	_, err = pgx.ForEachRow(rows, []any{&in.DeputyID, &in.Name, &in.Levels, &in.Visits, &in.MeasuresConfirmed,
		&in.HouseholdsExited, &in.HelpYuan, &in.Returns}, func() error {
		out = append(out, in)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store.EvaluationInputs: %w", err)
	}
	return out, nil
}

// MeasureEvidence is a measure whose outcome was confirmed, with its household.
type MeasureEvidence struct {
	MeasureRow
	HouseholdID int64  `db:"household_id"`
	HeadName    string `db:"head_name"`
	VillageName string `db:"village_name"`
}

// ExitEvidence is a paired household that exited.
type ExitEvidence struct {
	HouseholdID int64  `db:"household_id"`
	HeadName    string `db:"head_name"`
	VillageName string `db:"village_name"`
	ExitedYear  int    `db:"exited_year"`
}

// DeputyEvidence returns the measures of deputyID confirmed in year and the
// paired households that exited in it: the rows behind two of the
// evaluation's terms (the ledger terms are listed by SearchLedger).
func (s *Store) DeputyEvidence(ctx context.Context, deputyID int64, year int) ([]MeasureEvidence, []ExitEvidence, error) {
	p := period.Period{Year: year}
	rows, _ := s.Pool.Query(ctx, `SELECT m.id, m.support_type, m.content, m.scale, m.funds, m.deadline, m.status, m.outcome,
		m.outcome_confirmed, m.outcome_confirmed_on, coalesce(u.display_name, '') AS recorded_by,
		h.id AS household_id, h.head_name, v.name AS village_name
		FROM measures m JOIN pairings p ON p.id = m.pairing_id JOIN households h ON h.id = p.household_id
		JOIN divisions v ON v.code = h.village_code LEFT JOIN users u ON u.id = m.outcome_recorded_by
		WHERE p.deputy_id = $1 AND m.outcome_confirmed AND m.outcome_confirmed_on >= $2 AND m.outcome_confirmed_on < $3
		ORDER BY m.outcome_confirmed_on, m.id`, deputyID, p.Start(), p.End())
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByName[MeasureEvidence])
	if err != nil {
		return nil, nil, fmt.Errorf("store.DeputyEvidence: %w", err)
	}
	rows, _ = s.Pool.Query(ctx, `SELECT DISTINCT h.id AS household_id, h.head_name, v.name AS village_name, h.exited_year
		FROM pairings p JOIN households h ON h.id = p.household_id JOIN divisions v ON v.code = h.village_code
		WHERE p.deputy_id = $1 AND h.status = 'exited' AND h.exited_year = $2
		AND (p.status = 'active' OR (p.status = 'ended' AND p.end_reason = 'household_exited'))
		ORDER BY h.id`, deputyID, year)
	xs, err := pgx.CollectRows(rows, pgx.RowToStructByName[ExitEvidence])
	if err != nil {
		return nil, nil, fmt.Errorf("store.DeputyEvidence: %w", err)
	}
	return ms, xs, nil
}
