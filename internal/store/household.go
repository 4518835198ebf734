package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"golang.org/x/text/width"
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
	IDNumber           string          `db:"-"` // decrypted from id_enc
	Phone              string          `db:"-"` // decrypted from phone_enc; "" = none
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
	DeputyKind         string          `db:"deputy_kind"` // "" when unpaired
	Remark             string          `db:"remark"`
}

const householdSelect = `SELECT h.id, h.village_code, v.name AS village_name, h.township_code, t.name AS township_name,
	h.group_name, h.head_name, h.id_enc, h.phone_enc, h.attribute, h.standard, h.main_cause, h.other_causes,
	h.identification_year, h.per_capita_income, h.status, h.exited_year, h.monitoring, h.planned_exit_year,
	(SELECT count(*) FROM household_members m WHERE m.household_id = h.id)::int AS size,
	coalesce(ap.id, 0) AS pairing_id, coalesce(ap.deputy_id, 0) AS deputy_id, coalesce(dp.name, '') AS deputy_name, coalesce(dp.kind, '') AS deputy_kind, h.remark
FROM households h
JOIN divisions v ON v.code = h.village_code
JOIN divisions t ON t.code = h.township_code
LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active'
LEFT JOIN deputies dp ON dp.id = ap.deputy_id`

// householdScan is a HouseholdRow as read, with the sealed personal data
// that open decrypts into it.
type householdScan struct {
	HouseholdRow
	IDEnc    []byte `db:"id_enc"`
	PhoneEnc []byte `db:"phone_enc"`
}

// open returns the row with its ID number and phone decrypted.
func (s *Store) openHousehold(r householdScan) (HouseholdRow, error) {
	h := r.HouseholdRow
	var err error
	if h.IDNumber, err = s.Keys.Open(labelHouseholdID, r.IDEnc); err != nil {
		return h, fmt.Errorf("household %d: %w", h.ID, err)
	}
	if h.Phone, err = s.Keys.Open(labelHouseholdPhone, r.PhoneEnc); err != nil {
		return h, fmt.Errorf("household %d: %w", h.ID, err)
	}
	return h, nil
}

// HouseholdFilter narrows the household list. Empty fields do not filter.
// Query matches a name fragment of the head or of any member, its pinyin key
// (initials such as "zs" or full pinyin) or the ID number (the head's; the
// whole number also any member's): its last four characters, or (for
// viewers who see IDs in full) the whole number. ID numbers are stored
// encrypted, so these exact matches on keyed hashes are the only ID searches.
type HouseholdFilter struct {
	Division  string // township or village code
	Status    string
	Attribute string
	Cause     string // main or other poverty cause
	Paired    string // "yes", "no" or ""
	// PlannedYear is a planned exit year ("2026"), "" for any: the rows
	// behind the ranking's exit term.
	PlannedYear string
	Query       string
	Sort        string // "" = by surname strokes (按姓氏笔画), "pinyin", "village"
	Page        int    // 1-based
	// MaskedIDs is set when the viewer sees ID numbers masked: then Query
	// matches the ID's last four characters only, never the whole number,
	// so that searching cannot confirm hidden digits.
	MaskedIDs bool
}

// PageSize is the number of rows on one list page.
const PageSize = 50

