package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

// TestReliefPointProjectsAndCooperatives checks issue 7's acceptance line
// 2: the project and cooperative totals on the relief point's page equal
// direct SQL sums; a cooperative's payout is the household's income.
func TestReliefPointProjectsAndCooperatives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	if _, err := st.Pool.Exec(ctx, `UPDATE divisions SET relief_point = true, poor_village = true WHERE code = $1`, yuchi); err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair2", auth.TownshipChair, xinshi, 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	h1 := testutil.Household(t, st, yuchi, "李秋菊")
	h2 := testutil.Household(t, st, yuchi, "王德明")
	other := testutil.Household(t, st, "430681107202", "赵四海")

	post := func(path string, form url.Values, want int) string {
		t.Helper()
		status, loc, doc := a.post(t, staff, path, form)
		if status != want {
			t.Fatalf("POST %s: %d, want %d (%s)", path, status, want, doc.Find(".error, [role=alert]").Text())
		}
		return loc
	}
	// The initial 1.10 million yuan, in three projects.
	p1 := post("/projects", url.Values{"village": {yuchi}, "name": {"光伏发电扩容"}, "kind": {"solar"}, "status": {"in_progress"},
		"budget": {"600,000"}, "funds_received": {"400000"}, "funds_spent": {"250000.50"}, "applied_on": {"2017-03-31"}, "started_on": {"2017-05-10"},
		"department": {"市发改局"}}, http.StatusSeeOther)
	post("/projects", url.Values{"village": {yuchi}, "name": {"团玉公路绿化亮化"}, "kind": {"greening"}, "status": {"approving"},
		"budget": {"300000"}, "funds_received": {"0"}}, http.StatusSeeOther)
	post("/projects", url.Values{"village": {yuchi}, "name": {"山塘修缮"}, "kind": {"water"}, "status": {"completed"},
		"budget": {"200000"}, "funds_received": {"200000"}, "funds_spent": {"199999.99"}, "completed_on": {"2017-10-01"}}, http.StatusSeeOther)
	// Bad input: spent above received, kept and explained.
	_, _, doc := a.post(t, staff, "/projects", url.Values{"village": {yuchi}, "name": {"村委活动中心"}, "kind": {"village_centre"}, "status": {"applied"},
		"funds_received": {"100"}, "funds_spent": {"200"}})
	if !strings.Contains(doc.Find(`input[name="funds_spent"]`).Parent().Text(), "不能多于") {
		t.Errorf("spent above received not explained")
	}
	if v, _ := doc.Find(`input[name="name"]`).Attr("value"); v != "村委活动中心" {
		t.Errorf("typed name lost: %q", v)
	}
	// Beneficiaries: a household of the village yes, of another village no.
	post(p1+"/beneficiaries", url.Values{"action": {"add"}, "household": {strconv.FormatInt(h1, 10)}}, http.StatusSeeOther)
	post(p1+"/beneficiaries", url.Values{"action": {"add"}, "household": {strconv.FormatInt(other, 10)}}, http.StatusUnprocessableEntity)

	// Three cooperatives; a household can be in several.
	var coops []string
	for _, c := range [][2]string{{"猕猴桃种植专业合作社", "猕猴桃"}, {"竹花鸡养殖专业合作社", "竹花鸡"}, {"竹笋加工合作社", "竹笋"}} {
		coops = append(coops, post("/cooperatives", url.Values{"village": {yuchi}, "name": {c[0]}, "product": {c[1]}, "founded_on": {"2017-04-01"}}, http.StatusSeeOther))
	}
	for _, c := range coops[:2] {
		for _, h := range []int64{h1, h2} {
			post(c+"/members", url.Values{"household": {strconv.FormatInt(h, 10)}, "joined_on": {"2017-04-15"}}, http.StatusSeeOther)
		}
	}
	post(coops[0]+"/members", url.Values{"household": {strconv.FormatInt(h1, 10)}, "joined_on": {"2017-04-15"}}, http.StatusUnprocessableEntity)
	// A household of another township cannot join.
	far := testutil.Household(t, st, xinshiV1, "钱新民")
	post(coops[0]+"/members", url.Values{"household": {strconv.FormatInt(far, 10)}, "joined_on": {"2017-04-15"}}, http.StatusUnprocessableEntity)
	// A payout goes into the year's income record, which must exist.
	post(coops[0]+"/payouts", url.Values{"household": {strconv.FormatInt(h1, 10)}, "kind": {"dividend"}, "amount": {"500"}, "paid_on": {"2016-12-20"}}, http.StatusUnprocessableEntity)
	for _, hy := range [][2]int64{{h1, 2017}, {h2, 2018}} {
		if _, err := st.Pool.Exec(ctx, `INSERT INTO household_incomes (household_id, year, wages, production, size, per_capita)
			VALUES ($1, $2, 1000, 2000, 3, 1000)`, hy[0], hy[1]); err != nil {
			t.Fatal(err)
		}
	}
	post(coops[0]+"/payouts", url.Values{"household": {strconv.FormatInt(h1, 10)}, "kind": {"dividend"}, "amount": {"1,200.50"}, "paid_on": {"2017-12-20"}}, http.StatusSeeOther)
	post(coops[1]+"/payouts", url.Values{"household": {strconv.FormatInt(h1, 10)}, "kind": {"wage"}, "amount": {"3000"}, "paid_on": {"2017-11-30"}}, http.StatusSeeOther)
	post(coops[1]+"/payouts", url.Values{"household": {strconv.FormatInt(h2, 10)}, "kind": {"dividend"}, "amount": {"800"}, "paid_on": {"2018-01-10"}}, http.StatusSeeOther)
	post(coops[2]+"/payouts", url.Values{"household": {strconv.FormatInt(h1, 10)}, "kind": {"wage"}, "amount": {"100"}, "paid_on": {"2017-11-30"}}, http.StatusUnprocessableEntity)

	// The relief point's page (the default for staff) against SQL.
	status, doc := a.get(t, staff, "/support")
	if status != http.StatusOK || !strings.Contains(doc.Find("h1").Text(), "扶贫联系点") {
		t.Fatalf("relief point page: %d %q", status, doc.Find("h1").Text())
	}
	var budget, received, spent, paid decimal.Decimal
	var members int
	if err := st.Pool.QueryRow(ctx, `SELECT sum(budget), sum(funds_received), sum(funds_spent) FROM projects WHERE village_code = $1`, yuchi).Scan(&budget, &received, &spent); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM cooperative_members m JOIN cooperatives c ON c.id = m.cooperative_id WHERE c.village_code = $1),
		(SELECT sum(x.amount) FROM cooperative_payouts x JOIN cooperatives c ON c.id = x.cooperative_id WHERE c.village_code = $1)`, yuchi).Scan(&members, &paid); err != nil {
		t.Fatal(err)
	}
	totals := doc.Find(`[data-testid="project-totals"] th.num`)
	for i, want := range []decimal.Decimal{budget, received, spent} {
		if got := strings.TrimSpace(totals.Eq(i).Text()); got != money.Format(want)+" 元" {
			t.Errorf("project total %d: page %s, SQL %s", i, got, money.Format(want))
		}
	}
	if !budget.Equal(decimal.NewFromInt(1100000)) {
		t.Errorf("budget %s, want the initial 1,100,000", budget)
	}
	ct := doc.Find(`[data-testid="coop-totals"] th.num`)
	if got := strings.TrimSpace(ct.Eq(0).Text()); got != strconv.Itoa(members) || members != 4 {
		t.Errorf("cooperative members: page %s, SQL %d", got, members)
	}
	if got := strings.TrimSpace(ct.Eq(1).Text()); got != money.Format(paid)+" 元" || !paid.Equal(decimal.RequireFromString("5000.5")) {
		t.Errorf("cooperative payouts: page %s, SQL %s", got, paid)
	}
	// The payouts are the households' income of their year.
	var wages, property decimal.Decimal
	if err := st.Pool.QueryRow(ctx, `SELECT wages, property FROM household_incomes WHERE household_id = $1 AND year = 2017`, h1).Scan(&wages, &property); err != nil {
		t.Fatal(err)
	}
	if !wages.Equal(decimal.NewFromInt(4000)) || !property.Equal(decimal.RequireFromString("1200.5")) {
		t.Errorf("李秋菊's 2017 income: wages %s, property %s", wages, property)
	}
	// Another township's chair sees none of it.
	chair2 := a.client(t, "chair2", testutil.Password)
	if status, _ := a.get(t, chair2, p1); status != http.StatusNotFound {
		t.Errorf("another chair opening 玉池村's project: %d", status)
	}
	if status, _ := a.get(t, chair2, "/support?village="+yuchi); status != http.StatusNotFound {
		t.Errorf("another chair opening 玉池村's page: %d", status)
	}
}
