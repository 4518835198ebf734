package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/jackc/pgx/v5"
	"golang.org/x/text/width"
)

// DeputyRow is a helper (a deputy, or a unit when Kind is "unit") as
// listed and shown, with its home township name, number of active pairings
// and login name (if it has an account). A unit's person fields (Gender,
// Levels, Category, BirthDate, CredentialNumber) are empty.
type DeputyRow struct {
	ID               int64      `db:"id"`
	Kind             string     `db:"kind"` // deputy.KindDeputy or deputy.KindUnit
	Name             string     `db:"name"`
	ContactPerson    string     `db:"contact_person"` // units only
	Gender           string     `db:"gender"`
	Ethnicity        string     `db:"ethnicity"`
	BirthDate        *time.Time `db:"birth_date"`
	Levels           []string   `db:"levels"`
	Category         string     `db:"category"`
	Term             string     `db:"term"`
	WorkUnit         string     `db:"work_unit"`
	Post             string     `db:"post"`
	Phone            string     `db:"-"` // decrypted from phone_enc; "" = none
	CredentialNumber string     `db:"credential_number"`
	HomeTownshipCode string     `db:"home_township_code"`
	HomeTownshipName string     `db:"home_township_name"`
	HomeVillageCode  string     `db:"home_village_code"`
	Status           string     `db:"status"`
	LeftOfficeDate   *time.Time `db:"left_office_date"`
	Version          int        `db:"version"`
	ActivePairings   int        `db:"active_pairings"`
	Username         string     `db:"username"`
}

const deputySelect = `SELECT d.id, d.kind, d.name, d.contact_person, coalesce(d.gender, '') AS gender, d.ethnicity, d.birth_date,
	coalesce(d.levels, '{}') AS levels, coalesce(d.category, '') AS category, d.term, d.work_unit,
	d.post, d.phone_enc, d.credential_number, d.home_township_code, t.name AS home_township_name,
	coalesce(d.home_village_code, '') AS home_village_code, d.status, d.left_office_date, d.version,
	(SELECT count(*) FROM pairings p WHERE p.deputy_id = d.id AND p.status = 'active')::int AS active_pairings,
	coalesce((SELECT u.username FROM users u WHERE u.deputy_id = d.id), '') AS username
FROM deputies d JOIN divisions t ON t.code = d.home_township_code`

// deputyScan is a DeputyRow as read, with its sealed phone.
type deputyScan struct {
	DeputyRow
	PhoneEnc []byte `db:"phone_enc"`
}

// openDeputies returns the rows with their phones decrypted.
func (s *Store) openDeputies(scanned []deputyScan) ([]DeputyRow, error) {
	out := make([]DeputyRow, len(scanned))
	for i, r := range scanned {
		out[i] = r.DeputyRow
		var err error
		if out[i].Phone, err = s.Keys.Open(labelDeputyPhone, r.PhoneEnc); err != nil {
			return nil, fmt.Errorf("deputy %d: %w", r.ID, err)
		}
	}
	return out, nil
}

// DeputyFilter narrows the deputy list; empty fields do not filter,
// except Kind: "" (as "deputy") lists deputies only, "unit" units only,
// "all" both, so that a list that does not ask for units never shows one.
type DeputyFilter struct {
	Kind       string
	Township   string
	Level      string
	Category   string
	Status     string
	Query      string // name fragment, pinyin initials or full pinyin
	ActiveOnly bool   // only deputies in office
	Sort       string // "" = by surname strokes (按姓氏笔画), "pinyin", "township", "load" (fewest active pairings first)
	Page       int    // 1-based
}

// Deputies returns one page of deputies matching f in the order f.Sort asks
// for, and the total count.
func (s *Store) Deputies(ctx context.Context, f DeputyFilter) ([]DeputyRow, int, error) {
	where, args := deputyWhere(f)
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM deputies d`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.Deputies count: %w", err)
	}
	order := deputyOrder(f.Sort)
	page := max(f.Page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	rows, _ := s.Pool.Query(ctx, `SELECT * FROM (`+deputySelect+where+`) d`+order+
		fmt.Sprintf(` LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	scanned, err := pgx.CollectRows(rows, pgx.RowToStructByName[deputyScan])
	if err != nil {
		return nil, 0, fmt.Errorf("store.Deputies: %w", err)
	}
	out, err := s.openDeputies(scanned)
	if err != nil {
		return nil, 0, fmt.Errorf("store.Deputies: %w", err)
	}
	return out, total, nil
}

