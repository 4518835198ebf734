// Package household holds the rules of a registered poor household
// (建档立卡贫困户): its code lists (attribute, identification standard, poverty
// causes, status, monitoring flag) and the validation of a household record.
// It has no SQL and no HTTP.
package household

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/shopspring/decimal"
)

// Attributes is 贫困户属性.
var Attributes = codelist.List{
	{Value: "general", Label: "一般贫困户"},
	{Value: "subsistence", Label: "低保贫困户"},
	{Value: "extreme", Label: "特困供养贫困户"},
}

// Standards is 识别标准.
var Standards = codelist.List{
	{Value: "national", Label: "国家标准"},
	{Value: "provincial", Label: "省定标准"},
	{Value: "prefectural", Label: "市定标准"},
}

// Causes is 致贫原因 as listed in the national registration form; values are
// the Chinese terms themselves.
var Causes = codelist.List{
	{Value: "因病", Label: "因病"}, {Value: "因残", Label: "因残"}, {Value: "因学", Label: "因学"},
	{Value: "因灾", Label: "因灾"}, {Value: "缺土地", Label: "缺土地"}, {Value: "缺水", Label: "缺水"},
	{Value: "缺技术", Label: "缺技术"}, {Value: "缺劳力", Label: "缺劳力"}, {Value: "缺资金", Label: "缺资金"},
	{Value: "交通条件落后", Label: "交通条件落后"}, {Value: "自身发展动力不足", Label: "自身发展动力不足"},
	{Value: "其它", Label: "其它"},
}

// Statuses is 脱贫状态.
var Statuses = codelist.List{
	{Value: "not_exited", Label: "未脱贫"},
	{Value: "exited", Label: "已脱贫"},
	{Value: "relapsed", Label: "返贫"},
}

// Monitorings is the 防返贫监测 flag; "" means not monitored.
var Monitorings = codelist.List{
	{Value: "", Label: "无"},
	{Value: "unstable", Label: "脱贫不稳定户"},
	{Value: "marginal", Label: "边缘易致贫户"},
	{Value: "sudden_hardship", Label: "突发严重困难户"},
}

// Relations is 与户主关系 as the national roster writes it.
var Relations = values("户主", "配偶", "子", "女", "儿媳", "女婿", "父亲", "母亲", "孙子", "孙女", "兄弟姐妹", "其他")

// Educations is 文化程度.
var Educations = values("文盲或半文盲", "小学", "初中", "高中", "中专", "大专及以上", "学龄前儿童")

// Schoolings is 在校生状况 ("" = not in school).
var Schoolings = values("学前教育", "小学", "初中", "高中", "中职", "高职高专", "本科及以上")

// Healths is 健康状况.
var Healths = values("健康", "长期慢性病", "患有大病", "残疾")

// Labours is 劳动能力.
var Labours = values("普通劳动力", "技能劳动力", "丧失劳动力", "无劳动力")

// MigrantWorks is 务工状况 ("" = none).
var MigrantWorks = values("乡（镇）内务工", "县内乡外务工", "省内县外务工", "省外务工")

// values is a code list whose stored values are the Chinese terms themselves.
func values(terms ...string) codelist.List {
	l := make(codelist.List, len(terms))
	for i, t := range terms {
		l[i] = codelist.Item{Value: t, Label: t}
	}
	return l
}

// Member is one validated family member (家庭成员) other than the head.
type Member struct {
	Name        string
	Sex         string // "male" or "female", agrees with IDNumber
	IDNumber    string
	Relation    string
	Ethnicity   string
	Education   string
	Schooling   string
	Health      string
	Labour      string
	MigrantWork string
}

// MemberInput is one member row as typed.
type MemberInput struct {
	Name        string
	Sex         string
	IDNumber    string
	BirthDate   string // optional; if given it must agree with the ID number
	Relation    string
	Ethnicity   string
	Education   string
	Schooling   string
	Health      string
	Labour      string
	MigrantWork string
}

// MaxMembers is the most members a household form takes (head included).
const MaxMembers = 20

