package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/jackc/pgx/v5"
)

// ImportDeputy is one deputy of a bulk import (the Excel registry): the
// validated deputy, its status (active or left_office) and Row, its source
// row (echoed in DeputyConflict). Its fields are exactly those of
// xlsx.Deputy, so the web layer converts with store.ImportDeputy(d).
type ImportDeputy struct {
	deputy.Deputy
	Status string
	Row    int
}

// DeputyConflict is a deputy of an import that cannot be matched to one
// registered deputy, with a Chinese reason.
type DeputyConflict struct {
	Row    int // ImportDeputy.Row
	Reason string
}

// ErrDeputyImportConflict is returned by ImportDeputies, with nothing
// committed, when deputies of the import match more than one registered
// deputy, or two of them match the same one.
type ErrDeputyImportConflict struct {
	Conflicts []DeputyConflict // in import order
}

func (e *ErrDeputyImportConflict) Error() string {
	parts := make([]string, 0, min(len(e.Conflicts), 5))
	for i, c := range e.Conflicts {
		if i == 5 {
			break
		}
		parts = append(parts, fmt.Sprintf("第%d行：%s", c.Row, c.Reason))
	}
	return fmt.Sprintf("store.ImportDeputies: %d名代表无法对应：%s", len(e.Conflicts), strings.Join(parts, "；"))
}

// deputyImportSnapshot is the audit "before"/"after" of an imported deputy:
// deputySnapshot plus the fields the registry carries that it leaves out.
func deputyImportSnapshot(d deputy.Deputy, status string) map[string]any {
	s := deputySnapshot(d)
	s["gender"], s["ethnicity"], s["post"], s["home_village_code"], s["status"] = d.Gender, d.Ethnicity, d.Post, d.HomeVillageCode, status
	s["birth_date"] = nil
	if d.BirthDate != nil {
		s["birth_date"] = d.BirthDate.Format(time.DateOnly)
	}
	return s
}

