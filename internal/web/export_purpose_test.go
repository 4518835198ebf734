package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/xuri/excelize/v2"
)

// exportFile runs an export job (POST path with form) as c and returns the
// job page text and the workbook.
func (a *app) exportFile(t *testing.T, c *http.Client, path string, form url.Values) (string, []byte) {
	t.Helper()
	status, loc, doc := a.post(t, c, path, form)
	if status != http.StatusSeeOther {
		t.Fatalf("%s %v: %d %s", path, form, status, doc.Find(".field-error").Text())
	}
	jstatus, page := a.waitJob(t, c, loc)
	if jstatus != "done" {
		t.Fatalf("%s: %s %q", path, jstatus, page)
	}
	resp, err := c.Get(a.srv.URL + loc + "/file")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return page, data
}

// exportRows is exportFile with the rows of the workbook's first sheet.
func (a *app) exportRows(t *testing.T, c *http.Client, path string, form url.Values) (string, [][]string) {
	t.Helper()
	page, data := a.exportFile(t, c, path, form)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	return page, rows
}

func countMatches(rows [][]string, match func(string) bool) int {
	n := 0
	for _, r := range rows {
		for _, c := range r {
			if match(c) {
				n++
			}
		}
	}
	return n
}

// TestExportsMaskedByDefaultFullExportNeedsPurpose: the household and
// deputy exports mask ID numbers and phones for every role, staff
// included; a full export is a separate choice for staff that needs a
// stated purpose (a Chinese message beside the field when missing, what was
// typed kept), is audited with purpose and count, and says on its first row
// that it holds personal data.
func TestExportsMaskedByDefaultFullExportNeedsPurpose(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	_, loc := a.upload(t, staff, roster(t, 5, -1))
	if jstatus, page := a.waitJob(t, staff, loc); jstatus != "done" {
		t.Fatalf("import: %s %q", jstatus, page)
	}
	const deputyPhone = "13912345678"
	dform := url.Values{"name": {"吴代表"}, "gender": {"male"}, "ethnicity": {"汉族"}, "levels": {"county"},
		"category": {"cadre"}, "phone": {deputyPhone}, "home_township_code": {bishi}}
	if status, _, doc := a.post(t, staff, "/deputies", dform); status != http.StatusSeeOther {
		t.Fatalf("register deputy: %d %s", status, doc.Find(".field-error").Text())
	}
	isFullID := func(s string) bool { return fullID.MatchString(s) }

	// Staff's plain export is masked like everyone's.
	page, rows := a.exportRows(t, staff, "/households/export", url.Values{"division": {yuchi}})
	if n := countMatches(rows, isFullID); n != 0 || len(rows) != 3+10 || !strings.Contains(page, "隐去") {
		t.Errorf("staff's default export: %d whole ID numbers in %d rows; page %q", n, len(rows), page)
	}
	if strings.Contains(rows[0][0], "个人信息") {
		t.Errorf("masked export's first row says it holds personal data: %q", rows[0][0])
	}
	_, rows = a.exportRows(t, staff, "/deputies/export", url.Values{})
	if n := countMatches(rows, func(s string) bool { return strings.Contains(s, deputyPhone) }); n != 0 {
		t.Errorf("staff's default deputy export holds the whole phone %d times", n)
	}

	// The full export asks for a purpose, keeping the list's filters.
	status, _, doc := a.post(t, staff, "/households/export", url.Values{"division": {yuchi}, "full": {"1"}})
	if v, _ := doc.Find(`[data-testid="full-export"] input[name="division"]`).Attr("value"); status != http.StatusOK || v != yuchi ||
		strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(doc.Find(`label[for="purpose"]`).Text()), "*")) != "导出用途" ||
		doc.Find(`label[for="purpose"] .req`).Length() != 1 {
		t.Fatalf("purpose form: %d, division %q, label %q", status, v, doc.Find(`label[for="purpose"]`).Text())
	}
	status, _, doc = a.post(t, staff, "/households/export", url.Values{"division": {yuchi}, "full": {"1"}, "confirm": {"1"}})
	if status != http.StatusUnprocessableEntity || text(doc, `[data-testid="error-purpose"]`) != "请选择导出用途" {
		t.Errorf("no purpose: %d %q", status, text(doc, `[data-testid="error-purpose"]`))
	}
	status, _, doc = a.post(t, staff, "/households/export", url.Values{"division": {yuchi}, "full": {"1"}, "confirm": {"1"},
		"purpose": {"其他"}, "purpose_other": {"  "}})
	if sel, _ := doc.Find(`select[name="purpose"] option[selected]`).Attr("value"); status != http.StatusUnprocessableEntity ||
		text(doc, `[data-testid="error-purpose_other"]`) != "选择“其他”时请写明用途" || sel != "其他" {
		t.Errorf("其他 without words: %d %q, selected %q", status, text(doc, `[data-testid="error-purpose_other"]`), sel)
	}
	var before int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'household.export'`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if before != 1 {
		t.Errorf("%d household.export events after one export and three forms, want 1", before)
	}

	// Leaders never get it.
	leader := a.client(t, "leader", testutil.Password)
	if status, _, _ := a.post(t, leader, "/households/export", url.Values{"full": {"1"}, "confirm": {"1"}, "purpose": {"报送民政"}}); status != http.StatusForbidden {
		t.Errorf("leader's full export: %d, want 403", status)
	}

	// With a purpose: whole numbers, the first row says so, the audit
	// trail has the purpose and the count.
	page, rows = a.exportRows(t, staff, "/households/export", url.Values{"division": {yuchi}, "full": {"1"}, "confirm": {"1"},
		"purpose": {"其他"}, "purpose_other": {"县审计局核查"}})
	if n := countMatches(rows, isFullID); n != 10 {
		t.Errorf("full export: %d whole ID numbers, want 10 (page %q)", n, page)
	}
	if !strings.Contains(rows[0][0], "个人信息") || !strings.Contains(rows[0][0], "其他：县审计局核查") {
		t.Errorf("full export's first row: %q", rows[0][0])
	}
	var purpose, households, unmasked string
	if err := st.Pool.QueryRow(ctx, `SELECT after->>'purpose', after->>'households', after->>'unmasked' FROM audit_events
		WHERE action = 'household.export' ORDER BY id DESC LIMIT 1`).Scan(&purpose, &households, &unmasked); err != nil {
		t.Fatal(err)
	}
	if purpose != "其他：县审计局核查" || households != "5" || unmasked != "true" {
		t.Errorf("audit: purpose %q households %s unmasked %s", purpose, households, unmasked)
	}

	_, rows = a.exportRows(t, staff, "/deputies/export", url.Values{"full": {"1"}, "confirm": {"1"}, "purpose": {"报送民政"}})
	if n := countMatches(rows, func(s string) bool { return s == deputyPhone }); n != 1 || !strings.Contains(rows[0][0], "个人信息") {
		t.Errorf("full deputy export: phone %d times, first row %q", n, rows[0][0])
	}
	if err := st.Pool.QueryRow(ctx, `SELECT after->>'purpose', after->>'deputies', after->>'unmasked' FROM audit_events
		WHERE action = 'deputy.export' ORDER BY id DESC LIMIT 1`).Scan(&purpose, &households, &unmasked); err != nil {
		t.Fatal(err)
	}
	if purpose != "报送民政" || households != "1" || unmasked != "true" {
		t.Errorf("deputy audit: purpose %q deputies %s unmasked %s", purpose, households, unmasked)
	}
}
