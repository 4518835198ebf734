package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/testutil"
)

// demoApp is a server on a database holding the full demo data set.
func demoApp(t *testing.T) *app {
	t.Helper()
	st := testutil.NewStoreWithDivisions(t)
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	if _, err := demo.Load(context.Background(), st, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("demo.Load: %v", err)
	}
	return newApp(t, st)
}

// TestDemoAcceptance checks the walking skeleton's acceptance lines 3–5 on
// the demo data.
func TestDemoAcceptance(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	leader := a.client(t, "leader", demo.Password)

	// 3. 玉池村 has 78 households; the county lists every township and adds up.
	if status, p := a.progress(t, leader, yuchi); status != 200 || p.Households != 78 || p.Name != "玉池村" {
		t.Fatalf("玉池村 progress: %d %+v", status, p)
	}
	status, county := a.progress(t, leader, "")
	if status != 200 || county.Code != "430681" {
		t.Fatalf("county progress: %d %+v", status, county)
	}
	var towns int
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(*) FROM divisions WHERE parent_code = '430681'`).Scan(&towns); err != nil {
		t.Fatal(err)
	}
	if len(county.Children) != towns || towns != 16 {
		t.Fatalf("county children = %d, townships = %d, want 16", len(county.Children), towns)
	}
	sum, paired := 0, 0
	for _, c := range county.Children {
		sum += c.Households
		paired += c.Paired
	}
	if sum != county.Households || paired != county.Paired || county.Households < 3000 {
		t.Fatalf("county households %d, sum over townships %d (paired %d vs %d)", county.Households, sum, county.Paired, paired)
	}

	// 4. Township scope.
	var bishiHH, deputyID int64
	if err := a.st.Pool.QueryRow(ctx, `SELECT id FROM households WHERE township_code = $1 ORDER BY id LIMIT 1`, bishi).Scan(&bishiHH); err != nil {
		t.Fatal(err)
	}
	hhPath := "/households/" + strconv.FormatInt(bishiHH, 10)
	xin := a.client(t, "chair.xinshi", demo.Password)
	bi := a.client(t, "chair.bishi", demo.Password)
	for _, tt := range []struct {
		c    *http.Client
		who  string
		path string
		want int
	}{
		{xin, "chair.xinshi", "/api/v1/progress?division=" + bishi, 404},
		{xin, "chair.xinshi", hhPath, 404},
		{bi, "chair.bishi", "/api/v1/progress?division=" + bishi, 200},
		{bi, "chair.bishi", hhPath, 200},
	} {
		if got, _ := a.getBody(t, tt.c, tt.path); got != tt.want {
			t.Errorf("%s GET %s = %d, want %d", tt.who, tt.path, got, tt.want)
		}
	}

	// 5. The demo deputy sees its own households and no other.
	if err := a.st.Pool.QueryRow(ctx, `SELECT deputy_id FROM users WHERE username = 'deputy.demo'`).Scan(&deputyID); err != nil {
		t.Fatal(err)
	}
	var own, yuchiOwn int
	var other int64
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE h.village_code = $2) FROM pairings p
		JOIN households h ON h.id = p.household_id WHERE p.deputy_id = $1 AND p.status = 'active'`, deputyID, yuchi).Scan(&own, &yuchiOwn); err != nil {
		t.Fatal(err)
	}
	if yuchiOwn < 3 {
		t.Fatalf("deputy.demo has %d households in 玉池村, want ≥ 3", yuchiOwn)
	}
	if err := a.st.Pool.QueryRow(ctx, `SELECT h.id FROM households h WHERE NOT EXISTS (SELECT 1 FROM pairings p
		WHERE p.household_id = h.id AND p.deputy_id = $1 AND p.status = 'active') AND h.village_code = $2 LIMIT 1`, deputyID, yuchi).Scan(&other); err != nil {
		t.Fatal(err)
	}
	dep := a.client(t, "deputy.demo", demo.Password)
	if got, _ := a.getBody(t, dep, "/households/"+strconv.FormatInt(other, 10)); got != 404 {
		t.Errorf("deputy.demo GET another's household = %d, want 404", got)
	}
	_, doc := a.get(t, dep, "/my")
	if n := doc.Find(`article[data-testid^="pairing-"]`).Length(); n != own {
		t.Errorf("deputy home lists %d pairings, want %d", n, own)
	}
	// 6. The prefecture's call (倡议书) waits unread on the deputy's home.
	if !strings.Contains(doc.Text(), "我为脱贫攻坚争贡献") {
		t.Error("deputy home does not show the demo notice")
	}
}