// ImportDeputies saves ds, all or nothing, in one transaction. Each deputy is
// matched to a registered one by its credential number (代表证号) when it has
// one; otherwise, or when no registered deputy has that number, by name,
// birth date and home township, among the registered deputies without a
// credential number (or all of them, for a deputy of the import without one).
// A deputy not matched is created (name_pinyin from pinyin.Key); a matched
// one whose values differ is updated (version + 1); an identical one is left
// alone, so importing the same registry twice changes nothing the second
// time. An empty credential number keeps the registered one.
//
// A deputy whose status goes from active to left_office is handled as
// MarkLeftOffice does: left_office_date is today (Asia/Shanghai), its active
// pairings are flagged needs_reassignment and its account is disabled, with a
// 'deputy.left_office' audit event. One back in office (left_office →
// active) loses its left_office_date; its account stays disabled until staff
// enable it. Every created or updated deputy gets a 'deputy.import' audit
// event with before and after, and the import one summary event.
//
// A deputy matching two registered deputies, or two deputies of the import
// matching the same registered one, returns *ErrDeputyImportConflict.
// The work is set-based (COPY into a temporary table, then one statement per
// step).
func (s *Store) ImportDeputies(ctx context.Context, ds []ImportDeputy, actorID int64) (ImportResult, error) {
	var res ImportResult
	if conflicts := deputyImportDuplicates(ds); len(conflicts) > 0 {
		return res, &ErrDeputyImportConflict{Conflicts: conflicts}
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_deputies (
				idx int PRIMARY KEY, name text, name_pinyin text, gender text, ethnicity text, birth_date date,
				levels text[], category text, term text, work_unit text, post text, phone_enc bytea, phone_hash bytea,
				credential_number text,
				home_township_code text, home_village_code text, status text, deputy_id bigint,
				is_new boolean NOT NULL DEFAULT false, changed boolean NOT NULL DEFAULT false,
				left_office boolean NOT NULL DEFAULT false
			) ON COMMIT DROP`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_deputies"},
			[]string{"idx", "name", "name_pinyin", "gender", "ethnicity", "birth_date", "levels", "category", "term",
				"work_unit", "post", "phone_enc", "phone_hash", "credential_number", "home_township_code", "home_village_code",
				"status"},
			pgx.CopyFromSlice(len(ds), func(i int) ([]any, error) {
				d := ds[i]
				status := d.Status
				if status == "" {
					status = "active"
				}
				return []any{i, d.Name, pinyin.Key(d.Name), d.Gender, orDefault(d.Ethnicity, "汉族"), d.BirthDate, d.Levels,
					d.Category, d.Term, d.WorkUnit, d.Post, s.Keys.Seal(labelDeputyPhone, d.Phone), s.Keys.Hash(hashPhone, d.Phone),
					d.CredentialNumber, d.HomeTownshipCode,
					nullText(d.HomeVillageCode), status}, nil
			})); err != nil {
			return fmt.Errorf("copy deputies: %w", err)
		}
		if _, err := tx.Exec(ctx, `ANALYZE import_deputies`); err != nil {
			return err
		}

		if err := matchDeputies(ctx, tx, ds); err != nil {
			return err
		}

		// What changed. An empty credential number keeps the registered
		// one, so it is filled in before comparing.
		if _, err := tx.Exec(ctx, `ANALYZE import_deputies`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE import_deputies i SET credential_number = d.credential_number
			FROM deputies d WHERE d.id = i.deputy_id AND i.credential_number = ''`); err != nil {
			return fmt.Errorf("credential numbers: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE import_deputies i SET
				changed = (d.name, d.gender, d.ethnicity, d.birth_date, d.levels, d.category, d.term, d.work_unit, d.post,
						d.phone_hash, d.credential_number, d.home_township_code, d.home_village_code, d.status)
					IS DISTINCT FROM (i.name, i.gender, i.ethnicity, i.birth_date, i.levels, i.category, i.term, i.work_unit,
						i.post, i.phone_hash, i.credential_number, i.home_township_code, i.home_village_code, i.status),
				left_office = d.status = 'active' AND i.status = 'left_office'
			FROM deputies d WHERE d.id = i.deputy_id`); err != nil {
			return fmt.Errorf("compare: %w", err)
		}
		befores, err := s.deputyBefores(ctx, tx)
		if err != nil {
			return err
		}

		// New deputies get their ids first, so that the rows they came from
		// are known without relying on the order of RETURNING.
		if _, err := tx.Exec(ctx, `UPDATE import_deputies SET deputy_id = nextval(pg_get_serial_sequence('deputies', 'id')),
			is_new = true, left_office = status = 'left_office' WHERE deputy_id IS NULL`); err != nil {
			return fmt.Errorf("new ids: %w", err)
		}
		const today = `(now() AT TIME ZONE 'Asia/Shanghai')::date`
		if _, err := tx.Exec(ctx, `INSERT INTO deputies (id, name, name_pinyin, gender, ethnicity, birth_date, levels, category,
				term, work_unit, post, phone_enc, phone_hash, credential_number, home_township_code, home_village_code, status,
				left_office_date)
			OVERRIDING SYSTEM VALUE
			SELECT deputy_id, name, name_pinyin, gender, ethnicity, birth_date, levels, category, term, work_unit, post,
				phone_enc, phone_hash,
				credential_number, home_township_code, home_village_code, status,
				CASE WHEN status = 'left_office' THEN `+today+` END
			FROM import_deputies WHERE is_new ORDER BY idx`); err != nil {
			return fmt.Errorf("insert deputies: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE deputies d SET name = i.name, name_pinyin = i.name_pinyin, gender = i.gender,
				ethnicity = i.ethnicity, birth_date = i.birth_date, levels = i.levels, category = i.category, term = i.term,
				work_unit = i.work_unit, post = i.post, phone_enc = i.phone_enc, phone_hash = i.phone_hash,
				credential_number = i.credential_number,
				home_township_code = i.home_township_code, home_village_code = i.home_village_code, status = i.status,
				left_office_date = CASE WHEN i.status = 'active' THEN NULL WHEN i.left_office THEN `+today+`
					ELSE d.left_office_date END,
				version = d.version + 1, updated_at = now()
			FROM import_deputies i WHERE i.deputy_id = d.id AND i.changed AND NOT i.is_new`); err != nil {
			return fmt.Errorf("update deputies: %w", err)
		}

		// Left office: as MarkLeftOffice.
		flagged := map[int64]int{}
		rows, _ := tx.Query(ctx, `UPDATE pairings p SET needs_reassignment = true FROM import_deputies i
			WHERE p.deputy_id = i.deputy_id AND i.left_office AND NOT i.is_new AND p.status = 'active' RETURNING p.deputy_id`)
		var id int64
		if _, err := pgx.ForEachRow(rows, []any{&id}, func() error { flagged[id]++; return nil }); err != nil {
			return fmt.Errorf("flag pairings: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE users u SET active = false FROM import_deputies i
			WHERE u.deputy_id = i.deputy_id AND i.left_office AND NOT i.is_new`); err != nil {
			return fmt.Errorf("disable accounts: %w", err)
		}

		// Audit: one event per created or updated deputy, one per departure,
		// one for the import.
		var audits [][]any
		var date time.Time
		if err := tx.QueryRow(ctx, `SELECT `+today).Scan(&date); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT idx, deputy_id, is_new, changed, left_office FROM import_deputies
			WHERE is_new OR changed ORDER BY idx`)
		var (
			idx                     int
			isNew, changed, leftOff bool
		)
		if _, err := pgx.ForEachRow(rows, []any{&idx, &id, &isNew, &changed, &leftOff}, func() error {
			d := ds[idx]
			after := deputyImportSnapshot(d.Deputy, orDefault(d.Status, "active"))
			var before any
			if !isNew {
				before = befores[id]
				if d.CredentialNumber == "" {
					after["credential_number"] = befores[id]["credential_number"] // kept
				}
			}
			audits = append(audits, []any{nullID(actorID), "deputy.import", "deputy", id, before, after})
			if leftOff && !isNew {
				audits = append(audits, []any{nullID(actorID), "deputy.left_office", "deputy", id, map[string]string{"status": "active"},
					map[string]any{"status": "left_office", "left_office_date": date.Format(time.DateOnly), "pairings_flagged": flagged[id]}})
			}
			if isNew {
				res.Created++
			} else {
				res.Updated++
			}
			return nil
		}); err != nil {
			return fmt.Errorf("audit rows: %w", err)
		}
		res.Unchanged = len(ds) - res.Created - res.Updated
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"audit_events"}, []string{"user_id", "action", "entity", "entity_id", "before", "after"},
			pgx.CopyFromRows(audits)); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		return audit(ctx, tx, actorID, "deputy.import", "deputy_import", 0, nil,
			map[string]int{"deputies": len(ds), "created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged})
	})
	var conflict *ErrDeputyImportConflict
	switch {
	case errors.As(err, &conflict):
		return ImportResult{}, conflict
	case err != nil:
		return ImportResult{}, fmt.Errorf("store.ImportDeputies: %w", err)
	}
	return res, nil
}

