package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// ImportHousehold is one household of a bulk import (the Excel roster): the
// validated household with its head and members, its 脱贫状态 and exit year,
// and Row, the source row of its head (echoed in IDConflict so that the page
// can show the conflict against the row). Its fields are exactly those of
// xlsx.Household, so the web layer converts with store.ImportHousehold(h).
type ImportHousehold struct {
	household.Household
	Status     string // not_exited, exited or relapsed
	ExitedYear int    // 0 = none
	Row        int
}

// ImportResult counts what ImportHouseholds did, in households.
type ImportResult struct {
	Created, Updated, Unchanged int
}

// IDConflict is an ID number in the import that belongs to a member of a
// different household than the one it is imported into.
type IDConflict struct {
	IDNumber    string
	Row         int    // ImportHousehold.Row of the household importing it
	HouseholdID int64  // the household that has it (0: another household of the same import)
	Holder      string // "<村> <户主>", as shown to the user
}

// ErrImportConflict is returned by ImportHouseholds, with nothing committed,
// when ID numbers of the import are held by other households.
type ErrImportConflict struct {
	Conflicts []IDConflict // in import order
}

func (e *ErrImportConflict) Error() string {
	parts := make([]string, 0, min(len(e.Conflicts), 5))
	for i, c := range e.Conflicts {
		if i == 5 {
			break
		}
		parts = append(parts, fmt.Sprintf("第%d行 …%s 已登记在 %s", c.Row, tail(c.IDNumber), c.Holder))
	}
	return fmt.Sprintf("store.ImportHouseholds: %d个身份证号已属于其他户：%s", len(e.Conflicts), strings.Join(parts, "；"))
}

// importSnapshot is the audit "before"/"after" of an imported household, in
// SQL over a row alias with the households columns, in a statement where i
// is the import_households row (whose head ID, and so its tail, is the
// household's): like snapshot, it never holds a whole ID number.
func importSnapshot(a string) string {
	return strings.NewReplacer("$", a).Replace(`jsonb_build_object('village_code', $.village_code, 'group_name', $.group_name,
		'head_name', $.head_name, 'id_number_tail', '…' || i.id_tail, 'phone_set', $.phone_enc IS NOT NULL,
		'attribute', $.attribute, 'standard', $.standard, 'main_cause', $.main_cause, 'other_causes', $.other_causes,
		'identification_year', $.identification_year, 'per_capita_income', $.per_capita_income::text,
		'status', $.status, 'exited_year', $.exited_year, 'planned_exit_year', $.planned_exit_year, 'remark', $.remark)`)
}

