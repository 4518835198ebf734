package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/bangfu/bangfu/internal/division"
	"github.com/jackc/pgx/v5"
	"slices"
	"sync"
	"time"
)

// DivisionRow is a stored division with its village flags.
type DivisionRow struct {
	Code         string `db:"code"`
	Name         string `db:"name"`
	Level        string `db:"level"`
	ParentCode   string `db:"parent_code"`
	PoorVillage  bool   `db:"poor_village"`
	ReliefPoint  bool   `db:"relief_point"`
	TownshipName string `db:"township_name"` // villages only
}

// ImportDivisions upserts divs (a county, then its townships, then villages,
// parents before children) in one transaction and returns how many rows were
// inserted or renamed. Re-running with the same data changes nothing and
// returns 0. Flags set by staff (poor village, relief point) are kept.
func (s *Store) ImportDivisions(ctx context.Context, divs []division.Division) (int, error) {
	changed := 0
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		for _, d := range divs {
			var parent *string
			if d.ParentCode != "" {
				parent = &d.ParentCode
			}
			tag, err := tx.Exec(ctx, `
				INSERT INTO divisions (code, name, level, parent_code) VALUES ($1, $2, $3, $4)
				ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code
				WHERE divisions.name IS DISTINCT FROM EXCLUDED.name OR divisions.parent_code IS DISTINCT FROM EXCLUDED.parent_code`,
				d.Code, d.Name, string(d.Level), parent)
			if err != nil {
				return fmt.Errorf("division %s: %w", d.Code, err)
			}
			changed += int(tag.RowsAffected())
		}
		if changed > 0 {
			return audit(ctx, tx, 0, "divisions.import", "division", 0, nil, map[string]int{"changed": changed})
		}
		return nil
	})
	s.divs.clear()
	if err != nil {
		return 0, fmt.Errorf("store.ImportDivisions: %w", err)
	}
	return changed, nil
}

const divisionColumns = `d.code, d.name, d.level, coalesce(d.parent_code, '') AS parent_code, d.poor_village, d.relief_point,
	coalesce(t.name, '') AS township_name`

// Division returns one division by code, or ErrNotFound.
func (s *Store) Division(ctx context.Context, code string) (DivisionRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+divisionColumns+` FROM divisions d
		LEFT JOIN divisions t ON t.code = d.parent_code AND d.level = 'village' WHERE d.code = $1`, code)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DivisionRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return DivisionRow{}, ErrNotFound
	}
	if err != nil {
		return DivisionRow{}, fmt.Errorf("store.Division %s: %w", code, err)
	}
	return d, nil
}

// County returns the one county stored (Bangfu serves one county), or
// ErrNotFound before `bangfu import-divisions` has run.
func (s *Store) County(ctx context.Context) (DivisionRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+divisionColumns+` FROM divisions d
		LEFT JOIN divisions t ON false WHERE d.level = 'county' ORDER BY d.code LIMIT 1`)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[DivisionRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return DivisionRow{}, ErrNotFound
	}
	if err != nil {
		return DivisionRow{}, fmt.Errorf("store.County: %w", err)
	}
	return d, nil
}

// Children returns the direct children of a division ordered by code.
func (s *Store) Children(ctx context.Context, parentCode string) ([]DivisionRow, error) {
	if out, ok := s.divs.children(parentCode, time.Now()); ok {
		return out, nil
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+divisionColumns+` FROM divisions d
		LEFT JOIN divisions t ON t.code = d.parent_code AND d.level = 'village'
		WHERE d.parent_code = $1 ORDER BY d.code`, parentCode)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[DivisionRow])
	if err != nil {
		return nil, fmt.Errorf("store.Children %s: %w", parentCode, err)
	}
	s.divs.putChildren(parentCode, out, time.Now())
	return slices.Clone(out), nil
}

// Villages returns every village of the county with its township name,
// ordered by code (for select lists).
func (s *Store) Villages(ctx context.Context) ([]DivisionRow, error) {
	if out, ok := s.divs.children("", time.Now()); ok {
		return out, nil
	}
	rows, _ := s.Pool.Query(ctx, `SELECT `+divisionColumns+` FROM divisions d
		JOIN divisions t ON t.code = d.parent_code WHERE d.level = 'village' ORDER BY d.code`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[DivisionRow])
	if err != nil {
		return nil, fmt.Errorf("store.Villages: %w", err)
	}
	s.divs.putChildren("", out, time.Now())
	return slices.Clone(out), nil
}

// divisionCacheFor is how long an instance reuses the division lists
// (Children, Villages) it read. Divisions change when they are imported or
// a relief point is set, which clear this instance's copy at once; another
// instance behind the same load balancer sees the change within this time.
const divisionCacheFor = time.Minute

// divisionCache holds the division lists of one Store (issue 10: the
// household list read them on every request). The zero value is empty.
type divisionCache struct {
	mu   sync.Mutex
	at   time.Time
	kids map[string][]DivisionRow // by parent code; "" = every village
}

// children returns a copy of the cached list under parent, if fresh.
func (c *divisionCache) children(parent string, now time.Time) ([]DivisionRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if now.Sub(c.at) > divisionCacheFor {
		c.kids = nil
		return nil, false
	}
	out, ok := c.kids[parent]
	return slices.Clone(out), ok
}

func (c *divisionCache) putChildren(parent string, rows []DivisionRow, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.kids == nil || now.Sub(c.at) > divisionCacheFor {
		c.kids, c.at = map[string][]DivisionRow{}, now
	}
	c.kids[parent] = rows
}

// ForgetDivisions drops this instance's cached division lists; call it after
// writing to divisions other than through the store.
func (s *Store) ForgetDivisions() { s.divs.clear() }

// clear drops the cached lists (after a write to divisions).
func (c *divisionCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.kids = nil
}

// DivisionExists reports whether code is a stored division (of any level).
func (s *Store) DivisionExists(ctx context.Context, code string) (bool, error) {
	var ok bool
	if err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM divisions WHERE code = $1)`, code).Scan(&ok); err != nil {
		return false, fmt.Errorf("store.DivisionExists: %w", err)
	}
	return ok, nil
}

// SetReliefPoint marks a village as poor village and relief point (扶贫点).
func (s *Store) SetReliefPoint(ctx context.Context, villageCode string, userID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE divisions SET relief_point = true, poor_village = true WHERE code = $1 AND level = 'village'`, villageCode)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, userID, "division.set_relief_point", "division", 0, nil, map[string]string{"code": villageCode})
	})
	s.divs.clear()
	if err != nil {
		return fmt.Errorf("store.SetReliefPoint: %w", err)
	}
	return nil
}
