package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/vault"
	"github.com/bangfu/bangfu/migrations"
	"github.com/golang-migrate/migrate/v4"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/shopspring/decimal"
)

// personalHousehold registers a household with a phone and one member and
// returns its id and the household as registered.
func personalHousehold(t *testing.T, st *store.Store, head string) (int64, household.Household) {
	t.Helper()
	h := household.Household{VillageCode: yuchi, GroupName: "1组", HeadName: head, HeadSex: "male",
		IDNumber: testutil.IDNumber(), Phone: "13807301234", Attribute: "general", Standard: "national",
		MainCause: "因病", IdentificationYear: 2015, PerCapitaIncome: decimal.RequireFromString("2600.00")}
	h.Head = household.Member{Name: head, Sex: "male", IDNumber: h.IDNumber, Relation: "户主", Ethnicity: "汉族",
		Health: "健康", Labour: "普通劳动力"}
	h.Members = []household.Member{{Name: head + "子", Sex: "male", IDNumber: testutil.IDNumber(), Relation: "子",
		Ethnicity: "汉族", Health: "健康", Labour: "普通劳动力"}}
	id, err := st.CreateHousehold(context.Background(), h, 0)
	if err != nil {
		t.Fatal(err)
	}
	return id, h
}

// withKeys is st over the same pool with another keyring.
func withKeys(st *store.Store, keys *vault.Keyring) *store.Store { return store.New(st.Pool, keys) }

func newKey(t *testing.T, id, fill byte) vault.Key {
	t.Helper()
	return vault.Key{ID: id, Secret: bytes.Repeat([]byte{fill}, vault.KeySize)}
}

