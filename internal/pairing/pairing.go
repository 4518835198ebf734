// Package pairing holds the rules of a pairing (结对) of one household with one
// deputy, and of its support measures (帮扶措施) and goal (目标). Invariant,
// enforced by the schema as well: a household has at most one active pairing.
package pairing

import "github.com/bangfu/bangfu/internal/codelist"

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