// Deputy returns one helper (deputy or unit: see Kind), or ErrNotFound.
func (s *Store) Deputy(ctx context.Context, id int64) (DeputyRow, error) {
	rows, _ := s.Pool.Query(ctx, deputySelect+` WHERE d.id = $1`, id)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[deputyScan])
	if errors.Is(err, pgx.ErrNoRows) {
		return DeputyRow{}, ErrNotFound
	}
	if err != nil {
		return DeputyRow{}, fmt.Errorf("store.Deputy %d: %w", id, err)
	}
	out, err := s.openDeputies([]deputyScan{d})
	if err != nil {
		return DeputyRow{}, fmt.Errorf("store.Deputy: %w", err)
	}
	return out[0], nil
}

func deputySnapshot(d deputy.Deputy) map[string]any {
	return map[string]any{"name": d.Name, "levels": d.Levels, "category": d.Category, "term": d.Term,
		"work_unit": d.WorkUnit, "post": d.Post, "phone_set": d.Phone != "", "home_township_code": d.HomeTownshipCode,
		"credential_number": d.CredentialNumber}
}

// CreateDeputy inserts d with its audit event and returns the new id.
func (s *Store) CreateDeputy(ctx context.Context, d deputy.Deputy, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO deputies (name, name_pinyin, gender, ethnicity, birth_date, levels, category, term,
			work_unit, post, phone_enc, phone_hash, home_township_code, home_village_code, credential_number)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			d.Name, pinyin.Key(d.Name), d.Gender, d.Ethnicity, d.BirthDate, d.Levels, d.Category, d.Term, d.WorkUnit, d.Post,
			s.Keys.Seal(labelDeputyPhone, d.Phone), s.Keys.Hash(hashPhone, d.Phone), d.HomeTownshipCode, nullText(d.HomeVillageCode), d.CredentialNumber).Scan(&id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "deputy.create", "deputy", id, nil, deputySnapshot(d))
	})
	if err != nil {
		return 0, fmt.Errorf("store.CreateDeputy: %w", err)
	}
	return id, nil
}

// UpdateDeputy saves d over deputy id if it is still at version (else
// ErrVersionConflict), with an audit event holding before and after.
func (s *Store) UpdateDeputy(ctx context.Context, id int64, version int, d deputy.Deputy, actorID int64) error {
	before, err := s.Deputy(ctx, id)
	if err != nil {
		return err
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE deputies SET name = $3, name_pinyin = $4, gender = $5, ethnicity = $6, birth_date = $7,
			levels = $8, category = $9, term = $10, work_unit = $11, post = $12, phone_enc = $13, phone_hash = $14,
			home_township_code = $15, home_village_code = $16, credential_number = $17, version = version + 1, updated_at = now()
			WHERE id = $1 AND version = $2 AND kind = 'deputy'`,
			id, version, d.Name, pinyin.Key(d.Name), d.Gender, d.Ethnicity, d.BirthDate, d.Levels, d.Category, d.Term,
			d.WorkUnit, d.Post, s.Keys.Seal(labelDeputyPhone, d.Phone), s.Keys.Hash(hashPhone, d.Phone), d.HomeTownshipCode, nullText(d.HomeVillageCode), d.CredentialNumber)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrVersionConflict
		}
		b := deputy.Deputy{Name: before.Name, Levels: before.Levels, Category: before.Category, Term: before.Term,
			WorkUnit: before.WorkUnit, Post: before.Post, Phone: before.Phone, HomeTownshipCode: before.HomeTownshipCode,
			CredentialNumber: before.CredentialNumber}
		return audit(ctx, tx, actorID, "deputy.update", "deputy", id, deputySnapshot(b), deputySnapshot(d))
	})
	if errors.Is(err, ErrVersionConflict) {
		return ErrVersionConflict
	}
	if err != nil {
		return fmt.Errorf("store.UpdateDeputy %d: %w", id, err)
	}
	return nil
}

// MarkLeftOffice records that deputy id left office on date: its history
// stays, its active pairings are flagged for reassignment (they stay active
// until staff pair the households anew), its proposals waiting for a chair
// end, its open application is withdrawn and its account is disabled. It
// returns the number of flagged pairings; a deputy already out of office is
// ErrConflict.
func (s *Store) MarkLeftOffice(ctx context.Context, id int64, date time.Time, actorID int64) (int, error) {
	var flagged int
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM deputies WHERE id = $1 FOR UPDATE`, id).Scan(&status); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if status != "active" {
			return ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE deputies SET status = 'left_office', left_office_date = $2, version = version + 1,
			updated_at = now() WHERE id = $1`, id, date); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE pairings SET needs_reassignment = true WHERE deputy_id = $1 AND status = 'active'`, id)
		if err != nil {
			return err
		}
		flagged = int(tag.RowsAffected())
		// Proposals waiting for a chair end; the open application is withdrawn.
		if _, err := tx.Exec(ctx, `UPDATE pairings SET status = 'ended', end_reason = 'deputy_left_office',
			end_date = greatest(start_date, $2::date) WHERE deputy_id = $1 AND status = 'proposed'`, id, date); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE applications SET status = 'withdrawn' WHERE deputy_id = $1 AND status = 'open'`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET active = false WHERE deputy_id = $1`, id); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "deputy.left_office", "deputy", id, map[string]string{"status": "active"},
			map[string]any{"status": "left_office", "left_office_date": date.Format(time.DateOnly), "pairings_flagged": flagged})
	})
	if err != nil {
		return 0, fmt.Errorf("store.MarkLeftOffice %d: %w", id, err)
	}
	return flagged, nil
}

