package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

// TestPairingWalkThrough walks one pairing through apply → propose →
// confirm → measures → goal → end (household exited), checking the
// household page and the 一户一档 page at each step.
func TestPairingWalkThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	hid, err := st.CreateHousehold(ctx, household.Household{VillageCode: yuchi, GroupName: "2组", HeadName: "孙大勇", HeadSex: "male",
		IDNumber: testutil.IDNumber(), Attribute: "general", Standard: "national", MainCause: "缺技术", IdentificationYear: 2015,
		PerCapitaIncome: decimal.RequireFromString("2600.00"), Head: household.Member{Health: "健康", Labour: "普通劳动力", Ethnicity: "汉族"}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair.xinshi", auth.TownshipChair, xinshi, 0)
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	chair := a.client(t, "chair.bishi", testutil.Password)
	other := a.client(t, "chair.xinshi", testutil.Password)
	d := a.client(t, "dep", testutil.Password)
	hpath := "/households/" + strconv.FormatInt(hid, 10)
	pages := func(step string, want ...string) {
		t.Helper()
		for _, path := range []string{hpath, hpath + "/file"} {
			status, body := a.getBody(t, staff, path)
			if status != http.StatusOK {
				t.Fatalf("%s: GET %s = %d", step, path, status)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: %s does not show %q", step, path, w)
				}
			}
		}
	}
	pages("registered", "未结对", "孙大勇")

	// 1. The deputy applies: two households, skills and employment, 弼时镇 preferred.
	status, _, doc := a.post(t, d, "/applications", url.Values{"deputy_id": {"0"}, "capacity": {"0"}, "offers": {"skills"}})
	if status != http.StatusUnprocessableEntity || text(doc, `[data-testid="error-capacity"]`) == "" {
		t.Fatalf("bad application: %d", status)
	}
	if status, _, _ := a.post(t, d, "/applications", url.Values{"capacity": {"2"}, "offers": {"skills", "employment"},
		"preferred_townships": {bishi}, "note": {"可提供技能培训"}}); status != http.StatusSeeOther {
		t.Fatalf("application: %d", status)
	}
	_, doc = a.get(t, staff, "/applications")
	if !strings.Contains(text(doc, `[data-testid="applications"]`), "周红梅") {
		t.Fatal("staff does not see the application")
	}

	// 2. Staff asks for suggestions and accepts the one for this household.
	_, doc = a.get(t, staff, "/pairing/suggest?division="+bishi)
	row := text(doc, `[data-testid="suggestions"]`)
	if !strings.Contains(row, "孙大勇") || !strings.Contains(row, "周红梅") || !strings.Contains(row, "技能") {
		t.Fatalf("suggestion: %q", row)
	}
	pick := strconv.FormatInt(hid, 10) + ":" + strconv.FormatInt(dep, 10)
	if status, _, _ := a.post(t, staff, "/pairing/propose", url.Values{"pick": {pick}, "reason_" + strconv.FormatInt(hid, 10): {"同乡镇；对口"}}); status != http.StatusSeeOther {
		t.Fatalf("propose: %d", status)
	}
	var pid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM pairings WHERE household_id = $1 AND status = 'proposed'`, hid).Scan(&pid); err != nil {
		t.Fatalf("proposed pairing: %v", err)
	}
	pages("proposed", "待确认", "周红梅")

	// 3. Another township's chair neither sees nor confirms it; its own chair confirms.
	ppath := "/pairings/" + strconv.FormatInt(pid, 10)
	if _, doc := a.get(t, other, "/pairing/confirm"); doc.Find(`[data-testid="proposal-`+strconv.FormatInt(pid, 10)+`"]`).Length() != 0 {
		t.Fatal("新市镇's chair sees 弼时镇's proposal")
	}
	for _, action := range []string{"/confirm", "/reject"} {
		if status, _, _ := a.post(t, other, ppath+action, nil); status != http.StatusNotFound {
			t.Fatalf("other chair %s: %d, want 404", action, status)
		}
	}
	if _, doc := a.get(t, chair, "/pairing/confirm"); doc.Find(`[data-testid="proposal-`+strconv.FormatInt(pid, 10)+`"]`).Length() != 1 {
		t.Fatal("the chair does not see its township's proposal")
	}
	if status, _, _ := a.post(t, chair, ppath+"/confirm", nil); status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", status)
	}
	pages("confirmed", "帮扶中", "周红梅")

	// 4. A measure, then its outcome confirmed by the household.
	if status, _, _ := a.post(t, d, ppath+"/measures", url.Values{"support_type": {"skills"}, "content": {"参加电商技能培训"},
		"funds": {"1200.50"}, "deadline": {"2026-12-31"}}); status != http.StatusSeeOther {
		t.Fatalf("measure: %d", status)
	}
	var mid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM measures WHERE pairing_id = $1`, pid).Scan(&mid); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := a.post(t, d, ppath+"/measures/"+strconv.FormatInt(mid, 10), url.Values{"status": {"done"},
		"outcome": {"已结业，在镇电商中心就业"}, "confirmed": {"1"}}); status != http.StatusSeeOther {
		t.Fatalf("measure outcome: %d", status)
	}
	pages("measure", "参加电商技能培训", "1,200.50 元", "已结业，在镇电商中心就业")
	if _, body := a.getBody(t, staff, hpath); !strings.Contains(body, "户主已确认") {
		t.Error("household page does not show the confirmed outcome")
	}

	// 5. The goal with part of the checklist.
	if status, _, _ := a.post(t, d, ppath+"/goal", url.Values{"target_income": {"4500"}, "target_exit_year": {"2026"},
		"checks": {"food_clothing", "basic_medical"}}); status != http.StatusSeeOther {
		t.Fatalf("goal: %d", status)
	}
	pages("goal", "4,500.00 元", "2026", "不愁吃、不愁穿")
	var checks int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM goal_checks WHERE pairing_id = $1 AND checked_by IS NOT NULL`, pid).Scan(&checks); err != nil || checks != 2 {
		t.Fatalf("goal checks with who ticked them: %d %v", checks, err)
	}

	// 6. The household exits: the pairing ends and stays in the history.
	if status, _, _ := a.post(t, staff, ppath+"/end", url.Values{"end_reason": {"household_exited"}}); status != http.StatusSeeOther {
		t.Fatalf("end: %d", status)
	}
	pages("ended", "已结束", "贫困户已脱贫", "周红梅")
	var active int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM pairings WHERE household_id = $1 AND status = 'active'`, hid).Scan(&active); err != nil || active != 0 {
		t.Fatalf("active pairings after the end: %d %v", active, err)
	}
}