// fullID matches an 18-character resident ID number.
var fullID = regexp.MustCompile(`\b[1-9]\d{16}[\dX]\b`)

// codeWords are stored code values that must never reach a page as text.
var codeWords = regexp.MustCompile(`\b(not_exited|exited|relapsed|submitted|approved|returned|draft|township_chair|staff|leader|deputy|visit|cash|goods|general|subsistence|extreme|national|provincial|prefectural|county|township|active|ended|proposed|male|female|cadre|frontline|private_sector|left_office)\b`)

// TestCrawlEveryRole follows every link each demo role can reach (up to a
// page budget per role): each page answers 200, is zh-CN, has Chinese text
// and shows no raw code values.
func TestCrawlEveryRole(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	for _, user := range []string{"office", "leader", "chair.bishi", "chair.xinshi", "deputy.demo"} {
		t.Run(user, func(t *testing.T) {
			c := a.client(t, user, demo.Password)
			seen := map[string]bool{}
			queue := []string{"/"}
			pages := 0
			for len(queue) > 0 && pages < 150 {
				path := queue[0]
				queue = queue[1:]
				if seen[path] {
					continue
				}
				seen[path] = true
				resp, err := c.Get(a.srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode == http.StatusSeeOther {
					resp.Body.Close()
					queue = append([]string{resp.Header.Get("Location")}, queue...)
					continue
				}
				if resp.StatusCode != http.StatusOK {
					resp.Body.Close()
					t.Errorf("GET %s = %d (broken link)", path, resp.StatusCode)
					continue
				}
				// Only pages are checked: not the API, static files or downloads.
				if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/static/") ||
					!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
					resp.Body.Close()
					continue
				}
				raw, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				// No page shows a whole resident ID number unasked: for staff,
				// only the edit form holds them (an audited unmasking).
				if id := fullID.Find(raw); id != nil && !(user == "office" && strings.HasSuffix(path, "/edit")) {
					t.Errorf("%s shows a full ID number %s to %s", path, id, user)
				}
				doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				pages++
				checkChinese(t, path, doc)
				doc.Find("a[href], link[href], script[src]").Each(func(_ int, s *goquery.Selection) {
					href, ok := s.Attr("href")
					if !ok {
						href, _ = s.Attr("src")
					}
					if strings.HasPrefix(href, "#") {
						return // a part of the same page (the household page's links to its parts)
					}
					u, err := url.Parse(href)
					if err == nil && u.Scheme == "data" {
						return // an inline resource (the empty favicon)
					}
					if err != nil || u.Host != "" || !strings.HasPrefix(u.Path, "/") {
						t.Errorf("%s links to %q", path, href)
						return
					}
					if !seen[u.RequestURI()] {
						queue = append(queue, u.RequestURI())
					}
				})
			}
			if pages < 3 {
				t.Fatalf("%s reached only %d pages", user, pages)
			}
		})
	}
}

func checkChinese(t *testing.T, path string, doc *goquery.Document) {
	t.Helper()
	if lang, _ := doc.Find("html").Attr("lang"); lang != "zh-CN" {
		t.Errorf("%s: html lang = %q", path, lang)
	}
	doc.Find("script, style").Remove()
	body := doc.Find("body").Text()
	han := 0
	for _, r := range body {
		if unicode.Is(unicode.Han, r) {
			han++
		}
	}
	if han < 10 {
		t.Errorf("%s: only %d Chinese characters on the page", path, han)
	}
	if w := codeWords.FindString(body); w != "" {
		t.Errorf("%s: raw code value %q shown to the user", path, w)
	}
	if title := doc.Find("title").Text(); !strings.ContainsFunc(title, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		t.Errorf("%s: title %q is not Chinese", path, title)
	}
}

