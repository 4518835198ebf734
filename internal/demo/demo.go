// Package demo loads deterministic demo data at the real scale of the
// programme of DESIGN.md §2 into an empty Bangfu database: 1,331 deputies (40
// prefectural, 258 county, 1,033 township), 3,068 poor households with their
// members (78 in the relief point 玉池村, 弼时镇), pairings by proximity,
// support measures, goals, six months of ledger entries in every review
// state, five committee offices (委办) helping a household each as units
// (帮扶单位), and six demo accounts (Accounts, password Password).
//
// The data is generated from a fixed PCG seed, so the same day gives the
// same rows; dates are relative to that day. Everything is written in one
// transaction with PostgreSQL COPY, and recorded in app_meta ('demo_loaded')
// and the audit log, so loading twice is harmless.
//
// LoadScaled generates a larger county the same way, for performance work
// (bangfu demo -households 100000: 20,000 deputies, about a million ledger
// entries, in about half a minute).
package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/notice"
	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"
)

// Password is the password of every demo account.
const Password = "bangfu-demo-2017"

// Account is a demo account: its username, role and a Chinese line saying
// what to try with it.
type Account struct {
	Username    string
	Role        auth.Role
	Description string
}

// Accounts lists the demo accounts Load creates, all with Password and no
// forced password change, in the order `make run` prints them.
var Accounts = []Account{
	{"office", auth.Staff, "人大办公室工作人员：全县数据，登记代表和贫困户、结对、审核、导入导出"},
	{"leader", auth.Leader, "常委会领导：查看全县进度、乡镇排名和任意台账"},
	{"chair.bishi", auth.TownshipChair, "弼时镇人大主席：审核本镇台账（含扶贫点玉池村）"},
	{"chair.xinshi", auth.TownshipChair, "新市镇人大主席：只能看到新市镇的数据"},
	{"deputy.demo", auth.Deputy, "汨罗市人大代表（住弼时镇）：结对玉池村4户，记录和提交台账"},
	{"unit.demo", auth.Deputy, "帮扶单位（市人大常委会农工委）：结对弼时镇1户特困户，记录和提交台账，与代表相同"},
}

// ErrNoDivisions is returned by Load when the divisions of 汨罗市 (430681)
// have not been imported (store.ImportDivisions with division.Load("430681")).
var ErrNoDivisions = errors.New("the divisions of 汨罗市 (430681) are not imported: run import-divisions first")

// metaKey is the app_meta key whose presence means the demo is loaded; its
// value is the time of loading (RFC 3339).
const metaKey = "demo_loaded"

// Load loads the demo data unless app_meta already has 'demo_loaded', and
// reports whether it loaded. today is the current date: its calendar date in
// Asia/Shanghai is used (so time.Now() and a date at midnight in China or UTC
// all work). Pairings start 5–7 months before it and ledger entries run up to
// the day before it; the same date yields the same data. Everything, including the app_meta row and one audit event
// 'demo.load', is written in one transaction: on error nothing is written.
// It returns ErrNoDivisions (wrapped) if the divisions are missing, and an
// error if a demo username is already taken.
func Load(ctx context.Context, st *store.Store, today time.Time) (loaded bool, err error) {
	return LoadScaled(ctx, st, today, Scale{})
}

