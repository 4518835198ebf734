package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// householdScope returns the WHERE fragment that limits households (alias h)
// to scope, with its arguments numbered from next. Every household query goes
// through it, so a forgotten check fails closed rather than open.
func householdScope(scope auth.Scope, next int) (string, []any) {
	return fmt.Sprintf(`($%d::text = '' OR h.township_code = $%d::text) AND ($%d::bigint = 0 OR EXISTS (
		SELECT 1 FROM pairings sp WHERE sp.household_id = h.id AND sp.status = 'active' AND sp.deputy_id = $%d::bigint))`,
			next, next, next+1, next+1),
		[]any{scope.TownshipCode, scope.DeputyID}
}

// HouseholdRow is a household as listed and shown, with its place names,
// size (member count) and current active pairing, if any.
type HouseholdRow struct {
	ID                 int64           `db:"id"`
	VillageCode        string          `db:"village_code"`
	VillageName        string          `db:"village_name"`
	TownshipCode       string          `db:"township_code"`
	TownshipName       string          `db:"township_name"`
	GroupName          string          `db:"group_name"`
	HeadName           string          `db:"head_name"`
	IDNumber           string          `db:"id_number"`
	Phone              string          `db:"phone"`
	Attribute          string          `db:"attribute"`
	Standard           string          `db:"standard"`
	MainCause          string          `db:"main_cause"`
	OtherCauses        []string        `db:"other_causes"`
	IdentificationYear int             `db:"identification_year"`
	PerCapitaIncome    decimal.Decimal `db:"per_capita_income"`
	Status             string          `db:"status"`
	ExitedYear         *int            `db:"exited_year"`
	Monitoring         string          `db:"monitoring"`
	PlannedExitYear    *int            `db:"planned_exit_year"`
	Size               int             `db:"size"`
	PairingID          int64           `db:"pairing_id"`
	DeputyID           int64           `db:"deputy_id"`
	DeputyName         string          `db:"deputy_name"`
}

const householdSelect = `SELECT h.id, h.village_code, v.name AS village_name, h.township_code, t.name AS township_name,
	h.group_name, h.head_name, h.id_number, h.phone, h.attribute, h.standard, h.main_cause, h.other_causes,
	h.identification_year, h.per_capita_income, h.status, h.exited_year, h.monitoring, h.planned_exit_year,
	(SELECT count(*) FROM household_members m WHERE m.household_id = h.id)::int AS size,
	coalesce(ap.id, 0) AS pairing_id, coalesce(ap.deputy_id, 0) AS deputy_id, coalesce(dp.name, '') AS deputy_name
FROM households h
JOIN divisions v ON v.code = h.village_code
JOIN divisions t ON t.code = h.township_code
LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active'
LEFT JOIN deputies dp ON dp.id = ap.deputy_id`

// HouseholdFilter narrows the household list. Empty fields do not filter.
// Query matches a name fragment of the head or the tail of the ID number.
type HouseholdFilter struct {
	Division string // township or village code
	Status   string
	Paired   string // "yes", "no" or ""
	Query    string
	Page     int // 1-based
	// MaskedIDs is set when the viewer sees ID numbers masked (not staff):
	// then Query matches the ID's last four characters only, exactly.
	MaskedIDs bool
}

// PageSize is the number of rows on one list page.
const PageSize = 50