// matchDeputies sets import_deputies.deputy_id to the registered deputy each
// row is, locking those deputies, or returns *ErrDeputyImportConflict.
func matchDeputies(ctx context.Context, tx pgx.Tx, ds []ImportDeputy) error {
	rows, _ := tx.Query(ctx, `WITH by_credential AS (
			SELECT i.idx, d.id, d.name FROM import_deputies i JOIN deputies d ON d.credential_number = i.credential_number
			WHERE i.credential_number <> '' AND d.kind = 'deputy'),
		by_person AS (
			SELECT i.idx, d.id, d.name FROM import_deputies i JOIN deputies d ON d.name = i.name
				AND d.birth_date IS NOT DISTINCT FROM i.birth_date AND d.home_township_code = i.home_township_code
				AND (i.credential_number = '' OR d.credential_number = '') AND d.kind = 'deputy'
			WHERE NOT EXISTS (SELECT FROM by_credential c WHERE c.idx = i.idx))
		SELECT idx, id, name, true FROM by_credential UNION ALL SELECT idx, id, name, false FROM by_person
		ORDER BY 1, 2`)
	type match struct {
		ids          []int64
		byCredential bool
	}
	matches := map[int]*match{}
	var order []int
	var (
		idx  int
		id   int64
		name string
		cred bool
	)
	if _, err := pgx.ForEachRow(rows, []any{&idx, &id, &name, &cred}, func() error {
		m, ok := matches[idx]
		if !ok {
			m = &match{byCredential: cred}
			matches[idx] = m
			order = append(order, idx)
		}
		m.ids = append(m.ids, id)
		return nil
	}); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	var conflicts []DeputyConflict
	taken := map[int64]int{} // registered deputy → idx matched to it
	var idxs []int32
	var ids []int64
	for _, i := range order {
		m := matches[i]
		d := ds[i]
		if len(m.ids) > 1 {
			reason := fmt.Sprintf("代表证号“%s”已登记给%d名代表，无法确定是哪一位；请先在系统中更正代表证号", d.CredentialNumber, len(m.ids))
			if !m.byCredential {
				reason = fmt.Sprintf("系统中有%d名代表的姓名、出生日期、所在乡(镇)都与本行相同，无法确定是哪一位；请填写代表证号", len(m.ids))
			}
			conflicts = append(conflicts, DeputyConflict{Row: d.Row, Reason: reason})
			continue
		}
		if j, dup := taken[m.ids[0]]; dup {
			conflicts = append(conflicts, DeputyConflict{Row: d.Row,
				Reason: fmt.Sprintf("与第%d行对应同一名已登记的代表（%s）；同一人只填一行", ds[j].Row, ds[j].Name)})
			continue
		}
		taken[m.ids[0]] = i
		idxs = append(idxs, int32(i))
		ids = append(ids, m.ids[0])
	}
	if len(conflicts) > 0 {
		return &ErrDeputyImportConflict{Conflicts: conflicts}
	}
	// Lock the matched deputies (in id order, against deadlocks) so that a
	// concurrent edit waits for the import, or the import for it.
	if _, err := tx.Exec(ctx, `SELECT id FROM deputies WHERE id = ANY ($1) ORDER BY id FOR UPDATE`, ids); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE import_deputies i SET deputy_id = m.id FROM unnest($1::int[], $2::bigint[]) AS m(idx, id)
		WHERE i.idx = m.idx`, idxs, ids); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	return nil
}

// deputyBefores returns the audit "before" of every registered deputy the
// import changes, by id.
func (s *Store) deputyBefores(ctx context.Context, tx pgx.Tx) (map[int64]map[string]any, error) {
	rows, _ := tx.Query(ctx, `SELECT d.id, d.name, d.gender, d.ethnicity, d.birth_date, d.levels, d.category, d.term,
			d.work_unit, d.post, d.phone_enc, d.credential_number, d.home_township_code, coalesce(d.home_village_code, ''), d.status
		FROM deputies d JOIN import_deputies i ON i.deputy_id = d.id WHERE i.changed`)
	out := map[int64]map[string]any{}
	var (
		id       int64
		d        deputy.Deputy
		status   string
		phoneEnc []byte
	)
	_, err := pgx.ForEachRow(rows, []any{&id, &d.Name, &d.Gender, &d.Ethnicity, &d.BirthDate, &d.Levels, &d.Category, &d.Term,
		&d.WorkUnit, &d.Post, &phoneEnc, &d.CredentialNumber, &d.HomeTownshipCode, &d.HomeVillageCode, &status}, func() error {
		var err error
		if d.Phone, err = s.Keys.Open(labelDeputyPhone, phoneEnc); err != nil {
			return fmt.Errorf("deputy %d: %w", id, err)
		}
		out[id] = deputyImportSnapshot(d, status)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("before: %w", err)
	}
	return out, nil
}

// deputyImportDuplicates finds deputies that appear twice in ds under the
// keys ImportDeputies matches on (the reader refuses such files; other
// callers may not).
func deputyImportDuplicates(ds []ImportDeputy) []DeputyConflict {
	credentials := map[string]int{}
	persons := map[string]int{}
	personsNoCred := map[string]int{}
	var out []DeputyConflict
	for i, d := range ds {
		birth := ""
		if d.BirthDate != nil {
			birth = d.BirthDate.Format(time.DateOnly)
		}
		person := d.Name + "|" + birth + "|" + d.HomeTownshipCode
		dup := -1
		if d.CredentialNumber != "" {
			if j, ok := credentials[d.CredentialNumber]; ok {
				dup = j
			} else if j, ok := personsNoCred[person]; ok {
				dup = j
			}
			credentials[d.CredentialNumber] = i
		} else {
			if j, ok := persons[person]; ok {
				dup = j
			}
			personsNoCred[person] = i
		}
		if _, ok := persons[person]; !ok {
			persons[person] = i
		}
		if dup >= 0 {
			out = append(out, DeputyConflict{Row: d.Row, Reason: fmt.Sprintf("与第%d行是同一名代表（%s）；同一人只填一行", ds[dup].Row, ds[dup].Name)})
		}
	}
	return out
}

// ExportDeputy is one deputy as exported: the deputy, its status and the
// names of its home township and village. Its fields are exactly those of
// xlsx.ExportDeputy, so the web layer converts with xlsx.ExportDeputy(row)
// (after masking the phone, for viewers who see masked data).
type ExportDeputy struct {
	deputy.Deputy
	Status       string
	TownshipName string
	VillageName  string
}

// ExportDeputies calls fn for every deputy that matches f (the list's
// filters and order, as Deputies; Page is ignored). The deputies (tens of
// thousands at most) are read whole first, so that the query's connection
// is back in the pool before fn runs (fn may use the database). Data is
// raw: masking phones is the caller's job. An error from fn stops the
// export and is returned.
func (s *Store) ExportDeputies(ctx context.Context, f DeputyFilter, fn func(ExportDeputy) error) error {
	where, args := deputyWhere(f)
	order := deputyOrder(f.Sort)
	rows, err := s.Pool.Query(ctx, `SELECT d.name, d.gender, d.ethnicity, d.birth_date, d.levels, d.category, d.term,
			d.work_unit, d.post, d.phone_enc, d.credential_number, d.home_township_code, coalesce(d.home_village_code, ''),
			d.status, t.name, coalesce(v.name, '')
		FROM deputies d JOIN divisions t ON t.code = d.home_township_code
		LEFT JOIN divisions v ON v.code = d.home_village_code`+where+order, args...)
	if err != nil {
		return fmt.Errorf("store.ExportDeputies: %w", err)
	}
	defer rows.Close()
	var all []ExportDeputy
	for rows.Next() {
		var e ExportDeputy
		var phoneEnc []byte
		if err := rows.Scan(&e.Name, &e.Gender, &e.Ethnicity, &e.BirthDate, &e.Levels, &e.Category, &e.Term, &e.WorkUnit,
			&e.Post, &phoneEnc, &e.CredentialNumber, &e.HomeTownshipCode, &e.HomeVillageCode, &e.Status,
			&e.TownshipName, &e.VillageName); err != nil {
			return fmt.Errorf("store.ExportDeputies: %w", err)
		}
		var err error
		if e.Phone, err = s.Keys.Open(labelDeputyPhone, phoneEnc); err != nil {
			return fmt.Errorf("store.ExportDeputies: %w", err)
		}
		all = append(all, e)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store.ExportDeputies: %w", err)
	}
	rows.Close()
	for _, e := range all {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}