// CreateDeputyAccount creates the login of deputy id (role deputy) with an
// argon2id hash of a random initial password that must be changed at first
// sign-in. A deputy that already has an account, or a taken username, is
// ErrConflict.
func (s *Store) CreateDeputyAccount(ctx context.Context, id int64, username, passwordHash string, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var name, status string
		if err := tx.QueryRow(ctx, `SELECT name, status FROM deputies WHERE id = $1 FOR UPDATE`, id).Scan(&name, &status); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		if status != "active" {
			return ErrConflict
		}
		var uid int64
		err := tx.QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, role, deputy_id, must_change_password)
			VALUES ($1, $2, $3, $4, $5, true) RETURNING id`, username, name, passwordHash, string(auth.Deputy), id).Scan(&uid)
		if isUniqueViolation(err, "") {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "deputy.account", "deputy", id, nil, map[string]string{"username": username})
	})
	if err != nil {
		return fmt.Errorf("store.CreateDeputyAccount %d: %w", id, err)
	}
	return nil
}

// DeputyPairingHistory returns every pairing of a deputy, active first, then
// newest.
func (s *Store) DeputyPairingHistory(ctx context.Context, deputyID int64) ([]PairingRow, error) {
	rows, _ := s.Pool.Query(ctx, pairingSelect+` WHERE p.deputy_id = $1 ORDER BY p.status <> 'active', p.id DESC`, deputyID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PairingRow])
	if err != nil {
		return nil, fmt.Errorf("store.DeputyPairingHistory: %w", err)
	}
	return out, nil
}

func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// deputyWhere is the WHERE clause of f over deputies d, as Deputies builds
// it, and its arguments. It is a copy of Deputies' conditions (deputy.go is
// edited elsewhere); Deputies could call it instead, so that the list and
// its export cannot drift apart.
func deputyWhere(f DeputyFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	switch f.Kind {
	case "all":
	case deputy.KindUnit:
		conds = append(conds, `d.kind = 'unit'`)
	default:
		conds = append(conds, `d.kind = 'deputy'`)
	}
	if f.Township != "" {
		add(`d.home_township_code = $?`, f.Township)
	}
	if f.Level != "" {
		add(`$? = ANY (d.levels)`, f.Level)
	}
	if f.Category != "" {
		add(`d.category = $?`, f.Category)
	}
	if f.Status != "" {
		add(`d.status = $?`, f.Status)
	}
	if q := strings.TrimSpace(width.Fold.String(f.Query)); q != "" {
		cond := `d.name LIKE '%' || $? || '%' ESCAPE '\'`
		if pinyin.IsQuery(q) {
			cond += ` OR d.name_pinyin LIKE lower($?) || '%' ESCAPE '\' OR d.name_pinyin LIKE '%|%' || lower($?) || '%' ESCAPE '\'`
		}
		add(`(`+cond+`)`, escapeLike(q))
	}
	if f.ActiveOnly {
		conds = append(conds, `d.status = 'active'`)
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// deputyOrder is the ORDER BY of a deputy list sort over deputies d:
// "" by surname strokes (按姓氏笔画), "pinyin", "township", "load" (fewest
// active pairings first).
func deputyOrder(sort string) string {
	switch sort {
	case "pinyin":
		return ` ORDER BY d.name COLLATE zh_pinyin, d.id`
	case "township":
		return ` ORDER BY d.home_township_code, d.name COLLATE zh_stroke, d.id`
	case "load":
		return ` ORDER BY (SELECT count(*) FROM pairings p WHERE p.deputy_id = d.id AND p.status = 'active'),
			d.name COLLATE zh_stroke, d.id`
	}
	return ` ORDER BY d.name COLLATE zh_stroke, d.id`
}

func unitSnapshot(u deputy.Unit) map[string]any {
	return map[string]any{"kind": deputy.KindUnit, "name": u.Name, "contact_person": u.ContactPerson, "post": u.Post,
		"phone_set": u.Phone != "", "home_township_code": u.HomeTownshipCode}
}

// CreateUnit registers a unit (帮扶单位) as a helper of kind unit, with its
// audit event, and returns the new id; ErrDuplicateUnit when a unit in use
// has the name.
func (s *Store) CreateUnit(ctx context.Context, u deputy.Unit, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO deputies (kind, name, name_pinyin, contact_person, post, phone_enc, phone_hash,
			home_township_code, home_village_code, gender, levels, category)
			VALUES ('unit', $1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL) RETURNING id`,
			u.Name, pinyin.Key(u.Name), u.ContactPerson, u.Post, s.Keys.Seal(labelDeputyPhone, u.Phone),
			s.Keys.Hash(hashPhone, u.Phone), u.HomeTownshipCode, nullText(u.HomeVillageCode)).Scan(&id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "unit.create", "deputy", id, nil, unitSnapshot(u))
	})
	if isUniqueViolation(err, "deputies_unit_name_idx") {
		return 0, ErrDuplicateUnit
	}
	if err != nil {
		return 0, fmt.Errorf("store.CreateUnit: %w", err)
	}
	return id, nil
}

// ErrDuplicateUnit is returned when a unit in use already has the name.
var ErrDuplicateUnit = errors.New("a unit in use has this name")

// UpdateUnit saves u over unit id if it is still at version (else
// ErrVersionConflict; an id that is not a unit is ErrNotFound), with an
// audit event holding before and after.
func (s *Store) UpdateUnit(ctx context.Context, id int64, version int, u deputy.Unit, actorID int64) error {
	before, err := s.Deputy(ctx, id)
	if err != nil {
		return err
	}
	if before.Kind != deputy.KindUnit {
		return ErrNotFound
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE deputies SET name = $3, name_pinyin = $4, contact_person = $5, post = $6,
			phone_enc = $7, phone_hash = $8, home_township_code = $9, home_village_code = $10, version = version + 1,
			updated_at = now() WHERE id = $1 AND version = $2 AND kind = 'unit'`,
			id, version, u.Name, pinyin.Key(u.Name), u.ContactPerson, u.Post, s.Keys.Seal(labelDeputyPhone, u.Phone),
			s.Keys.Hash(hashPhone, u.Phone), u.HomeTownshipCode, nullText(u.HomeVillageCode))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrVersionConflict
		}
		b := deputy.Unit{Name: before.Name, ContactPerson: before.ContactPerson, Post: before.Post, Phone: before.Phone,
			HomeTownshipCode: before.HomeTownshipCode, HomeVillageCode: before.HomeVillageCode}
		return audit(ctx, tx, actorID, "unit.update", "deputy", id, unitSnapshot(b), unitSnapshot(u))
	})
	if errors.Is(err, ErrVersionConflict) {
		return ErrVersionConflict
	}
	if isUniqueViolation(err, "deputies_unit_name_idx") {
		return ErrDuplicateUnit
	}
	if err != nil {
		return fmt.Errorf("store.UpdateUnit %d: %w", id, err)
	}
	return nil
}
