package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/testutil"
)

// formValues collects a rendered form's fields as the browser would send them
// (text inputs, selected options, checked boxes, hidden inputs).
func formValues(doc *goquery.Document, sel string) url.Values {
	v := url.Values{}
	form := doc.Find(sel)
	form.Find("input").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		typ, _ := s.Attr("type")
		val, _ := s.Attr("value")
		if name == "" || typ == "submit" {
			return
		}
		if typ == "checkbox" {
			if _, on := s.Attr("checked"); on {
				v.Add(name, val)
			}
			return
		}
		v.Add(name, val)
	})
	form.Find("select").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		if val, ok := s.Find("option[selected]").Attr("value"); ok {
			v.Set(name, val)
		} else {
			v.Set(name, "")
		}
	})
	form.Find("textarea").Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		v.Set(name, s.Text())
	})
	return v
}

func memberID(t *testing.T, birth string, seq int) string {
	t.Helper()
	b, _ := time.Parse(time.DateOnly, birth)
	id, err := idcard.Build("430681", b, seq)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestHouseholdMembersEditAndConflict(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "office2", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)

	// "添加成员" adds an empty row and keeps what was typed.
	form := url.Values{"village_code": {yuchi}, "head_name": {"王秋菊"}, "head_sex": {"female"}, "id_number": {"43068119650312010X"},
		"attribute": {"general"}, "standard": {"national"}, "main_cause": {"因病"}, "identification_year": {"2015"},
		"per_capita_income": {"2680.50"}, "head_health": {"长期慢性病"}, "head_labour": {"普通劳动力"}}
	form.Set("op", "add_member")
	status, _, doc := a.post(t, staff, "/households", form)
	if status != http.StatusOK || doc.Find(`[data-testid="member-0"]`).Length() != 1 {
		t.Fatalf("add member: %d, rows %d", status, doc.Find(`[data-testid="member-0"]`).Length())
	}
	if v, _ := doc.Find(`input[name="head_name"]`).Attr("value"); v != "王秋菊" {
		t.Fatalf("head name lost on add_member: %q", v)
	}
	// Two members, the second with a birth date that disagrees with its ID: 422, all kept.
	son, daughter := memberID(t, "1990-05-01", 11), memberID(t, "1993-08-08", 22)
	form.Set("op", "save")
	for k, v := range map[string]string{"members.0.name": "李明", "members.0.sex": "male", "members.0.id_number": son,
		"members.0.relation": "子", "members.0.health": "健康", "members.0.labour": "普通劳动力",
		"members.1.name": "李红", "members.1.sex": "female", "members.1.id_number": daughter, "members.1.birth_date": "1993-08-09",
		"members.1.relation": "女", "members.1.health": "健康", "members.1.labour": "普通劳动力", "members.1.schooling": "高职高专"} {
		form.Set(k, v)
	}
	status, _, doc = a.post(t, staff, "/households", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(text(doc, `[data-testid="error-members.1.birth_date"]`), "1993-08-08") {
		t.Fatalf("bad member birth date: %d %q", status, text(doc, `[data-testid="error-members.1.birth_date"]`))
	}
	if v, _ := doc.Find(`input[name="members.1.name"]`).Attr("value"); v != "李红" {
		t.Fatalf("member name lost: %q", v)
	}
	form.Set("members.1.birth_date", "1993-08-08")
	status, loc, _ := a.post(t, staff, "/households", form)
	if status != http.StatusSeeOther {
		t.Fatalf("create with members: %d", status)
	}
	hid := idFromLocation(t, loc, "/households/")
	var n int
	var headHealth string
	if err := st.Pool.QueryRow(ctx, `SELECT count(*), max(health) FILTER (WHERE relation = '户主') FROM household_members WHERE household_id = $1`, hid).Scan(&n, &headHealth); err != nil || n != 3 || headHealth != "长期慢性病" {
		t.Fatalf("members = %d (head health %q), %v; want 3", n, headHealth, err)
	}
	_, doc = a.get(t, staff, loc)
	if got := doc.Find(`[data-testid="members"] tbody tr`).Length(); got != 3 {
		t.Fatalf("household page lists %d members", got)
	}

	// Two clerks open the edit form; the first removes the daughter and saves.
	other := a.client(t, "office2", testutil.Password)
	_, first := a.get(t, staff, loc+"/edit")
	_, second := a.get(t, other, loc+"/edit")
	v1 := formValues(first, "form")
	v1.Set("members.1.remove", "1")
	v1.Set("op", "save")
	if status, _, doc := a.post(t, staff, loc, v1); status != http.StatusSeeOther {
		t.Fatalf("first save: %d %v", status, doc.Find(".field-error").Text())
	}
	// The second changes the income from the stale version: conflict, nothing overwritten.
	v2 := formValues(second, "form")
	v2.Set("per_capita_income", "3000.00")
	v2.Set("op", "save")
	status, _, doc = a.post(t, other, loc, v2)
	if status != http.StatusConflict || doc.Find(`[data-testid="conflict-table"] mark`).Length() == 0 {
		t.Fatalf("stale save: %d, want 409 with differences marked", status)
	}
	var income string
	if err := st.Pool.QueryRow(ctx, `SELECT per_capita_income::text, (SELECT count(*) FROM household_members WHERE household_id = $1) FROM households WHERE id = $1`, hid).Scan(&income, &n); err != nil || income != "2680.50" || n != 2 {
		t.Fatalf("after conflict: income %s, members %d, %v", income, n, err)
	}
	// Saving the conflict page's form on purpose goes through.
	v3 := formValues(doc, "form")
	v3.Set("op", "save")
	if status, _, _ := a.post(t, other, loc, v3); status != http.StatusSeeOther {
		t.Fatalf("save after conflict: %d", status)
	}
	// The audit trail on the page says who changed what.
	_, doc = a.get(t, staff, loc)
	if !strings.Contains(text(doc, `[data-testid="audit"]`), "人均纯收入：2680.50 → 3000.00") {
		t.Fatalf("audit trail: %q", text(doc, `[data-testid="audit"]`))
	}
}

func TestChairEditsOwnTownshipMasked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	a := newApp(t, st)
	chair := a.client(t, "chair.bishi", testutil.Password)
	path := "/households/" + strconv.FormatInt(hid, 10)
	_, doc := a.get(t, chair, path+"/edit")
	v := formValues(doc, "form")
	if !strings.Contains(v.Get("id_number"), "********") {
		t.Fatalf("chair's edit form shows the ID %q", v.Get("id_number"))
	}
	v.Set("group_name", "5组")
	v.Set("op", "save")
	if status, _, doc := a.post(t, chair, path, v); status != http.StatusSeeOther {
		t.Fatalf("chair save: %d %s", status, doc.Find(".field-error").Text())
	}
	if got, err := st.Household(ctx, auth.Scope{}, hid); err != nil || got.GroupName != "5组" || strings.Contains(got.IDNumber, "*") {
		t.Fatalf("after chair edit: group %q id %q %v", got.GroupName, got.IDNumber, err)
	}
	// A failed save shows the form again, still masked.
	hh2 := testutil.Household(t, st, yuchi, "郑小平")
	path2 := "/households/" + strconv.FormatInt(hh2, 10)
	_, doc = a.get(t, chair, path2+"/edit")
	v = formValues(doc, "form")
	v.Set("op", "add_member")
	_, _, doc = a.post(t, chair, path2, v)
	v = formValues(doc, "form")
	v.Set("members.0.name", "郑小红")
	v.Set("members.0.sex", "female")
	v.Set("members.0.relation", "女")
	v.Set("members.0.id_number", memberID(t, "2001-01-01", 2))
	v.Set("op", "save")
	if status, _, doc := a.post(t, chair, path2, v); status != http.StatusSeeOther {
		t.Fatalf("chair adds a member: %d %s", status, doc.Find(".field-error").Text())
	}
	_, doc = a.get(t, chair, path2+"/edit")
	v = formValues(doc, "form")
	v.Set("per_capita_income", "-1")
	v.Set("op", "save")
	status, _, doc := a.post(t, chair, path2, v)
	html, _ := doc.Html()
	if status != http.StatusUnprocessableEntity || fullID.MatchString(html) {
		t.Fatalf("chair's failed save: %d, full ID shown: %v", status, fullID.FindString(html))
	}
	// Moving the household to another township is refused.
	_, doc = a.get(t, chair, path+"/edit")
	v = formValues(doc, "form")
	v.Set("village_code", xinshiV1)
	v.Set("op", "save")
	if status, _, _ := a.post(t, chair, path, v); status != http.StatusUnprocessableEntity {
		t.Fatalf("chair moves household out: %d", status)
	}
}

