package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

// TestExitPublicNotice walks the exit procedure with a fixed clock: the
// county sign-off (and the township review before it) is refused on day 6 of
// the public notice and allowed on day 7.
func TestExitPublicNotice(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	pid := testutil.Pairing(t, st, hid, dep, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	var mu sync.Mutex
	clock := time.Date(2026, 10, 10, 10, 0, 0, 0, time.UTC)
	a := newAppAt(t, st, func() time.Time { mu.Lock(); defer mu.Unlock(); return clock })
	setDay := func(d time.Time) { mu.Lock(); clock = d; mu.Unlock() }
	d := a.client(t, "dep", testutil.Password)
	chair := a.client(t, "chair.bishi", testutil.Password)
	leader := a.client(t, "leader", testutil.Password)
	hpath := "/households/" + strconv.FormatInt(hid, 10)

	// The checklist must be complete before an exit is proposed.
	if status, _, _ := a.post(t, d, hpath+"/exit", nil); status != http.StatusUnprocessableEntity {
		t.Fatalf("exit without the checklist: %d", status)
	}
	if err := st.SetGoal(ctx, pid, decimal.RequireFromString("5000"), 2026, []string{"income_above_line", "food_clothing",
		"compulsory_education", "basic_medical", "safe_housing", "safe_water"}, 0); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := a.post(t, d, hpath+"/exit", url.Values{"exit_year": {"2026"}}); status != http.StatusSeeOther {
		t.Fatalf("propose: %d", status)
	}
	// Steps out of order are refused; a deputy cannot take the chair's steps.
	if status, _, _ := a.post(t, chair, hpath+"/exit/notice", url.Values{"date": {"2026-10-10"}}); status != http.StatusConflict {
		t.Fatalf("notice before appraisal: %d", status)
	}
	if status, _, _ := a.post(t, d, hpath+"/exit/appraised", url.Values{"date": {"2026-10-10"}}); status != http.StatusForbidden {
		t.Fatalf("deputy records the appraisal: %d", status)
	}
	if status, _, _ := a.post(t, chair, hpath+"/exit/appraised", url.Values{"date": {"2026-10-09"}}); status != http.StatusSeeOther {
		t.Fatalf("appraisal: %d", status)
	}
	if status, _, _ := a.post(t, chair, hpath+"/exit/notice", url.Values{"date": {"2026-10-10"}}); status != http.StatusSeeOther {
		t.Fatalf("notice: %d", status)
	}
	// Day 6 of the notice: neither the review nor the sign-off.
	setDay(time.Date(2026, 10, 16, 15, 0, 0, 0, time.UTC))
	if status, _, _ := a.post(t, chair, hpath+"/exit/reviewed", nil); status != http.StatusConflict {
		t.Fatalf("review on day 6: %d, want 409", status)
	}
	if _, err := st.Pool.Exec(ctx, `UPDATE household_exits SET status = 'reviewed' WHERE household_id = $1`, hid); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := a.post(t, leader, hpath+"/exit/approved", nil); status != http.StatusConflict {
		t.Fatalf("sign-off on day 6: %d, want 409", status)
	}
	var hstatus string
	if err := st.Pool.QueryRow(ctx, `SELECT status FROM households WHERE id = $1`, hid).Scan(&hstatus); err != nil || hstatus != "not_exited" {
		t.Fatalf("after day 6: %q %v", hstatus, err)
	}
	// Day 7: the sign-off goes through and the household has exited.
	setDay(time.Date(2026, 10, 17, 9, 0, 0, 0, time.UTC))
	if status, _, _ := a.post(t, leader, hpath+"/exit/approved", nil); status != http.StatusSeeOther {
		t.Fatalf("sign-off on day 7: %d", status)
	}
	var year int
	if err := st.Pool.QueryRow(ctx, `SELECT status, exited_year FROM households WHERE id = $1`, hid).Scan(&hstatus, &year); err != nil || hstatus != "exited" || year != 2026 {
		t.Fatalf("after sign-off: %q %d %v", hstatus, year, err)
	}
	_, body := a.getBody(t, chair, hpath)
	for _, want := range []string{"县（市）已批准", "公示：自 2026年10月10日 起", "村民主评议：2026年10月9日"} {
		if !strings.Contains(body, want) {
			t.Errorf("household page does not show %q", want)
		}
	}
}