// LoadScaled is Load for a county of the size sc, for performance work: at
// 100,000 households it writes 20,000 deputies and about a million ledger
// entries, in the same villages of 汨罗市 and with the same demo accounts,
// relief point and fixtures of deputy.demo as the default. Like Load it does
// nothing if demo data is already loaded. LoadScaled(…, Scale{}) is Load.
func LoadScaled(ctx context.Context, st *store.Store, today time.Time, sc Scale) (loaded bool, err error) {
	sz, err := sizesFor(sc)
	if err != nil {
		return false, err
	}
	err = st.InTx(ctx, func(tx pgx.Tx) error {
		// The key doubles as a lock: a second, concurrent Load waits here for
		// the first to commit and then finds the row.
		tag, err := tx.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
			metaKey, time.Now().UTC().Format(time.RFC3339))
		if err != nil {
			return fmt.Errorf("app_meta: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		townships, err := readDivisions(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `LOCK TABLE deputies, users, households, household_members, pairings, measures,
			goals, ledger_entries IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if err := checkUsernames(ctx, tx); err != nil {
			return err
		}
		base, err := readIDBase(ctx, tx)
		if err != nil {
			return err
		}
		taken, err := st.IDNumbers(ctx, tx)
		if err != nil {
			return err
		}
		ds, err := generate(townships, today, base, taken, sz)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrNoDivisions, err)
		}
		// argon2id is slow on purpose: hash once for every account.
		hash, err := auth.HashPassword(Password)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		// The summaries (migration 000010) are rebuilt once after the bulk
		// write instead of being kept row set by row set: the statement
		// triggers stay off for this transaction's writes only.
		if err := statsTriggers(ctx, tx, false); err != nil {
			return err
		}
		if err := write(ctx, tx, st, ds, hash); err != nil {
			return err
		}
		if err := seedPairingSetup(ctx, tx); err != nil {
			return err
		}
		if err := seedUnits(ctx, tx, st, today, hash); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE divisions SET relief_point = true, poor_village = true WHERE code = $1`, reliefVillage); err != nil {
			return fmt.Errorf("relief point: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE divisions SET poor_village = true WHERE code = ANY($1)`, ds.poorVillages); err != nil {
			return fmt.Errorf("poor villages: %w", err)
		}
		counts := map[string]any{
			"today":    civilDay(today).Format(time.DateOnly),
			"deputies": len(ds.deputies), "users": len(ds.users), "households": len(ds.households),
			"members": ds.memberCount(), "pairings": len(ds.pairings), "measures": len(ds.measures),
			"goals": len(ds.goals), "ledger_entries": len(ds.entries), "poor_villages": len(ds.poorVillages) + 1,
		}
		if _, err := tx.Exec(ctx, `INSERT INTO audit_events (action, entity, after) VALUES ('demo.load', 'demo', $1)`, counts); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
		if err := statsTriggers(ctx, tx, true); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT stats_rebuild()`); err != nil {
			return fmt.Errorf("stats: %w", err)
		}
		// Fresh statistics, so the first dashboard after loading is planned
		// for thousands of rows rather than for empty tables.
		if _, err := tx.Exec(ctx, `ANALYZE deputies, households, household_members, pairings, measures, goals, ledger_entries`); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
		loaded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("demo.Load: %w", err)
	}
	st.ForgetDivisions() // relief point and poor villages were set
	if loaded {
		// The prefecture's call is published last, so that it heads the
		// deputies' notice lists.
		if err := seedMeetings(ctx, st, today); err != nil {
			return false, fmt.Errorf("demo.Load: %w", err)
		}
		if err := publishDemoNotice(ctx, st); err != nil {
			return false, fmt.Errorf("demo.Load: %w", err)
		}
	}
	return loaded, nil
}

// publishDemoNotice publishes the prefecture's call (倡议书, the seed's
// publicity push) to every deputy, from the office account, with the button
// to the application form; its fixed form token makes a second run a no-op.
func publishDemoNotice(ctx context.Context, st *store.Store) error {
	var office int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM users WHERE username = 'office'`).Scan(&office); err != nil {
		return fmt.Errorf("demo notice: %w", err)
	}
	n := notice.Notice{
		Title: "关于在全市人大代表中开展“我为脱贫攻坚争贡献”系列竞赛活动的倡议书",
		Body: "全市各级人大代表：\n" +
			"为贯彻落实精准扶贫、精准脱贫基本方略，岳阳市人大常委会倡议在全市人大代表中开展“我为脱贫攻坚争贡献”系列竞赛活动。\n" +
			"请各位代表自愿申报“一对一”扶贫，做到“一户群众、一个代表、一套措施、一本台账、一个目标”，积极参加“五个一”“三比”等竞赛活动。\n" +
			"请点击下方“填写申请书”按钮提交汨罗各级人大代表扶贫攻坚申请书。\n" +
			"汨罗市人大常委会办公室",
		Audience:    "all",
		CallToApply: true,
	}
	if _, err := st.PublishNotice(ctx, n, nil, division.DefaultCounty, "d3e0c1a2-0000-4000-8000-000000000001", office); err != nil {
		return fmt.Errorf("demo notice: %w", err)
	}
	return nil
}