// TestPairingGuards covers what the pairing workflow refuses: picks outside
// the division or for unknown households, confirming a proposal whose deputy
// left office, goals that contradict the poverty-line table; and the 明白卡
// draws its QR code.
func TestPairingGuards(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	hh := testutil.Household(t, st, yuchi, "孙大勇")     // 弼时镇, income 2,600.00
	far := testutil.Household(t, st, xinshiV1, "冯志刚") // 新市镇
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	if status, _, _ := a.post(t, a.client(t, "dep", testutil.Password), "/applications", url.Values{"capacity": {"5"}, "offers": {"health"}}); status != http.StatusSeeOther {
		t.Fatalf("application: %d", status)
	}
	ds := strconv.FormatInt(dep, 10)
	// Forged picks: another township's household, an unknown one, garbage.
	status, _, _ := a.post(t, staff, "/pairing/propose", url.Values{"division": {bishi},
		"pick": {strconv.FormatInt(far, 10) + ":" + ds, "99999999:" + ds, "0:" + ds, "x:y"}})
	if status != http.StatusSeeOther {
		t.Fatalf("forged picks: %d, want 303 with nothing proposed", status)
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM pairings`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("pairings after forged picks: %d %v", n, err)
	}
	// A proposal whose deputy leaves office cannot be confirmed.
	if status, _, _ := a.post(t, staff, "/pairing/propose", url.Values{"division": {bishi}, "pick": {strconv.FormatInt(hh, 10) + ":" + ds}}); status != http.StatusSeeOther {
		t.Fatalf("propose: %d", status)
	}
	var pid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM pairings WHERE status = 'proposed'`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	left := testutil.Deputy(t, st, "吴国强", bishi)
	if _, err := st.Pool.Exec(ctx, `UPDATE pairings SET deputy_id = $1 WHERE id = $2`, left, pid); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkLeftOffice(ctx, left, time.Now(), 0); err != nil {
		t.Fatal(err)
	}
	var pstatus string
	if err := st.Pool.QueryRow(ctx, `SELECT status FROM pairings WHERE id = $1`, pid).Scan(&pstatus); err != nil || pstatus != "ended" {
		t.Fatalf("proposal of a deputy who left office: %q %v, want ended", pstatus, err)
	}
	// Pair directly, then goals are held to the poverty-line table.
	pairID := testutil.Pairing(t, st, hh, dep, time.Now().AddDate(0, -1, 0))
	year := time.Now().Year()
	if _, err := st.Pool.Exec(ctx, `INSERT INTO poverty_lines (year, standard, yuan) VALUES ($1, 'national', 4950)`, year); err != nil {
		t.Fatal(err)
	}
	goal := "/pairings/" + strconv.FormatInt(pairID, 10) + "/goal"
	for _, tt := range []struct {
		form url.Values
		want int
	}{
		{url.Values{"target_income": {"4000"}, "target_exit_year": {strconv.Itoa(year)}}, http.StatusUnprocessableEntity},
		{url.Values{"target_income": {"6000"}, "target_exit_year": {strconv.Itoa(year)}, "checks": {"income_above_line"}}, http.StatusUnprocessableEntity},
		{url.Values{"target_income": {"6000"}, "target_exit_year": {strconv.Itoa(year)}, "checks": {"food_clothing"}}, http.StatusSeeOther},
	} {
		if status, _, doc := a.post(t, staff, goal, tt.form); status != tt.want {
			t.Errorf("goal %v: %d, want %d (%s)", tt.form, status, tt.want, text(doc, `[data-testid="error-goal"]`))
		}
	}
	// The 明白卡 shows a QR code.
	_, doc := a.get(t, staff, "/households/"+strconv.FormatInt(hh, 10)+"/card")
	if src, _ := doc.Find(`[data-testid="qr"]`).Attr("src"); !strings.HasPrefix(src, "data:image/svg+xml;base64,") {
		t.Fatalf("QR src = %.60q", src)
	}
}