// Households returns one page of the households in scope that match f, sorted
// by village code then head name in pinyin order, and the total count.
func (s *Store) Households(ctx context.Context, scope auth.Scope, f HouseholdFilter) ([]HouseholdRow, int, error) {
	where, args := householdScope(scope, 1)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if f.Division != "" {
		add(`h.village_code LIKE $? || '%'`, f.Division)
	}
	if f.Status != "" {
		add(`h.status = $?`, f.Status)
	}
	switch f.Paired {
	case "yes":
		conds = append(conds, `ap.id IS NOT NULL`)
	case "no":
		conds = append(conds, `ap.id IS NULL`)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if scope == (auth.Scope{}) && !f.MaskedIDs {
			// Full ID numbers are visible: a name fragment or the tail of the ID.
			add(`(h.head_name LIKE '%' || $? || '%' ESCAPE '\' OR h.id_number LIKE '%' || upper($?) ESCAPE '\')`, escapeLike(q))
		} else {
			// The ID is masked for this viewer: only its visible last four
			// characters may be matched, and exactly, so that searching cannot
			// recover the hidden digits.
			add(`(h.head_name LIKE '%' || $? || '%' ESCAPE '\' OR right(h.id_number, 4) = upper($?))`, escapeLike(q))
		}
	}
	whereSQL := " WHERE " + strings.Join(conds, " AND ")
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM households h
		LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active'`+whereSQL, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.Households count: %w", err)
	}
	page := max(f.Page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	rows, _ := s.Pool.Query(ctx, householdSelect+whereSQL+fmt.Sprintf(
		` ORDER BY h.village_code, h.head_name COLLATE "zh-Hans-x-icu", h.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[HouseholdRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.Households: %w", err)
	}
	return out, total, nil
}

// Household returns the household id if it is in scope, else ErrNotFound.
func (s *Store) Household(ctx context.Context, scope auth.Scope, id int64) (HouseholdRow, error) {
	where, args := householdScope(scope, 2)
	rows, _ := s.Pool.Query(ctx, householdSelect+` WHERE h.id = $1 AND `+where, append([]any{id}, args...)...)
	h, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[HouseholdRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return HouseholdRow{}, ErrNotFound
	}
	if err != nil {
		return HouseholdRow{}, fmt.Errorf("store.Household %d: %w", id, err)
	}
	return h, nil
}

// MemberRow is one household member (家庭成员).
type MemberRow struct {
	ID       int64  `db:"id"`
	Name     string `db:"name"`
	Sex      string `db:"sex"`
	IDNumber string `db:"id_number"`
	Relation string `db:"relation"`
	Health   string `db:"health"`
	Labour   string `db:"labour"`
}

// Members returns the members of household id, the head first. The caller
// has already checked scope with Household.
func (s *Store) Members(ctx context.Context, householdID int64) ([]MemberRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, name, sex, id_number, relation, health, labour
		FROM household_members WHERE household_id = $1 ORDER BY relation <> '户主', id`, householdID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[MemberRow])
	if err != nil {
		return nil, fmt.Errorf("store.Members: %w", err)
	}
	return out, nil
}

// ErrDuplicateID is returned by CreateHousehold when the resident ID number is
// already registered; Holder names the household that has it.
type ErrDuplicateID struct {
	HouseholdID int64
	Holder      string // "<village> <head name>"
}

func (e *ErrDuplicateID) Error() string { return "身份证号已登记：" + e.Holder }

// CreateHousehold registers h with its head as the first member (户主), in one
// transaction with its audit event, and returns the new id. An ID number that
// another household or member already has returns *ErrDuplicateID.
func (s *Store) CreateHousehold(ctx context.Context, h household.Household, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var holderID int64
		var holder string
		err := tx.QueryRow(ctx, `SELECT hh.id, v.name || ' ' || hh.head_name FROM household_members m
			JOIN households hh ON hh.id = m.household_id JOIN divisions v ON v.code = hh.village_code
			WHERE m.id_number = $1
			UNION ALL SELECT hh.id, v.name || ' ' || hh.head_name FROM households hh JOIN divisions v ON v.code = hh.village_code
			WHERE hh.id_number = $1 LIMIT 1`, h.IDNumber).Scan(&holderID, &holder)
		if err == nil {
			return &ErrDuplicateID{HouseholdID: holderID, Holder: holder}
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var planned *int
		if h.PlannedExitYear != 0 {
			planned = &h.PlannedExitYear
		}
		other := h.OtherCauses
		if other == nil {
			other = []string{}
		}
		err = tx.QueryRow(ctx, `INSERT INTO households (village_code, group_name, head_name, id_number, phone, attribute, standard,
			main_cause, other_causes, identification_year, per_capita_income, planned_exit_year)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			h.VillageCode, h.GroupName, h.HeadName, h.IDNumber, h.Phone, h.Attribute, h.Standard,
			h.MainCause, other, h.IdentificationYear, h.PerCapitaIncome, planned).Scan(&id)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO household_members (household_id, name, sex, id_number, relation) VALUES ($1, $2, $3, $4, '户主')`,
			id, h.HeadName, h.HeadSex, h.IDNumber); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "household.create", "household", id, nil, map[string]any{
			"village_code": h.VillageCode, "head_name": h.HeadName, "main_cause": h.MainCause})
	})
	var dup *ErrDuplicateID
	if errors.As(err, &dup) {
		return 0, dup
	}
	if isUniqueViolation(err, "") {
		// A concurrent insert of the same ID number won the race.
		return 0, &ErrDuplicateID{Holder: "（刚刚由他人登记）"}
	}
	if err != nil {
		return 0, fmt.Errorf("store.CreateHousehold: %w", err)
	}
	return id, nil
}

// escapeLike escapes the LIKE wildcards % and _ and the escape character \
// in user input, for patterns written with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
