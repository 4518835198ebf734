package web_test

import (
	"net/http"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/demo"
)

// TestNavMenusFitOneRow: every demo account's top navigation has at most 8
// entries (brand, menus, the user and 退出), the links beyond them sit in
// <details> menus inside header nav, and staff see the five menus of the
// design card.
func TestNavMenusFitOneRow(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	for _, acc := range demo.Accounts {
		c := a.client(t, acc.Username, demo.Password)
		status, doc := a.get(t, c, homePath(t, a, c))
		if status != http.StatusOK {
			t.Fatalf("%s: home %d", acc.Username, status)
		}
		top := doc.Find(`header nav > ul > li`).Length()
		if top > 8 {
			t.Errorf("%s: top navigation has %d entries, want at most 8", acc.Username, top)
		}
		links := doc.Find(`header nav a[href]`).Length()
		if links > 8 && doc.Find(`header nav details.dropdown summary`).Length() == 0 {
			t.Errorf("%s: %d links and no menus", acc.Username, links)
		}
		if acc.Username == "office" {
			var menus []string
			doc.Find(`header nav details.dropdown > summary`).Each(func(_ int, s *goquery.Selection) { menus = append(menus, s.Text()) })
			want := []string{"登记", "结对", "台账与审核", "统计与报表", "设置与审计"}
			if len(menus) != len(want) {
				t.Fatalf("staff menus %v, want %v", menus, want)
			}
			for i := range want {
				if menus[i] != want[i] {
					t.Errorf("staff menu %d = %q, want %q", i, menus[i], want[i])
				}
			}
			if doc.Find(`header nav details.dropdown a[href="/households"]`).Length() != 1 {
				t.Error("贫困户 not in a staff menu")
			}
		}
	}
}