// readDivisions returns the townships of 汨罗市 with their villages, by code.
func readDivisions(ctx context.Context, tx pgx.Tx) ([]township, error) {
	rows, err := tx.Query(ctx, `SELECT t.code, t.name, coalesce(v.code, ''), coalesce(v.name, '')
		FROM divisions t LEFT JOIN divisions v ON v.parent_code = t.code AND v.level = 'village'
		WHERE t.parent_code = $1 AND t.level = 'township' ORDER BY t.code, v.code`, countyCode)
	if err != nil {
		return nil, fmt.Errorf("divisions: %w", err)
	}
	var out []township
	var tc, tn, vc, vn string
	_, err = pgx.ForEachRow(rows, []any{&tc, &tn, &vc, &vn}, func() error {
		if len(out) == 0 || out[len(out)-1].code != tc {
			out = append(out, township{code: tc, name: tn})
		}
		if vc != "" {
			t := &out[len(out)-1]
			t.villages = append(t.villages, village{code: vc, name: vn, township: tc})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("divisions: %w", err)
	}
	if len(out) == 0 {
		return nil, ErrNoDivisions
	}
	return out, nil
}

// checkUsernames refuses to load over accounts someone already created with
// a demo username: their password and role would not be what `make run`
// prints.
func checkUsernames(ctx context.Context, tx pgx.Tx) error {
	names := make([]string, len(Accounts))
	for i, a := range Accounts {
		names[i] = a.Username
	}
	var taken string
	err := tx.QueryRow(ctx, `SELECT username FROM users WHERE username = ANY($1) ORDER BY username LIMIT 1`, names).Scan(&taken)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	return fmt.Errorf("demo account %q already exists", taken)
}

// idTables are the tables whose ids the generator picks itself.
var idTables = []string{"deputies", "users", "households", "household_members", "pairings", "measures", "ledger_entries"}

// readIDBase returns, per table, the larger of the largest id stored and the
// identity sequence's last value; the generated rows take the ids after it.
// The tables are locked against inserts, so no one else takes those ids.
func readIDBase(ctx context.Context, tx pgx.Tx) (idBase, error) {
	var b idBase
	dst := []*int64{&b.deputy, &b.user, &b.household, &b.member, &b.pairing, &b.measure, &b.entry}
	for i, t := range idTables {
		err := tx.QueryRow(ctx, `SELECT greatest(coalesce(max(id), 0),
			coalesce(pg_sequence_last_value(pg_get_serial_sequence($1, 'id')::regclass), 0)) FROM `+t, t).Scan(dst[i])
		if err != nil {
			return idBase{}, fmt.Errorf("ids of %s: %w", t, err)
		}
	}
	return b, nil
}

// write copies the dataset into the database and moves each identity
// sequence past the ids it used. COPY writes the given ids into GENERATED
// ALWAYS identity columns (as INSERT ... OVERRIDING SYSTEM VALUE would).
// Rows are made one at a time as COPY asks for them, so a scaled county's
// million ledger entries never sit in memory twice. ID numbers and phones
// are sealed by st's keys (store.HouseholdPersonal and the like) as rows are
// made.
func write(ctx context.Context, tx pgx.Tx, st *store.Store, ds *dataset, hash string) error {
	err := copyRows(ctx, tx, "deputies", len(ds.deputies), func(i int) []any {
		d := &ds.deputies[i]
		return append([]any{d.id, d.name, d.gender, d.ethnicity, d.birth, d.levels, d.category, d.term,
			d.workUnit, d.post, d.townshipCode, nullText(d.villageCode), d.status,
			pinyin.Key(d.name), credentialNumber(*d), leftOfficeDate(*d, ds.today)}, st.DeputyPersonal(d.phone)...)
	}, append([]string{"id", "name", "gender", "ethnicity", "birth_date", "levels",
		"category", "term", "work_unit", "post", "home_township_code", "home_village_code", "status",
		"name_pinyin", "credential_number", "left_office_date"}, store.DeputyPersonalColumns()...)...)
	if err != nil {
		return err
	}

	err = copyRows(ctx, tx, "users", len(ds.users), func(i int) []any {
		u := &ds.users[i]
		return []any{u.id, u.username, u.displayName, hash, u.role, nullText(u.township), nullID(u.deputyID), false}
	}, "id", "username", "display_name", "password_hash", "role", "township_code", "deputy_id", "must_change_password")
	if err != nil {
		return err
	}

	err = copyRows(ctx, tx, "households", len(ds.households), func(i int) []any {
		h := ds.households[i]
		other := h.otherCauses
		if other == nil {
			other = []string{} // NOT NULL DEFAULT '{}'
		}
		return append([]any{h.id, h.villageCode, h.groupName, h.headName, h.attribute,
			h.standard, h.mainCause, other, int32(h.identificationYear), numeric(h.income), h.status,
			nullYear(h.exitedYear), h.monitoring, nullYear(h.plannedExitYear), pinyin.Key(h.headName)},
			st.HouseholdPersonal(h.idNumber, h.phone)...)
	}, append([]string{"id", "village_code", "group_name", "head_name",
		"attribute", "standard", "main_cause", "other_causes", "identification_year", "per_capita_income",
		"status", "exited_year", "monitoring", "planned_exit_year", "head_pinyin"}, store.HouseholdPersonalColumns()...)...)
	if err != nil {
		return err
	}

	// Members, household by household.
	hi, mi := 0, 0
	err = copyFunc(ctx, tx, "household_members", ds.memberCount(), func() []any {
		for mi == len(ds.households[hi].members) {
			hi, mi = hi+1, 0
		}
		m := &ds.households[hi].members[mi]
		edu, school := schooling(m.birth, ds.today)
		row := append([]any{m.id, m.householdID, m.name, m.sex, m.relation, m.health, m.labour,
			int32(mi), edu, school, pinyin.Key(m.name)}, st.MemberPersonal(m.idNumber)...)
		mi++
		return row
	}, append([]string{"id", "household_id", "name", "sex", "relation", "health", "labour", "position", "education",
		"schooling", "name_pinyin"}, store.MemberPersonalColumns()...)...)
	if err != nil {
		return err
	}

	// Status history: identification, then the exit and the relapse of
	// those that had them.
	var history [][]any
	hi = 0
	n := len(ds.households)
	for _, h := range ds.households {
		if h.status != "not_exited" && h.exitedYear != 0 {
			n++
		}
		if h.status == "relapsed" {
			n++
		}
	}
	err = copyFunc(ctx, tx, "household_status_history", n, func() []any {
		if len(history) == 0 {
			h := ds.households[hi]
			hi++
			history = append(history, []any{h.id, "not_exited", nil, "", "建档立卡识别",
				time.Date(h.identificationYear, 10, 15, 2, 0, 0, 0, time.UTC)})
			if h.status != "not_exited" && h.exitedYear != 0 {
				history = append(history, []any{h.id, "exited", int32(h.exitedYear), "", "经民主评议、公示，县级审批脱贫",
					time.Date(h.exitedYear, 12, 20, 2, 0, 0, 0, time.UTC)})
			}
			if h.status == "relapsed" {
				history = append(history, []any{h.id, "relapsed", nullYear(h.exitedYear), h.monitoring, "因病返贫，纳入监测",
					time.Date(civilDay(ds.today).Year(), 3, 1, 2, 0, 0, 0, time.UTC)})
			}
		}
		row := history[0]
		history = history[1:]
		return row
	}, "household_id", "status", "exited_year", "monitoring", "note", "changed_at")
	if err != nil {
		return err
	}

	err = copyRows(ctx, tx, "pairings", len(ds.pairings), func(i int) []any {
		p := ds.pairings[i]
		return []any{p.id, p.householdID, p.deputyID, p.start, nullTime(p.end), p.status,
			nullText(p.endReason), at(p.start, 9, 30)}
	}, "id", "household_id", "deputy_id", "start_date", "end_date", "status", "end_reason", "created_at")
	if err != nil {
		return err
	}

	err = copyRows(ctx, tx, "measures", len(ds.measures), func(i int) []any {
		m := &ds.measures[i]
		return []any{m.id, m.pairingID, m.supportType, m.content, m.scale, numeric(m.funds),
			m.deadline, m.outcome, m.confirmed, m.createdAt}
	}, "id", "pairing_id", "support_type", "content", "scale", "funds",
		"deadline", "outcome", "outcome_confirmed", "created_at")
	if err != nil {
		return err
	}

	err = copyRows(ctx, tx, "goals", len(ds.goals), func(i int) []any {
		gl := &ds.goals[i]
		return []any{gl.pairingID, numeric(gl.targetIncome), gl.targetExitDate, gl.incomeAboveLine,
			gl.foodClothing, gl.compulsoryEducation, gl.basicMedical, gl.safeHousing, gl.safeWater, gl.updatedAt}
	}, "pairing_id", "target_income", "target_exit_date",
		"income_above_line", "food_clothing", "compulsory_education", "basic_medical", "safe_housing", "safe_water",
		"updated_at")
	if err != nil {
		return err
	}
	// The items a goal marks met are ticked in goal_checks, which the pages
	// read: by the pairing's deputy when it has an account, when the goal
	// was set.
	userOf := map[int64]int64{} // deputy id → its account
	for _, u := range ds.users {
		if u.deputyID != 0 {
			userOf[u.deputyID] = u.id
		}
	}
	deputyOf := make(map[int64]int64, len(ds.pairings))
	for _, p := range ds.pairings {
		deputyOf[p.id] = p.deputyID
	}
	var checks [][]any
	for i := range ds.goals {
		gl := &ds.goals[i]
		for _, item := range gl.met() {
			checks = append(checks, []any{gl.pairingID, item, nullID(userOf[deputyOf[gl.pairingID]]), gl.updatedAt})
		}
	}
	err = copyRows(ctx, tx, "goal_checks", len(checks), func(i int) []any { return checks[i] },
		"pairing_id", "item", "checked_by", "checked_at")
	if err != nil {
		return err
	}

	err = copyRows(ctx, tx, "ledger_entries", len(ds.entries), func(i int) []any {
		e := &ds.entries[i]
		return []any{e.id, e.pairingID, e.date, e.kind, e.description, numeric(e.amount),
			e.beneficiaries, e.status, e.comment, nullID(e.createdBy), nullID(e.reviewedBy),
			nullTime(e.submittedAt), nullTime(e.reviewedAt), e.createdAt, e.updatedAt, returnCount(e)}
	}, "id", "pairing_id", "entry_date", "kind", "description",
		"amount", "beneficiaries", "status", "review_comment", "created_by", "reviewed_by", "submitted_at",
		"reviewed_at", "created_at", "updated_at", "return_count")
	if err != nil {
		return err
	}

	for _, t := range idTables {
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), max(id)) FROM `+t+` HAVING max(id) IS NOT NULL`, t); err != nil {
			return fmt.Errorf("sequence of %s: %w", t, err)
		}
	}
	return nil
}

// copyRows copies n rows into table with COPY FROM STDIN (binary); row(i)
// makes row i when COPY needs it.
func copyRows(ctx context.Context, tx pgx.Tx, table string, n int, row func(i int) []any, columns ...string) error {
	return copyFrom(ctx, tx, table, n, pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }), columns)
}

// copyFunc copies n rows into table, calling next for each in turn.
func copyFunc(ctx context.Context, tx pgx.Tx, table string, n int, next func() []any, columns ...string) error {
	left := n
	return copyFrom(ctx, tx, table, n, pgx.CopyFromFunc(func() ([]any, error) {
		if left == 0 {
			return nil, nil
		}
		left--
		return next(), nil
	}), columns)
}

func copyFrom(ctx context.Context, tx pgx.Tx, table string, n int, src pgx.CopyFromSource, columns []string) error {
	wrote, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", table, err)
	}
	if wrote != int64(n) {
		return fmt.Errorf("copy %s: wrote %d of %d rows", table, wrote, n)
	}
	return nil
}

// numeric converts exact yuan to PostgreSQL numeric without passing through
// a float.
func numeric(d decimal.Decimal) pgtype.Numeric {
	return pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
}

// The null* helpers map a zero value to SQL NULL for nullable columns.

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullYear(y int) any {
	if y == 0 {
		return nil
	}
	return int32(y)
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// credentialNumber is the deputy's 代表证号, derived from its level and id.
func credentialNumber(d deputyRow) string {
	prefix := map[string]string{"prefectural": "岳人代", "county": "汨人代", "township": "镇人代"}[d.levels[0]]
	return fmt.Sprintf("%s%05d", prefix, d.id)
}

// leftOfficeDate dates the departure of a deputy who left office: the first
// of the month, three months before today.
func leftOfficeDate(d deputyRow, today time.Time) any {
	if d.status != "left_office" {
		return nil
	}
	t := civilDay(today).AddDate(0, -3, 0)
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// schooling derives 文化程度 and 在校生状况 from age alone (no random draws, so
// the rest of the data stays as it was).
func schooling(birth, today time.Time) (education, school string) {
	age := ageOn(birth, civilDay(today))
	switch {
	case age < 6:
		return "学龄前儿童", "学前教育"
	case age < 12:
		return "小学", "小学"
	case age < 15:
		return "初中", "初中"
	case age < 18:
		return "高中", "高中"
	case birth.Year() < 1955:
		return "文盲或半文盲", ""
	case birth.Year() < 1965:
		return "小学", ""
	case birth.Year() < 1985:
		return "初中", ""
	}
	return "高中", ""
}

// statsTriggers turns the summary triggers of the bulk-loaded tables off or
// on (ALTER TABLE takes their locks until the transaction ends).
func statsTriggers(ctx context.Context, tx pgx.Tx, on bool) error {
	verb := "DISABLE"
	if on {
		verb = "ENABLE"
	}
	for table, prefix := range map[string]string{"households": "stats_household_", "pairings": "stats_pairing_", "ledger_entries": "stats_ledger_"} {
		for _, op := range []string{"insert", "update", "delete"} {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+table+` `+verb+` TRIGGER `+prefix+op); err != nil {
				return fmt.Errorf("stats triggers %s: %w", table, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE deputies `+verb+` TRIGGER stats_deputy_update`); err != nil {
		return fmt.Errorf("stats triggers deputies: %w", err)
	}
	return nil
}

// returnCount is how often the chair returned entry e: once for a returned
// entry, and once for one approved entry in eleven (corrected and
// resubmitted before approval), so that the ranking's first-pass rate and
// the evaluation's returns are not all perfect.
func returnCount(e *entryRow) int32 {
	switch {
	case e.status == "returned":
		return 1
	case e.status == "approved" && e.id%11 == 0:
		return 1
	}
	return 0
}