// householdWhere returns the WHERE clause (with "WHERE") and arguments that
// select the households in scope matching f. Queries using it must join
// pairings as ap (active pairing) on h.
func (s *Store) householdWhere(scope auth.Scope, f HouseholdFilter) (string, []any) {
	where, args := householdScope(scope, 1)
	conds := []string{where}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	// Equality on the indexed columns: LIKE 'prefix%' cannot use a btree
	// index under the database's (non-C) collation.
	// A township or village code (digits only, so safe to write into the
	// statement) is a literal: the statement of one township's list then
	// has no parameters and PostgreSQL plans it once per connection, where
	// with a parameter it planned it again on every request (about 1 ms at
	// 100,000 households; the generic plan was estimated dearer).
	switch len(f.Division) {
	case 0:
	case 9:
		if allDigits(f.Division) {
			conds = append(conds, `h.township_code = '`+f.Division+`'`)
		} else {
			add(`h.township_code = $?`, f.Division)
		}
	case 12:
		if allDigits(f.Division) {
			conds = append(conds, `h.village_code = '`+f.Division+`'`)
		} else {
			add(`h.village_code = $?`, f.Division)
		}
	default:
		add(`h.village_code LIKE $? || '%'`, escapeLike(f.Division))
	}
	if f.Status != "" {
		add(`h.status = $?`, f.Status)
	}
	if f.Attribute != "" {
		add(`h.attribute = $?`, f.Attribute)
	}
	if f.Cause != "" {
		add(`(h.main_cause = $? OR $? = ANY (h.other_causes))`, f.Cause)
	}
	if y, err := strconv.Atoi(f.PlannedYear); err == nil {
		add(`h.planned_exit_year = $?`, y)
	}
	switch f.Paired {
	case "yes":
		conds = append(conds, `ap.id IS NOT NULL`)
	case "no":
		conds = append(conds, `ap.id IS NULL`)
	}
	if q := strings.TrimSpace(width.Fold.String(f.Query)); q != "" {
		// The head's name, or any member's (a spouse, a child).
		nameCond := `h.head_name LIKE '%' || $? || '%' ESCAPE '\'`
		memberCond := `m.name LIKE '%' || $? || '%' ESCAPE '\'`
		if pinyin.IsQuery(q) {
			nameCond += ` OR h.head_pinyin LIKE lower($?) || '%' ESCAPE '\' OR h.head_pinyin LIKE '%|%' || lower($?) || '%' ESCAPE '\'`
			memberCond += ` OR m.name_pinyin LIKE lower($?) || '%' ESCAPE '\' OR m.name_pinyin LIKE '%|%' || lower($?) || '%' ESCAPE '\'`
		}
		nameCond += ` OR EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = h.id AND (` + memberCond + `))`
		args = append(args, escapeLike(q))
		cond := strings.ReplaceAll(nameCond, "$?", fmt.Sprintf("$%d", len(args)))
		// ID numbers are stored encrypted: the ID searches compare keyed
		// hashes (personal.go), so a query of another length matches no ID.
		switch {
		case len(q) == 4:
			args = append(args, s.Keys.Hash(hashIDTail, strings.ToUpper(q)))
			cond += fmt.Sprintf(` OR h.id_tail_hash = $%d`, len(args))
		case len(q) == 18 && !f.MaskedIDs && scope == (auth.Scope{}):
			// The head's whole number or any member's.
			args = append(args, s.Keys.Hash(hashID, strings.ToUpper(q)))
			cond += fmt.Sprintf(` OR h.id_hash = $%d OR EXISTS (SELECT 1 FROM household_members m WHERE m.household_id = h.id AND m.id_hash = $%d)`, len(args), len(args))
		}
		conds = append(conds, "("+cond+")")
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// householdOrder is the ORDER BY of a household list sort.
func householdOrder(sort string) string {
	switch sort {
	case "pinyin":
		return ` ORDER BY h.head_name COLLATE zh_pinyin, h.id`
	case "village":
		return ` ORDER BY h.village_code, h.head_name COLLATE zh_stroke, h.id`
	}
	return ` ORDER BY h.head_name COLLATE zh_stroke, h.id`
}

// Households returns one page of the households in scope that match f, in
// the order f.Sort asks for, and the total count. A page past the end is
// empty; the caller shows the pager.
func (s *Store) Households(ctx context.Context, scope auth.Scope, f HouseholdFilter) ([]HouseholdRow, int, error) {
	whereSQL, args := s.householdWhere(scope, f)
	countSQL, countArgs := countHouseholdsSQL(scope, f, whereSQL, args)
	page := max(f.Page, 1)
	var (
		total   int
		scanned []householdScan
	)
	// The count and the page go in one round trip. LIMIT and OFFSET are
	// written into the statement (see householdWhere on planning).
	b := &pgx.Batch{}
	b.Queue(countSQL, countArgs...).QueryRow(func(row pgx.Row) error { return row.Scan(&total) })
	b.Queue(householdSelect+whereSQL+householdOrder(f.Sort)+fmt.Sprintf(` LIMIT %d OFFSET %d`, PageSize, (page-1)*PageSize), args...).
		Query(func(rows pgx.Rows) (err error) {
			scanned, err = pgx.CollectRows(rows, pgx.RowToStructByName[householdScan])
			return err
		})
	if err := s.Pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, 0, fmt.Errorf("store.Households: %w", err)
	}
	out := make([]HouseholdRow, len(scanned))
	var err error
	for i, r := range scanned {
		if out[i], err = s.openHousehold(r); err != nil {
			return nil, 0, fmt.Errorf("store.Households: %w", err)
		}
	}
	return out, total, nil
}

// countHouseholdsSQL is the statement counting the households matching f.
// A list narrowed only by division (within the viewer's township, if any)
// is counted from the summary kept by the triggers (stats_division, exact);
// other filters count the rows, joining pairings only when the filter needs
// them.
func countHouseholdsSQL(scope auth.Scope, f HouseholdFilter, whereSQL string, args []any) (string, []any) {
	onlyDivision := f.Status == "" && f.Attribute == "" && f.Cause == "" && f.Paired == "" && f.PlannedYear == "" &&
		strings.TrimSpace(f.Query) == "" && scope.DeputyID == 0
	division := f.Division
	if division == "" {
		division = scope.TownshipCode
	}
	if onlyDivision && division == "" {
		return `SELECT coalesce(sum(households), 0)::int FROM stats_division WHERE length(division_code) = 9`, nil
	}
	if onlyDivision && (scope.TownshipCode == "" || strings.HasPrefix(division, scope.TownshipCode)) && (len(division) == 9 || len(division) == 12) {
		return `SELECT coalesce((SELECT households FROM stats_division WHERE division_code = $1), 0)::int`, []any{division}
	}
	join := ""
	if f.Paired != "" {
		join = ` LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active'`
	}
	return `SELECT count(*)::int FROM households h` + join + whereSQL, args
}

// Household returns the household id if it is in scope, else ErrNotFound.
func (s *Store) Household(ctx context.Context, scope auth.Scope, id int64) (HouseholdRow, error) {
	where, args := householdScope(scope, 2)
	rows, _ := s.Pool.Query(ctx, householdSelect+` WHERE h.id = $1 AND `+where, append([]any{id}, args...)...)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[householdScan])
	if errors.Is(err, pgx.ErrNoRows) {
		return HouseholdRow{}, ErrNotFound
	}
	if err != nil {
		return HouseholdRow{}, fmt.Errorf("store.Household %d: %w", id, err)
	}
	h, err := s.openHousehold(r)
	if err != nil {
		return HouseholdRow{}, fmt.Errorf("store.Household: %w", err)
	}
	return h, nil
}

