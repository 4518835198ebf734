package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/demo"
)

// goodNewsEmpty are empty-state messages that say all is well: a demo
// where nobody is overdue and no helper has left shows them rightly.
var goodNewsEmpty = []string{"所有结对户都在规定天数内走访过", "没有超期未走访的结对户", "没有退回后未重新提交的台账",
	"没有需要调整帮扶人的贫困户"}

// TestDemoMenusHaveContent logs in as every demo account, opens every page
// of its menu (the links in the page header's navigation) and fails on an
// answer other than 200, on an empty state the demo should fill (a page
// that says it has nothing to show, other than good news), and on a page
// slower than 1 s at demo scale (taken three times before it counts, so that a
// busy test machine does not fail it).
func TestDemoMenusHaveContent(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	for _, acc := range demo.Accounts {
		t.Run(acc.Username, func(t *testing.T) {
			c := a.client(t, acc.Username, demo.Password)
			status, home := a.get(t, c, "/")
			if status == http.StatusSeeOther || status == http.StatusOK {
				// "/" redirects to the role's home page, whose header has the menu.
				status, home = a.get(t, c, homePath(t, a, c))
			}
			if status != http.StatusOK {
				t.Fatalf("home: %d", status)
			}
			var menu []string
			home.Find("header nav a[href]").Each(func(_ int, s *goquery.Selection) {
				href, _ := s.Attr("href")
				if href != "/" && href != "/password" {
					menu = append(menu, href)
				}
			})
			if len(menu) < 2 {
				t.Fatalf("menu has %d links: %v", len(menu), menu)
			}
			for _, path := range menu {
				var took time.Duration
				var doc *goquery.Document
				for try := 0; try < 3; try++ {
					start := time.Now()
					status, doc = a.get(t, c, path)
					took = time.Since(start)
					if took <= time.Second {
						break
					}
				}
				if status != http.StatusOK {
					t.Errorf("%s: GET %s = %d", acc.Username, path, status)
					continue
				}
				if took > time.Second {
					t.Errorf("%s: GET %s took %v three times (over 1 s)", acc.Username, path, took)
				}
				doc.Find(`[data-testid="empty"]`).Each(func(_ int, s *goquery.Selection) {
					msg := strings.TrimSpace(s.Text())
					for _, ok := range goodNewsEmpty {
						if strings.Contains(msg, ok) {
							return
						}
					}
					t.Errorf("%s: %s shows the empty state %q; the demo should fill it", acc.Username, path, msg)
				})
			}
		})
	}
}

// homePath follows "/" to the page it redirects to.
func homePath(t *testing.T, a *app, c *http.Client) string {
	t.Helper()
	resp, err := c.Get(a.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "" {
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		return u.RequestURI()
	}
	return "/"
}

// TestDemoMeetingsForLeader: the leader's 联席会议 page lists at least two
// held meetings with minutes, and the action items hold open and closed
// ones, one of them carried over from an earlier meeting.
func TestDemoMeetingsForLeader(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	c := a.client(t, "leader", demo.Password)
	status, doc := a.get(t, c, "/meetings")
	if status != http.StatusOK {
		t.Fatalf("/meetings: %d", status)
	}
	var held []string
	doc.Find("a[href^='/meetings/']").Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if !strings.Contains(href, "/edit") && !strings.HasSuffix(href, "/new") {
			held = append(held, href)
		}
	})
	withMinutes := 0
	for _, path := range held {
		status, page := a.get(t, c, path)
		if status != http.StatusOK {
			t.Fatalf("%s: %d", path, status)
		}
		if strings.Contains(page.Text(), "会议纪要") && strings.Contains(page.Text(), "已召开") {
			withMinutes++
		}
	}
	if withMinutes < 2 {
		t.Fatalf("/meetings links %d meetings, %d held with minutes; want at least 2", len(held), withMinutes)
	}
	var open, done int
	if err := a.st.Pool.QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE i.status = 'open'), count(*) FILTER (WHERE i.status = 'done' AND i.closing_note <> '')
		FROM action_items i`).Scan(&open, &done); err != nil {
		t.Fatal(err)
	}
	if open == 0 || done == 0 {
		t.Fatalf("action items: %d open, %d closed with evidence; want both", open, done)
	}
	status, items := a.get(t, c, "/action-items")
	if status != http.StatusOK {
		t.Fatalf("/action-items: %d", status)
	}
	text := items.Text()
	for _, want := range []string{"办理中", "已办结", "玉池村山塘整修项目完成审批并开工"} {
		if !strings.Contains(text, want) {
			t.Errorf("/action-items does not show %q", want)
		}
	}
}
