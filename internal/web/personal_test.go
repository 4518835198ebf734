package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/vault"
	"github.com/jackc/pgx/v5"
)

// TestPersonalDataEncryptedAtRest registers a household (head, member,
// phone) and a deputy (phone) through the pages, then reads every row of
// every table as text: no ID number or phone appears, as text or as the hex
// of its bytes. Search by the whole ID and by its last four characters, the
// staff reveal and the duplicate-ID refusal still work; a server holding the
// wrong key answers 500 and shows no personal data.
func TestPersonalDataEncryptedAtRest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)

	headID, sonID := memberID(t, "1962-03-04", 15), memberID(t, "1990-05-01", 11)
	const phone, deputyPhone = "13807305678", "13907308888"
	form := url.Values{"village_code": {yuchi}, "head_name": {"钱守财"}, "head_sex": {"male"}, "id_number": {headID},
		"phone": {phone}, "attribute": {"general"}, "standard": {"national"}, "main_cause": {"因病"},
		"identification_year": {"2015"}, "per_capita_income": {"2680.50"}, "head_health": {"健康"},
		"head_labour": {"普通劳动力"}, "op": {"save"},
		"members.0.name": {"钱明"}, "members.0.sex": {"male"}, "members.0.id_number": {sonID}, "members.0.relation": {"子"},
		"members.0.health": {"健康"}, "members.0.labour": {"普通劳动力"}}
	status, loc, doc := a.post(t, staff, "/households", form)
	if status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", status, doc.Find(".field-error").Text())
	}
	dform := url.Values{"name": {"吴代表"}, "gender": {"male"}, "ethnicity": {"汉族"}, "levels": {"county"},
		"category": {"cadre"}, "phone": {deputyPhone}, "home_township_code": {bishi}}
	if status, _, doc := a.post(t, staff, "/deputies", dform); status != http.StatusSeeOther {
		t.Fatalf("register deputy: %d %s", status, doc.Find(".field-error").Text())
	}

	// A staff export (every ID in full) is stored sealed and downloads whole.
	status, job, _ := a.post(t, staff, "/households/export", url.Values{"division": {yuchi}, "q": {headID},
		"full": {"1"}, "confirm": {"1"}, "purpose": {"报送民政"}})
	if jstatus, page := a.waitJob(t, staff, job); status != http.StatusSeeOther || jstatus != "done" {
		t.Fatalf("export: %d %s %q", status, jstatus, page)
	}
	if code, body := a.getBody(t, staff, job+"/file"); code != http.StatusOK || !strings.HasPrefix(body, "PK") {
		t.Fatalf("export download: %d %.2q", code, body)
	}
	var zipped int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM job_file_chunks WHERE position('PK'::bytea in data) = 1`).Scan(&zipped); err != nil || zipped != 0 {
		t.Errorf("%d stored job file chunks are a plain workbook (%v)", zipped, err)
	}

	// No plaintext anywhere in the database.
	rows, _ := st.Pool.Query(ctx, `SELECT table_name::text FROM information_schema.tables
		WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(tables) < 20 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	for _, table := range tables {
		for _, secret := range []string{headID, sonID, phone, deputyPhone} {
			var n int
			if err := st.Pool.QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM %s t WHERE t::text LIKE '%%' || $1 || '%%'
				OR t::text LIKE '%%' || encode(convert_to($1, 'UTF8'), 'hex') || '%%'`, pgx.Identifier{table}.Sanitize()),
				secret).Scan(&n); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
			if n != 0 {
				t.Errorf("table %s: %d rows hold %s in plaintext", table, n, secret[:4]+"…")
			}
		}
	}
	var sealed, hash []byte
	if err := st.Pool.QueryRow(ctx, `SELECT id_enc, id_hash FROM households`).Scan(&sealed, &hash); err != nil {
		t.Fatal(err)
	}
	if len(sealed) != len(headID)+vault.Overhead || vault.KeyID(sealed) != st.Keys.CurrentID() || len(hash) != vault.HashSize {
		t.Errorf("stored ID: %d bytes under key %d, hash %d bytes", len(sealed), vault.KeyID(sealed), len(hash))
	}

	// Search by the whole number and by its tail; the reveal shows it.
	for _, q := range []string{headID, headID[14:], strings.ToLower(headID[14:])} {
		_, doc := a.get(t, staff, "/households?q="+url.QueryEscape(q))
		if n := doc.Find(`[data-testid="households"] tbody tr`).Length(); n != 1 {
			t.Errorf("search %s…: %d rows, want 1", q[:4], n)
		}
	}
	if status, _, doc := a.post(t, staff, loc+"/reveal", url.Values{}); status != http.StatusOK ||
		!strings.Contains(doc.Text(), headID) || !strings.Contains(doc.Text(), sonID) || !strings.Contains(doc.Text(), phone) {
		t.Errorf("reveal: %d, full ID/phone shown: %v", status, strings.Contains(doc.Text(), headID))
	}

	// A second household with the member's ID is refused, naming the holder.
	form.Set("head_name", "钱明")
	form.Set("id_number", sonID)
	for k := range form {
		if strings.HasPrefix(k, "members.") {
			form.Del(k)
		}
	}
	status, _, doc = a.post(t, staff, "/households", form)
	if msg := text(doc, `[data-testid="error-id_number"]`); status != http.StatusUnprocessableEntity || !strings.Contains(msg, "钱守财") {
		t.Errorf("duplicate ID: %d %q %s", status, msg, doc.Find(".field-error").Text())
	}

	// The wrong key: a loud 500, no personal data.
	wrong, err := vault.New(vault.DevHashKey(), vault.Key{ID: st.Keys.CurrentID(), Secret: bytes.Repeat([]byte{1}, vault.KeySize)})
	if err != nil {
		t.Fatal(err)
	}
	b := newApp(t, store.New(st.Pool, wrong))
	bad := b.client(t, "office", testutil.Password)
	for _, path := range []string{"/households", loc} {
		status, body := b.getBody(t, bad, path)
		if status != http.StatusInternalServerError || strings.Contains(body, headID[14:]) {
			t.Errorf("%s with the wrong key: %d", path, status)
		}
	}
}
