package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// ApplicationRow is a 申请书 with its deputy and how many households the
// deputy already has (active or proposed pairings).
type ApplicationRow struct {
	ID                 int64     `db:"id"`
	DeputyID           int64     `db:"deputy_id"`
	DeputyName         string    `db:"deputy_name"`
	HomeTownshipName   string    `db:"home_township_name"`
	PreferredTownships []string  `db:"preferred_townships"`
	Capacity           int       `db:"capacity"`
	Offers             []string  `db:"offers"`
	Note               string    `db:"note"`
	Status             string    `db:"status"`
	CreatedAt          time.Time `db:"created_at"`
	Paired             int       `db:"paired"`
}

const applicationSelect = `SELECT a.id, a.deputy_id, d.name AS deputy_name, t.name AS home_township_name,
	a.preferred_townships, a.capacity, a.offers, a.note, a.status, a.created_at,
	(SELECT count(*) FROM pairings p WHERE p.deputy_id = a.deputy_id AND p.status IN ('active', 'proposed'))::int AS paired
FROM applications a JOIN deputies d ON d.id = a.deputy_id JOIN divisions t ON t.code = d.home_township_code`

// ApplicationFilter selects applications: one deputy's (DeputyID, 0 =
// every deputy), deputies whose name contains Query, one page of PageSize
// (Page from 1).
type ApplicationFilter struct {
	DeputyID int64
	Query    string
	Page     int
}

// Applications returns one page of the applications matching f, open ones
// first, newest first, and how many match in all.
func (s *Store) Applications(ctx context.Context, f ApplicationFilter) ([]ApplicationRow, int, error) {
	where := ` WHERE ($1 = 0 OR a.deputy_id = $1) AND ($2 = '' OR strpos(d.name, $2) > 0)`
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM applications a JOIN deputies d ON d.id = a.deputy_id`+where,
		f.DeputyID, f.Query).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.Applications count: %w", err)
	}
	page := max(f.Page, 1)
	rows, _ := s.Pool.Query(ctx, applicationSelect+where+` ORDER BY a.status, a.id DESC LIMIT $3 OFFSET $4`,
		f.DeputyID, f.Query, PageSize, (page-1)*PageSize)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ApplicationRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.Applications: %w", err)
	}
	return out, total, nil
}

// FileApplication records a deputy's application; an open application of the
// same deputy is withdrawn in the same transaction (the new one replaces it).
// A deputy not in office, or a unit (帮扶单位: units are assigned by staff,
// they do not apply), is ErrNotFound.
func (s *Store) FileApplication(ctx context.Context, a pairing.Application, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM deputies WHERE id = $1 AND kind = 'deputy' FOR UPDATE`, a.DeputyID).Scan(&status); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if status != "active" {
			return ErrNotFound
		}
		if _, err := tx.Exec(ctx, `UPDATE applications SET status = 'withdrawn' WHERE deputy_id = $1 AND status = 'open'`, a.DeputyID); err != nil {
			return err
		}
		townships := a.PreferredTownships
		if townships == nil {
			townships = []string{}
		}
		if err := tx.QueryRow(ctx, `INSERT INTO applications (deputy_id, preferred_townships, capacity, offers, note, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, a.DeputyID, townships, a.Capacity, a.Offers, a.Note, nullID(actorID)).Scan(&id); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "application.create", "deputy", a.DeputyID, nil,
			map[string]any{"capacity": a.Capacity, "offers": a.Offers, "preferred_townships": townships})
	})
	if err != nil {
		return 0, fmt.Errorf("store.FileApplication: %w", err)
	}
	return id, nil
}

// Adjacency returns the pairs of neighbouring townships, each once with a < b.
func (s *Store) Adjacency(ctx context.Context) ([][2]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT a, b FROM township_adjacency ORDER BY a, b`)
	if err != nil {
		return nil, fmt.Errorf("store.Adjacency: %w", err)
	}
	var out [][2]string
	var a, b string
	_, err = pgx.ForEachRow(rows, []any{&a, &b}, func() error { out = append(out, [2]string{a, b}); return nil })
	if err != nil {
		return nil, fmt.Errorf("store.Adjacency: %w", err)
	}
	return out, nil
}

// SetAdjacency replaces the adjacency table with pairs (order within a pair
// does not matter), with an audit event.
func (s *Store) SetAdjacency(ctx context.Context, pairs [][2]string, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM township_adjacency`); err != nil {
			return err
		}
		seen := map[[2]string]bool{}
		for _, p := range pairs {
			a, b := p[0], p[1]
			if a == b {
				continue
			}
			if b < a {
				a, b = b, a
			}
			if seen[[2]string{a, b}] {
				continue
			}
			seen[[2]string{a, b}] = true
			if _, err := tx.Exec(ctx, `INSERT INTO township_adjacency (a, b) VALUES ($1, $2)`, a, b); err != nil {
				return err
			}
		}
		return audit(ctx, tx, actorID, "settings.adjacency", "settings", 0, nil, map[string]int{"pairs": len(seen)})
	})
	if err != nil {
		return fmt.Errorf("store.SetAdjacency: %w", err)
	}
	return nil
}

// PovertyLine is the line of one year and standard, yuan per person per year.
type PovertyLine struct {
	Year     int             `db:"year"`
	Standard string          `db:"standard"`
	Yuan     decimal.Decimal `db:"yuan"`
}

// PovertyLines returns the table, newest year first.
func (s *Store) PovertyLines(ctx context.Context) ([]PovertyLine, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT year, standard, yuan FROM poverty_lines ORDER BY year DESC, standard`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PovertyLine])
	if err != nil {
		return nil, fmt.Errorf("store.PovertyLines: %w", err)
	}
	return out, nil
}

// PovertyLineFor returns the line of year and standard, or ErrNotFound.
func (s *Store) PovertyLineFor(ctx context.Context, year int, standard string) (decimal.Decimal, error) {
	var y decimal.Decimal
	err := s.Pool.QueryRow(ctx, `SELECT yuan FROM poverty_lines WHERE year = $1 AND standard = $2`, year, standard).Scan(&y)
	if errors.Is(err, pgx.ErrNoRows) {
		return decimal.Zero, ErrNotFound
	}
	if err != nil {
		return decimal.Zero, fmt.Errorf("store.PovertyLineFor: %w", err)
	}
	return y, nil
}

// SetPovertyLine inserts or changes one line, with an audit event.
func (s *Store) SetPovertyLine(ctx context.Context, l PovertyLine, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO poverty_lines (year, standard, yuan) VALUES ($1, $2, $3)
			ON CONFLICT (year, standard) DO UPDATE SET yuan = EXCLUDED.yuan`, l.Year, l.Standard, l.Yuan); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "settings.poverty_line", "settings", 0, nil,
			map[string]any{"year": l.Year, "standard": l.Standard, "yuan": l.Yuan.StringFixed(2)})
	})
	if err != nil {
		return fmt.Errorf("store.SetPovertyLine: %w", err)
	}
	return nil
}