// MemberRow is one household member (家庭成员).
type MemberRow struct {
	ID          int64  `db:"id"`
	Name        string `db:"name"`
	Sex         string `db:"sex"`
	IDNumber    string `db:"-"` // decrypted from id_enc
	Relation    string `db:"relation"`
	Ethnicity   string `db:"ethnicity"`
	Education   string `db:"education"`
	Schooling   string `db:"schooling"`
	Health      string `db:"health"`
	Labour      string `db:"labour"`
	MigrantWork string `db:"migrant_work"`
}

// membersSQL reads the members of household $1 (id_enc sealed).
const membersSQL = `SELECT id, name, sex, id_enc, relation, ethnicity, education, schooling, health, labour, migrant_work
		FROM household_members WHERE household_id = $1 ORDER BY relation <> '户主', position, id`

// Members returns the members of household id, the head first, then in the
// order they were entered. The caller has already checked scope with
// Household.
func (s *Store) Members(ctx context.Context, householdID int64) ([]MemberRow, error) {
	rows, _ := s.Pool.Query(ctx, membersSQL, householdID)
	scanned, err := pgx.CollectRows(rows, pgx.RowToStructByName[memberScan])
	if err != nil {
		return nil, fmt.Errorf("store.Members: %w", err)
	}
	return s.openMembers(scanned)
}

// memberScan is a member row as stored, its ID number sealed.
type memberScan struct {
	MemberRow
	IDEnc []byte `db:"id_enc"`
}

