// Package household holds the rules of a registered poor household
// (建档立卡贫困户): its code lists (attribute, identification standard, poverty
// causes, status, monitoring flag) and the validation of a household record.
// It has no SQL and no HTTP.
package household

import (
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

// Household is a household as entered by staff. PerCapitaIncome is yuan per
// person per year.
type Household struct {
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
type Input struct {
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
	if len(errs) > 0 {
		return Household{}, errs
	}
	return h, nil
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