// TestKeyRotation: after a new current key is added, RotateKeys re-seals
// every value under it (in batches, audited), the data reads the same with
// the new keyring, and the old keyring alone can no longer read it; a second
// run does nothing.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	var ids []int64
	var want []household.Household
	for i := range 3 {
		id, h := personalHousehold(t, st, testutil.Name("轮换", i))
		ids, want = append(ids, id), append(want, h)
	}
	did, err := st.CreateDeputy(ctx, deputy.Deputy{Name: "周代表", Gender: "male", Ethnicity: "汉族", Levels: []string{"county"},
		Category: "cadre", Phone: "13907305555", HomeTownshipCode: bishi}, 0)
	if err != nil {
		t.Fatal(err)
	}

	// An export file of 2.5 chunks, stored sealed.
	uid := testutil.User(t, st, "office", auth.Staff, "", 0)
	jid, err := st.CreateJob(ctx, "household_export", uid, "")
	if err != nil {
		t.Fatal(err)
	}
	file := bytes.Repeat([]byte("430681197001010011,"), store.FileChunk*5/2/19)
	if err := st.FinishJob(ctx, jid, false, "", nil, "花名册.xlsx", bytes.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, st, `SELECT count(*) FROM job_file_chunks WHERE position('\x343330363831'::bytea in data) > 0`); n != 0 {
		t.Errorf("%d job file chunks hold plaintext", n)
	}
	readFile := func(st *store.Store) ([]byte, int64, error) {
		var buf bytes.Buffer
		var size int64
		err := st.JobFile(ctx, jid, uid, func(_ string, n int64) { size = n }, &buf)
		return buf.Bytes(), size, err
	}

	rotated, err := vault.New(vault.DevHashKey(), newKey(t, 7, 7), vault.DevKey())
	if err != nil {
		t.Fatal(err)
	}
	st2 := withKeys(st, rotated)
	batches := 0
	res, err := st2.RotateKeys(ctx, store.RotateOptions{Batch: 2}, func(store.RotateResult) { batches++ })
	if err != nil {
		t.Fatal(err)
	}
	wantRes := []store.RotateResult{{Table: "households", Rows: 3}, {Table: "household_members", Rows: 6}, {Table: "deputies", Rows: 1},
		{Table: "job_file_chunks", Rows: 3}}
	if diff := cmp.Diff(wantRes, res, cmp.AllowUnexported(store.RotateResult{})); diff != "" {
		t.Errorf("rotation mismatch (-want +got):\n%s", diff)
	}
	if batches != 2+3+1+1 {
		t.Errorf("%d batches, want 7", batches)
	}
	usage, err := st2.KeyUsage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantUsage := map[string]map[int]int{"households": {7: 6}, "household_members": {7: 6}, "deputies": {7: 1}}
	if diff := cmp.Diff(wantUsage, usage); diff != "" {
		t.Errorf("key usage after rotation mismatch (-want +got):\n%s", diff)
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events WHERE action = 'keys.rotate'`); n != batches {
		t.Errorf("%d keys.rotate audit events, want %d", n, batches)
	}

	// Only the new key is needed now.
	onlyNew, _ := vault.New(vault.DevHashKey(), newKey(t, 7, 7))
	st3 := withKeys(st, onlyNew)
	if err := st3.CheckKeys(ctx); err != nil {
		t.Fatalf("CheckKeys with the new key: %v", err)
	}
	for i, id := range ids {
		got, _, err := st3.HouseholdRecord(ctx, auth.Scope{}, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.IDNumber != want[i].IDNumber || got.Phone != want[i].Phone || got.Members[0].IDNumber != want[i].Members[0].IDNumber {
			t.Errorf("household %d after rotation: %q %q %q", id, got.IDNumber, got.Phone, got.Members[0].IDNumber)
		}
	}
	if d, err := st3.Deputy(ctx, did); err != nil || d.Phone != "13907305555" {
		t.Errorf("deputy after rotation: %q %v", d.Phone, err)
	}
	if got, size, err := readFile(st3); err != nil || !bytes.Equal(got, file) || size != int64(len(file)) {
		t.Errorf("job file after rotation: %d bytes (size %d) of %d, %v", len(got), size, len(file), err)
	}
	if _, _, err := readFile(st); !errors.Is(err, vault.ErrUnknownKey) {
		t.Errorf("job file with the old key only: %v", err)
	}
	// Exact search still works: the hashes did not change.
	rows, _, err := st3.Households(ctx, auth.Scope{}, store.HouseholdFilter{Query: want[1].IDNumber})
	if err != nil || len(rows) != 1 || rows[0].ID != ids[1] {
		t.Errorf("search by ID after rotation: %v %v", rows, err)
	}

	// The old keyring alone fails loudly.
	if _, err := st.Household(ctx, auth.Scope{}, ids[0]); !errors.Is(err, vault.ErrUnknownKey) {
		t.Errorf("old keyring reads a rotated row: %v", err)
	}
	if err := st.CheckKeys(ctx); !errors.Is(err, store.ErrKeys) {
		t.Errorf("CheckKeys with the old key only: %v", err)
	}

	// A new hash key: -rehash recomputes every hash, search and the
	// duplicate check follow.
	rehashed, _ := vault.New(bytes.Repeat([]byte{8}, vault.KeySize), newKey(t, 7, 7))
	st4 := withKeys(st, rehashed)
	if err := st4.CheckKeys(ctx); !errors.Is(err, store.ErrKeys) {
		t.Errorf("CheckKeys before rehashing: %v", err)
	}
	if _, err := st4.RotateKeys(ctx, store.RotateOptions{Batch: 100, Rehash: true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := st4.CheckKeys(ctx); err != nil {
		t.Errorf("CheckKeys after rehashing: %v", err)
	}
	for _, q := range []string{want[2].IDNumber, want[2].IDNumber[14:]} {
		rows, _, err := st4.Households(ctx, auth.Scope{}, store.HouseholdFilter{Query: q})
		if err != nil || len(rows) != 1 || rows[0].ID != ids[2] {
			t.Errorf("search %q after rehash: %v %v", q, rows, err)
		}
	}
	dup := want[0]
	dup.IDNumber, dup.Head.IDNumber, dup.Members = want[1].Members[0].IDNumber, want[1].Members[0].IDNumber, nil
	if _, err := st4.CreateHousehold(ctx, dup, 0); !errors.As(err, new(*store.ErrDuplicateID)) {
		t.Errorf("duplicate after rehash: %v", err)
	}
	st3 = st4

	// Idempotent.
	res, err = st3.RotateKeys(ctx, store.RotateOptions{Batch: 100}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Rows != 0 {
			t.Errorf("second rotation re-sealed %d rows of %s", r.Rows, r.Table)
		}
	}
}

// TestWrongKeyFailsLoudly: a keyring whose key has the right id but wrong
// bytes, or whose hash key differs, is refused by CheckKeys (so `serve`
// stops) and every read of personal data returns an error, never a value.
func TestWrongKeyFailsLoudly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	id, _ := personalHousehold(t, st, "错钥匙")
	if err := st.CheckKeys(ctx); err != nil {
		t.Fatalf("CheckKeys with the right keys: %v", err)
	}

	wrongData, _ := vault.New(vault.DevHashKey(), newKey(t, vault.DevKeyID, 9))
	bad := withKeys(st, wrongData)
	if err := bad.CheckKeys(ctx); !errors.Is(err, store.ErrKeys) || !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("CheckKeys with a wrong data key: %v", err)
	}
	if h, err := bad.Household(ctx, auth.Scope{}, id); !errors.Is(err, vault.ErrDecrypt) || h.IDNumber != "" {
		t.Errorf("Household with a wrong key: %q, %v", h.IDNumber, err)
	}
	if _, _, err := bad.Households(ctx, auth.Scope{}, store.HouseholdFilter{}); !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("Households with a wrong key: %v", err)
	}
	err := bad.ExportHouseholds(ctx, auth.Scope{}, store.HouseholdFilter{}, func(store.ExportHousehold) error { return nil })
	if !errors.Is(err, vault.ErrDecrypt) {
		t.Errorf("ExportHouseholds with a wrong key: %v", err)
	}

	wrongHash, _ := vault.New(bytes.Repeat([]byte{5}, vault.KeySize), vault.DevKey())
	if err := withKeys(st, wrongHash).CheckKeys(ctx); !errors.Is(err, store.ErrKeys) {
		t.Errorf("CheckKeys with a wrong hash key: %v", err)
	}
}

// encryptMigration is the migration that encrypts personal data.
const encryptMigration = 25

// TestEncryptLegacy upgrades a database of the previous schema (the
// migration before encryptMigration) holding plaintext ID numbers and
// phones: Migrate seals them, nulls the plaintext, validates the constraints
// (so none remains and none can be written again), and the data reads and
// searches as before.
func TestEncryptLegacy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := testutil.Config()
	admin := fmt.Sprintf("postgres://%s@%s:%s/postgres?sslmode=disable", cfg.User, cfg.Host, cfg.Port)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("bangfu_legacy_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = conn.Exec(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		conn.Close(context.Background())
	})
	pool, err := pgxpool.New(ctx, fmt.Sprintf("postgres://%s@%s:%s/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	// The schema before this change, with plaintext rows.
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDBFromPool(pool)
	drv, err := migratepgx.WithInstance(db, &migratepgx.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", drv)
	if err != nil {
		t.Fatal(err)
	}
	before, err := src.Prev(encryptMigration)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Migrate(before)
	if _, cerr := m.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	st := store.New(pool, vault.Dev())
	divs, err := division.Load(division.DefaultCounty)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportDivisions(ctx, divs); err != nil {
		t.Fatal(err)
	}
	headID, memberID := testutil.IDNumber(), testutil.IDNumber()
	var hid int64
	if err := pool.QueryRow(ctx, `INSERT INTO households (village_code, head_name, id_number, phone, attribute, main_cause,
		identification_year) VALUES ($1, '旧数据', $2, '13807309876', 'general', '因病', 2015) RETURNING id`, yuchi, headID).Scan(&hid); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO household_members (household_id, name, sex, id_number, relation, position)
		VALUES ($1, '旧数据', 'male', $2, '户主', 0), ($1, '旧成员', 'male', $3, '子', 1)`, hid, headID, memberID); err != nil {
		t.Fatal(err)
	}
	var did int64
	if err := pool.QueryRow(ctx, `INSERT INTO deputies (name, gender, levels, category, phone, home_township_code)
		VALUES ('旧代表', 'male', '{county}', 'cadre', '13907301111', $1) RETURNING id`, bishi).Scan(&did); err != nil {
		t.Fatal(err)
	}

	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"households", "household_members", "deputies"} {
		if n := count(t, st, `SELECT count(*) FROM `+table+` t WHERE t::text LIKE '%' || $1 || '%'
			OR t::text LIKE '%' || $2 || '%' OR t::text LIKE '%13807309876%' OR t::text LIKE '%13907301111%'`, headID, memberID); n != 0 {
			t.Errorf("%s: %d rows still hold plaintext", table, n)
		}
		var valid bool
		if err := pool.QueryRow(ctx, `SELECT convalidated FROM pg_constraint WHERE conname = $1`, table+"_encrypted").Scan(&valid); err != nil || !valid {
			t.Errorf("constraint %s_encrypted validated %v, %v", table, valid, err)
		}
	}
	if n := count(t, st, `SELECT count(*) FROM audit_events WHERE action = 'personal_data.encrypt'`); n != 3 {
		t.Errorf("%d personal_data.encrypt audit events, want 3 (one batch per table)", n)
	}
	h, _, err := st.HouseholdRecord(ctx, auth.Scope{}, hid)
	if err != nil || h.IDNumber != headID || h.Phone != "13807309876" || len(h.Members) != 1 || h.Members[0].IDNumber != memberID {
		t.Errorf("household after upgrade: %+v, %v", h, err)
	}
	if d, err := st.Deputy(ctx, did); err != nil || d.Phone != "13907301111" {
		t.Errorf("deputy after upgrade: %q %v", d.Phone, err)
	}
	for _, q := range []string{headID, headID[14:]} {
		if rows, _, err := st.Households(ctx, auth.Scope{}, store.HouseholdFilter{Query: q}); err != nil || len(rows) != 1 {
			t.Errorf("search %q after upgrade: %d rows, %v", q, len(rows), err)
		}
	}
	// Plaintext can no longer be written, and a second run has nothing to do.
	if _, err := pool.Exec(ctx, `UPDATE households SET legacy_id_number = $1 WHERE id = $2`, headID, hid); err == nil {
		t.Error("plaintext ID number written after the upgrade")
	}
	if n, err := st.EncryptLegacy(ctx); n != 0 || err != nil {
		t.Errorf("second EncryptLegacy: %d, %v", n, err)
	}
}