// openMembers decrypts the members' ID numbers.
func (s *Store) openMembers(scanned []memberScan) ([]MemberRow, error) {
	var err error
	out := make([]MemberRow, len(scanned))
	for i, m := range scanned {
		out[i] = m.MemberRow
		if out[i].IDNumber, err = s.Keys.Open(labelMemberID, m.IDEnc); err != nil {
			return nil, fmt.Errorf("store.Members: member %d: %w", m.ID, err)
		}
	}
	return out, nil
}

// ErrDuplicateID is returned when a resident ID number being saved is
// already registered in another household; Holder names that household.
type ErrDuplicateID struct {
	IDNumber    string // the number that is taken
	HouseholdID int64
	Holder      string // "<village> <head name>"
}

func (e *ErrDuplicateID) Error() string { return "身份证号已登记：" + e.Holder }

// ErrUnchanged is returned by UpdateHousehold when the saved form equals the
// stored record: nothing is written, no version is used up.
var ErrUnchanged = errors.New("unchanged")

func sameMemberIDs(a, b household.Household) bool {
	if len(a.Members) != len(b.Members) {
		return false
	}
	for i := range a.Members {
		if a.Members[i].IDNumber != b.Members[i].IDNumber {
			return false
		}
	}
	return true
}

// ErrVersionConflict is returned when a record was changed by someone else
// since the editor loaded it (optimistic locking on the version column).
var ErrVersionConflict = errors.New("version conflict")

// checkIDsFree returns *ErrDuplicateID if any of ids is the ID number of a
// member (heads are members too) of a household other than except. It
// compares keyed hashes: the stored numbers are encrypted.
func (s *Store) checkIDsFree(ctx context.Context, tx pgx.Tx, ids []string, except int64) error {
	hashes := make([][]byte, len(ids))
	for i, id := range ids {
		hashes[i] = s.Keys.Hash(hashID, id)
	}
	var e ErrDuplicateID
	var hash []byte
	err := tx.QueryRow(ctx, `SELECT m.id_hash, hh.id, v.name || ' ' || hh.head_name FROM household_members m
		JOIN households hh ON hh.id = m.household_id JOIN divisions v ON v.code = hh.village_code
		WHERE m.id_hash = ANY ($1) AND m.household_id <> $2
		UNION ALL SELECT hh.id_hash, hh.id, v.name || ' ' || hh.head_name FROM households hh
		JOIN divisions v ON v.code = hh.village_code WHERE hh.id_hash = ANY ($1) AND hh.id <> $2
		LIMIT 1`, hashes, except).Scan(&hash, &e.HouseholdID, &e.Holder)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	for i, h := range hashes {
		if bytes.Equal(h, hash) {
			e.IDNumber = ids[i]
		}
	}
	return &e
}

// allIDs lists the ID numbers of h: the head's, then the members'.
func allIDs(h household.Household) []string {
	ids := []string{h.IDNumber}
	for _, m := range h.Members {
		ids = append(ids, m.IDNumber)
	}
	return ids
}

// writeMembers replaces the members of household id with h's head (position
// 0, relation 户主) and members (positions 1..n).
func (s *Store) writeMembers(ctx context.Context, tx pgx.Tx, id int64, h household.Household) error {
	if _, err := tx.Exec(ctx, `DELETE FROM household_members WHERE household_id = $1`, id); err != nil {
		return err
	}
	hd := h.Head
	k := s.Keys
	rows := [][]any{{id, h.HeadName, h.HeadSex, k.Seal(labelMemberID, h.IDNumber), k.Hash(hashID, h.IDNumber), "户主",
		hd.Ethnicity, hd.Education, hd.Schooling, hd.Health, hd.Labour, hd.MigrantWork, 0}}
	for i, m := range h.Members {
		rows = append(rows, []any{id, m.Name, m.Sex, k.Seal(labelMemberID, m.IDNumber), k.Hash(hashID, m.IDNumber), m.Relation,
			m.Ethnicity, m.Education, m.Schooling, m.Health, m.Labour, m.MigrantWork, i + 1})
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"household_members"},
		[]string{"household_id", "name", "sex", "id_enc", "id_hash", "relation", "ethnicity", "education", "schooling", "health", "labour", "migrant_work", "position"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return err
	}
	_, err = FillMemberPinyin(ctx, tx)
	return err
}

