package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/demo"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// ledgerSheet is an exported ledger workbook as read back: the rows below
// the heading row (the last is 合计), with each amount as its raw cell
// value and whether the cell is a number shown #,##0.00, and each date as
// the cell's number format.
type ledgerSheet struct {
	headings []string
	body     int // rows before 合计
	amounts  []decimal.Decimal
	total    decimal.Decimal
	problems []string
}

// fetchLedgerXLSX downloads path with c and reads it; amountCol and dateCol
// name the headings of the amount and date columns.
func fetchLedgerXLSX(t *testing.T, c *http.Client, url string) (int, ledgerSheet) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out ledgerSheet
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, out
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: not a workbook: %v", url, err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	head := -1
	for i, r := range rows {
		if len(r) > 0 && r[0] == "日期" {
			head = i
			break
		}
	}
	if head < 0 {
		t.Fatalf("%s: no heading row starting 日期", url)
	}
	out.headings = rows[head]
	amountCol, dateCol := -1, 0
	for j, h := range out.headings {
		if h == "金额（元）" {
			amountCol = j
		}
	}
	if amountCol < 0 {
		t.Fatalf("%s: no 金额（元） column in %v", url, out.headings)
	}
	styleFmt := func(cell string) int {
		id, err := f.GetCellStyle(sheet, cell)
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt != nil {
			if *st.CustomNumFmt == "yyyy-mm-dd" {
				return -14 // our date format
			}
			return -1
		}
		return st.NumFmt
	}
	for i := head + 1; i < len(rows); i++ {
		row := i + 1
		amountCell, _ := excelize.CoordinatesToCellName(amountCol+1, row)
		dateCell, _ := excelize.CoordinatesToCellName(dateCol+1, row)
		typ, err := f.GetCellType(sheet, amountCell)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := f.GetCellValue(sheet, amountCell, excelize.Options{RawCellValue: true})
		if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber || styleFmt(amountCell) != 4 {
			out.problems = append(out.problems, amountCell+" is not a number shown #,##0.00: "+raw)
		}
		d, err := decimal.NewFromString(raw)
		if err != nil {
			out.problems = append(out.problems, amountCell+" = "+raw)
			continue
		}
		if rows[i][0] == "合计" {
			out.total = d
			if i != len(rows)-1 {
				out.problems = append(out.problems, "合计 is not the last row")
			}
			continue
		}
		out.body++
		out.amounts = append(out.amounts, d)
		dateRaw, _ := f.GetCellValue(sheet, dateCell, excelize.Options{RawCellValue: true})
		if _, err := strconv.ParseFloat(dateRaw, 64); err != nil || styleFmt(dateCell) != -14 {
			out.problems = append(out.problems, dateCell+" is not an Excel date: "+dateRaw)
		}
	}
	return resp.StatusCode, out
}

// TestLedgerExportsAddUpToTheDatabase downloads the ledger search as Excel
// for staff (the county) and the 弼时镇 chair (its township), and one
// household's 帮扶台账: amounts are number cells shown #,##0.00, dates are
// Excel dates, the row count and the 合计 row equal what the database holds
// for the same scope; a chair asking for another township, or a deputy for
// a household not its own, gets 404.
func TestLedgerExportsAddUpToTheDatabase(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	sum := func(where string, args ...any) (int, decimal.Decimal) {
		var n int
		var s decimal.Decimal
		if err := a.st.Pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(e.amount), 0) FROM ledger_entries e
			JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id
			WHERE e.status <> 'draft' AND `+where, args...).Scan(&n, &s); err != nil {
			t.Fatal(err)
		}
		return n, s
	}
	check := func(who, path string, wantN int, wantSum decimal.Decimal, got ledgerSheet) {
		t.Helper()
		for _, p := range got.problems[:min(len(got.problems), 5)] {
			t.Errorf("%s %s: %s", who, path, p)
		}
		if got.body != wantN || !got.total.Equal(wantSum) {
			t.Errorf("%s %s: %d rows, 合计 %s; the database has %d entries summing %s", who, path, got.body, got.total, wantN, wantSum)
		}
		added := decimal.Zero
		for _, d := range got.amounts {
			added = added.Add(d)
		}
		if !added.Equal(got.total) {
			t.Errorf("%s %s: the rows add up to %s, 合计 says %s", who, path, added, got.total)
		}
		if wantN == 0 {
			t.Errorf("%s %s: the demo should have entries here", who, path)
		}
	}

	staff := a.client(t, "office", demo.Password)
	n, s := sum(`true`)
	status, got := fetchLedgerXLSX(t, staff, a.srv.URL+"/ledger/export.xlsx")
	if status != http.StatusOK {
		t.Fatalf("staff /ledger/export.xlsx: %d", status)
	}
	check("staff", "/ledger/export.xlsx", n, s, got)

	// The same filters as the search page: a village, a kind, a date range.
	n, s = sum(`h.village_code = $1 AND e.kind = 'goods' AND e.entry_date >= '2000-01-01'`, yuchi)
	path := "/ledger/export.xlsx?division=" + yuchi + "&kind=goods&from=2000-01-01"
	if status, got = fetchLedgerXLSX(t, staff, a.srv.URL+path); status != http.StatusOK {
		t.Fatalf("staff %s: %d", path, status)
	}
	check("staff", path, n, s, got)

	chair := a.client(t, "chair.bishi", demo.Password)
	n, s = sum(`h.township_code = $1`, bishi)
	if status, got = fetchLedgerXLSX(t, chair, a.srv.URL+"/ledger/export.xlsx"); status != http.StatusOK {
		t.Fatalf("chair /ledger/export.xlsx: %d", status)
	}
	check("chair.bishi", "/ledger/export.xlsx", n, s, got)
	if status, _ := fetchLedgerXLSX(t, chair, a.srv.URL+"/ledger/export.xlsx?division="+xinshi); status != http.StatusNotFound {
		t.Errorf("chair.bishi asking for 新市镇's ledger: %d, want 404", status)
	}

	// One household's 帮扶台账: deputy.demo's first household in 玉池村.
	var hid, pid int64
	if err := a.st.Pool.QueryRow(ctx, `SELECT h.id, p.id FROM households h JOIN pairings p ON p.household_id = h.id AND p.status = 'active'
		JOIN users u ON u.deputy_id = p.deputy_id AND u.username = 'deputy.demo'
		WHERE EXISTS (SELECT 1 FROM ledger_entries e WHERE e.pairing_id = p.id AND e.amount > 0 AND e.status <> 'draft')
		ORDER BY h.id LIMIT 1`).Scan(&hid, &pid); err != nil {
		t.Fatal(err)
	}
	hpath := "/households/" + strconv.FormatInt(hid, 10) + "/ledger.xlsx"
	n, s = sum(`e.pairing_id = $1`, pid)
	for _, who := range []string{"office", "chair.bishi", "deputy.demo"} {
		status, got := fetchLedgerXLSX(t, a.client(t, who, demo.Password), a.srv.URL+hpath)
		if status != http.StatusOK {
			t.Fatalf("%s %s: %d", who, hpath, status)
		}
		check(who, hpath, n, s, got)
		if strings.Join(got.headings, "|") != "日期|类别|内容|金额（元）|状态|审核人" {
			t.Errorf("%s %s: headings %v", who, hpath, got.headings)
		}
	}
	if status, _ := fetchLedgerXLSX(t, a.client(t, "chair.xinshi", demo.Password), a.srv.URL+hpath); status != http.StatusNotFound {
		t.Errorf("chair.xinshi asking for a 弼时镇 household's ledger: %d, want 404", status)
	}
}