// Household is a household as entered by staff. PerCapitaIncome is yuan per
// person per year. Members are the family members other than the head; the
// head is stored as the first member with relation 户主, so the household
// size is 1 + len(Members).
type Household struct {
	// Head holds the head's own member attributes (ethnicity, education,
	// health, labour, ...); its Name, Sex and IDNumber equal HeadName,
	// HeadSex and IDNumber.
	Head               Member
	Members            []Member
	Remark             string
	VillageCode        string
	GroupName          string
	HeadName           string
	HeadSex            string // "male" or "female"; must agree with IDNumber
	IDNumber           string
	Phone              string
	Attribute          string
	Standard           string
	MainCause          string
	OtherCauses        []string
	IdentificationYear int
	PerCapitaIncome    decimal.Decimal
	PlannedExitYear    int // 0 = not set
}

// Input is the household form as typed; Parse turns it into a Household.
// Members are the rows other than the head.
type Input struct {
	// Head carries the head's own member attributes; its name, sex and ID
	// number are HeadName, HeadSex and IDNumber below.
	Head               MemberInput
	Members            []MemberInput
	Remark             string
	VillageCode        string
	GroupName          string
	HeadName           string
	HeadSex            string
	IDNumber           string
	Phone              string
	Attribute          string
	Standard           string
	MainCause          string
	OtherCauses        []string
	IdentificationYear string
	PerCapitaIncome    string
	PlannedExitYear    string
}

// Parse validates in against the rules of DESIGN.md §3: the village must be a
// 12-digit code inside county (checked by inCounty), the ID number must pass
// GB 11643 (check digit, real date, upper-case X) and agree with the head's
// sex, exactly one main cause and at most two other causes, all different,
// income ≥ 0 in exact yuan, years within reason. It returns the household and
// nil, or the zero Household and the field errors.
func Parse(in Input, inCounty func(villageCode string) bool, now time.Time) (Household, validation.Errors) {
	errs := validation.Errors{}
	h := Household{
		VillageCode: strings.TrimSpace(in.VillageCode),
		GroupName:   strings.TrimSpace(in.GroupName),
		HeadName:    strings.TrimSpace(in.HeadName),
		HeadSex:     in.HeadSex,
		IDNumber:    strings.TrimSpace(in.IDNumber),
		Phone:       strings.TrimSpace(in.Phone),
		Attribute:   in.Attribute,
		Standard:    in.Standard,
		MainCause:   in.MainCause,
	}
	if lvl, ok := division.LevelOf(h.VillageCode); !ok || lvl != division.Village || !inCounty(h.VillageCode) {
		errs["village_code"] = "请选择本县（市）的村（社区）"
	}
	if utf8.RuneCountInString(h.GroupName) > 20 {
		errs["group_name"] = "组名最多20个字"
	}
	if n := utf8.RuneCountInString(h.HeadName); n < 2 || n > 20 {
		errs["head_name"] = "请输入户主姓名（2至20个字）"
	}
	if h.HeadSex != "male" && h.HeadSex != "female" {
		errs["head_sex"] = "请选择户主性别"
	}
	if id, err := idcard.Parse(h.IDNumber); err != nil {
		errs["id_number"] = err.Error()
	} else if h.HeadSex != "" && id.Male != (h.HeadSex == "male") {
		errs["id_number"] = "身份证号第17位与户主性别不符"
	}
	if h.Phone != "" && !ValidPhone(h.Phone) {
		errs["phone"] = "请输入11位手机号或带区号的固定电话，如 0730-5222222"
	}
	if !Attributes.Has(h.Attribute) {
		errs["attribute"] = "请选择贫困户属性"
	}
	if !Standards.Has(h.Standard) {
		errs["standard"] = "请选择识别标准"
	}
	if !Causes.Has(h.MainCause) {
		errs["main_cause"] = "请选择一个主要致贫原因"
	}
	seen := map[string]bool{h.MainCause: true}
	for _, c := range in.OtherCauses {
		if c == "" {
			continue
		}
		if !Causes.Has(c) || seen[c] {
			errs["other_causes"] = "其他致贫原因不能与主要原因重复"
			continue
		}
		seen[c] = true
		h.OtherCauses = append(h.OtherCauses, c)
	}
	if len(h.OtherCauses) > 2 {
		errs["other_causes"] = "其他致贫原因最多选两项"
	}
	year := now.Year()
	if y, ok := parseYear(in.IdentificationYear, 2013, year); ok {
		h.IdentificationYear = y
	} else {
		errs["identification_year"] = "识别年度应在2013年至今年之间"
	}
	if strings.TrimSpace(in.PlannedExitYear) != "" {
		if y, ok := parseYear(in.PlannedExitYear, 2013, year+10); ok {
			h.PlannedExitYear = y
		} else {
			errs["planned_exit_year"] = "计划脱贫年度不正确"
		}
	}
	if strings.TrimSpace(in.PerCapitaIncome) == "" {
		errs["per_capita_income"] = "请输入人均纯收入（元/年）"
	} else if d, err := money.ParseYuan(in.PerCapitaIncome); err != nil {
		errs["per_capita_income"] = err.Error()
	} else {
		h.PerCapitaIncome = d
	}
	head := in.Head
	head.Name, head.Sex, head.IDNumber, head.Relation = in.HeadName, in.HeadSex, in.IDNumber, "户主"
	if head.Health == "" {
		head.Health = "健康"
	}
	if head.Labour == "" {
		head.Labour = "普通劳动力"
	}
	hm, herrs := parseMember(head)
	for _, f := range []string{"birth_date", "ethnicity", "education", "schooling", "health", "labour", "migrant_work"} {
		if msg, ok := herrs[f]; ok {
			errs["head_"+f] = msg
		}
	}
	h.Head = hm
	if utf8.RuneCountInString(in.Remark) > 500 {
		errs["remark"] = "备注最多500字"
	}
	h.Remark = strings.TrimSpace(in.Remark)
	if len(in.Members)+1 > MaxMembers {
		errs["members"] = fmt.Sprintf("家庭成员最多%d人", MaxMembers)
	}
	seenIDs := map[string]int{h.IDNumber: -1}
	for i, mi := range in.Members {
		m, merrs := parseMember(mi)
		for f, msg := range merrs {
			errs[MemberField(i, f)] = msg
		}
		if j, dup := seenIDs[m.IDNumber]; dup && m.IDNumber != "" && merrs["id_number"] == "" {
			who := "户主"
			if j >= 0 {
				who = fmt.Sprintf("第%d位成员", j+1)
			}
			errs[MemberField(i, "id_number")] = "身份证号与" + who + "重复"
		}
		seenIDs[m.IDNumber] = i
		if m.Relation == "户主" {
			errs[MemberField(i, "relation")] = "户主已在上方填写，成员的关系不能再选户主"
		}
		h.Members = append(h.Members, m)
	}
	if len(errs) > 0 {
		return Household{}, errs
	}
	return h, nil
}

