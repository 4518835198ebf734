package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/jackc/pgx/v5"
)

// DeputyRow is a deputy as listed, with its home township name and number of
// active pairings.
type DeputyRow struct {
	ID               int64      `db:"id"`
	Name             string     `db:"name"`
	Gender           string     `db:"gender"`
	Ethnicity        string     `db:"ethnicity"`
	BirthDate        *time.Time `db:"birth_date"`
	Levels           []string   `db:"levels"`
	Category         string     `db:"category"`
	Term             string     `db:"term"`
	WorkUnit         string     `db:"work_unit"`
	Post             string     `db:"post"`
	Phone            string     `db:"phone"`
	HomeTownshipCode string     `db:"home_township_code"`
	HomeTownshipName string     `db:"home_township_name"`
	HomeVillageCode  string     `db:"home_village_code"`
	Status           string     `db:"status"`
	ActivePairings   int        `db:"active_pairings"`
}

const deputySelect = `SELECT d.id, d.name, d.gender, d.ethnicity, d.birth_date, d.levels, d.category, d.term, d.work_unit,
	d.post, d.phone, d.home_township_code, t.name AS home_township_name, coalesce(d.home_village_code, '') AS home_village_code,
	d.status, (SELECT count(*) FROM pairings p WHERE p.deputy_id = d.id AND p.status = 'active')::int AS active_pairings
FROM deputies d JOIN divisions t ON t.code = d.home_township_code`

// DeputyFilter narrows the deputy list; empty fields do not filter.
type DeputyFilter struct {
	Township   string
	Level      string
	Query      string // name fragment
	ActiveOnly bool   // only deputies in office
	Page       int    // 1-based
}

// Deputies returns one page of deputies matching f, home township first and
// then name in pinyin order, and the total count.
func (s *Store) Deputies(ctx context.Context, f DeputyFilter) ([]DeputyRow, int, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Township != "" {
		add(`d.home_township_code = $?`, f.Township)
	}
	if f.Level != "" {
		add(`$? = ANY (d.levels)`, f.Level)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		add(`d.name LIKE '%' || $? || '%' ESCAPE '\'`, escapeLike(q))
	}
	if f.ActiveOnly {
		conds = append(conds, `d.status = 'active'`)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM deputies d`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.Deputies count: %w", err)
	}
	page := max(f.Page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	rows, _ := s.Pool.Query(ctx, deputySelect+where+fmt.Sprintf(
		` ORDER BY d.home_township_code, d.name COLLATE "zh-Hans-x-icu", d.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[DeputyRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.Deputies: %w", err)
	}
	return out, total, nil
}

// Deputy returns one deputy, or ErrNotFound.
func (s *Store) Deputy(ctx context.Context, id int64) (DeputyRow, error) {
	rows, _ := s.Pool.Query(ctx, deputySelect+` WHERE d.id = $1`, id)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DeputyRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return DeputyRow{}, ErrNotFound
	}
	if err != nil {
		return DeputyRow{}, fmt.Errorf("store.Deputy %d: %w", id, err)
	}
	return d, nil
}

// CreateDeputy inserts d with its audit event and returns the new id.
func (s *Store) CreateDeputy(ctx context.Context, d deputy.Deputy, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var village *string
		if d.HomeVillageCode != "" {
			village = &d.HomeVillageCode
		}
		err := tx.QueryRow(ctx, `INSERT INTO deputies (name, gender, ethnicity, birth_date, levels, category, term, work_unit, post,
			phone, home_township_code, home_village_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			d.Name, d.Gender, d.Ethnicity, d.BirthDate, d.Levels, d.Category, d.Term, d.WorkUnit, d.Post,
			d.Phone, d.HomeTownshipCode, village).Scan(&id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "deputy.create", "deputy", id, nil, map[string]any{"name": d.Name, "levels": d.Levels})
	})
	if err != nil {
		return 0, fmt.Errorf("store.CreateDeputy: %w", err)
	}
	return id, nil
}
