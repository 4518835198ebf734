package households

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
)

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func orStr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// CompareInputs lists the fields of two versions of a household form side by
// side, members as one line each.
func CompareInputs(mine, theirs household.Input) []components.CompareRow {
	members := func(in household.Input) string {
		var parts []string
		for _, m := range in.Members {
			parts = append(parts, m.Relation+" "+m.Name+" "+m.IDNumber)
		}
		return strings.Join(parts, "；")
	}
	pairs := [][3]string{
		{"所在村（社区）", mine.VillageCode, theirs.VillageCode},
		{"组", mine.GroupName, theirs.GroupName},
		{"户主姓名", mine.HeadName, theirs.HeadName},
		{"身份证号", mine.IDNumber, theirs.IDNumber},
		{"联系电话", mine.Phone, theirs.Phone},
		{"贫困户属性", household.Attributes.Label(mine.Attribute), household.Attributes.Label(theirs.Attribute)},
		{"主要致贫原因", mine.MainCause, theirs.MainCause},
		{"其他致贫原因", strings.Join(mine.OtherCauses, "、"), strings.Join(theirs.OtherCauses, "、")},
		{"识别年度", mine.IdentificationYear, theirs.IdentificationYear},
		{"人均纯收入（元）", mine.PerCapitaIncome, theirs.PerCapitaIncome},
		{"计划脱贫年度", mine.PlannedExitYear, theirs.PlannedExitYear},
		{"家庭成员", members(mine), members(theirs)},
		{"备注", mine.Remark, theirs.Remark},
	}
	return components.Compare(pairs)
}

// goalIncome, goalYear and goalSelected prefill the goal form: what was typed
// after an error, else the saved goal.
func goalIncome(p ShowProps) string {
	if p.GoalForm.TargetIncome != "" || p.Goal == nil {
		return p.GoalForm.TargetIncome
	}
	return p.Goal.TargetIncome.StringFixed(2)
}

func goalYear(p ShowProps) string {
	if p.GoalForm.TargetExitYear != "" || p.Goal == nil {
		return p.GoalForm.TargetExitYear
	}
	return strconv.Itoa(p.Goal.TargetExitYear)
}

func goalSelected(p ShowProps) []string {
	if p.GoalForm.Checks != nil || p.Goal == nil {
		return p.GoalForm.Checks
	}
	return goalChecked(p.Goal)
}

// yearOptions are years as select options ("2026" → "2026年").
func yearOptions(years []int) []components.Option {
	out := make([]components.Option, len(years))
	for i, y := range years {
		out[i] = components.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y) + "年"}
	}
	return out
}

// markCaseHref is the "设为典型" form of a pairing or ledger entry seen on
// household hh's page (returning there).
func markCaseHref(kind string, ref, hh int64) string {
	return "/model-cases/new?kind=" + kind + "&ref=" + strconv.FormatInt(ref, 10) + "&back=" + url.QueryEscape("/households/"+strconv.FormatInt(hh, 10))
}

// markEntries links approved entries to the "设为典型" form for viewers
// who may mark model cases (staff and the township's chair).
func markEntries(p ShowProps) func(store.LedgerEntryRow) string {
	if !p.CanEdit {
		return nil
	}
	return func(e store.LedgerEntryRow) string { return caseHref(p, "ledger_entry", e.ID) }
}

// caseHref is the "设为典型" form of a pairing or entry, or, once it is a
// model case, that case's edit form.
func caseHref(p ShowProps, kind string, ref int64) string {
	if id, ok := p.Cases[store.CaseKey(kind, ref)]; ok {
		return "/model-cases/" + strconv.FormatInt(id, 10) + "/edit?back=" + url.QueryEscape("/households/"+strconv.FormatInt(p.Household.ID, 10))
	}
	return markCaseHref(kind, ref, p.Household.ID)
}

