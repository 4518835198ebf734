// Package project is the support a village gets beside its households'
// pairings: projects (项目: solar PV, roads, ponds, ...) with a budget and
// funds in yuan, and cooperatives (合作组织) whose member households are
// paid dividends or wages, which count as the households' income.
package project

import (
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/shopspring/decimal"
)

// Kinds is 项目类别.
var Kinds = codelist.List{
	{Value: "solar", Label: "光伏发电"},
	{Value: "road", Label: "道路"},
	{Value: "water", Label: "水利/山塘"},
	{Value: "village_centre", Label: "村级活动中心"},
	{Value: "greening", Label: "绿化亮化"},
	{Value: "industry", Label: "产业"},
	{Value: "other", Label: "其他"},
}

// Statuses is 项目状态, in order.
var Statuses = codelist.List{
	{Value: "applied", Label: "申报"},
	{Value: "approving", Label: "审批中"},
	{Value: "in_progress", Label: "实施中"},
	{Value: "completed", Label: "已完成"},
}

// PayoutKinds is what a cooperative pays a member household: dividends
// (分红, property income) or wages (务工工资).
var PayoutKinds = codelist.List{
	{Value: "dividend", Label: "分红"},
	{Value: "wage", Label: "务工工资"},
}

// Project is a validated project.
type Project struct {
	VillageCode                              string
	Name, Kind, Status, Department, Note     string
	Budget, FundsReceived, FundsSpent        decimal.Decimal // yuan
	AppliedOn, ApprovedOn, StartedOn, DoneOn *time.Time
}

// Input is the project form as typed.
type Input struct {
	VillageCode, Name, Kind, Status, Department, Note string
	Budget, FundsReceived, FundsSpent                 string
	AppliedOn, ApprovedOn, StartedOn, DoneOn          string
}

func date(v string, field, label string, errs validation.Errors) *time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil {
		errs[field] = label + "格式应为 2017-03-31"
		return nil
	}
	return &d
}

func yuan(v, field, label string, errs validation.Errors) decimal.Decimal {
	if strings.TrimSpace(v) == "" {
		return decimal.Zero
	}
	d, err := money.ParseYuan(v)
	if err != nil || d.IsNegative() {
		errs[field] = label + "应为不小于0的金额（元），如 1100000 或 1,100,000.00"
		return decimal.Zero
	}
	return d
}

// Parse validates a project: name 1–200 characters, a village isVillage
// accepts, a kind and status from the lists, amounts in yuan (money.ParseYuan:
// at most two decimals, not negative), funds spent not above funds
// received, dates (2006-01-02) in order 申报 ≤ 批准 ≤ 开工 ≤ 完成, and the
// date of the status reached (a completed project has its completion
// date). Errors are in Chinese by field.
func Parse(in Input, isVillage func(string) bool) (Project, validation.Errors) {
	errs := validation.Errors{}
	p := Project{VillageCode: in.VillageCode, Name: strings.TrimSpace(in.Name), Kind: in.Kind, Status: in.Status,
		Department: strings.TrimSpace(in.Department), Note: strings.TrimSpace(in.Note)}
	if n := len([]rune(p.Name)); n == 0 || n > 200 {
		errs["name"] = "请填写项目名称（200字以内）"
	}
	if !isVillage(p.VillageCode) {
		errs["village"] = "请选择本县（市）的村（社区）"
	}
	if !Kinds.Has(p.Kind) {
		errs["kind"] = "请选择项目类别"
	}
	if !Statuses.Has(p.Status) {
		errs["status"] = "请选择项目状态"
	}
	if len([]rune(p.Department)) > 100 {
		errs["department"] = "责任单位最多100字"
	}
	if len([]rune(p.Note)) > 2000 {
		errs["note"] = "备注最多2000字"
	}
	p.Budget = yuan(in.Budget, "budget", "预算", errs)
	p.FundsReceived = yuan(in.FundsReceived, "funds_received", "到位资金", errs)
	p.FundsSpent = yuan(in.FundsSpent, "funds_spent", "已支出", errs)
	if !errs.Has("funds_spent") && !errs.Has("funds_received") && p.FundsSpent.GreaterThan(p.FundsReceived) {
		errs["funds_spent"] = "已支出不能多于到位资金"
	}
	p.AppliedOn = date(in.AppliedOn, "applied_on", "申报日期", errs)
	p.ApprovedOn = date(in.ApprovedOn, "approved_on", "批准日期", errs)
	p.StartedOn = date(in.StartedOn, "started_on", "开工日期", errs)
	p.DoneOn = date(in.DoneOn, "completed_on", "完成日期", errs)
	steps := []struct {
		d     *time.Time
		field string
	}{{p.AppliedOn, "applied_on"}, {p.ApprovedOn, "approved_on"}, {p.StartedOn, "started_on"}, {p.DoneOn, "completed_on"}}
	var last *time.Time
	for _, s := range steps {
		if s.d == nil {
			continue
		}
		if last != nil && s.d.Before(*last) {
			errs[s.field] = "日期应不早于前一步骤的日期"
		}
		last = s.d
	}
	if p.Status == "completed" && p.DoneOn == nil && !errs.Has("completed_on") {
		errs["completed_on"] = "已完成的项目请填写完成日期"
	}
	if p.Status == "in_progress" && p.StartedOn == nil && !errs.Has("started_on") {
		errs["started_on"] = "实施中的项目请填写开工日期"
	}
	if len(errs) > 0 {
		return Project{}, errs
	}
	return p, nil
}