// ImportHouseholds saves hs, all or nothing, in one transaction, matching
// each household on its head's ID number: a household not yet registered is
// created (head first as 户主 at position 0, then its members at 1..n); a
// registered one whose values or members differ is updated (version + 1,
// members replaced); an identical one is left alone, so importing the same
// roster twice changes nothing the second time. A change of status (and every
// created household) gets a status history row; the monitoring flag, which
// the roster does not carry, is kept. Every created or updated household gets
// a 'household.import' audit event and the import one summary event.
//
// An ID number (head or member) that belongs to a member of a different
// household returns *ErrImportConflict listing each one with its holder.
// The work is set-based (COPY into temporary tables, then one statement per
// step), so 10,000 households take a few seconds. ID numbers and phones are
// sealed and hashed in Go before the COPY: the statements match and compare
// keyed hashes, never plaintext (personal.go).
func (s *Store) ImportHouseholds(ctx context.Context, hs []ImportHousehold, actorID int64) (ImportResult, error) {
	var res ImportResult
	if conflicts := importDuplicates(hs); len(conflicts) > 0 {
		return res, &ErrImportConflict{Conflicts: conflicts}
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_households (
				idx int PRIMARY KEY, village_code text, group_name text, head_name text, head_pinyin text,
				id_enc bytea, id_hash bytea, id_tail_hash bytea, id_tail text, phone_enc bytea, phone_hash bytea, attribute text, standard text, main_cause text, other_causes text[],
				identification_year int, per_capita_income numeric(14, 2), status text, exited_year int,
				planned_exit_year int, remark text, household_id bigint, is_new boolean NOT NULL DEFAULT false,
				changed boolean NOT NULL DEFAULT false, status_changed boolean NOT NULL DEFAULT false, before jsonb
			) ON COMMIT DROP;
			CREATE TEMP TABLE import_members (
				idx int, position int, name text, sex text, id_enc bytea, id_hash bytea, relation text, ethnicity text,
				education text, schooling text, health text, labour text, migrant_work text
			) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_households"},
			[]string{"idx", "village_code", "group_name", "head_name", "head_pinyin", "id_enc", "id_hash", "id_tail_hash",
				"id_tail", "phone_enc", "phone_hash", "attribute",
				"standard", "main_cause", "other_causes", "identification_year", "per_capita_income", "status",
				"exited_year", "planned_exit_year", "remark"},
			pgx.CopyFromSlice(len(hs), func(i int) ([]any, error) {
				h := hs[i]
				other := h.OtherCauses
				if other == nil {
					other = []string{}
				}
				status := h.Status
				if status == "" {
					status = "not_exited"
				}
				p := s.sealHousehold(h.IDNumber, h.Phone)
				return []any{i, h.VillageCode, h.GroupName, h.HeadName, pinyin.Key(h.HeadName), p.idEnc, p.idHash,
					p.idTailHash, idTail(h.IDNumber), p.phoneEnc, p.phoneHash, h.Attribute, h.Standard, h.MainCause, other, h.IdentificationYear, h.PerCapitaIncome, status,
					nullYear(h.ExitedYear), nullYear(h.PlannedExitYear), h.Remark}, nil
			})); err != nil {
			return fmt.Errorf("copy households: %w", err)
		}
		var members [][]any
		for i, h := range hs {
			hd := h.Head
			members = append(members, []any{i, 0, h.HeadName, h.HeadSex, s.Keys.Seal(labelMemberID, h.IDNumber),
				s.Keys.Hash(hashID, h.IDNumber), "户主", orDefault(hd.Ethnicity, "汉族"),
				hd.Education, hd.Schooling, orDefault(hd.Health, "健康"), orDefault(hd.Labour, "普通劳动力"), hd.MigrantWork})
			for j, m := range h.Members {
				members = append(members, []any{i, j + 1, m.Name, m.Sex, s.Keys.Seal(labelMemberID, m.IDNumber),
					s.Keys.Hash(hashID, m.IDNumber), m.Relation, orDefault(m.Ethnicity, "汉族"),
					m.Education, m.Schooling, orDefault(m.Health, "健康"), orDefault(m.Labour, "普通劳动力"), m.MigrantWork})
			}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_members"},
			[]string{"idx", "position", "name", "sex", "id_enc", "id_hash", "relation", "ethnicity", "education", "schooling",
				"health", "labour", "migrant_work"}, pgx.CopyFromRows(members)); err != nil {
			return fmt.Errorf("copy members: %w", err)
		}
		// Temporary tables have no statistics until analysed; without them
		// the planner picks nested loops over tens of thousands of rows.
		if _, err := tx.Exec(ctx, `ANALYZE import_households; ANALYZE import_members`); err != nil {
			return err
		}

		// Match on the head's ID number, locking the households matched so
		// that a concurrent edit waits for the import (or the import for it).
		if _, err := tx.Exec(ctx, `UPDATE import_households i SET household_id = h.id
			FROM (SELECT h.id, h.id_hash FROM households h JOIN import_households i ON i.id_hash = h.id_hash
				ORDER BY h.id FOR UPDATE OF h) h
			WHERE h.id_hash = i.id_hash`); err != nil {
			return fmt.Errorf("match: %w", err)
		}

		conflicts, err := importConflicts(ctx, tx, hs)
		if err != nil {
			return err
		}
		if len(conflicts) > 0 {
			return &ErrImportConflict{Conflicts: conflicts}
		}

		// What changed: household columns, status, or the ordered members.
		// Analysed again first: household_id was all NULL at the first
		// ANALYZE, and with that estimate the planner loops over every
		// member for every household (seconds instead of milliseconds).
		if _, err := tx.Exec(ctx, `ANALYZE import_households`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `WITH old_m AS (
				SELECT m.household_id, array_agg(ROW(m.name, m.sex, m.id_hash, m.relation, m.ethnicity, m.education,
					m.schooling, m.health, m.labour, m.migrant_work)::text ORDER BY m.relation <> '户主', m.position, m.id) AS ms
				FROM household_members m JOIN import_households i ON i.household_id = m.household_id
				GROUP BY m.household_id),
			new_m AS (
				SELECT idx, array_agg(ROW(name, sex, id_hash, relation, ethnicity, education, schooling, health,
					labour, migrant_work)::text ORDER BY position) AS ms
				FROM import_members GROUP BY idx)
			UPDATE import_households i SET
				changed = (h.village_code, h.group_name, h.head_name, h.phone_hash, h.attribute, h.standard, h.main_cause,
						h.other_causes, h.identification_year, h.per_capita_income, h.status, h.exited_year,
						h.planned_exit_year, h.remark)
					IS DISTINCT FROM (i.village_code, i.group_name, i.head_name, i.phone_hash, i.attribute, i.standard,
						i.main_cause, i.other_causes, i.identification_year, i.per_capita_income, i.status,
						i.exited_year, i.planned_exit_year, i.remark)
					OR h.old_ms IS DISTINCT FROM n.ms,
				status_changed = (h.status, h.exited_year) IS DISTINCT FROM (i.status, i.exited_year),
				before = `+importSnapshot("h")+`
			FROM (SELECT h.*, o.ms AS old_ms FROM households h LEFT JOIN old_m o ON o.household_id = h.id) h, new_m n
			WHERE h.id = i.household_id AND n.idx = i.idx`); err != nil {
			return fmt.Errorf("compare: %w", err)
		}

		if _, err := tx.Exec(ctx, `WITH ins AS (
				INSERT INTO households (village_code, group_name, head_name, head_pinyin, id_enc, id_hash, id_tail_hash,
					phone_enc, phone_hash, attribute,
					standard, main_cause, other_causes, identification_year, per_capita_income, status, exited_year,
					planned_exit_year, remark)
				SELECT village_code, group_name, head_name, head_pinyin, id_enc, id_hash, id_tail_hash, phone_enc, phone_hash,
					attribute, standard,
					main_cause, other_causes, identification_year, per_capita_income, status, exited_year,
					planned_exit_year, remark
				FROM import_households WHERE household_id IS NULL ORDER BY idx
				RETURNING id, id_hash)
			UPDATE import_households i SET household_id = ins.id, is_new = true FROM ins WHERE ins.id_hash = i.id_hash`); err != nil {
			return fmt.Errorf("insert households: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE households h SET village_code = i.village_code, group_name = i.group_name,
				head_name = i.head_name, head_pinyin = i.head_pinyin, phone_enc = i.phone_enc, phone_hash = i.phone_hash,
				attribute = i.attribute,
				standard = i.standard, main_cause = i.main_cause, other_causes = i.other_causes,
				identification_year = i.identification_year, per_capita_income = i.per_capita_income,
				status = i.status, exited_year = i.exited_year, planned_exit_year = i.planned_exit_year,
				remark = i.remark, version = h.version + 1, updated_at = now()
			FROM import_households i WHERE i.household_id = h.id AND i.changed AND NOT i.is_new`); err != nil {
			return fmt.Errorf("update households: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM household_members m USING import_households i
			WHERE m.household_id = i.household_id AND i.changed AND NOT i.is_new`); err != nil {
			return fmt.Errorf("delete members: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO household_members (household_id, name, sex, id_enc, id_hash, relation, ethnicity,
				education, schooling, health, labour, migrant_work, position)
			SELECT i.household_id, m.name, m.sex, m.id_enc, m.id_hash, m.relation, m.ethnicity, m.education, m.schooling,
				m.health, m.labour, m.migrant_work, m.position
			FROM import_members m JOIN import_households i ON i.idx = m.idx
			WHERE i.is_new OR i.changed ORDER BY m.idx, m.position`); err != nil {
			return fmt.Errorf("insert members: %w", err)
		}
		if _, err := FillMemberPinyin(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO household_status_history (household_id, status, exited_year, monitoring, note, changed_by)
			SELECT i.household_id, i.status, i.exited_year, h.monitoring, CASE WHEN i.is_new THEN '登记（Excel导入）' ELSE 'Excel导入' END, $1
			FROM import_households i JOIN households h ON h.id = i.household_id
			WHERE i.is_new OR i.status_changed ORDER BY i.idx`, nullID(actorID)); err != nil {
			return fmt.Errorf("status history: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_events (user_id, action, entity, entity_id, before, after)
			SELECT $1, 'household.import', 'household', i.household_id, CASE WHEN i.is_new THEN NULL ELSE i.before END,
				`+importSnapshot("i")+`
			FROM import_households i WHERE i.is_new OR i.changed ORDER BY i.idx`, nullID(actorID)); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE changed AND NOT is_new),
			count(*) FILTER (WHERE NOT changed AND NOT is_new) FROM import_households`).Scan(&res.Created, &res.Updated, &res.Unchanged); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_events (user_id, action, entity, entity_id, before, after)
			VALUES ($1, 'household.import', 'household_import', NULL, NULL, $2)`, nullID(actorID),
			map[string]int{"households": len(hs), "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged})
		return err
	})
	var conflict *ErrImportConflict
	switch {
	case errors.As(err, &conflict):
		return ImportResult{}, conflict
	case isUniqueViolation(err, ""):
		// A concurrent registration of one of the ID numbers won the race.
		return ImportResult{}, &ErrImportConflict{Conflicts: []IDConflict{{Holder: "（刚刚由他人登记）"}}}
	case err != nil:
		return ImportResult{}, fmt.Errorf("store.ImportHouseholds: %w", err)
	}
	return res, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// importDuplicates finds ID numbers that appear twice in hs (the reader
// refuses such files; other callers may not).
func importDuplicates(hs []ImportHousehold) []IDConflict {
	seen := map[string]int{}
	var out []IDConflict
	for i, h := range hs {
		ids := []string{h.IDNumber}
		for _, m := range h.Members {
			ids = append(ids, m.IDNumber)
		}
		for _, id := range ids {
			if j, dup := seen[id]; dup {
				holder := fmt.Sprintf("本次导入的另一户（%s）", hs[j].HeadName)
				if j == i {
					holder = "本户另一成员"
				}
				out = append(out, IDConflict{IDNumber: id, Row: h.Row, Holder: holder})
				continue
			}
			seen[id] = i
		}
	}
	return out
}

// importConflicts lists the ID numbers of the import held by a member (or
// as head ID) of a household other than the one they are imported into.
func importConflicts(ctx context.Context, tx pgx.Tx, hs []ImportHousehold) ([]IDConflict, error) {
	rows, _ := tx.Query(ctx, `SELECT i.idx, im.position, hh.id, v.name || ' ' || hh.head_name
		FROM import_members im JOIN import_households i ON i.idx = im.idx
		JOIN household_members m ON m.id_hash = im.id_hash
		JOIN households hh ON hh.id = m.household_id JOIN divisions v ON v.code = hh.village_code
		WHERE i.household_id IS DISTINCT FROM m.household_id
		UNION
		SELECT i.idx, im.position, hh.id, v.name || ' ' || hh.head_name
		FROM import_members im JOIN import_households i ON i.idx = im.idx
		JOIN households hh ON hh.id_hash = im.id_hash JOIN divisions v ON v.code = hh.village_code
		WHERE i.household_id IS DISTINCT FROM hh.id
		ORDER BY 1, 2`)
	var out []IDConflict
	seen := map[string]bool{}
	var c IDConflict
	var idx, position int
	_, err := pgx.ForEachRow(rows, []any{&idx, &position, &c.HouseholdID, &c.Holder}, func() error {
		// The stored numbers are encrypted: the conflicting one is the
		// import's own, at (idx, position).
		c.IDNumber = hs[idx].IDNumber
		if position > 0 {
			c.IDNumber = hs[idx].Members[position-1].IDNumber
		}
		if !seen[c.IDNumber] {
			seen[c.IDNumber] = true
			c.Row = hs[idx].Row
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("conflicts: %w", err)
	}
	return out, nil
}

// ExportHousehold is one household as exported: the household with its head
// and members in order, status, exit year and place names. Its fields are
// exactly those of xlsx.ExportHousehold, so the web layer converts with
// xlsx.ExportHousehold(row) (after masking, for viewers who see masked data).
type ExportHousehold struct {
	household.Household
	Status       string
	ExitedYear   int
	TownshipName string
	VillageName  string
}

// exportBatch is how many households ExportHouseholds reads per query
// (a variable for tests: SetExportBatch).
var exportBatch = 2000

// ExportHouseholds calls fn for every household in scope that matches f (the
// list's filters; Page is ignored), ordered by village, then head name in
// stroke order (按姓氏笔画), with the head first and the members in their
// order. Households are read in keyset batches of exportBatch, each in one
// short query whose connection is back in the pool before fn is called, so
// memory does not grow with the county and fn may use the database (no
// connection is held while waiting for another). Data is raw (ID numbers
// and phones decrypted): masking them is the caller's job. A value that
// does not decrypt stops the export with an error, as does an error from
// fn, which is returned.
func (s *Store) ExportHouseholds(ctx context.Context, scope auth.Scope, f HouseholdFilter, fn func(ExportHousehold) error) error {
	where, args := s.householdWhere(scope, f)
	var last *exportKey
	for {
		batch, keys, err := s.exportHouseholdBatch(ctx, where, args, last)
		if err != nil {
			return fmt.Errorf("store.ExportHouseholds: %w", err)
		}
		for _, h := range batch {
			if err := fn(h); err != nil {
				return err
			}
		}
		if len(batch) < exportBatch {
			return nil
		}
		last = &keys[len(keys)-1]
	}
}

// exportKey is where a batch of ExportHouseholds ends (its sort key).
type exportKey struct {
	village, head string
	id            int64
}

// exportHouseholdBatch reads the next exportBatch households after last
// (nil: from the start) and their sort keys.
func (s *Store) exportHouseholdBatch(ctx context.Context, where string, args []any, last *exportKey) ([]ExportHousehold, []exportKey, error) {
	args = slices.Clone(args)
	if last != nil {
		args = append(args, last.village, last.head, last.id)
		n := len(args)
		where += fmt.Sprintf(` AND (h.village_code, h.head_name COLLATE zh_stroke, h.id) > ($%d, $%d COLLATE zh_stroke, $%d)`, n-2, n-1, n)
	}
	rows, err := s.Pool.Query(ctx, `WITH batch AS (
			SELECT h.id FROM households h
			JOIN divisions v ON v.code = h.village_code
			JOIN divisions t ON t.code = h.township_code
			LEFT JOIN pairings ap ON ap.household_id = h.id AND ap.status = 'active'`+where+`
			ORDER BY h.village_code, h.head_name COLLATE zh_stroke, h.id
			LIMIT `+strconv.Itoa(exportBatch)+`)
		SELECT h.id, h.village_code, v.name, t.name, h.group_name, h.head_name, h.id_enc,
			h.phone_enc, h.attribute, h.standard, h.main_cause, h.other_causes, h.identification_year, h.per_capita_income,
			h.status, coalesce(h.exited_year, 0), coalesce(h.planned_exit_year, 0), h.remark,
			coalesce(m.name, ''), coalesce(m.sex, ''), m.id_enc, coalesce(m.relation = '户主' AND m.id_hash = h.id_hash, false),
			coalesce(m.relation, ''),
			coalesce(m.ethnicity, ''), coalesce(m.education, ''), coalesce(m.schooling, ''), coalesce(m.health, ''),
			coalesce(m.labour, ''), coalesce(m.migrant_work, '')
		FROM batch b
		JOIN households h ON h.id = b.id
		JOIN divisions v ON v.code = h.village_code
		JOIN divisions t ON t.code = h.township_code
		LEFT JOIN household_members m ON m.household_id = h.id
		ORDER BY h.village_code, h.head_name COLLATE zh_stroke, h.id,
			(m.relation = '户主' AND m.id_hash = h.id_hash) DESC, m.position, m.id`, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var (
		out  []ExportHousehold
		keys []exportKey
	)
	for rows.Next() {
		var (
			id                int64
			h                 ExportHousehold
			m                 household.Member
			income            decimal.Decimal
			identYear, exited int
			planned           int
			idEnc, phoneEnc   []byte
			memberEnc         []byte
			isHead            bool
		)
		if err := rows.Scan(&id, &h.VillageCode, &h.VillageName, &h.TownshipName, &h.GroupName, &h.HeadName, &idEnc,
			&phoneEnc, &h.Attribute, &h.Standard, &h.MainCause, &h.OtherCauses, &identYear, &income,
			&h.Status, &exited, &planned, &h.Remark,
			&m.Name, &m.Sex, &memberEnc, &isHead, &m.Relation, &m.Ethnicity, &m.Education, &m.Schooling, &m.Health,
			&m.Labour, &m.MigrantWork); err != nil {
			return nil, nil, err
		}
		if len(keys) == 0 || id != keys[len(keys)-1].id {
			h.IdentificationYear, h.PerCapitaIncome, h.ExitedYear, h.PlannedExitYear = identYear, income, exited, planned
			var err error
			if h.IDNumber, err = s.Keys.Open(labelHouseholdID, idEnc); err != nil {
				return nil, nil, fmt.Errorf("household %d: %w", id, err)
			}
			if h.Phone, err = s.Keys.Open(labelHouseholdPhone, phoneEnc); err != nil {
				return nil, nil, fmt.Errorf("household %d: %w", id, err)
			}
			if len(h.OtherCauses) == 0 {
				h.OtherCauses = nil
			}
			out = append(out, h)
			keys = append(keys, exportKey{village: h.VillageCode, head: h.HeadName, id: id})
		}
		if memberEnc == nil {
			continue // a household without member rows (not made by this code)
		}
		var err error
		if m.IDNumber, err = s.Keys.Open(labelMemberID, memberEnc); err != nil {
			return nil, nil, fmt.Errorf("member of household %d: %w", id, err)
		}
		cur := &out[len(out)-1]
		switch {
		case isHead:
			cur.HeadSex, cur.Head = m.Sex, m
		default:
			cur.Members = append(cur.Members, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return out, keys, nil
}
