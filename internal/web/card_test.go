package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

// TestCardShowsGoalAndMeasureTerms checks that the 明白卡 tells the household
// what was promised and by when: the pairing's goal (target income, exit
// year, each 一超两不愁三保障 item and whether it is met) and each measure's
// scale, deadline and outcome besides its type, content and funds.
func TestCardShowsGoalAndMeasureTerms(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	hh := testutil.Household(t, st, yuchi, "孙大勇")
	pid := testutil.Pairing(t, st, hh, dep, time.Now().AddDate(0, -2, 0))
	deadline := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	if err := st.AddMeasure(ctx, pid, store.MeasureRow{SupportType: "industry", Content: "发展猕猴桃种植", Scale: "3亩",
		Funds: decimal.NewFromInt(5000), Deadline: &deadline}, 0); err != nil {
		t.Fatal(err)
	}
	ms, err := st.Measures(ctx, pid)
	if err != nil || len(ms) != 1 {
		t.Fatalf("measures %v %v", ms, err)
	}
	if err := st.UpdateMeasure(ctx, pid, ms[0].ID, "done", "已挂果，年增收3000元", true, time.Now(), 0); err != nil {
		t.Fatal(err)
	}
	if err := st.SetGoal(ctx, pid, decimal.NewFromInt(6800), 2026, []string{"food_clothing", "safe_water"}, 0); err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	status, doc := a.get(t, a.client(t, "office", testutil.Password), "/households/"+strconv.FormatInt(hh, 10)+"/card")
	if status != http.StatusOK {
		t.Fatalf("card: %d", status)
	}
	if got := text(doc, `[data-testid="card-goal"]`); !strings.Contains(got, "6,800.00 元") || !strings.Contains(got, "2026 年") {
		t.Errorf("card goal %q, want the target income 6,800.00 元 and the exit year 2026", got)
	}
	checks := doc.Find(`[data-testid="card-checks"] li`)
	if checks.Length() != 6 {
		t.Errorf("card lists %d checklist items, want 6", checks.Length())
	}
	for i, want := range []string{"☐ 收入稳定超过当年扶贫标准", "☑ 不愁吃、不愁穿（已达到）", "☐ 义务教育有保障", "☐ 基本医疗有保障",
		"☐ 住房安全有保障", "☑ 饮水安全有保障（已达到）"} {
		if got := strings.TrimSpace(checks.Eq(i).Text()); got != want && checks.Length() == 6 {
			t.Errorf("checklist item %d = %q, want %q", i+1, got, want)
		}
	}
	m := strings.Join(strings.Fields(text(doc, `[data-testid="card-measure-`+strconv.FormatInt(ms[0].ID, 10)+`"]`)), "")
	for _, want := range []string{"发展猕猴桃种植", "5,000.00元", "规模：3亩", "时限：2026-09-30", "成效：已挂果，年增收3000元"} {
		if !strings.Contains(m, want) {
			t.Errorf("card measure %q lacks %q", m, want)
		}
	}
}