// snapshot is what the audit trail records of a household.
func snapshot(h household.Household) map[string]any {
	members := make([]string, len(h.Members))
	for i, m := range h.Members {
		members[i] = fmt.Sprintf("%s %s（%s，%s，%s，%s，%s）", m.Relation, m.Name, tail(m.IDNumber), orNone(m.Education), orNone(m.Schooling), m.Health, m.Labour)
	}
	return map[string]any{
		"village_code": h.VillageCode, "group_name": h.GroupName, "head_name": h.HeadName, "head_sex": h.HeadSex,
		"id_number_tail": tail(h.IDNumber), "phone": household.MaskPhone(h.Phone), "attribute": h.Attribute, "standard": h.Standard,
		"main_cause": h.MainCause, "other_causes": h.OtherCauses, "identification_year": h.IdentificationYear,
		"per_capita_income": h.PerCapitaIncome.StringFixed(2), "planned_exit_year": h.PlannedExitYear,
		"remark": h.Remark, "members": members,
		"head": fmt.Sprintf("%s，%s，%s，%s", orNone(h.Head.Education), h.Head.Health, h.Head.Labour, orNone(h.Head.MigrantWork)),
	}
}

func orNone(s string) string {
	if s == "" {
		return "无"
	}
	return s
}

// tail keeps the last four characters of an ID number: audit rows must not
// hold whole ID numbers (they are personal data).
func tail(id string) string {
	if len(id) < 4 {
		return id
	}
	return "…" + id[len(id)-4:]
}

func nullYear(y int) *int {
	if y == 0 {
		return nil
	}
	return &y
}

// CreateHousehold registers h with its head as the first member (户主) and
// its other members, in one transaction with its audit event and first status
// history row, and returns the new id. An ID number that another household
// already has (as head or member) returns *ErrDuplicateID.
func (s *Store) CreateHousehold(ctx context.Context, h household.Household, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.checkIDsFree(ctx, tx, allIDs(h), 0); err != nil {
			return err
		}
		other := h.OtherCauses
		if other == nil {
			other = []string{}
		}
		p := s.sealHousehold(h.IDNumber, h.Phone)
		err := tx.QueryRow(ctx, `INSERT INTO households (village_code, group_name, head_name, head_pinyin,
			id_enc, id_hash, id_tail_hash, phone_enc, phone_hash, attribute,
			standard, main_cause, other_causes, identification_year, per_capita_income, planned_exit_year, remark)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
			h.VillageCode, h.GroupName, h.HeadName, pinyin.Key(h.HeadName), p.idEnc, p.idHash, p.idTailHash, p.phoneEnc,
			p.phoneHash, h.Attribute, h.Standard,
			h.MainCause, other, h.IdentificationYear, h.PerCapitaIncome, nullYear(h.PlannedExitYear), h.Remark).Scan(&id)
		if err != nil {
			return err
		}
		if err := s.writeMembers(ctx, tx, id, h); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO household_status_history (household_id, status, changed_by, note)
			VALUES ($1, 'not_exited', $2, '登记')`, id, nullID(actorID)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "household.create", "household", id, nil, snapshot(h))
	})
	var dup *ErrDuplicateID
	if errors.As(err, &dup) {
		return 0, dup
	}
	if isUniqueViolation(err, "") {
		// A concurrent insert of the same ID number won the race.
		return 0, &ErrDuplicateID{IDNumber: h.IDNumber, Holder: "（刚刚由他人登记）"}
	}
	if err != nil {
		return 0, fmt.Errorf("store.CreateHousehold: %w", err)
	}
	return id, nil
}

