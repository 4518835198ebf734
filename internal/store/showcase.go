package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/photo"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/jackc/pgx/v5"
)

// CaseTarget is what a model case would point at: its township, the
// village and helper shown on the showcase, a description for the form
// (the household's name masked) and the names of the household's members,
// which the story may not contain.
type CaseTarget struct {
	Kind         string
	RefID        int64
	TownshipCode string
	TownshipName string
	Village      string
	Helper       string
	Describe     string
	Names        []string
}

// caseTargets finds a reference's township etc. per kind: a pairing that
// was in force (active or ended, not rejected), an approved ledger entry,
// or an action item owned by a township or a township's account (or of a
// township's own meeting).
var caseTargets = map[string]string{
	"pairing": `SELECT h.township_code, t.name, v.name, d.name, '结对：' || d.name || ' 帮扶 ' || v.name || ' ' || left(h.head_name, 1) || '某户',
		array_prepend(h.head_name, coalesce((SELECT array_agg(m.name) FROM household_members m WHERE m.household_id = h.id), '{}'))
		FROM pairings p JOIN households h ON h.id = p.household_id JOIN deputies d ON d.id = p.deputy_id
		JOIN divisions v ON v.code = h.village_code JOIN divisions t ON t.code = h.township_code
		WHERE p.id = $1 AND p.status IN ('active', 'ended') AND p.end_reason IS DISTINCT FROM 'rejected'`,
	"ledger_entry": `SELECT h.township_code, t.name, v.name, d.name, '台账：' || to_char(e.entry_date, 'YYYY-MM-DD') || ' ' || d.name || '：' || left(e.description, 60),
		array_prepend(h.head_name, coalesce((SELECT array_agg(m.name) FROM household_members m WHERE m.household_id = h.id), '{}'))
		FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id
		JOIN deputies d ON d.id = p.deputy_id JOIN divisions v ON v.code = h.village_code JOIN divisions t ON t.code = h.township_code
		WHERE e.id = $1 AND e.status = 'approved'`,
	"action_item": `SELECT t.code, t.name, '', coalesce(u.display_name, ot.name), '会议事项：' || i.title || '（' || m.title || '）', '{}'::text[]
		FROM action_items i JOIN meetings m ON m.id = i.meeting_id
		LEFT JOIN users u ON u.id = i.owner_user_id LEFT JOIN divisions ot ON ot.code = i.owner_township
		JOIN divisions t ON t.code = coalesce(i.owner_township, u.township_code, m.township_code)
		WHERE i.id = $1`,
}

// ModelCaseTarget returns what kind/refID points at, for a viewer limited
// to township ("" = any). A reference that does not exist, does not
// qualify (see caseTargets) or lies outside township is ErrNotFound.
func (s *Store) ModelCaseTarget(ctx context.Context, township, kind string, refID int64) (CaseTarget, error) {
	return caseTarget(ctx, s.Pool, township, kind, refID)
}

func caseTarget(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, township, kind string, refID int64) (CaseTarget, error) {
	c := CaseTarget{Kind: kind, RefID: refID}
	query, ok := caseTargets[kind]
	if !ok {
		return c, ErrNotFound
	}
	err := q.QueryRow(ctx, query, refID).Scan(&c.TownshipCode, &c.TownshipName, &c.Village, &c.Helper, &c.Describe, &c.Names)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && township != "" && c.TownshipCode != township) {
		return CaseTarget{}, ErrNotFound
	}
	if err != nil {
		return CaseTarget{}, fmt.Errorf("store.ModelCaseTarget: %w", err)
	}
	return c, nil
}

// ShowcaseCase is a model case as the showcase shows it: no household name.
type ShowcaseCase struct {
	ID           int64     `db:"id"`
	Kind         string    `db:"kind"`
	RefID        int64     `db:"ref_id"`
	TownshipCode string    `db:"township_code"`
	TownshipName string    `db:"township_name"`
	Theme        string    `db:"theme"`
	Title        string    `db:"title"`
	Story        string    `db:"story"`
	HasPhoto     bool      `db:"has_photo"`
	Version      int       `db:"version"`
	MarkedBy     string    `db:"marked_by"`
	MarkedAt     time.Time `db:"marked_at"`
	Helper       string    `db:"helper"`         // the deputy, or the item's owner
	HelperIsUnit bool      `db:"helper_is_unit"` // the helper is a unit (帮扶单位)
	Village      string    `db:"village"`        // the household's village ("" for an item)
}