// MemberField is the form field name of member row i's field, e.g.
// "members.0.id_number".
func MemberField(i int, field string) string { return fmt.Sprintf("members.%d.%s", i, field) }

// parseMember validates one member row: name, an ID number per GB 11643 that
// agrees with the sex and (if typed) the birth date, a relation, health and
// labour capacity from their lists, and the optional coded fields.
func parseMember(in MemberInput) (Member, validation.Errors) {
	errs := validation.Errors{}
	m := Member{Name: strings.TrimSpace(in.Name), Sex: in.Sex, IDNumber: strings.TrimSpace(in.IDNumber),
		Relation: in.Relation, Ethnicity: strings.TrimSpace(in.Ethnicity), Education: in.Education,
		Schooling: in.Schooling, Health: in.Health, Labour: in.Labour, MigrantWork: in.MigrantWork}
	if n := utf8.RuneCountInString(m.Name); n < 2 || n > 20 {
		errs["name"] = "请输入姓名（2至20个字）"
	}
	if m.Sex != "male" && m.Sex != "female" {
		errs["sex"] = "请选择性别"
	}
	id, err := idcard.Parse(m.IDNumber)
	switch {
	case err != nil:
		errs["id_number"] = err.Error()
	case m.Sex != "" && id.Male != (m.Sex == "male"):
		errs["id_number"] = "身份证号第17位与性别不符"
	}
	if b := strings.TrimSpace(in.BirthDate); b != "" && err == nil {
		d, perr := time.Parse("2006-01-02", b)
		if perr != nil {
			errs["birth_date"] = "出生日期格式应为 1970-01-31"
		} else if !d.Equal(id.BirthDate) {
			errs["birth_date"] = "出生日期与身份证号不符（身份证为 " + id.BirthDate.Format("2006-01-02") + "）"
		}
	}
	if !Relations.Has(m.Relation) {
		errs["relation"] = "请选择与户主关系"
	}
	if m.Ethnicity == "" {
		m.Ethnicity = "汉族"
	}
	if !Healths.Has(m.Health) {
		errs["health"] = "请选择健康状况"
	}
	if !Labours.Has(m.Labour) {
		errs["labour"] = "请选择劳动能力"
	}
	if m.Education != "" && !Educations.Has(m.Education) {
		errs["education"] = "文化程度不在选项中"
	}
	if m.Schooling != "" && !Schoolings.Has(m.Schooling) {
		errs["schooling"] = "在校生状况不在选项中"
	}
	if m.MigrantWork != "" && !MigrantWorks.Has(m.MigrantWork) {
		errs["migrant_work"] = "务工状况不在选项中"
	}
	return m, errs
}