// TestFollowUpListsAgree checks on the demo data that the chair's and the
// leader's 人盯人 lists, the dashboard and the deputy's home page agree with
// a direct SQL count of active pairings without a visit in 30 / 60 days.
func TestFollowUpListsAgree(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	count := func(where string, args ...any) int {
		t.Helper()
		var n int
		q := `WITH lv AS (SELECT p.id, p.deputy_id, h.township_code,
				coalesce((SELECT max(e.entry_date) FROM ledger_entries e WHERE e.pairing_id = p.id AND e.kind = 'visit'
					AND e.status IN ('submitted', 'approved')), p.start_date) AS last
			FROM pairings p JOIN households h ON h.id = p.household_id WHERE p.status = 'active'),
			today AS (SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date AS d)
			SELECT count(*) FROM lv, today WHERE ` + where
		if err := a.st.Pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	amber := count(`township_code = $1 AND last <= today.d - 30 AND last > today.d - 60`, bishi)
	red := count(`township_code = $1 AND last <= today.d - 60`, bishi)
	watch := count(`township_code = $1 AND last > today.d - 30 AND EXISTS (SELECT 1 FROM pairings p JOIN households h ON h.id = p.household_id
		WHERE p.id = lv.id AND (h.status = 'relapsed' OR h.monitoring <> ''))`, bishi)
	if amber+red == 0 {
		t.Fatal("the demo data has no overdue pairing in 弼时镇; the test would prove nothing")
	}
	for _, who := range []string{"chair.bishi", "leader"} {
		c := a.client(t, who, demo.Password)
		_, doc := a.get(t, c, "/followup?division="+bishi)
		if got := doc.Find(`[data-testid="followups"] tbody tr`).Length(); got != amber+red+watch {
			t.Errorf("%s: %d rows, SQL says %d + %d watched", who, got, amber+red, watch)
		}
		if text(doc, `[data-testid="followup-watch"]`) != strconv.Itoa(watch) {
			t.Errorf("%s: watched %s, SQL says %d", who, text(doc, `[data-testid="followup-watch"]`), watch)
		}
		if text(doc, `[data-testid="followup-red"]`) != strconv.Itoa(red) || text(doc, `[data-testid="followup-amber"]`) != strconv.Itoa(amber) {
			t.Errorf("%s: red %s amber %s, SQL says %d / %d", who, text(doc, `[data-testid="followup-red"]`), text(doc, `[data-testid="followup-amber"]`), red, amber)
		}
		_, doc = a.get(t, c, "/dashboard?division="+bishi)
		if text(doc, `[data-testid="fig-novisit30"]`) != strconv.Itoa(amber) || text(doc, `[data-testid="fig-novisit60"]`) != strconv.Itoa(red) {
			t.Errorf("%s dashboard: %s / %s, SQL says %d / %d", who, text(doc, `[data-testid="fig-novisit30"]`), text(doc, `[data-testid="fig-novisit60"]`), amber, red)
		}
	}
	var deputyID int64
	if err := a.st.Pool.QueryRow(ctx, `SELECT deputy_id FROM users WHERE username = 'deputy.demo'`).Scan(&deputyID); err != nil {
		t.Fatal(err)
	}
	want := count(`deputy_id = $1 AND last <= today.d - 30`, deputyID)
	_, doc := a.get(t, a.client(t, "deputy.demo", demo.Password), "/my")
	got := doc.Find(`article[data-testid^="pairing-"] .badge`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "天未走访")
	}).Length()
	if got != want {
		t.Errorf("deputy home: %d overdue badges, SQL says %d", got, want)
	}
}