// HouseholdRecord returns household id in scope as the domain type (with its
// members) and its version, for the edit form and the audit "before".
func (s *Store) HouseholdRecord(ctx context.Context, scope auth.Scope, id int64) (household.Household, int, error) {
	row, err := s.Household(ctx, scope, id)
	if err != nil {
		return household.Household{}, 0, err
	}
	var version int
	var remark string
	if err := s.Pool.QueryRow(ctx, `SELECT version, remark FROM households WHERE id = $1`, id).Scan(&version, &remark); err != nil {
		return household.Household{}, 0, fmt.Errorf("store.HouseholdRecord: %w", err)
	}
	members, err := s.Members(ctx, id)
	if err != nil {
		return household.Household{}, 0, err
	}
	h := household.Household{VillageCode: row.VillageCode, GroupName: row.GroupName, HeadName: row.HeadName,
		IDNumber: row.IDNumber, Phone: row.Phone, Attribute: row.Attribute, Standard: row.Standard,
		MainCause: row.MainCause, OtherCauses: row.OtherCauses, IdentificationYear: row.IdentificationYear,
		PerCapitaIncome: row.PerCapitaIncome, Remark: remark}
	if row.PlannedExitYear != nil {
		h.PlannedExitYear = *row.PlannedExitYear
	}
	for _, m := range members {
		if m.Relation == "户主" && m.IDNumber == row.IDNumber {
			h.HeadSex = m.Sex
			h.Head = household.Member{Name: m.Name, Sex: m.Sex, IDNumber: m.IDNumber, Relation: m.Relation,
				Ethnicity: m.Ethnicity, Education: m.Education, Schooling: m.Schooling, Health: m.Health, Labour: m.Labour,
				MigrantWork: m.MigrantWork}
			continue
		}
		h.Members = append(h.Members, household.Member{Name: m.Name, Sex: m.Sex, IDNumber: m.IDNumber, Relation: m.Relation,
			Ethnicity: m.Ethnicity, Education: m.Education, Schooling: m.Schooling, Health: m.Health, Labour: m.Labour,
			MigrantWork: m.MigrantWork})
	}
	return h, version, nil
}

// UpdateHousehold saves h over household id if it is in scope and still at
// version (else ErrVersionConflict), replacing its members, bumping the
// version, with an audit event holding before and after. An ID number taken
// by another household returns *ErrDuplicateID; out of scope, ErrNotFound.
func (s *Store) UpdateHousehold(ctx context.Context, scope auth.Scope, id int64, version int, h household.Household, actorID int64) error {
	before, _, err := s.HouseholdRecord(ctx, scope, id)
	if err != nil {
		return err
	}
	b, _ := json.Marshal(snapshot(before))
	a, _ := json.Marshal(snapshot(h))
	if bytes.Equal(b, a) && before.IDNumber == h.IDNumber && before.Phone == h.Phone && sameMemberIDs(before, h) {
		return ErrUnchanged
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var current int
		if err := tx.QueryRow(ctx, `SELECT version FROM households WHERE id = $1 FOR UPDATE`, id).Scan(&current); err != nil {
			return err
		}
		if current != version {
			return ErrVersionConflict
		}
		if err := s.checkIDsFree(ctx, tx, allIDs(h), id); err != nil {
			return err
		}
		other := h.OtherCauses
		if other == nil {
			other = []string{}
		}
		p := s.sealHousehold(h.IDNumber, h.Phone)
		if _, err := tx.Exec(ctx, `UPDATE households SET village_code = $2, group_name = $3, head_name = $4, head_pinyin = $5,
			id_enc = $6, id_hash = $7, id_tail_hash = $8, phone_enc = $9, phone_hash = $10, attribute = $11, standard = $12,
			main_cause = $13, other_causes = $14, identification_year = $15, per_capita_income = $16, planned_exit_year = $17,
			remark = $18, version = version + 1, updated_at = now() WHERE id = $1`,
			id, h.VillageCode, h.GroupName, h.HeadName, pinyin.Key(h.HeadName), p.idEnc, p.idHash, p.idTailHash, p.phoneEnc,
			p.phoneHash, h.Attribute, h.Standard,
			h.MainCause, other, h.IdentificationYear, h.PerCapitaIncome, nullYear(h.PlannedExitYear), h.Remark); err != nil {
			return err
		}
		if err := s.writeMembers(ctx, tx, id, h); err != nil {
			return err
		}
		after := snapshot(h)
		// A changed ID number or phone is recorded as changed even when
		// its masked form (all the log may hold) reads the same.
		if before.IDNumber != h.IDNumber {
			after["id_number_changed"] = true
		}
		if before.Phone != h.Phone {
			after["phone_changed"] = true
		}
		if !sameMemberIDs(before, h) {
			after["member_id_numbers_changed"] = true
		}
		return audit(ctx, tx, actorID, "household.update", "household", id, snapshot(before), after)
	})
	var dup *ErrDuplicateID
	switch {
	case errors.As(err, &dup):
		return dup
	case errors.Is(err, ErrVersionConflict):
		return ErrVersionConflict
	case errors.Is(err, ErrUnchanged):
		return ErrUnchanged
	case err != nil:
		return fmt.Errorf("store.UpdateHousehold %d: %w", id, err)
	}
	return nil
}

