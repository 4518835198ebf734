package components

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/pairing"
)

// storyFields name the fields of a household's story (its own events and
// those of its pairings and ledger entries) that auditFields does not, or
// names differently.
var storyFields = map[string]string{
	"village_code": "村", "start_date": "开始日期", "end_date": "结束日期", "end_reason": "结束原因", "reason": "理由",
	"support_type": "措施类型", "funds": "资金（元）", "outcome": "成效", "confirmed": "成效已确认",
	"target_income": "目标人均纯收入（元）", "target_exit_year": "目标脱贫年度", "checks": "已达标项目", "comment": "审核意见",
	"kind": "类型", "amount": "金额（元）", "entry_date": "日期", "photos": "照片（张）", "exit_year": "脱贫年度",
	"year": "年度", "size": "家庭人口", "credited": "计入分红（元）", "deputy_id": "帮扶人", "transferred_from": "调整自",
	"id_number_changed": "户主身份证号已更改", "phone_changed": "联系电话已更改", "member_id_numbers_changed": "成员身份证号已更改",
}

// storyCodes translate coded values of a household's story.
var storyCodes = map[string]codelist.List{
	"end_reason": pairing.EndReasons, "support_type": pairing.SupportTypes, "checks": pairing.GoalItems, "kind": ledger.Kinds,
}

// storyStatuses label the status of every kind of record in a household's
// story: household, ledger entry, pairing and measure statuses.
var storyStatuses = func() codelist.List {
	l := append(codelist.List{}, auditCodes["status"]...)
	l = append(l, pairing.Statuses...)
	return append(l, pairing.MeasureStatuses...)
}()

// storyHidden are fields kept for the machine only (ids) or shown in the
// event's title instead.
var storyHidden = map[string]bool{"household_id": true, "measure_id": true, "exit_id": true, "bulk": true, "transferred_from": true}

// memberSnapshot is a member as the household snapshot records it:
// "子 李明（1234，初中，非在校生，健康，普通劳动力）".
var memberSnapshot = regexp.MustCompile(`^(\S+) (.+?)（(.*)）$`)

// memberParts label the parenthesised parts of a member snapshot.
var memberParts = []string{"身份证号尾号", "文化程度", "在校生状况", "健康状况", "劳动能力"}

// AuditStory tells one event of a household's history: what happened, in
// words with what it concerns (「结对：王建国」, 「新增帮扶措施：养殖湘黄鸡」), and
// each field it set or changed, labelled and decoded (「村：弼时镇 桃花村」),
// a member's changes field by field (「成员 李明 健康状况」). names are the
// event's AuditRow.Names.
func AuditStory(action string, before, after json.RawMessage, names map[string]string) (string, []AuditDetail) {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	title := AuditAction(action)
	entity, _, _ := strings.Cut(action, ".")
	switch {
	case strings.HasPrefix(action, "measure."):
		if c := names["measure:"+auditValue(a["measure_id"])]; c != "" {
			title += "：" + c
		}
	case entity == "pairing" || action == "goal.set":
		helper := names["helper"]
		if helper == "" {
			helper = names["deputy:"+auditValue(a["deputy_id"])]
		}
		if helper != "" {
			title += "：" + helper
		}
	case entity == "ledger_entry":
		if e := names["entry"]; e != "" {
			date, kind, _ := strings.Cut(e, " ")
			title += "：" + date + " " + ledger.Kinds.Label(kind)
		}
		if h := names["helper"]; h != "" {
			title += "（" + h + "）"
		}
	}
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := storyRank(keys[i]), storyRank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	var out []AuditDetail
	for _, k := range keys {
		if storyHidden[k] {
			continue
		}
		if k == "members" && b != nil {
			out = append(out, memberChanges(b[k], a[k])...)
			continue
		}
		label, ok := storyFields[k]
		if !ok {
			if label, ok = auditFields[k]; !ok {
				continue
			}
		}
		bv, av := storyValue(k, b[k], names), storyValue(k, a[k], names)
		switch {
		case b == nil || b[k] == nil && a[k] != nil && !isChange(action):
			if av != "—" {
				out = append(out, AuditDetail{Field: label, After: av})
			}
		case bv != av:
			out = append(out, AuditDetail{Field: label, Before: bv, After: av, Changed: true})
		}
	}
	return title, out
}

// storyOrder is the order of a household's fields in its story, as its
// page lists them; other fields follow by name.
var storyOrder = []string{"village_code", "group_name", "head_name", "head_sex", "id_number_tail", "phone", "phone_set",
	"attribute", "standard", "main_cause", "other_causes", "identification_year", "per_capita_income", "planned_exit_year",
	"head", "members", "status", "deputy_id", "start_date"}

func storyRank(k string) int {
	for i, o := range storyOrder {
		if o == k {
			return i
		}
	}
	return len(storyOrder)
}

// isChange reports whether an event changes a record (its before is the
// record before), as against one that adds something (its before is nil).
func isChange(action string) bool {
	return strings.HasSuffix(action, ".update") || action == "goal.set" || action == "household.status"
}

// storyValue is the value v of field k in words.
func storyValue(k string, v any, names map[string]string) string {
	if list, ok := v.([]any); ok {
		if l, ok := storyCodes[k]; ok {
			parts := make([]string, len(list))
			for i, x := range list {
				parts[i] = l.Label(auditValue(x))
			}
			if len(parts) == 0 {
				return "—"
			}
			return strings.Join(parts, "、")
		}
	}
	s := auditValue(v)
	switch k {
	case "target_exit_year", "planned_exit_year", "exited_year", "exit_year":
		if s == "0" {
			return "—" // not set
		}
	case "village_code":
		if n := names[s]; n != "" {
			return n
		}
	case "deputy_id":
		if n := names["deputy:"+s]; n != "" {
			return n
		}
	case "status":
		return storyStatuses.Label(s)
	}
	if l, ok := storyCodes[k]; ok {
		return l.Label(s)
	}
	if l, ok := auditCodes[k]; ok {
		return l.Label(s)
	}
	return s
}

// memberChanges compares the member lists of two household snapshots: a
// member added or removed as a whole, a member kept field by field.
func memberChanges(before, after any) []AuditDetail {
	parse := func(v any) (order []string, by map[string][]string) {
		by = map[string][]string{}
		list, _ := v.([]any)
		for _, x := range list {
			s, _ := x.(string)
			m := memberSnapshot.FindStringSubmatch(s)
			if m == nil {
				order, by[s] = append(order, s), nil
				continue
			}
			parts := append([]string{m[1]}, strings.Split(m[3], "，")...)
			order, by[m[2]] = append(order, m[2]), parts
		}
		return order, by
	}
	bOrder, bBy := parse(before)
	aOrder, aBy := parse(after)
	var out []AuditDetail
	for _, name := range bOrder {
		if _, ok := aBy[name]; !ok {
			out = append(out, AuditDetail{Field: "删除成员", Before: name, After: "—", Changed: true})
		}
	}
	for _, name := range aOrder {
		was, ok := bBy[name]
		now := aBy[name]
		if !ok {
			out = append(out, AuditDetail{Field: "新增成员", After: strings.Join(append([]string{name}, now...), " ")})
			continue
		}
		labels := append([]string{"与户主关系"}, memberParts...)
		for i, l := range labels {
			if i < len(was) && i < len(now) && was[i] != now[i] {
				out = append(out, AuditDetail{Field: "成员 " + name + " " + l, Before: was[i], After: now[i], Changed: true})
			}
		}
	}
	return out
}