// Cooperative is a validated cooperative (合作组织).
type Cooperative struct {
	VillageCode, Name, Product, Note string
	FoundedOn                        *time.Time
}

// ParseCooperative validates a cooperative: name 1–200 characters, a
// village isVillage accepts, a product of at most 100 characters, an
// optional founding date.
func ParseCooperative(village, name, product, founded, note string, isVillage func(string) bool) (Cooperative, validation.Errors) {
	errs := validation.Errors{}
	c := Cooperative{VillageCode: village, Name: strings.TrimSpace(name), Product: strings.TrimSpace(product), Note: strings.TrimSpace(note)}
	if n := len([]rune(c.Name)); n == 0 || n > 200 {
		errs["name"] = "请填写合作组织名称（200字以内）"
	}
	if !isVillage(village) {
		errs["village"] = "请选择本县（市）的村（社区）"
	}
	if len([]rune(c.Product)) > 100 {
		errs["product"] = "主要产品最多100字"
	}
	if len([]rune(c.Note)) > 2000 {
		errs["note"] = "备注最多2000字"
	}
	c.FoundedOn = date(founded, "founded_on", "成立日期", errs)
	if len(errs) > 0 {
		return Cooperative{}, errs
	}
	return c, nil
}

// MaxPayout is the largest single payout accepted, yuan: a sanity bound
// (a household's whole yearly income is far below it), not a rule.
var MaxPayout = decimal.NewFromInt(100000)

// Payout is what a cooperative paid a member household.
type Payout struct {
	HouseholdID int64
	Year        int
	Kind        string
	Amount      decimal.Decimal // yuan, > 0
	PaidOn      time.Time
}

// ParsePayout validates a payout: a member household id, a kind from
// PayoutKinds, an amount in yuan above 0 and at most MaxPayout, a payment date (2006-01-02) not
// after today, whose year is the income year.
func ParsePayout(household, kind, amount, paidOn string, today time.Time) (Payout, validation.Errors) {
	errs := validation.Errors{}
	p := Payout{Kind: kind}
	id, err := strconv.ParseInt(strings.TrimSpace(household), 10, 64)
	if err != nil || id <= 0 {
		errs["household"] = "请选择成员户"
	}
	p.HouseholdID = id
	if !PayoutKinds.Has(kind) {
		errs["kind"] = "请选择分红或务工工资"
	}
	a, err := money.ParseYuan(amount)
	switch {
	case err != nil || !a.IsPositive():
		errs["amount"] = "金额应大于0元，最多两位小数"
	case a.GreaterThan(MaxPayout):
		errs["amount"] = "单笔金额不能超过" + money.Format(MaxPayout) + "元，请核对"
	}
	p.Amount = a
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(paidOn))
	switch {
	case err != nil:
		errs["paid_on"] = "请填写发放日期，如 2017-12-20"
	case d.After(today) || d.Year() < 2014:
		errs["paid_on"] = "发放日期应在2014年至今天之间"
	default:
		p.PaidOn, p.Year = d, d.Year()
	}
	if len(errs) > 0 {
		return Payout{}, errs
	}
	return p, nil
}