func listNames(doc *goquery.Document, table string) []string {
	var out []string
	doc.Find(`[data-testid="` + table + `"] tbody tr td:first-child`).Each(func(_ int, s *goquery.Selection) {
		out = append(out, strings.TrimSpace(s.Text()))
	})
	return out
}

func TestOrderAndSearch(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	for _, n := range []string{"张三", "李四", "王五", "丁一", "欧阳锋"} {
		testutil.Household(t, st, yuchi, n)
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	tests := []struct {
		query string
		want  string
	}{
		{"", "丁一 王五 张三 李四 欧阳锋"},            // 按姓氏笔画: 丁2 王4 张7 李7 欧8
		{"sort=pinyin", "丁一 李四 欧阳锋 王五 张三"}, // ding li ouyang wang zhang
		{"q=zs", "张三"},
		{"q=ouyang", "欧阳锋"},
		{"q=" + url.QueryEscape("李"), "李四"},
		{"q=zzz", ""},
		{"q=" + url.QueryEscape("ｚｓ"), "张三"}, // full-width letters typed by a Chinese IME
	}
	for _, tt := range tests {
		_, doc := a.get(t, staff, "/households?"+tt.query)
		if got := strings.Join(listNames(doc, "households"), " "); got != tt.want {
			t.Errorf("/households?%s = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestPaginationBoundaries(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	villages := map[int]string{0: "430681107002", 1: "430681107202", 50: "430681107205", 51: "430681107208"}
	for n, v := range villages {
		for i := 0; i < n; i++ {
			testutil.Household(t, st, v, testutil.Name("户主", i))
		}
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	tests := []struct {
		rows, page int
		pageArg    string
		wantRows   int
		wantPager  string
	}{
		{0, 1, "", 0, "第 1 页，共 1 页（0 条）"},
		{1, 1, "", 1, "第 1 页，共 1 页（1 条）"},
		{50, 1, "", 50, "第 1 页，共 1 页（50 条）"},
		{51, 1, "", 50, "第 1 页，共 2 页（51 条）"},
		{51, 2, "2", 1, "第 2 页，共 2 页（51 条）"},
		{51, 1, "-1", 50, "第 1 页，共 2 页（51 条）"},
		{51, 1, "abc", 50, "第 1 页，共 2 页（51 条）"},
	}
	// A page past the end sends the user to the last page.
	resp, err := staff.Get(a.srv.URL + "/households?division=" + villages[51] + "&page=3")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "page=2") {
		t.Errorf("page 3 of 2: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, tt := range tests {
		path := "/households?division=" + villages[tt.rows]
		if tt.pageArg != "" {
			path += "&page=" + tt.pageArg
		}
		status, doc := a.get(t, staff, path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		if got := doc.Find(`[data-testid="households"] tbody tr`).Length(); got != tt.wantRows {
			t.Errorf("%s: %d rows, want %d", path, got, tt.wantRows)
		}
		if got := strings.Join(strings.Fields(text(doc, `nav.pager span`)), " "); got != strings.Join(strings.Fields(tt.wantPager), " ") {
			t.Errorf("%s: pager %q, want %q", path, got, tt.wantPager)
		}
		next := doc.Find(`nav.pager a`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == "下一页" }).Length()
		if wantNext := tt.page*50 < tt.rows; (next == 1) != wantNext {
			t.Errorf("%s: next link %v, want %v", path, next == 1, wantNext)
		}
	}
}

func TestDeputyLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)

	// Register with a wrong field first: the message shows and nothing is lost.
	form := url.Values{"name": {"周红梅"}, "gender": {"female"}, "ethnicity": {"汉族"}, "birth_date": {"1975-02-30"},
		"levels": {"county", "township"}, "category": {"private_sector"}, "term": {"第十二届"}, "credential_number": {"汨人代00001"},
		"work_unit": {"汨罗市红梅农业有限公司"}, "post": {"总经理"}, "phone": {"13907301234"}, "home_township_code": {bishi}}
	status, _, doc := a.post(t, staff, "/deputies", form)
	if status != http.StatusUnprocessableEntity || text(doc, `[data-testid="error-birth_date"]`) == "" {
		t.Fatalf("bad birth date: %d", status)
	}
	if v, _ := doc.Find(`input[name="work_unit"]`).Attr("value"); v != "汨罗市红梅农业有限公司" {
		t.Fatalf("work unit lost: %q", v)
	}
	form.Set("birth_date", "1975-02-28")
	status, loc, _ := a.post(t, staff, "/deputies", form)
	if status != http.StatusSeeOther {
		t.Fatalf("create deputy: %d", status)
	}
	did := idFromLocation(t, loc, "/deputies/")

	// Open an account: the password is shown once, must be changed, and works.
	status, _, doc = a.post(t, staff, loc+"/account", nil)
	password := text(doc, `[data-testid="new-password"]`)
	if status != http.StatusOK || len(password) != 12 {
		t.Fatalf("account: %d %q", status, password)
	}
	var username string
	var mustChange bool
	if err := st.Pool.QueryRow(ctx, `SELECT username, must_change_password FROM users WHERE deputy_id = $1`, did).Scan(&username, &mustChange); err != nil || !mustChange {
		t.Fatalf("account row: %q %v %v", username, mustChange, err)
	}
	if username != fmt.Sprintf("zhouhongmei.%d", did) {
		t.Fatalf("username %q", username)
	}
	_, doc = a.get(t, staff, loc)
	if doc.Find(`[data-testid="new-password"]`).Length() != 0 {
		t.Fatal("the password is shown again")
	}
	dep := a.client(t, username, password)
	// The initial password must be changed before anything else.
	resp, err := dep.Get(a.srv.URL + "/my")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/password" {
		t.Fatalf("first request with the initial password: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if status, _, doc := a.post(t, dep, "/password", url.Values{"current": {password}, "new": {"12345678"}, "confirm": {"12345678"}}); status != http.StatusUnprocessableEntity || text(doc, `[data-testid="error-new"]`) == "" {
		t.Fatalf("weak new password: %d", status)
	}
	if status, _, _ := a.post(t, dep, "/password", url.Values{"current": {password}, "new": {"Hongmei#2026"}, "confirm": {"Hongmei#2026"}}); status != http.StatusSeeOther {
		t.Fatalf("change password: %d", status)
	}

	// Pair it, then mark it as left office: the pairing is flagged, the account ends.
	hh := testutil.Household(t, st, yuchi, "孙大勇")
	pid := testutil.Pairing(t, st, hh, did, time.Now().AddDate(0, -1, 0))
	if status, _ := a.getBody(t, dep, "/my"); status != http.StatusOK {
		t.Fatalf("deputy home: %d", status)
	}
	if status, _, _ := a.post(t, staff, loc+"/left-office", url.Values{"left_office_date": {time.Now().Format(time.DateOnly)}}); status != http.StatusSeeOther {
		t.Fatalf("left office: %d", status)
	}
	var flagged bool
	var pstatus string
	if err := st.Pool.QueryRow(ctx, `SELECT needs_reassignment, status FROM pairings WHERE id = $1`, pid).Scan(&flagged, &pstatus); err != nil || !flagged || pstatus != "active" {
		t.Fatalf("pairing after left office: flagged %v status %q %v", flagged, pstatus, err)
	}
	resp, err = dep.Get(a.srv.URL + "/my")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("the departed deputy's session still works: %d", resp.StatusCode)
	}
	_, doc = a.get(t, staff, "/households/"+strconv.FormatInt(hh, 10))
	if !strings.Contains(text(doc, `[data-testid="active-pairing"]`), "待调整帮扶人") {
		t.Fatal("household page does not flag the pairing for reassignment")
	}

	// Edits use optimistic locking.
	_, first := a.get(t, staff, loc+"/edit")
	_, second := a.get(t, staff, loc+"/edit")
	v1 := formValues(first, "form")
	v1.Set("post", "董事长")
	if status, _, _ := a.post(t, staff, loc, v1); status != http.StatusSeeOther {
		t.Fatalf("first edit: %d", status)
	}
	v2 := formValues(second, "form")
	v2.Set("phone", "13907309999")
	if status, _, doc := a.post(t, staff, loc, v2); status != http.StatusConflict || doc.Find(`[data-testid="conflict"]`).Length() != 1 {
		t.Fatalf("stale edit: %d", status)
	}
	if d, err := st.Deputy(ctx, did); err != nil || d.Post != "董事长" || d.Phone != "13907301234" {
		t.Fatalf("after conflict: %q %q %v", d.Post, d.Phone, err)
	}
	// Deputy list filters by category and finds by pinyin initials.
	_, doc = a.get(t, staff, "/deputies?category=private_sector&q=zhm")
	if got := listNames(doc, "deputies"); len(got) != 1 || got[0] != "周红梅" {
		t.Fatalf("deputy search: %v", got)
	}
}
