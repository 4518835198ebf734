package components

import (
	"encoding/json"

	"fmt"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/notice"
	"sort"
	"strings"
)

var auditActions = map[string]string{
	"household.create": "登记", "household.update": "修改信息", "household.status": "变更脱贫状态",
	"household.reveal": "查看完整个人信息", "household.import": "Excel导入",
	"deputy.create": "登记", "deputy.update": "修改信息", "deputy.left_office": "标记离任", "deputy.account": "创建账号",
	"pairing.create": "结对", "pairing.end": "结束结对",
	"household.exit_propose": "提出脱贫退出", "household.exit_appraised": "村民主评议", "household.exit_notice": "开始公示",
	"household.exit_reviewed": "乡镇审核退出", "household.exit_approved": "批准脱贫退出", "household.exit_return": "退回退出申请",
	"household.export": "导出", "household.income": "记录年度收入", "ledger_entry.create": "新增台账", "ledger_entry.update": "修改台账", "ledger_entry.approve": "审核通过", "ledger_entry.return": "退回",
	"user.login": "登录", "user.login_failed": "登录失败", "user.locked": "账号锁定", "user.password": "修改密码",
	"user.create": "创建账号", "authz.denied": "越权访问被拒绝", "audit.export": "导出审计日志",
	"deputy.import": "Excel导入代表", "pairing.propose": "结对建议", "pairing.confirm": "确认结对",
	"pairing.reject": "退回结对", "measure.create": "新增帮扶措施", "measure.update": "修改帮扶措施", "goal.set": "设定目标",
	"application.create": "提交申请书", "meeting.schedule": "安排联席会议", "meeting.record": "记录会议",
	"action_item.create": "新增会议事项", "action_item.close": "办结会议事项",
}

// AuditAction returns the Chinese name of an audit action.
func AuditAction(action string) string {
	if l, ok := auditActions[action]; ok {
		return l
	}
	return "其他操作"
}

var auditFields = map[string]string{
	"village_code": "村代码", "group_name": "组", "head_name": "户主", "head_sex": "户主性别", "id_number_tail": "身份证号尾号",
	"phone_set": "有联系电话", "head": "户主情况", "attribute": "属性", "standard": "识别标准", "main_cause": "主要致贫原因",
	"other_causes": "其他致贫原因", "identification_year": "识别年度", "per_capita_income": "人均纯收入",
	"planned_exit_year": "计划脱贫年度", "remark": "备注", "members": "家庭成员", "status": "状态",
	"exited_year": "脱贫年度", "monitoring": "监测类型", "note": "说明", "name": "姓名", "levels": "层级",
	"category": "构成", "phone": "电话", "work_unit": "工作单位", "post": "职务", "home_township_code": "所在乡镇",
	"credential_number": "代表证号", "term": "届次", "username": "账号",
	"role": "角色", "path": "地址", "method": "方式", "locked_until": "锁定至", "events": "条数", "households": "户数",
	"unmasked": "含完整身份证号", "audience": "发送范围", "townships": "乡镇", "township": "乡镇", "title": "标题", "theme": "主题", "story": "事迹",
}

// auditCodes translates coded values of audit fields into their labels.
var auditCodes = map[string]codelist.List{
	"status": append(append(codelist.List{}, household.Statuses...), ledger.Statuses...), "attribute": household.Attributes,
	"standard": household.Standards, "monitoring": household.Monitorings,
	"head_sex": {{Value: "male", Label: "男"}, {Value: "female", Label: "女"}}, "category": deputy.Categories,
	"role": auth.Roles, "audience": notice.Audiences,
}

// Change is one field's before and after in an audit event.
type Change struct{ Field, Before, After string }

// AuditChanges lists the fields that differ between an audit event's before
// and after (JSON objects), with Chinese field names, sorted by name.
func AuditChanges(before, after json.RawMessage) []Change {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []Change
	for k := range keys {
		bv, av := auditValue(b[k]), auditValue(a[k])
		if l, ok := auditCodes[k]; ok {
			bv, av = l.Label(bv), l.Label(av)
		}
		if bv == av {
			continue
		}
		label, ok := auditFields[k]
		if !ok {
			continue // internal keys are not shown
		}
		out = append(out, Change{Field: label, Before: bv, After: av})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func auditValue(v any) string {
	switch t := v.(type) {
	case nil:
		return "—"
	case string:
		if t == "" {
			return "—"
		}
		return t
	case bool:
		if t {
			return "是"
		}
		return "否"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			parts[i] = auditValue(x)
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, "、")
	case float64:
		return fmt.Sprintf("%v", t)
	}
	return fmt.Sprint(v)
}

// AuditActionOptions lists the known audit actions with their Chinese
// names, for the audit page's filter.
func AuditActionOptions() []Option {
	out := make([]Option, 0, len(auditActions))
	for k, v := range auditActions {
		entity, _, _ := strings.Cut(k, ".")
		out = append(out, Option{Value: k, Label: AuditEntity(entity) + "：" + v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// AuditJSON is an audit event's before or after as compact JSON, "" for
// none.
func AuditJSON(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return ""
	}
	return s
}

var auditEntities = map[string]string{
	"household": "贫困户", "deputy": "代表", "user": "账号", "route": "页面", "pairing": "结对", "ledger_entry": "台账",
	"measure": "帮扶措施", "goal": "目标", "application": "申请书", "meeting": "联席会议", "action_item": "会议事项",
	"project": "项目", "cooperative": "合作社", "settings": "设置", "division": "区划", "divisions": "区划",
	"household_export": "贫困户导出", "audit_export": "审计日志导出",
}

// AuditEntity returns the Chinese name of an audited object type.
func AuditEntity(entity string) string {
	if l, ok := auditEntities[entity]; ok {
		return l
	}
	return entity
}

// AuditDetail is one field of an audit event: its value after (and before,
// for a change), labelled in Chinese where the field is known.
type AuditDetail struct {
	Field, Before, After string
	Changed              bool // Before → After; else After alone
}

// AuditDetails lists every field of an audit event's before and after
// (JSON objects), sorted by key: known fields and coded values in Chinese,
// others as stored. Unchanged fields of an edit are left out.
func AuditDetails(before, after json.RawMessage) []AuditDetail {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	keys := make([]string, 0, len(b)+len(a))
	for k := range b {
		keys = append(keys, k)
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []AuditDetail
	for _, k := range keys {
		bv, av := auditValue(b[k]), auditValue(a[k])
		if l, ok := auditCodes[k]; ok {
			bv, av = l.Label(bv), l.Label(av)
		}
		label, ok := auditFields[k]
		if !ok {
			label = k
		}
		switch {
		case b == nil:
			out = append(out, AuditDetail{Field: label, After: av})
		case bv != av:
			out = append(out, AuditDetail{Field: label, Before: bv, After: av, Changed: true})
		}
	}
	return out
}