const modelCaseSelect = `SELECT c.id, c.kind, c.ref_id, c.township_code, t.name AS township_name, c.theme, c.title, c.story,
	c.photo IS NOT NULL AS has_photo, c.version, coalesce(mu.display_name, '') AS marked_by, c.marked_at,
	coalesce(d.name, ou.display_name, ot.name, '') AS helper, coalesce(d.kind = 'unit', false) AS helper_is_unit, coalesce(v.name, '') AS village
FROM model_cases c JOIN divisions t ON t.code = c.township_code
LEFT JOIN users mu ON mu.id = c.marked_by
LEFT JOIN ledger_entries e ON c.kind = 'ledger_entry' AND e.id = c.ref_id
LEFT JOIN pairings p ON p.id = CASE c.kind WHEN 'pairing' THEN c.ref_id WHEN 'ledger_entry' THEN e.pairing_id END
LEFT JOIN deputies d ON d.id = p.deputy_id
LEFT JOIN households h ON h.id = p.household_id
LEFT JOIN divisions v ON v.code = h.village_code
LEFT JOIN action_items i ON c.kind = 'action_item' AND i.id = c.ref_id
LEFT JOIN users ou ON ou.id = i.owner_user_id
LEFT JOIN divisions ot ON ot.code = i.owner_township`

// CaseFilter selects model cases; zero fields do not filter. [From, To)
// bounds the day marked (China's calendar).
type CaseFilter struct {
	Township string
	Theme    string
	From, To time.Time
}

func (f CaseFilter) where() (string, []any) {
	return ` WHERE ($1 = '' OR c.township_code = $1) AND ($2 = '' OR c.theme = $2)
		AND ($3::date IS NULL OR (c.marked_at AT TIME ZONE 'Asia/Shanghai')::date >= $3)
		AND ($4::date IS NULL OR (c.marked_at AT TIME ZONE 'Asia/Shanghai')::date < $4)`,
		[]any{f.Township, f.Theme, nullDate(f.From), nullDate(f.To)}
}