// TestDemoChairBishiReviewsUnitVisit checks the README's promise (issue 8's
// acceptance line): unit.demo helps a household of 弼时镇, and logged in as
// chair.bishi the review queue holds unit.demo's waiting visit.
func TestDemoChairBishiReviewsUnitVisit(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	var township string
	var entry int64
	if err := a.st.Pool.QueryRow(ctx, `SELECT h.township_code, coalesce(max(e.id) FILTER (WHERE e.status = 'submitted'), 0)
		FROM users u JOIN pairings p ON p.deputy_id = u.deputy_id AND p.status = 'active'
		JOIN households h ON h.id = p.household_id LEFT JOIN ledger_entries e ON e.pairing_id = p.id
		WHERE u.username = 'unit.demo' GROUP BY h.township_code`).Scan(&township, &entry); err != nil {
		t.Fatal(err)
	}
	if township != bishi || entry == 0 {
		t.Fatalf("unit.demo's household is in %s with waiting entry %d, want 弼时镇 (%s) and a waiting visit", township, entry, bishi)
	}
	chair := a.client(t, "chair.bishi", demo.Password)
	sel := `[data-testid="review-` + strconv.FormatInt(entry, 10) + `"]`
	// The queue, oldest submission first, page by page; and filtered by
	// the helper's name, as a chair looks for one.
	var item *goquery.Selection
	for page := 1; page <= 50 && item == nil; page++ {
		status, doc := a.get(t, chair, "/review?page="+strconv.Itoa(page))
		if status != http.StatusOK {
			t.Fatalf("chair.bishi's review queue page %d: %d", page, status)
		}
		if doc.Find(`article[data-testid^="review-"]`).Length() == 0 {
			break
		}
		if s := doc.Find(sel); s.Length() == 1 {
			item = s
		}
	}
	if item == nil {
		t.Fatalf("chair.bishi's review queue does not hold unit.demo's entry %d", entry)
	}
	if got := item.Text(); !strings.Contains(got, "汨罗市人大常委会农业农村工作委员会") || !strings.Contains(got, "走访") {
		t.Errorf("queue item %q does not show the unit's visit", got)
	}
	if _, doc := a.get(t, chair, "/review?deputy="+url.QueryEscape("农业农村工作委员会")); doc.Find(sel).Length() != 1 {
		t.Errorf("the queue filtered by the unit's name does not show its entry %d", entry)
	}
}

// TestDemoGoalChecksMatchGoals checks that the demo's goals and their ticked
// checklist items agree: every item a goal marks met is ticked (and nothing
// else), and the household file shows those items 已达到 — pairing 44,
// whose goal marks all of them met, and a sample of the others.
func TestDemoGoalChecksMatchGoals(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	var mismatched int
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(*) FROM goals g
		CROSS JOIN LATERAL (VALUES ('income_above_line', g.income_above_line), ('food_clothing', g.food_clothing),
			('compulsory_education', g.compulsory_education), ('basic_medical', g.basic_medical),
			('safe_housing', g.safe_housing), ('safe_water', g.safe_water)) AS c(item, met)
		WHERE c.met <> EXISTS (SELECT 1 FROM goal_checks k WHERE k.pairing_id = g.pairing_id AND k.item = c.item)`).Scan(&mismatched); err != nil {
		t.Fatal(err)
	}
	if mismatched != 0 {
		t.Errorf("%d goal items whose goal_checks disagree with the goal", mismatched)
	}
	// Goals of active pairings with items met: pairing 44 and every 100th.
	rows, err := a.st.Pool.Query(ctx, `SELECT p.household_id, ARRAY[g.income_above_line, g.food_clothing, g.compulsory_education,
			g.basic_medical, g.safe_housing, g.safe_water]
		FROM goals g JOIN pairings p ON p.id = g.pairing_id AND p.status = 'active'
		WHERE (p.id = 44 OR p.id % 100 = 0) AND (g.income_above_line OR g.food_clothing OR g.compulsory_education
			OR g.basic_medical OR g.safe_housing OR g.safe_water) ORDER BY p.id`)
	if err != nil {
		t.Fatal(err)
	}
	type goal struct {
		household int64
		met       []bool
	}
	var goals []goal
	for rows.Next() {
		var g goal
		if err := rows.Scan(&g.household, &g.met); err != nil {
			t.Fatal(err)
		}
		goals = append(goals, g)
	}
	if rows.Err() != nil || len(goals) < 10 {
		t.Fatalf("%d sampled goals (%v), want at least 10", len(goals), rows.Err())
	}
	staff := a.client(t, "office", demo.Password)
	for _, g := range goals {
		_, doc := a.get(t, staff, "/households/"+strconv.FormatInt(g.household, 10)+"/file")
		cells := doc.Find(`[data-testid="dossier-goal"] + table tbody tr td:nth-child(2)`)
		if cells.Length() != len(g.met) {
			t.Fatalf("household %d file: %d checklist rows, want %d", g.household, cells.Length(), len(g.met))
		}
		for i, met := range g.met {
			if got := strings.TrimSpace(cells.Eq(i).Text()); strings.Contains(got, "已达到") != met {
				t.Errorf("household %d file, item %d: %q, goal marks met %v", g.household, i+1, got, met)
			}
		}
	}
}
