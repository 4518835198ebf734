package browser_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// printable is one page the office prints, with the role that prints it.
type printable struct {
	name, path string
}

// TestPrintedPagesKeepEveryColumn prints the pages the office files on paper
// (一户一档, the 三比 ranking, 评先评优, the weekly digest, meeting minutes, the
// quarterly summary and the dashboard) to A4 PDFs in Chromium. On paper
// width in print media no table is wider than the page and no box clips its
// content; every column header of every table is in the PDF's text (read with
// pdftotext); the page footer names the office and numbers the pages.
func TestPrintedPagesKeepEveryColumn(t *testing.T) {
	pdftotext := pdfToText(t)
	bctx := startBrowser(t)
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	now := time.Now().In(cst)
	st := testutil.NewStoreWithDemo(t, now)
	base := startServer(t, st)

	var householdID, meetingID int64
	if err := st.Pool.QueryRow(ctx, `SELECT h.id FROM households h JOIN pairings p ON p.household_id = h.id AND p.status = 'active'
		WHERE h.village_code = $1 ORDER BY h.id LIMIT 1`, yuchi).Scan(&householdID); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM meetings WHERE minutes <> '' ORDER BY id LIMIT 1`).Scan(&meetingID); err != nil {
		t.Fatal(err)
	}
	quarter := fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())-1)/3+1)
	pages := []printable{
		{"household-file", "/households/" + strconv.FormatInt(householdID, 10) + "/file"},
		{"card", "/households/" + strconv.FormatInt(householdID, 10) + "/card"},
		{"ranking", "/ranking"},
		{"evaluation", "/evaluation"},
		{"digest", "/digest?division=430681107"},
		{"minutes", "/meetings/" + strconv.FormatInt(meetingID, 10) + "/minutes"},
		{"summary", "/summaries/430681107/" + quarter + "/print"},
		{"dashboard", "/dashboard"},
	}
	vp := viewport{name: "paper", width: 1366, height: 768}
	staff := newTab(t, bctx, base, vp, "office")
	staff.login("office", demo.Password)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			staff.t = t
			staff.open(p.path, "print-"+p.name)
			checkPrint(t, staff, p.name, pdftotext)
		})
	}
}

// pdfToText returns the path of poppler's pdftotext, skipping the test
// (failing it in CI) when it is missing.
func pdfToText(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("pdftotext")
	if err == nil {
		return p
	}
	const msg = "pdftotext not found; install it with `apt-get install poppler-utils`"
	if inCI() {
		t.Fatal(msg + " (CI is set, so this fails instead of skipping)")
	}
	t.Skip(msg)
	return ""
}

// paperWidthPx is the width of A4's printable area at 96 CSS px per inch:
// 210 mm (portrait) or 297 mm (landscape) less two 12 mm margins.
func paperWidthPx(landscape bool) int64 {
	mm := 210.0
	if landscape {
		mm = 297
	}
	return int64((mm - 24) / 25.4 * 96)
}

// checkPrint lays the current page out at A4 width in print media and checks
// that no table overflows or is clipped, then prints it and checks the PDF
// holds every column header, the footer and only A4 pages.
func checkPrint(t *testing.T, tb *tab, name, pdftotext string) {
	t.Helper()
	landscape := eval[bool](tb, `document.body.classList.contains('print-landscape') || !!document.querySelector('.print-landscape')`)
	width := paperWidthPx(landscape)
	tb.do("A4 width", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: width, Height: 1000, DeviceScaleFactor: 1})
		return err
	}))
	tb.emulatePrint(true)
	type layout struct {
		Headers  []string `json:"headers"`
		Problems []string `json:"problems"`
	}
	l := eval[layout](tb, `(() => {
		const w = document.documentElement.clientWidth;
		const problems = [];
		const label = e => e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '') + (e.className ? '.' + String(e.className).replace(/ +/g, '.') : '');
		for (const tbl of document.querySelectorAll('main table')) {
			if (tbl.getClientRects().length === 0) continue;
			const r = tbl.getBoundingClientRect();
			if (r.right > w + 1) problems.push(label(tbl) + ' ends at ' + Math.round(r.right) + 'px on a ' + w + 'px page');
			if (tbl.scrollWidth > tbl.clientWidth + 1) problems.push(label(tbl) + ' scrolls: ' + tbl.scrollWidth + ' > ' + tbl.clientWidth);
		}
		for (const e of document.querySelectorAll('main *')) {
			if (e.getClientRects().length === 0) continue;
			const s = getComputedStyle(e);
			if (s.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1) problems.push(label(e) + ' clips its content (overflow-x ' + s.overflowX + '): ' + e.scrollWidth + ' > ' + e.clientWidth);
		}
		const headers = [];
		for (const th of document.querySelectorAll('main table thead th')) {
			if (th.closest('table').getClientRects().length === 0) continue;
			// A header of two lines (name, then 满分) may come out of
			// the PDF as two runs of text; each line must be there.
			for (const line of th.innerText.split('\n')) {
				const txt = line.replace(/\s+/g, '');
				if (txt) headers.push(txt);
			}
		}
		return {headers, problems: problems.slice(0, 10)};
	})()`)
	for _, p := range l.Problems {
		t.Errorf("%s on A4 (%dpx wide, print media): %s", name, width, p)
	}
	opts := []chromedp.PDFOption{chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()}
	pdf, err := chromedp.Run(tb.ctx, chromedp.PrintToPDF(opts...))
	if err != nil {
		t.Fatalf("printing %s: %v", name, err)
	}
	tb.emulatePrint(false)
	tb.do("screen width", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}))
	file := filepath.Join(shotDir(t), "paper-"+name+".pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", file, err)
	}
	text := strings.Join(strings.Fields(string(out)), "")
	for _, h := range l.Headers {
		if !strings.Contains(text, h) {
			t.Errorf("%s: column header %q is not in the printed PDF (%s)", name, h, file)
		}
	}
	if w, h, ok := mediaBox(pdf); !ok || !isA4(w, h) {
		t.Errorf("%s: PDF page is %.1f×%.1f pt, want A4", name, w, h)
	}
	pages := strings.Count(string(out), "\f")
	for _, want := range []string{"汨罗市人大常委会", "第1页", fmt.Sprintf("共%d页", pages), "打印于"} {
		if !strings.Contains(text, want) {
			t.Errorf("%s: the printed footer lacks %q (%s)", name, want, file)
		}
	}
}

// isA4 reports whether w×h points is A4, either way up.
func isA4(w, h float64) bool {
	near := func(a, b float64) bool { return a > b-2 && a < b+2 }
	return (near(w, 595.3) && near(h, 841.9)) || (near(w, 841.9) && near(h, 595.3))
}

// TestVillageFilesPrintOneHouseholdPerPage prints every household file of
// 玉池村 from /villages/{code}/files: each of its households, in roster
// order (surname strokes), begins a new A4 page of the PDF, and the columns
// of every file are on paper as for a single file.
func TestVillageFilesPrintOneHouseholdPerPage(t *testing.T) {
	pdftotext := pdfToText(t)
	bctx := startBrowser(t)
	ctx := context.Background()
	st := testutil.NewStoreWithDemo(t, time.Now().In(time.FixedZone("CST", 8*3600)))
	base := startServer(t, st)
	rows, err := st.Pool.Query(ctx, `SELECT head_name FROM households WHERE village_code = $1 ORDER BY head_name COLLATE zh_stroke, id`, yuchi)
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		heads = append(heads, h)
	}
	if rows.Err() != nil || len(heads) < 2 {
		t.Fatalf("玉池村 has %d households in the demo (%v)", len(heads), rows.Err())
	}
	staff := newTab(t, bctx, base, viewport{name: "paper", width: 1366, height: 768}, "office")
	staff.login("office", demo.Password)
	staff.open("/villages/"+yuchi+"/files", "village-files")
	checkPrint(t, staff, "village-files", pdftotext)

	// -layout keeps the page top to bottom, so a page starts with its first line.
	out, err := exec.Command(pdftotext, "-layout", "-enc", "UTF-8", filepath.Join(shotDir(t), "paper-village-files.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(string(out), "\f")
	// Each household's title opens a page of its own, in roster order.
	next := 0
	for i, pg := range pages {
		pg = strings.Join(strings.Fields(pg), "")
		switch n := strings.Count(pg, "一户一档·"); {
		case n > 1:
			t.Errorf("page %d holds %d household files", i+1, n)
		case n == 1 && next < len(heads) && strings.Contains(pg, "一户一档·玉池村"+heads[next]):
			// The file opens the page: only the page's own title (on
			// page 1) may come before it, no part of another file.
			if before := pg[:strings.Index(pg, "建档立卡贫困户一户一档·")]; i > 0 && before != "" || strings.Contains(before, "户主") {
				t.Errorf("page %d: the file of %s starts below %q", i+1, heads[next], before[max(0, len(before)-60):])
			}
			next++
		case n == 1:
			t.Errorf("page %d starts a household out of roster order; want %s next", i+1, heads[min(next, len(heads)-1)])
		}
	}
	if next != len(heads) {
		t.Errorf("found %d of the %d households of 玉池村 each on a page of its own in roster order (%d pages)", next, len(heads), len(pages)-1)
	}
}
