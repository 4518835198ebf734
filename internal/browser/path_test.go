package browser_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

const yuchi = "430681107231" // 弼时镇玉池村, where deputy.demo helps

// TestMainPaths walks every role's main path in Chromium, once on a desktop
// screen and once on a phone: staff registers a household (one field wrong
// first) and pairs it, the deputy records a visit with a photo and submits
// it, the township chair sees the photo load in the queue and approves the
// entry, the leader's dashboard figures move, the household page links the
// photo, and the household file prints to an A4 PDF without navigation. Each viewport runs
// on its own database with the demo data, in one browser.
func TestMainPaths(t *testing.T) {
	bctx := startBrowser(t)
	t.Logf("screenshots and PDFs: %s", shotDir(t))
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel() // each in its own tabs, on its own database
			mainPath(t, bctx, vp)
		})
	}
}

func mainPath(t *testing.T, bctx context.Context, vp viewport) {
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	now := time.Now().In(cst)
	st := testutil.NewStoreWithDemo(t, now)
	base := startServer(t, st)

	depUser, _, err := st.UserForLogin(ctx, "deputy.demo")
	if err != nil {
		t.Fatal(err)
	}
	depID := depUser.DeputyID
	var depName string
	if err := st.Pool.QueryRow(ctx, `SELECT name FROM deputies WHERE id = $1`, depID).Scan(&depName); err != nil {
		t.Fatal(err)
	}

	// The leader looks at the county before anything happens.
	leader := newTab(t, bctx, base, vp, "leader")
	leader.login("leader", demo.Password)
	before := figures(leader)

	// 1. Staff registers a household of three, the head's ID number mistyped.
	staff := newTab(t, bctx, base, vp, "office")
	staff.login("office", demo.Password)
	staff.open("/households/new", "household-new")
	headID := mustID(t, time.Date(1968, 4, 12, 0, 0, 0, 0, time.UTC), 731) // male
	wifeID := mustID(t, time.Date(1970, 9, 30, 0, 0, 0, 0, time.UTC), 732) // female
	sonID := mustID(t, time.Date(1995, 2, 14, 0, 0, 0, 0, time.UTC), 733)  // male
	wrongID := headID[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", headID[17])+1)%11])
	typed := map[string]string{
		"village_code":        yuchi,
		"group_name":          "5组",
		"attribute":           "general",
		"identification_year": "2015",
		"main_cause":          "因病",
		"per_capita_income":   "2,680.50",
		"planned_exit_year":   strconv.Itoa(now.Year() + 1),
		"phone":               "13807301234",
		"head_name":           "彭建华",
		"head_sex":            "male",
		"id_number":           wrongID,
	}
	staff.set(`#village_code`, typed["village_code"])
	staff.typeIn(`#group_name`, typed["group_name"])
	staff.set(`#attribute`, typed["attribute"])
	staff.do("clearing the year", chromedp.Clear(chromedp.CSS(`#identification_year`)))
	staff.typeIn(`#identification_year`, typed["identification_year"])
	staff.set(`#main_cause`, typed["main_cause"])
	staff.do("ticking 缺劳力", chromedp.Click(chromedp.CSS(`input[name="other_causes"][value="缺劳力"]`)))
	staff.typeIn(`#per_capita_income`, typed["per_capita_income"])
	staff.typeIn(`#planned_exit_year`, typed["planned_exit_year"])
	staff.typeIn(`#phone`, typed["phone"])
	staff.typeIn(`#head_name`, typed["head_name"])
	staff.set(`#head_sex`, typed["head_sex"])
	staff.typeIn(`#id_number`, typed["id_number"])
	members := []struct{ name, relation, sex, id string }{
		{"李秀英", "配偶", "female", wifeID},
		{"彭小军", "子", "male", sonID},
	}
	addMember := `button[name="op"][value="add_member"]`
	for i, m := range members {
		f := func(field string) string { return fmt.Sprintf("members.%d.%s", i, field) }
		// 添加成员 adds the row in place (htmx), without a page load.
		staff.do("adding a member", chromedp.Click(chromedp.CSS(addMember), chromedp.NodeVisible),
			chromedp.WaitVisible(chromedp.CSS(`[name="`+f("name")+`"]`)))
		staff.check("household-add-member")
		typed[f("name")], typed[f("relation")], typed[f("sex")], typed[f("id_number")] = m.name, m.relation, m.sex, m.id
		staff.typeIn(`[name="`+f("name")+`"]`, m.name)
		staff.set(`[name="`+f("relation")+`"]`, m.relation)
		staff.set(`[name="`+f("sex")+`"]`, m.sex)
		staff.typeIn(`[name="`+f("id_number")+`"]`, m.id)
	}
	staff.allow("status of 422")
	staff.click(`button[name="op"][value="save"]`, "household-error", http.StatusUnprocessableEntity)
	if msg := staff.text(`[data-testid="error-id_number"]`); !strings.Contains(msg, "校验位") {
		t.Errorf("message beside the ID number = %q, want one about the check digit", msg)
	}
	got := map[string]string{}
	for name := range typed {
		got[name] = staff.value(`[name="` + name + `"]`)
	}
	if diff := cmp.Diff(typed, got); diff != "" {
		t.Errorf("form after the error lost what was typed (-typed +shown):\n%s", diff)
	}
	if !eval[bool](staff, `document.querySelector('input[name="other_causes"][value="缺劳力"]').checked`) {
		t.Error("the ticked other cause 缺劳力 is unticked after the error")
	}
	staff.do("correcting the ID number",
		chromedp.Clear(chromedp.CSS(`#id_number`)),
		chromedp.SendKeys(chromedp.CSS(`#id_number`), headID),
	)
	staff.click(`button[name="op"][value="save"]`, "household-created", http.StatusOK)
	hid, err := strconv.ParseInt(strings.TrimPrefix(staff.path(), "/households/"), 10, 64)
	if err != nil {
		t.Fatalf("after saving the household the browser is at %s", staff.path())
	}
	if flash := staff.text(`[data-testid="flash"]`); !strings.Contains(flash, "3人") {
		t.Errorf("flash after registering = %q, want it to count 3 people", flash)
	}

	// Staff pairs it with deputy.demo's deputy, found by name.
	hpath := "/households/" + strconv.FormatInt(hid, 10)
	staff.open(hpath+"/pair?q="+url.QueryEscape(depName), "pair")
	staff.click(fmt.Sprintf(`[data-testid="pair-%d"]`, depID), "household-paired", http.StatusOK)
	if got := staff.text(`[data-testid="active-pairing"]`); !strings.Contains(got, depName) {
		t.Errorf("household page after pairing shows %q, want the deputy %s", got, depName)
	}
	var pid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM pairings WHERE household_id = $1 AND status = 'active'`, hid).Scan(&pid); err != nil {
		t.Fatalf("active pairing: %v", err)
	}

	// 2. The deputy records a visit, attaches a photo and submits it for
	// review.
	deputy := newTab(t, bctx, base, vp, "deputy")
	deputy.login("deputy.demo", demo.Password)
	deputy.click(fmt.Sprintf(`[data-testid="pairing-%d"] a[role="button"]`, pid), "ledger-new", http.StatusOK)
	deputy.set(`#entry_date`, now.Format(time.DateOnly))
	deputy.set(`#kind`, "visit")
	deputy.typeIn(`#description`, "入户走访，了解春耕准备和孩子上学情况")
	deputy.typeIn(`#beneficiaries`, "彭建华一家")
	shot := writePNG(t, photoW, photoH)
	deputy.do("choosing the photo", chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{shot}, chromedp.NodeReady))
	if n := eval[int](deputy, `document.querySelector('#photos').files.length`); n != 1 {
		t.Fatalf("the photo input holds %d files after choosing one", n)
	}
	deputy.screenshot("ledger-filled")
	deputy.click(`button[name="action"][value="submit"]`, "ledger-submitted", http.StatusOK)
	var eid int64
	var status string
	if err := st.Pool.QueryRow(ctx, `SELECT id, status FROM ledger_entries WHERE pairing_id = $1`, pid).Scan(&eid, &status); err != nil || status != "submitted" {
		t.Fatalf("the deputy's entry: %v, status %q, want submitted", err, status)
	}
	var nPhotos, phW, phH int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*), coalesce(max(width), 0), coalesce(max(height), 0) FROM ledger_photos WHERE entry_id = $1`, eid).Scan(&nPhotos, &phW, &phH); err != nil {
		t.Fatal(err)
	}
	if nPhotos != 1 || phW != photoW || phH != photoH {
		t.Fatalf("entry %d has %d photos of %d×%d px, want 1 of %d×%d", eid, nPhotos, phW, phH, photoW, photoH)
	}

	// 3. The township chair approves it from the queue.
	chair := newTab(t, bctx, base, vp, "chair")
	chair.login("chair.bishi", demo.Password)
	chair.open("/review?village="+yuchi+"&kind=visit", "review")
	// The queue is oldest first, so the new entry is on its last page.
	approve := fmt.Sprintf(`[data-testid="approve-%d"]`, eid)
	for !eval[bool](chair, "!!document.querySelector('"+approve+"')") {
		next := eval[string](chair, `[...document.querySelectorAll('nav.pager a')].find(a => a.textContent.trim() === '下一页')?.href ?? ''`)
		if next == "" {
			t.Fatalf("entry %d is on no page of the review queue", eid)
		}
		chair.navigate("review-next-page", http.StatusOK, chromedp.Navigate(next))
	}
	// Its card shows the photo, and the browser could load and decode it
	// (the thumbnail loads lazily, so bring it into view first).
	thumb := fmt.Sprintf(`[data-testid="review-%d"] [data-testid="photos"] img`, eid)
	if w := chair.imageWidth(thumb); w != photoW {
		t.Errorf("review card's photo %s: naturalWidth %d, want %d", thumb, w, photoW)
	}
	chair.screenshot("review-photo")
	chair.click(approve, "review-approved", http.StatusOK)
	if err := st.Pool.QueryRow(ctx, `SELECT status FROM ledger_entries WHERE id = $1`, eid).Scan(&status); err != nil || status != "approved" {
		t.Fatalf("entry after approval: %v, status %q", err, status)
	}

	// 4. The leader's dashboard moved: one more household, paired, and one
	// more approved entry in the last 30 days; its four charts draw as SVG
	// with data, and the page prints on A4 without the navigation.
	leader.open("/dashboard", "dashboard-after")
	after := figures(leader)
	checkCharts(leader, "chart-share", "chart-monthly", "chart-causes", "chart-relief")
	printA4(leader, "dashboard")
	want := map[string]int{
		"households": before["households"] + 1,
		"paired":     before["paired"] + 1,
		"entries30":  before["entries30"] + 1,
	}
	for k, v := range want {
		if after[k] != v {
			t.Errorf("dashboard %s: %d before, %d after; want %d", k, before[k], after[k], v)
		}
	}

	// 5. The household page links the entry's photo, for staff and for the
	// leader, and the link serves the image to both.
	leader.open(hpath, "household-page-leader")
	staff.open(hpath, "household-page")
	for _, tb := range []*tab{leader, staff} {
		href := eval[string](tb, `document.querySelector('[data-testid="photo-link"]')?.getAttribute('href') ?? ''`)
		if !photoPath.MatchString(href) {
			t.Errorf("%s: household page's photo link is %q, want /photos/{id}", tb.who, href)
			continue
		}
		if got := tb.fetch(href); got != "200 image/jpeg" {
			t.Errorf("%s: GET %s from the household page: %s, want 200 image/jpeg", tb.who, href, got)
		}
	}

	// 6. The household file (一户一档) prints on A4 without navigation.
	staff.open(hpath+"/file", "household-file")
	printA4(staff, "household")

	// 7. The pages added since (notices, units, showcase, summaries, the
	// audit log) open for the roles that use them without a console error
	// and, on the phone, without the page scrolling sideways.
	year, quarter := now.Year(), (int(now.Month())-1)/3+1
	summary := fmt.Sprintf("/summaries/430681107/%d-Q%d", year, quarter) // 弼时镇
	for _, step := range []struct {
		tb   *tab
		path string
	}{
		{deputy, "/notices"}, {deputy, "/showcase"},
		{chair, "/notices"}, {chair, "/summaries"}, {chair, summary}, {chair, "/showcase"},
		{staff, "/notices"}, {staff, "/notices/new"}, {staff, "/units"}, {staff, "/units/new"},
		{staff, "/audit"}, {staff, "/summaries"}, {staff, "/showcase"},
		{leader, "/summaries"}, {leader, "/evaluation"},
	} {
		step.tb.open(step.path, "later-"+strings.Trim(step.path, "/"))
	}
	// The demo's notice to every deputy opens from the deputy's list.
	deputy.open("/notices", "notices-deputy")
	href := eval[string](deputy, `document.querySelector('[data-testid="notices"] a[href^="/notices/"]')?.getAttribute('href') ?? ''`)
	if href == "" {
		t.Fatal("the deputy's notice list links no notice")
	}
	deputy.open(href, "notice-deputy")
	if !strings.Contains(deputy.text(`[data-testid="notice-body"]`), "一对一") {
		t.Errorf("the demo notice's body: %q", deputy.text(`[data-testid="notice-body"]`))
	}
}

// printA4 switches tb's page to print media, checks that the site header,
// navigation and footer are hidden, prints it to PDF and checks the paper is
// A4; the PDF is saved beside the screenshots as <viewport>-<name>.pdf.
func printA4(tb *tab, name string) {
	t := tb.t
	t.Helper()
	staff, vp := tb, tb.vp
	staff.emulatePrint(true)
	hidden := eval[map[string]bool](staff, `(() => {
		const gone = sel => [...document.querySelectorAll(sel)].every(e => e.getClientRects().length === 0);
		return {header: gone('header.site'), nav: gone('nav'), footer: gone('footer.site')};
	})()`)
	if diff := cmp.Diff(map[string]bool{"header": true, "nav": true, "footer": true}, hidden); diff != "" {
		t.Errorf("printed %s page still shows (-want hidden +got hidden):\n%s", name, diff)
	}
	staff.screenshot(name + "-print-media")
	pdf, err := chromedp.Run(staff.ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	if err != nil {
		t.Fatalf("printing the %s page: %v", name, err)
	}
	staff.emulatePrint(false)
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("the print is not a PDF: starts %q", pdf[:min(len(pdf), 16)])
	}
	if w, h, ok := mediaBox(pdf); !ok || w < 594 || w > 597 || h < 841 || h > 843 {
		t.Errorf("PDF page is %.1f×%.1f pt (found %v), want A4 595×842", w, h, ok)
	}
	file := filepath.Join(shotDir(t), vp.name+"-"+name+".pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
}

var photoPath = regexp.MustCompile(`^/photos/[0-9]+$`)

// The photo the deputy attaches, in pixels (small enough not to be scaled).
const photoW, photoH = 320, 240

// writePNG writes a w×h PNG (a colour gradient) into a temporary folder and
// returns its path.
func writePNG(t *testing.T, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(255 * x / w), uint8(255 * y / h), 160, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "走访.png")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// checkCharts waits until each chart (by test id) has drawn an SVG with at
// least one bar, line or sector, and fails the test if one does not.
func checkCharts(tb *tab, ids ...string) {
	tb.t.Helper()
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
		n, err := chromedp.Run(ctx, chromedp.PollFunction[int](`id => {
			const el = document.querySelector('[data-testid="' + id + '"]');
			const marks = el ? el.querySelectorAll('svg path, svg rect, svg polyline').length : 0;
			return el && el.dataset.drawn === 'true' && marks > 3 ? marks : false;
		}`, chromedp.WithPollingArgs(id), chromedp.WithPollingTimeout(10*time.Second)))
		cancel()
		if err != nil {
			tb.t.Errorf("%s/%s: chart %s did not draw an SVG with data: %v", tb.vp.name, tb.who, id, err)
			continue
		}
		tb.t.Logf("%s/%s: chart %s drew %d SVG marks", tb.vp.name, tb.who, id, n)
	}
}

// figures reads the dashboard's headline figures by their test id (fig-*).
func figures(tb *tab) map[string]int {
	tb.t.Helper()
	raw := eval[map[string]string](tb, `Object.fromEntries([...document.querySelectorAll('[data-testid^="fig-"]')].map(e => [e.dataset.testid.slice(4), e.textContent.trim()]))`)
	out := map[string]int{}
	for k, v := range raw {
		if n, err := strconv.Atoi(strings.ReplaceAll(v, ",", "")); err == nil {
			out[k] = n
		}
	}
	for _, k := range []string{"households", "paired", "entries30"} {
		if _, ok := out[k]; !ok {
			tb.t.Fatalf("dashboard has no figure fig-%s (found %v)", k, raw)
		}
	}
	return out
}

func mustID(t *testing.T, birth time.Time, seq int) string {
	t.Helper()
	id, err := idcard.Build("430681", birth, seq)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

var mediaBoxRE = regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)\s+([0-9.]+)\s*\]`)

// mediaBox returns the size in points of the first page box in the PDF
// (Chromium writes page dictionaries uncompressed).
func mediaBox(pdf []byte) (w, h float64, ok bool) {
	m := mediaBoxRE.FindSubmatch(pdf)
	if m == nil {
		return 0, 0, false
	}
	w, err1 := strconv.ParseFloat(string(m[1]), 64)
	h, err2 := strconv.ParseFloat(string(m[2]), 64)
	return w, h, err1 == nil && err2 == nil
}