// StatusChange is a change of 脱贫状态 and 防返贫监测 flag.
type StatusChange struct {
	Status     string
	ExitedYear int // set when Status is exited (and kept for relapsed)
	Monitoring string
	Note       string
}

// ParseStatusChange validates a status change: a known status and
// monitoring flag; an exit year between the identification year and this year
// when the status is exited; a note of at most 200 characters.
func ParseStatusChange(status, exitedYear, monitoring, note string, identificationYear int, now time.Time) (StatusChange, validation.Errors) {
	errs := validation.Errors{}
	c := StatusChange{Status: status, Monitoring: monitoring, Note: strings.TrimSpace(note)}
	if !Statuses.Has(status) {
		errs["status"] = "请选择脱贫状态"
	}
	if !Monitorings.Has(monitoring) {
		errs["monitoring"] = "请选择监测类型"
	}
	if status == "exited" || (status == "relapsed" && strings.TrimSpace(exitedYear) != "") {
		if y, ok := parseYear(exitedYear, identificationYear, now.Year()); ok {
			c.ExitedYear = y
		} else {
			errs["exited_year"] = fmt.Sprintf("脱贫年度应在识别年度（%d）至今年之间", identificationYear)
		}
	}
	if utf8.RuneCountInString(c.Note) > 200 {
		errs["note"] = "说明最多200字"
	}
	if len(errs) > 0 {
		return StatusChange{}, errs
	}
	return c, nil
}

// ValidPhone reports whether s is a mainland mobile number (11 digits starting
// with 1[3-9]) or a landline with area code (0 + 2–3 digits, "-", 7–8 digits).
func ValidPhone(s string) bool {
	digits := func(t string) bool {
		for _, c := range t {
			if c < '0' || c > '9' {
				return false
			}
		}
		return t != ""
	}
	if len(s) == 11 && s[0] == '1' && s[1] >= '3' && digits(s) {
		return true
	}
	area, num, ok := strings.Cut(s, "-")
	return ok && digits(area) && digits(num) && area[0] == '0' && len(area) >= 3 && len(area) <= 4 && len(num) >= 7 && len(num) <= 8
}

// MaskPhone hides the middle of a phone number for non-staff users:
// "13812345678" → "138****5678"; landlines keep area code and last 4 digits.
func MaskPhone(s string) string {
	if s == "" {
		return ""
	}
	if len(s) == 11 && !strings.Contains(s, "-") {
		return s[:3] + "****" + s[7:]
	}
	if area, num, ok := strings.Cut(s, "-"); ok && len(num) > 4 {
		return area + "-****" + num[len(num)-4:]
	}
	return "****"
}

func parseYear(s string, lo, hi int) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 4 {
		return 0, false
	}
	y := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		y = y*10 + int(c-'0')
	}
	return y, y >= lo && y <= hi
}
