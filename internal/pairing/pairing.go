// Package pairing holds the rules of a pairing (结对) of one household with one
// deputy, and of its support measures (帮扶措施) and goal (目标). Invariant,
// enforced by the schema as well: a household has at most one active pairing.
package pairing

import (
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/validation"
)

// Statuses is 结对状态.
var Statuses = codelist.List{
	{Value: "proposed", Label: "待确认"},
	{Value: "active", Label: "帮扶中"},
	{Value: "ended", Label: "已结束"},
}

// EndReasons is 结束原因.
var EndReasons = codelist.List{
	{Value: "household_exited", Label: "贫困户已脱贫"},
	{Value: "deputy_left_office", Label: "代表离任"},
	{Value: "transferred", Label: "调整帮扶人"},
	{Value: "rejected", Label: "乡镇未确认"},
}

// SupportTypes is 帮扶措施类型.
var SupportTypes = codelist.List{
	{Value: "industry", Label: "产业"},
	{Value: "employment", Label: "就业"},
	{Value: "skills", Label: "技能"},
	{Value: "education", Label: "助学"},
	{Value: "health", Label: "健康"},
	{Value: "housing", Label: "住房"},
	{Value: "credit", Label: "金融"},
	{Value: "safety_net", Label: "兜底"},
	{Value: "other", Label: "其他"},
}

// MeasureStatuses is 措施进度.
var MeasureStatuses = codelist.List{
	{Value: "planned", Label: "计划中"},
	{Value: "in_progress", Label: "实施中"},
	{Value: "done", Label: "已完成"},
}

// GoalItems is the 一超两不愁三保障 checklist (plus safe drinking water), in
// the order the national handbook lists it.
var GoalItems = codelist.List{
	{Value: "income_above_line", Label: "收入稳定超过当年扶贫标准"},
	{Value: "food_clothing", Label: "不愁吃、不愁穿"},
	{Value: "compulsory_education", Label: "义务教育有保障"},
	{Value: "basic_medical", Label: "基本医疗有保障"},
	{Value: "safe_housing", Label: "住房安全有保障"},
	{Value: "safe_water", Label: "饮水安全有保障"},
}

// Application is a validated 申请书: the townships the deputy prefers, how
// many households it can take and what support it can offer.
type Application struct {
	DeputyID           int64
	PreferredTownships []string
	Capacity           int
	Offers             []string
	Note               string
}

// ParseApplication validates an application: capacity 1–20 households, at
// least one support type from SupportTypes, preferred townships (at most 3)
// that isTownship accepts, a note of at most 500 characters. It returns the
// application or field errors in Chinese.
func ParseApplication(deputyID int64, townships []string, capacity string, offers []string, note string, isTownship func(string) bool) (Application, validation.Errors) {
	errs := validation.Errors{}
	a := Application{DeputyID: deputyID, Note: strings.TrimSpace(note)}
	n, err := strconv.Atoi(strings.TrimSpace(capacity))
	if err != nil || n < 1 || n > 20 {
		errs["capacity"] = "可帮扶户数应为1至20户"
	}
	a.Capacity = n
	seen := map[string]bool{}
	for _, o := range offers {
		if SupportTypes.Has(o) && !seen[o] {
			seen[o] = true
			a.Offers = append(a.Offers, o)
		}
	}
	if len(a.Offers) == 0 {
		errs["offers"] = "请至少选择一种可提供的帮扶"
	}
	seen = map[string]bool{}
	for _, t := range townships {
		if t == "" || seen[t] {
			continue
		}
		if !isTownship(t) {
			errs["preferred_townships"] = "请选择本县（市）的乡镇"
			continue
		}
		seen[t] = true
		a.PreferredTownships = append(a.PreferredTownships, t)
	}
	if len(a.PreferredTownships) > 3 {
		errs["preferred_townships"] = "意向乡镇最多选三个"
	}
	if len([]rune(a.Note)) > 500 {
		errs["note"] = "说明最多500字"
	}
	if a.DeputyID == 0 {
		errs["deputy_id"] = "请选择代表"
	}
	if len(errs) > 0 {
		return Application{}, errs
	}
	return a, nil
}
