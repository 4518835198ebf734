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

// threeMemberHousehold registers a household of 玉池村 with its head and two
// members.
func threeMemberHousehold(t *testing.T, ctx context.Context, a *app) int64 {
	t.Helper()
	id, err := a.st.CreateHousehold(ctx, household.Household{VillageCode: yuchi, GroupName: "1组", HeadName: "孙大勇", HeadSex: "male",
		IDNumber: testutil.IDNumber(), Attribute: "general", Standard: "national", MainCause: "因病", IdentificationYear: 2015,
		Head: household.Member{Health: "健康", Labour: "普通劳动力"},
		Members: []household.Member{
			{Name: "李秀兰", Sex: "female", IDNumber: testutil.IDNumber(), Relation: "配偶", Health: "健康", Labour: "普通劳动力"},
			{Name: "孙小明", Sex: "male", IDNumber: testutil.IDNumber(), Relation: "之子", Health: "健康", Labour: "无劳动力"},
		}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestIncomeSaveKeepsCreditedPayouts checks the path: a household's
// 2026 income (wages 6,000, production 3,000, transfers 3,500, costs 300;
// three people: 4,066.67), a cooperative dividend of 1,200 and a wage of
// 800.50 (4,733.50), then the income form of 2026 saved again with the same
// figures: the payouts stay in the income (4,733.50), the form shows them
// as their own lines and the base figures without them.
func TestIncomeSaveKeepsCreditedPayouts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	a := newAppAt(t, st, func() time.Time { return time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC) })
	chair := a.client(t, "chair.bishi", testutil.Password)
	hid := threeMemberHousehold(t, ctx, a)
	hpath := "/households/" + strconv.FormatInt(hid, 10)
	base := url.Values{"year": {"2026"}, "wages": {"6000"}, "production": {"3000"}, "transfers": {"3500"}, "costs": {"300"}}
	perCapita := func(want string) {
		t.Helper()
		var per, hh string
		if err := st.Pool.QueryRow(ctx, `SELECT i.per_capita::text, h.per_capita_income::text FROM household_incomes i
			JOIN households h ON h.id = i.household_id WHERE i.household_id = $1 AND i.year = 2026`, hid).Scan(&per, &hh); err != nil {
			t.Fatal(err)
		}
		if per != want || hh != want {
			t.Fatalf("2026 per capita %s, household %s; want %s", per, hh, want)
		}
	}
	if status, _, _ := a.post(t, chair, hpath+"/income", base); status != http.StatusSeeOther {
		t.Fatalf("record income: %d", status)
	}
	perCapita("4066.67")

	// A cooperative of 玉池村 pays the household a dividend and a wage.
	status, coop, _ := a.post(t, chair, "/cooperatives", url.Values{"village": {yuchi}, "name": {"竹花鸡养殖专业合作社"}, "product": {"竹花鸡"}, "founded_on": {"2026-03-01"}})
	if status != http.StatusSeeOther {
		t.Fatalf("cooperative: %d", status)
	}
	if status, _, _ := a.post(t, chair, coop+"/members", url.Values{"household": {strconv.FormatInt(hid, 10)}, "joined_on": {"2026-03-15"}}); status != http.StatusSeeOther {
		t.Fatalf("member: %d", status)
	}
	for _, p := range []url.Values{
		{"household": {strconv.FormatInt(hid, 10)}, "kind": {"dividend"}, "amount": {"1200"}, "paid_on": {"2026-11-30"}},
		{"household": {strconv.FormatInt(hid, 10)}, "kind": {"wage"}, "amount": {"800.50"}, "paid_on": {"2026-12-01"}},
	} {
		if status, _, _ := a.post(t, chair, coop+"/payouts", p); status != http.StatusSeeOther {
			t.Fatalf("payout %v: %d", p, status)
		}
	}
	perCapita("4733.50")

	// The income form of 2026 comes up with what is recorded, less the
	// payouts, which it lists apart.
	_, doc := a.get(t, chair, hpath+"?income_year=2026")
	form := doc.Find(`form[action="` + hpath + `/income"]`)
	for name, want := range map[string]string{"year": "2026", "wages": "6000.00", "production": "3000.00", "property": "0.00", "transfers": "3500.00", "costs": "300.00"} {
		if got, _ := form.Find(`input[name="` + name + `"]`).Attr("value"); got != want {
			t.Errorf("income form %s = %q, want %q", name, got, want)
		}
	}
	credited := text(doc, `[data-testid="income-credited"]`)
	for _, want := range []string{"竹花鸡养殖专业合作社", "分红", "1,200.00 元", "务工工资", "800.50 元"} {
		if !strings.Contains(credited, want) {
			t.Errorf("credited lines %q lack %q", credited, want)
		}
	}
	if form.Find(`[data-testid="income-credited"] input`).Length() != 0 {
		t.Error("the form has inputs for the credited payouts")
	}
	if got := text(doc, `[data-testid="credited-2026"]`); got != "2,000.50 元" {
		t.Errorf("incomes table credits %q for 2026, want 2,000.50 元", got)
	}

	// Saving the same base figures keeps the payouts.
	if status, _, _ := a.post(t, chair, hpath+"/income", base); status != http.StatusSeeOther {
		t.Fatalf("record income again: %d", status)
	}
	perCapita("4733.50")
	var wages, property decimal.Decimal
	if err := st.Pool.QueryRow(ctx, `SELECT wages, property FROM household_incomes WHERE household_id = $1 AND year = 2026`, hid).Scan(&wages, &property); err != nil {
		t.Fatal(err)
	}
	if !wages.Equal(decimal.RequireFromString("6800.50")) || !property.Equal(decimal.NewFromInt(1200)) {
		t.Errorf("2026 wages %s, property %s; want 6800.50 and 1200", wages, property)
	}
	// The default form (this year, 2026) is filled as well.
	_, doc = a.get(t, chair, hpath)
	if got, _ := doc.Find(`form[action="` + hpath + `/income"] input[name="wages"]`).Attr("value"); got != "6000.00" {
		t.Errorf("default income form wages %q, want 6000.00", got)
	}
}