// StatusRow is one row of a household's status history.
type StatusRow struct {
	Status     string    `db:"status"`
	ExitedYear *int      `db:"exited_year"`
	Monitoring string    `db:"monitoring"`
	Note       string    `db:"note"`
	ChangedBy  string    `db:"changed_by"`
	ChangedAt  time.Time `db:"changed_at"`
}

// statusHistorySQL reads the status changes of household $1.
const statusHistorySQL = `SELECT sh.status, sh.exited_year, sh.monitoring, sh.note,
		coalesce(u.display_name, '系统') AS changed_by, sh.changed_at
		FROM household_status_history sh LEFT JOIN users u ON u.id = sh.changed_by
		WHERE sh.household_id = $1 ORDER BY sh.id`

// StatusHistory returns the status changes of a household, oldest first.
func (s *Store) StatusHistory(ctx context.Context, householdID int64) ([]StatusRow, error) {
	rows, _ := s.Pool.Query(ctx, statusHistorySQL, householdID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[StatusRow])
	if err != nil {
		return nil, fmt.Errorf("store.StatusHistory: %w", err)
	}
	return out, nil
}

// ChangeHouseholdStatus sets the status (and exit year) and monitoring flag of
// household id in scope, appends a status history row and an audit event, in
// one transaction.
func (s *Store) ChangeHouseholdStatus(ctx context.Context, scope auth.Scope, id int64, c household.StatusChange, actorID int64) error {
	row, err := s.Household(ctx, scope, id)
	if err != nil {
		return err
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		exited := nullYear(c.ExitedYear)
		if c.Status == "not_exited" {
			exited = nil
		}
		if _, err := tx.Exec(ctx, `UPDATE households SET status = $2, exited_year = $3, monitoring = $4,
			version = version + 1, updated_at = now() WHERE id = $1`, id, c.Status, exited, c.Monitoring); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO household_status_history (household_id, status, exited_year, monitoring, note, changed_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, id, c.Status, exited, c.Monitoring, c.Note, nullID(actorID)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "household.status", "household", id,
			map[string]any{"status": row.Status, "exited_year": row.ExitedYear, "monitoring": row.Monitoring},
			map[string]any{"status": c.Status, "exited_year": exited, "monitoring": c.Monitoring, "note": c.Note})
	})
	if err != nil {
		return fmt.Errorf("store.ChangeHouseholdStatus %d: %w", id, err)
	}
	return nil
}

// escapeLike escapes the LIKE wildcards % and _ and the escape character \
// in user input, for patterns written with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// VillageHouseholdIDs returns the ids of the households registered in the
// village villageCode that scope may see, in roster order (head's name by
// surname strokes, then id). A village without households, or outside the
// scope, gives an empty list.
func (s *Store) VillageHouseholdIDs(ctx context.Context, scope auth.Scope, villageCode string) ([]int64, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT h.id FROM households h
		WHERE h.village_code = $1 AND ($2 = '' OR h.village_code LIKE $2 || '%')
		  AND ($3 = 0 OR EXISTS (SELECT 1 FROM pairings p WHERE p.household_id = h.id AND p.status = 'active' AND p.deputy_id = $3))
		ORDER BY h.head_name COLLATE zh_stroke, h.id`, villageCode, scope.TownshipCode, scope.DeputyID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("store.VillageHouseholdIDs %s: %w", villageCode, err)
	}
	return ids, nil
}