// caseLabel is the text of caseHref's link.
func caseLabel(p ShowProps, kind string, ref int64) string {
	if _, ok := p.Cases[store.CaseKey(kind, ref)]; ok {
		return "已是典型 · 修改"
	}
	return "设为典型"
}

// creditedYuan is what cooperatives paid the household in year, "—" for
// nothing.
func creditedYuan(payouts []store.CreditedPayout, year int) string {
	c := store.CreditOf(payouts, year).Total()
	if c.IsZero() {
		return "—"
	}
	return components.Yuan(c)
}

// yearPayouts are the payouts of year (as typed in the income form's year
// field); none when it is not a year.
func yearPayouts(payouts []store.CreditedPayout, year string) []store.CreditedPayout {
	y, err := strconv.Atoi(strings.TrimSpace(year))
	if err != nil {
		return nil
	}
	var out []store.CreditedPayout
	for _, p := range payouts {
		if p.Year == y {
			out = append(out, p)
		}
	}
	return out
}

// payoutSource is the income source a payout of kind is credited to.
func payoutSource(kind string) string {
	if kind == "wage" {
		return "工资性收入"
	}
	return "财产性收入"
}

// formFields are the fields of the household form, in its order, labelled as
// there; memberFields those of one member's row.
var formFields = []components.Labelled{
	{Name: "village_code", Label: "所在村（社区）"}, {Name: "group_name", Label: "组"}, {Name: "attribute", Label: "贫困户属性"},
	{Name: "standard", Label: "识别标准"}, {Name: "identification_year", Label: "识别年度"}, {Name: "main_cause", Label: "主要致贫原因"},
	{Name: "other_causes", Label: "其他致贫原因"}, {Name: "per_capita_income", Label: "人均纯收入"}, {Name: "planned_exit_year", Label: "计划脱贫年度"},
	{Name: "phone", Label: "联系电话"}, {Name: "head_name", Label: "户主姓名"}, {Name: "head_sex", Label: "户主性别"},
	{Name: "id_number", Label: "户主身份证号"}, {Name: "head_ethnicity", Label: "户主民族"}, {Name: "head_education", Label: "户主文化程度"},
	{Name: "head_health", Label: "户主健康状况"}, {Name: "head_labour", Label: "户主劳动能力"}, {Name: "head_migrant_work", Label: "户主务工状况"},
	{Name: "members", Label: "家庭成员"},
}

var memberFields = []components.Labelled{
	{Name: "name", Label: "姓名"}, {Name: "relation", Label: "与户主关系"}, {Name: "sex", Label: "性别"}, {Name: "id_number", Label: "身份证号"},
	{Name: "birth_date", Label: "出生日期"}, {Name: "ethnicity", Label: "民族"}, {Name: "education", Label: "文化程度"},
	{Name: "schooling", Label: "在校生状况"}, {Name: "health", Label: "健康状况"}, {Name: "labour", Label: "劳动能力"},
	{Name: "migrant_work", Label: "务工状况"},
}

// formErrorLinks lists the errors of the household form for its banner:
// the household's fields first, then member by member (「成员2 身份证号」,
// numbered as the form's rows, the head being 成员1), then the remark.
func formErrorLinks(p FormProps) []components.ErrorLink {
	fields := append([]components.Labelled(nil), formFields...)
	for i := range p.Input.Members {
		for _, f := range memberFields {
			fields = append(fields, components.Labelled{Name: memberName(i, f.Name), Label: "成员" + strconv.Itoa(i+2) + " " + f.Label})
		}
	}
	fields = append(fields, components.Labelled{Name: "remark", Label: "备注"})
	return components.ErrorLinks(p.Errors, fields, nil)
}

// measureOverdue reports whether measure m is past its deadline (完成时限)
// on today and not done (已完成).
func measureOverdue(m store.MeasureRow, today time.Time) bool {
	return m.Deadline != nil && m.Deadline.Before(today) && m.Status != "done"
}
