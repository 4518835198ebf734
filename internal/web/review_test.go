package web_test

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

func TestReviewQueueBulkAndSpotCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	d1 := testutil.Deputy(t, st, "周红梅", bishi)
	d2 := testutil.Deputy(t, st, "吴国强", bishi)
	dx := testutil.Deputy(t, st, "冯志刚", xinshi)
	p1 := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "孙大勇"), d1, time.Now().AddDate(0, -2, 0))
	p2 := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "郑小平"), d2, time.Now().AddDate(0, -2, 0))
	px := testutil.Pairing(t, st, testutil.Household(t, st, xinshiV1, "钱小红"), dx, time.Now().AddDate(0, -2, 0))
	entry := func(dep, pairing int64) int64 {
		t.Helper()
		e := ledger.Entry{EntryDate: time.Now().AddDate(0, 0, -1).UTC().Truncate(24 * time.Hour), Kind: "visit", Description: "走访", Amount: decimal.Zero}
		id, err := st.SaveLedgerEntry(ctx, dep, pairing, 0, e, true, "", nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	var mine []int64
	for i := 0; i < 6; i++ {
		mine = append(mine, entry(d1, p1))
	}
	for i := 0; i < 4; i++ {
		mine = append(mine, entry(d2, p2))
	}
	foreign := entry(dx, px)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	a := newApp(t, st)
	chair := a.client(t, "chair.bishi", testutil.Password)

	// Filter by deputy.
	_, doc := a.get(t, chair, "/review?deputy="+url.QueryEscape("吴国强"))
	if got := doc.Find(`article[data-testid^="review-"]`).Length(); got != 4 {
		t.Fatalf("filter by deputy: %d entries, want 4", got)
	}
	// Bulk approve all of 弼时镇's and, forged, one of 新市镇's: only the ten are approved.
	form := url.Values{}
	for _, id := range append(mine, foreign) {
		form.Add("id", strconv.FormatInt(id, 10))
	}
	if status, _, _ := a.post(t, chair, "/review/approve", form); status != http.StatusSeeOther {
		t.Fatalf("bulk approve: %d", status)
	}
	var approved int
	var foreignStatus string
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'approved'), max(status) FILTER (WHERE id = $1) FROM ledger_entries`, foreign).Scan(&approved, &foreignStatus); err != nil || approved != 10 || foreignStatus != "submitted" {
		t.Fatalf("after bulk approve: %d approved, foreign %q, %v", approved, foreignStatus, err)
	}
	// Spot check: 20% of the month's ten approved entries, the same two each time.
	_, doc = a.get(t, chair, "/review/spot-check")
	want := int(math.Ceil(10 * float64(ledger.SpotCheckPercent) / 100))
	ids := doc.Find(`article[data-testid^="spot-"]`).Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("data-testid"); return v })
	first := ids
	if len(first) != want || !strings.Contains(text(doc, `[data-testid="spot-summary"]`), "10 条") {
		t.Fatalf("spot check: %v (%q), want %d entries", first, text(doc, `[data-testid="spot-summary"]`), want)
	}
	_, doc = a.get(t, chair, "/review/spot-check")
	again := doc.Find(`article[data-testid^="spot-"]`).Map(func(_ int, s *goquery.Selection) string { v, _ := s.Attr("data-testid"); return v })
	if strings.Join(again, ",") != strings.Join(first, ",") {
		t.Fatalf("spot check sample changed: %v then %v", first, again)
	}
	// Staff set the share to 50%: five of the ten.
	testutil.User(t, st, "office", auth.Staff, "", 0)
	if status, _, _ := a.post(t, a.client(t, "office", testutil.Password), "/settings/spot-check", url.Values{"percent": {"50"}}); status != http.StatusSeeOther {
		t.Fatalf("set spot-check share: %d", status)
	}
	_, doc = a.get(t, chair, "/review/spot-check")
	if got := doc.Find(`article[data-testid^="spot-"]`).Length(); got != 5 {
		t.Fatalf("spot check at 50%%: %d entries, want 5", got)
	}
}
