package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestDayOneStaff walks the clerk's first day at 1366×900 (issue 25): the
// top navigation has at most 8 entries on one row with the user and 退出,
// its menus open from the keyboard and lead to their pages; a spouse's name
// finds her household, the count above the table; on the household form
// every required field is marked, a wrong ID number is caught as it is
// typed, and the error banner's links move the focus to their fields (the
// first one focused on load); once registered and paired, the household
// page links to its parts and its history shows the registration with the
// village's name and the pairing with the deputy's.
func TestDayOneStaff(t *testing.T) {
	bctx := startBrowser(t)
	t.Logf("screenshots: %s", shotDir(t))
	ctx := context.Background()
	cst := time.FixedZone("CST", 8*3600)
	st := testutil.NewStoreWithDemo(t, time.Now().In(cst))
	base := startServer(t, st)
	vp := viewport{name: "staff-1366x900", width: 1366, height: 900}
	staff := newTab(t, bctx, base, vp, "office")
	staff.login("office", demo.Password)

	// 1. Navigation: at most 8 entries, one row, menus by keyboard.
	type navShape struct {
		Top      int      `json:"top"`
		Rows     int      `json:"rows"`
		Menus    []string `json:"menus"`
		Links    int      `json:"links"`
		Logout   bool     `json:"logout"`
		ViewerOn bool     `json:"viewerOn"`
	}
	nav := eval[navShape](staff, `(() => {
		const top = [...document.querySelectorAll('header nav > ul > li')];
		const rows = new Set(top.map(li => Math.round(li.getBoundingClientRect().top / 10)));
		const viewer = document.querySelector('[data-testid="viewer"]').getBoundingClientRect();
		const first = document.querySelector('header nav details.dropdown > summary').getBoundingClientRect();
		return {top: top.length, rows: rows.size,
			menus: [...document.querySelectorAll('header nav details.dropdown > summary')].map(s => s.textContent.trim()),
			links: document.querySelectorAll('header nav a[href]').length,
			logout: !!document.querySelector('header nav form[action="/logout"] button'),
			viewerOn: Math.abs(viewer.top - first.top) < 24};
	})()`)
	if nav.Top > 8 || nav.Rows != 1 || !nav.ViewerOn || !nav.Logout {
		t.Errorf("top navigation: %+v; want at most 8 entries on one row, the user and 退出 on it", nav)
	}
	if strings.Join(nav.Menus, " ") != "登记 结对 台账与审核 统计与报表 设置与审计" || nav.Links < 18 {
		t.Errorf("staff menus %v with %d links", nav.Menus, nav.Links)
	}
	staff.do("opening 登记 from the keyboard",
		chromedp.Focus(chromedp.CSS(`header nav details.dropdown > summary`), chromedp.NodeVisible),
		chromedp.KeyEvent(kb.Enter),
	)
	if !eval[bool](staff, `document.querySelector('header nav details.dropdown').open`) {
		t.Fatal("Enter on the 登记 menu did not open it")
	}
	staff.screenshot("nav-menu-open")
	staff.do("closing it with Escape", chromedp.KeyEvent(kb.Escape))
	if eval[bool](staff, `document.querySelector('header nav details.dropdown').open`) {
		t.Error("Escape did not close the 登记 menu")
	}
	staff.do("opening 登记 again", chromedp.KeyEvent(kb.Enter))
	staff.click(`header nav details.dropdown a[href="/households"]`, "households", http.StatusOK)

	// 2. A spouse's name finds her household.
	var hid int64
	var spouse string
	if err := st.Pool.QueryRow(ctx, `SELECT m.household_id, m.name FROM household_members m
		WHERE m.relation = '配偶' AND NOT EXISTS (SELECT 1 FROM households o WHERE o.head_name LIKE '%' || m.name || '%')
		ORDER BY m.id LIMIT 1`).Scan(&hid, &spouse); err != nil {
		t.Fatal(err)
	}
	staff.typeIn(`#q`, spouse)
	staff.click(`form.filters button[type="submit"]`, "search-spouse", http.StatusOK)
	if n := eval[int](staff, fmt.Sprintf(`document.querySelectorAll('[data-testid="households"] a[href="/households/%d"]').length`, hid)); n != 1 {
		t.Errorf("searching the spouse %s does not list her household %d", spouse, hid)
	}
	if c := staff.text(`[data-testid="result-count"]`); !strings.Contains(c, "户") {
		t.Errorf("result count %q", c)
	}
	if !eval[bool](staff, `(() => { const c = document.querySelector('[data-testid="result-count"]'), tb = document.querySelector('[data-testid="households"]'); return c.getBoundingClientRect().bottom <= tb.getBoundingClientRect().top; })()`) {
		t.Error("the result count does not stand above the table")
	}

	// 3. The household form: required fields marked, the ID checked as
	// typed, the error banner's links move the focus.
	staff.open("/households/new", "household-new")
	unmarked := eval[[]string](staff, `[...document.querySelectorAll('main [required]')].filter(el => {
		const mark = document.querySelector('label[for="' + el.id + '"] .req');
		return !mark || mark.offsetWidth === 0 || getComputedStyle(mark).visibility === 'hidden';
	}).map(el => el.id)`)
	if len(unmarked) > 0 {
		t.Errorf("required fields without a visible mark: %v", unmarked)
	}
	headID := mustID(t, time.Date(1966, 5, 20, 0, 0, 0, 0, time.UTC), 751)
	wrongID := headID[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", headID[17])+1)%11])
	staff.typeIn(`#id_number`, wrongID)
	if msg := staff.text(`[data-testid="live-id_number"]`); !strings.Contains(msg, "校验位") {
		t.Errorf("typing a wrong check digit shows %q", msg)
	}
	staff.typeIn(`#head_name`, "欧阳春")
	// 添加成员 adds a row in place: no page load, the scroll kept, the
	// focus in the new row; its ID number has a wrong check digit.
	staff.do("scrolling to 添加成员", chromedp.ScrollIntoView(chromedp.CSS(`[data-testid="add-member"]`), chromedp.NodeVisible))
	before := eval[float64](staff, `(window.dayOneMark = 1, window.scrollY)`)
	staff.do("adding a member", chromedp.Click(chromedp.CSS(`[data-testid="add-member"]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`[name="members.0.name"]`)))
	if !eval[bool](staff, `window.dayOneMark === 1`) {
		t.Error("添加成员 reloaded the page")
	}
	if after := eval[float64](staff, `window.scrollY`); after < before-50 {
		t.Errorf("添加成员 scrolled from %v to %v", before, after)
	}
	if got := eval[string](staff, `document.activeElement.name`); got != "members.0.name" {
		t.Errorf("after 添加成员 the focus is on %q, want the new row's name", got)
	}
	if v := staff.value(`#head_name`); v != "欧阳春" {
		t.Errorf("添加成员 lost the head's name: %q", v)
	}
	wifeID := mustID(t, time.Date(1968, 7, 2, 0, 0, 0, 0, time.UTC), 752)
	wifeWrong := wifeID[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", wifeID[17])+1)%11])
	staff.typeIn(`[name="members.0.name"]`, "欧阳秀")
	staff.set(`[name="members.0.relation"]`, "配偶")
	staff.set(`[name="members.0.sex"]`, "female")
	staff.typeIn(`[name="members.0.id_number"]`, wifeWrong)
	// Dates read 年-月-日 whatever the browser's language; 1968/7/2 is tidied.
	staff.typeIn(`[name="members.0.birth_date"]`, "1968/7/2")
	staff.do("leaving the birth date", chromedp.Focus(chromedp.CSS(`[name="members.0.name"]`)))
	if v := staff.value(`[name="members.0.birth_date"]`); v != "1968-07-02" {
		t.Errorf("birth date typed 1968/7/2 reads %q, want 1968-07-02", v)
	}
	if ph := eval[string](staff, `document.querySelector('[name="members.0.birth_date"]').placeholder`); !strings.Contains(ph, "年-月-日") {
		t.Errorf("date placeholder %q", ph)
	}
	staff.screenshot("member-added-in-place")
	staff.allow("status of 422")
	staff.click(`button[name="op"][value="save"]`, "household-errors", http.StatusUnprocessableEntity)
	links := eval[[]string](staff, `[...document.querySelectorAll('[data-testid="form-errors"] a')].map(a => a.dataset.field)`)
	if len(links) < 3 {
		t.Fatalf("error banner links: %v", links)
	}
	if got := eval[string](staff, `document.activeElement.id`); got != links[0] {
		t.Errorf("after the errors the focus is on %q, want the first field in error %q", got, links[0])
	}
	staff.do("following the banner's link to the ID number",
		chromedp.Click(chromedp.CSS(`[data-testid="form-errors"] a[data-field="id_number"]`), chromedp.NodeVisible))
	if got := eval[string](staff, `document.activeElement.id`); got != "id_number" {
		t.Errorf("the banner's link to the ID number moved the focus to %q", got)
	}
	if msg := staff.text(`[data-testid="form-errors"] a[data-field="id_number"]`); !strings.Contains(msg, "户主身份证号：") || !strings.Contains(msg, "校验位") {
		t.Errorf("banner line of the ID number: %q", msg)
	}
	if msg := staff.text(`[data-testid="form-errors"] a[data-field="members.0.id_number"]`); !strings.HasPrefix(msg, "成员2 身份证号：") {
		t.Errorf("banner line of the member's ID number: %q", msg)
	}
	staff.screenshot("household-errors-focused")

	// Corrected and saved, then paired with deputy.demo's deputy.
	staff.set(`#village_code`, yuchi)
	staff.set(`#attribute`, "general")
	staff.set(`#main_cause`, "因病")
	staff.set(`#head_sex`, "male")
	staff.do("clearing the income", chromedp.Clear(chromedp.CSS(`#per_capita_income`)))
	staff.typeIn(`#per_capita_income`, "2800")
	staff.do("correcting the ID number", chromedp.Clear(chromedp.CSS(`#id_number`)), chromedp.SendKeys(chromedp.CSS(`#id_number`), headID))
	staff.do("correcting the member's ID number", chromedp.Clear(chromedp.CSS(`[name="members.0.id_number"]`)),
		chromedp.SendKeys(chromedp.CSS(`[name="members.0.id_number"]`), wifeID))
	if n := eval[int](staff, `document.querySelectorAll('[data-testid="live-id_number"]').length`); n != 0 {
		t.Error("the live ID message stays after the number is corrected")
	}
	staff.click(`button[name="op"][value="save"]`, "household-created", http.StatusOK)
	newID, err := strconv.ParseInt(strings.TrimPrefix(staff.path(), "/households/"), 10, 64)
	if err != nil {
		t.Fatalf("after saving the household the browser is at %s", staff.path())
	}
	depUser, _, err := st.UserForLogin(ctx, "deputy.demo")
	if err != nil {
		t.Fatal(err)
	}
	var depName, villageName string
	if err := st.Pool.QueryRow(ctx, `SELECT name FROM deputies WHERE id = $1`, depUser.DeputyID).Scan(&depName); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT t.name || ' ' || v.name FROM divisions v JOIN divisions t ON t.code = v.parent_code WHERE v.code = $1`, yuchi).Scan(&villageName); err != nil {
		t.Fatal(err)
	}
	hpath := "/households/" + strconv.FormatInt(newID, 10)
	staff.open(hpath+"/pair?q="+url.QueryEscape(depName), "pair")
	staff.click(fmt.Sprintf(`[data-testid="pair-%d"]`, depUser.DeputyID), "household-paired", http.StatusOK)

	// 4. The household page: links to its parts, the history in words.
	parts := eval[[]string](staff, `[...document.querySelectorAll('[data-testid="page-nav"] a')].map(a => a.textContent.trim())`)
	if strings.Join(parts, " ") != "基本情况 成员 收入 结对与措施 台账 操作记录" {
		t.Errorf("page links %v", parts)
	}
	staff.do("following 操作记录", chromedp.Click(chromedp.CSS(`[data-testid="page-nav"] a[href="#history"]`), chromedp.NodeVisible))
	if !eval[bool](staff, `(() => { const r = document.getElementById('history').getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; })()`) {
		t.Error("操作记录 is not on screen after following its link")
	}
	history := strings.Join(strings.Fields(staff.text(`[data-testid="audit"]`)), " ")
	for _, want := range []string{"结对：" + depName, "登记", "村：" + villageName} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	staff.screenshot("household-history")
}
