package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

// TestHouseholdPageNavAndOverdueMeasures: the household page opens with
// links to its parts (基本情况, 成员, 收入, 结对与措施, 台账, 操作记录), each
// leading to an element of the page, and marks 逾期 the measures past their
// 完成时限 that are not 已完成 (a done one and one not yet due are not).
func TestHouseholdPageNavAndOverdueMeasures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	pid := testutil.Pairing(t, st, hid, testutil.Deputy(t, st, "周建国", bishi), time.Now().AddDate(0, -3, 0))
	past, future := time.Now().AddDate(0, 0, -10), time.Now().AddDate(0, 1, 0)
	for _, m := range []store.MeasureRow{
		{SupportType: "industry", Content: "过期未完成", Deadline: &past},
		{SupportType: "industry", Content: "过期已完成", Deadline: &past},
		{SupportType: "industry", Content: "尚未到期", Deadline: &future},
	} {
		if err := st.AddMeasure(ctx, pid, store.MeasureRow{SupportType: m.SupportType, Content: m.Content, Deadline: m.Deadline, Funds: decimal.Zero}, 0); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := st.Measures(ctx, pid)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Content == "过期已完成" {
			if err := st.UpdateMeasure(ctx, pid, m.ID, "done", "已建成鸡舍", false, time.Now(), 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	status, doc := a.get(t, staff, "/households/"+strconv.FormatInt(hid, 10))
	if status != http.StatusOK {
		t.Fatalf("household page: %d", status)
	}
	var parts []string
	doc.Find(`[data-testid="page-nav"] a`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		parts = append(parts, s.Text())
		if doc.Find(`[id="`+strings.TrimPrefix(href, "#")+`"]`).Length() != 1 {
			t.Errorf("page link %s (%s) leads nowhere", href, s.Text())
		}
	})
	if got, want := strings.Join(parts, " "), "基本情况 成员 收入 结对与措施 台账 操作记录"; got != want {
		t.Errorf("page links %q, want %q", got, want)
	}
	overdue := map[string]bool{}
	doc.Find(`[data-testid="measures"] tbody tr`).Each(func(_ int, s *goquery.Selection) {
		overdue[s.Find("td").Eq(1).Text()] = strings.Contains(s.Text(), "逾期")
	})
	if want := map[string]bool{"过期未完成": true, "过期已完成": false, "尚未到期": false}; len(overdue) != 3 ||
		overdue["过期未完成"] != want["过期未完成"] || overdue["过期已完成"] || overdue["尚未到期"] {
		t.Errorf("逾期 marks: %v, want %v", overdue, want)
	}
}