// ShowcaseCases returns page (1-based, PageSize a page) of the cases matching
// f, the latest marked first, and how many match.
func (s *Store) ShowcaseCases(ctx context.Context, f CaseFilter, page int) ([]ShowcaseCase, int, error) {
	where, args := f.where()
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM model_cases c`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.ShowcaseCases: %w", err)
	}
	limit := ""
	if page > 0 {
		limit = fmt.Sprintf(" LIMIT %d OFFSET %d", PageSize, (page-1)*PageSize)
	}
	rows, _ := s.Pool.Query(ctx, modelCaseSelect+where+` ORDER BY c.marked_at DESC, c.id DESC`+limit, args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ShowcaseCase])
	if err != nil {
		return nil, 0, fmt.Errorf("store.ShowcaseCases: %w", err)
	}
	return out, total, nil
}

// ModelCase returns case id for a viewer limited to township ("" = any);
// outside it ErrNotFound.
func (s *Store) ModelCase(ctx context.Context, township string, id int64) (ShowcaseCase, error) {
	rows, _ := s.Pool.Query(ctx, modelCaseSelect+` WHERE c.id = $1 AND ($2 = '' OR c.township_code = $2)`, id, township)
	c, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ShowcaseCase])
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("store.ModelCase %d: %w", id, err)
	}
	return c, nil
}

// ModelCasePhoto returns the JPEG of case id, ErrNotFound when it has none.
func (s *Store) ModelCasePhoto(ctx context.Context, id int64) ([]byte, error) {
	var b []byte
	err := s.Pool.QueryRow(ctx, `SELECT photo FROM model_cases WHERE id = $1 AND photo IS NOT NULL`, id).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store.ModelCasePhoto %d: %w", id, err)
	}
	return b, nil
}

// MarkModelCase marks kind/refID as a model case (c, with an optional
// normalised photo) at time at (the app's clock: it decides the quarter
// the case counts in), audited, and returns its id. township limits the
// reference to a chair's township ("" = staff, any); one outside it or not
// qualifying is ErrNotFound; one marked already ErrConflict.
func (s *Store) MarkModelCase(ctx context.Context, township, kind string, refID int64, c showcase.Case, ph *photo.Photo, at time.Time, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		t, err := caseTarget(ctx, tx, township, kind, refID)
		if err != nil {
			return err
		}
		var data []byte
		var w, h *int
		if ph != nil {
			data, w, h = ph.Data, &ph.Width, &ph.Height
		}
		err = tx.QueryRow(ctx, `INSERT INTO model_cases (kind, ref_id, township_code, theme, title, story, photo, photo_width, photo_height, marked_by, marked_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (kind, ref_id) DO NOTHING RETURNING id`,
			kind, refID, t.TownshipCode, c.Theme, c.Title, c.Story, data, w, h, nullID(actorID), at).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "model_case.mark", "model_case", id, nil,
			map[string]any{"kind": kind, "ref_id": refID, "township": t.TownshipCode, "theme": c.Theme, "title": c.Title, "story": c.Story, "photo": ph != nil})
	})
	if err != nil {
		return 0, fmt.Errorf("store.MarkModelCase: %w", err)
	}
	return id, nil
}

// UpdateModelCase saves case id's theme, title and story read at version,
// with a new photo (ph), or without its photo (dropPhoto), audited. township
// limits it as in MarkModelCase (ErrNotFound); a stale version is
// ErrVersionConflict.
func (s *Store) UpdateModelCase(ctx context.Context, township string, id int64, version int, c showcase.Case, ph *photo.Photo, dropPhoto bool, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var before showcase.Case
		var v int
		err := tx.QueryRow(ctx, `SELECT theme, title, story, version FROM model_cases WHERE id = $1 AND ($2 = '' OR township_code = $2) FOR UPDATE`,
			id, township).Scan(&before.Theme, &before.Title, &before.Story, &v)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if v != version {
			return ErrVersionConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE model_cases SET theme = $2, title = $3, story = $4, version = version + 1, updated_at = now() WHERE id = $1`,
			id, c.Theme, c.Title, c.Story); err != nil {
			return err
		}
		switch {
		case ph != nil:
			_, err = tx.Exec(ctx, `UPDATE model_cases SET photo = $2, photo_width = $3, photo_height = $4 WHERE id = $1`, id, ph.Data, ph.Width, ph.Height)
		case dropPhoto:
			_, err = tx.Exec(ctx, `UPDATE model_cases SET photo = NULL, photo_width = NULL, photo_height = NULL WHERE id = $1`, id)
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "model_case.update", "model_case", id, before,
			map[string]any{"theme": c.Theme, "title": c.Title, "story": c.Story, "new_photo": ph != nil, "photo_removed": dropPhoto})
	})
	if err != nil {
		return fmt.Errorf("store.UpdateModelCase %d: %w", id, err)
	}
	return nil
}

// UnmarkModelCase removes case id (limited to township as above), audited
// with what it said. Submitted summaries keep it in their snapshot.
func (s *Store) UnmarkModelCase(ctx context.Context, township string, id int64, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var kind, theme, title, story string
		var ref int64
		err := tx.QueryRow(ctx, `DELETE FROM model_cases WHERE id = $1 AND ($2 = '' OR township_code = $2) RETURNING kind, ref_id, theme, title, story`,
			id, township).Scan(&kind, &ref, &theme, &title, &story)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "model_case.unmark", "model_case", id,
			map[string]any{"kind": kind, "ref_id": ref, "theme": theme, "title": title, "story": story}, nil)
	})
	if err != nil {
		return fmt.Errorf("store.UnmarkModelCase %d: %w", id, err)
	}
	return nil
}
