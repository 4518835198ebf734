package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// officeRoster rewrites the template roster good (heading on row 3, two
// rows per household) as rosters are kept in a township office: a two-row
// title block of its own, headings by other names (户主, 证件号码, 手机号),
// the last two columns swapped and, when merge is set, the household's
// 乡(镇), 行政村, 组 and 户主 cells merged over its member row. It returns
// the rows written (the member rows as typed, before merging) and the file.
func officeRoster(t *testing.T, good []byte, merge bool, badIncomeAt int) ([][]string, []byte) {
	t.Helper()
	src, err := excelize.OpenReader(bytes.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	rows, err := src.GetRows(xlsx.SheetName, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	synonyms := map[string]string{"户主姓名": "户主", "身份证号码": "证件号码", "联系电话": "手机号"}
	out := [][]string{{"弼时镇玉池村建档立卡贫困户花名册"}, {"填报单位（盖章）：玉池村村民委员会", "", "", "填报时间：2026年"}}
	for i, r := range rows[2:] {
		r = append(r, make([]string, len(xlsx.Columns)-len(r))...)
		last := len(xlsx.Columns) - 1
		r[last-1], r[last] = r[last], r[last-1] // 联系电话 ⇄ 备注
		if i == 0 {
			for j, h := range r {
				if s, ok := synonyms[h]; ok {
					r[j] = s
				}
			}
		}
		if i == 1+2*badIncomeAt && badIncomeAt >= 0 {
			r[21] = "两千" // 人均纯收入（元）
		}
		out = append(out, r)
	}
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range out {
		row := make([]any, len(r))
		for j, v := range r {
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if merge {
		// Households: a head row then one member row, from row 4.
		for r := 4; r+1 <= len(out); r += 2 {
			for _, col := range []string{"B", "C", "D", "E"} {
				below := col + strconv.Itoa(r+1)
				if err := f.SetCellValue("Sheet1", below, ""); err != nil {
					t.Fatal(err)
				}
				if err := f.MergeCell("Sheet1", col+strconv.Itoa(r), below); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return out, buf.Bytes()
}

// gbkCSV writes rows as CSV in GBK, as Excel saves "CSV" on Chinese Windows.
func gbkCSV(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(simplifiedchinese.GBK.NewEncoder().Writer(&buf))
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRosterImportAsOfficesKeepIt imports the same three households from a
// township's own roster (a two-row title block, headings 户主/证件号码/手机号,
// columns in another order, 户主 and address cells merged over the member
// rows), from the template roster and from a GBK CSV: the first creates
// them and the others find them unchanged. A roster with one bad row
// commits nothing; a legacy .xls is refused with one clear message.
func TestRosterImportAsOfficesKeepIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	count := func() int {
		var n int
		if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM households`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	importFile := func(name string, data []byte) (string, string) {
		t.Helper()
		status, loc := a.upload(t, staff, data)
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
			t.Fatalf("%s: upload %d %q", name, status, loc)
		}
		return a.waitJob(t, staff, loc)
	}

	good := roster(t, 3, -1)
	// One bad income in the office's merged roster: nothing is committed.
	_, bad := officeRoster(t, good, true, 1)
	if st, page := importFile("bad office roster", bad); st != "failed" || !strings.Contains(page, "人均纯收入") {
		t.Errorf("office roster with a bad income: %s %q", st, page)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d households after a failed import, want 0", n)
	}

	rows, merged := officeRoster(t, good, true, -1)
	if st, page := importFile("office roster", merged); st != "done" || !strings.Contains(page, "新增 3 户") {
		t.Fatalf("office roster (title block, synonyms, merged 户主): %s %q", st, page)
	}
	for name, data := range map[string][]byte{"template roster": good, "GBK CSV": gbkCSV(t, rows)} {
		if st, page := importFile(name, data); st != "done" || !strings.Contains(page, "新增 0 户，更新 0 户，3 户无变化") {
			t.Errorf("%s after the office roster: %s %q, want the same 3 households unchanged", name, st, page)
		}
	}
	var members int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM household_members`).Scan(&members); err != nil || members != 6 || count() != 3 {
		t.Errorf("%d households with %d members (%v), want 3 with 6", count(), members, err)
	}

	// A legacy .xls (an OLE2 compound file): one clear message.
	xls := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, bytes.Repeat([]byte{0}, 504)...)
	if st, page := importFile("xls", xls); st != "failed" || !strings.Contains(page, "旧版 Excel（.xls）") {
		t.Errorf(".xls upload: %s %q", st, page)
	}
}
