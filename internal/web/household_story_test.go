package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

// TestHouseholdHistoryTellsItsStory: the 操作记录 of a household page holds
// the events of its pairing, measures, goal and ledger review besides its
// own, in words: the village by its name (「村：弼时镇 玉池村」, not its code),
// the helper's name on the pairing, the measure's content, and each member
// field that an edit changed.
func TestHouseholdHistoryTellsItsStory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	dep := testutil.Deputy(t, st, "周建国", bishi)
	son := household.Member{Name: "李明", Sex: "male", IDNumber: memberID(t, "1990-05-01", 11), Relation: "子", Health: "健康", Labour: "普通劳动力"}
	h := household.Household{VillageCode: yuchi, GroupName: "1组", HeadName: "李大山", HeadSex: "male", IDNumber: memberID(t, "1962-03-04", 31),
		Attribute: "general", Standard: "national", MainCause: "因病", IdentificationYear: 2015,
		PerCapitaIncome: decimal.RequireFromString("2600.00"), Members: []household.Member{son},
		Head: household.Member{Health: "健康", Labour: "普通劳动力"}}
	hid, err := st.CreateHousehold(ctx, h, 0)
	if err != nil {
		t.Fatal(err)
	}
	h.Members[0].Health = "长期慢性病"
	if err := st.UpdateHousehold(ctx, auth.Scope{}, hid, 1, h, 0); err != nil {
		t.Fatal(err)
	}
	pid := testutil.Pairing(t, st, hid, dep, time.Now().AddDate(0, -1, 0))
	if err := st.AddMeasure(ctx, pid, store.MeasureRow{SupportType: "industry", Content: "养殖湘黄鸡200羽", Funds: decimal.RequireFromString("3000")}, 0); err != nil {
		t.Fatal(err)
	}
	if err := st.SetGoal(ctx, pid, decimal.RequireFromString("6000"), time.Now().Year()+1, []string{"food_clothing"}, 0); err != nil {
		t.Fatal(err)
	}
	eid, err := st.SaveLedgerEntry(ctx, dep, pid, 0, ledger.Entry{EntryDate: time.Now().AddDate(0, 0, -2), Kind: "visit", Description: "入户走访"}, true, "", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ReviewLedgerEntry(ctx, bishi, eid, true, "", 0); err != nil {
		t.Fatal(err)
	}

	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	_, doc := a.get(t, staff, "/households/"+strconv.FormatInt(hid, 10))
	trail := strings.Join(strings.Fields(text(doc, `[data-testid="audit"]`)), " ")
	for _, want := range []string{
		"登记", "村：弼时镇 玉池村",
		"成员 李明 健康状况：健康 → 长期慢性病",
		"结对：周建国", "开始日期：",
		"新增帮扶措施：养殖湘黄鸡200羽", "措施类型：产业",
		"设定目标：周建国", "已达标项目：— → 不愁吃、不愁穿",
		"审核通过：", "走访（周建国）", "状态：待审核 → 已通过", "目标脱贫年度：— → ",
	} {
		if !strings.Contains(trail, want) {
			t.Errorf("操作记录 lacks %q:\n%s", want, trail)
		}
	}
	if strings.Contains(trail, "村代码") || strings.Contains(trail, yuchi) {
		t.Errorf("操作记录 shows the village code:\n%s", trail)
	}
}
