// Package deputy holds the rules of a people's congress deputy (人大代表)
// record: levels, categories, statuses and the validation of the registry form.
// It has no SQL and no HTTP.
package deputy

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/validation"
)

// Levels is 代表层级; a person may sit at two levels.
var Levels = codelist.List{
	{Value: "national", Label: "全国人大代表"},
	{Value: "provincial", Label: "省人大代表"},
	{Value: "prefectural", Label: "岳阳市人大代表"},
	{Value: "county", Label: "汨罗市人大代表"},
	{Value: "township", Label: "镇人大代表"},
}

// Categories is 代表构成.
var Categories = codelist.List{
	{Value: "cadre", Label: "党政干部"},
	{Value: "professional", Label: "专业技术人员"},
	{Value: "frontline", Label: "生产一线"},
	{Value: "private_sector", Label: "非公经济人士"},
	{Value: "other", Label: "其他"},
}

// Statuses is 代表状态.
var Statuses = codelist.List{
	{Value: "active", Label: "在任"},
	{Value: "left_office", Label: "已离任"},
}

// Genders is 性别.
var Genders = codelist.List{
	{Value: "male", Label: "男"},
	{Value: "female", Label: "女"},
}

// Deputy is a validated deputy record.
type Deputy struct {
	Name             string
	Gender           string
	Ethnicity        string
	BirthDate        *time.Time
	Levels           []string
	Category         string
	Term             string
	WorkUnit         string
	Post             string
	Phone            string
	HomeTownshipCode string
	HomeVillageCode  string // "" = not given
	CredentialNumber string // 代表证号, "" = not given
}

// Input is the deputy form as typed.
type Input struct {
	Name             string
	Gender           string
	Ethnicity        string
	BirthDate        string // YYYY-MM-DD or ""
	Levels           []string
	Category         string
	Term             string
	WorkUnit         string
	Post             string
	Phone            string
	HomeTownshipCode string
	HomeVillageCode  string
	CredentialNumber string
}

// Parse validates in: name 2–20 characters, gender, one or two distinct
// levels, a category, a home township inside the county (inCounty) and, if
// given, a home village inside that township, a real birth date between 18 and
// 100 years ago, and a valid phone. It returns the deputy or the field errors
// (field name → Chinese message).
func Parse(in Input, inCounty func(code string) bool, now time.Time) (Deputy, validation.Errors) {
	errs := validation.Errors{}
	d := Deputy{
		Name:             strings.TrimSpace(in.Name),
		Gender:           in.Gender,
		Ethnicity:        strings.TrimSpace(in.Ethnicity),
		Category:         in.Category,
		Term:             strings.TrimSpace(in.Term),
		WorkUnit:         strings.TrimSpace(in.WorkUnit),
		Post:             strings.TrimSpace(in.Post),
		Phone:            strings.TrimSpace(in.Phone),
		HomeTownshipCode: in.HomeTownshipCode,
		HomeVillageCode:  in.HomeVillageCode,
		CredentialNumber: strings.TrimSpace(in.CredentialNumber),
	}
	if n := utf8.RuneCountInString(d.Name); n < 2 || n > 20 {
		errs["name"] = "请输入姓名（2至20个字）"
	}
	if !Genders.Has(d.Gender) {
		errs["gender"] = "请选择性别"
	}
	if d.Ethnicity == "" {
		d.Ethnicity = "汉族"
	}
	seen := map[string]bool{}
	for _, l := range in.Levels {
		if Levels.Has(l) && !seen[l] {
			seen[l] = true
			d.Levels = append(d.Levels, l)
		}
	}
	if len(d.Levels) == 0 || len(d.Levels) > 2 {
		errs["levels"] = "请选择代表层级（一至两项）"
	}
	if !Categories.Has(d.Category) {
		errs["category"] = "请选择代表构成"
	}
	if lvl, ok := division.LevelOf(d.HomeTownshipCode); !ok || lvl != division.Township || !inCounty(d.HomeTownshipCode) {
		errs["home_township_code"] = "请选择所在乡镇"
	}
	if d.HomeVillageCode != "" {
		if lvl, ok := division.LevelOf(d.HomeVillageCode); !ok || lvl != division.Village || division.TownshipOf(d.HomeVillageCode) != d.HomeTownshipCode || !inCounty(d.HomeVillageCode) {
			errs["home_village_code"] = "所在村须属于所选乡镇"
		}
	}
	if s := strings.TrimSpace(in.BirthDate); s != "" {
		b, err := time.Parse("2006-01-02", s)
		switch {
		case err != nil:
			errs["birth_date"] = "出生日期格式应为 1970-01-31"
		case b.After(now.AddDate(-18, 0, 0)) || b.Before(now.AddDate(-100, 0, 0)):
			errs["birth_date"] = "出生日期应在18至100年前之间"
		default:
			d.BirthDate = &b
		}
	}
	if d.Phone != "" && !household.ValidPhone(d.Phone) {
		errs["phone"] = "请输入11位手机号或带区号的固定电话，如 0730-5222222"
	}
	if utf8.RuneCountInString(d.WorkUnit) > 100 || utf8.RuneCountInString(d.Post) > 50 {
		errs["work_unit"] = "工作单位最多100个字，职务最多50个字"
	}
	if utf8.RuneCountInString(d.CredentialNumber) > 30 {
		errs["credential_number"] = "代表证号最多30个字符"
	}
	if len(errs) > 0 {
		return Deputy{}, errs
	}
	return d, nil
}

// LevelLabels joins the Chinese labels of levels with "、".
func LevelLabels(levels []string) string {
	out := make([]string, len(levels))
	for i, l := range levels {
		out[i] = Levels.Label(l)
	}
	return strings.Join(out, "、")
}

// Helper kinds (帮扶人类别): a deputy is a person; a unit (帮扶单位) is a
// committee office of the standing committee (委办) or another
// organisation that helps a household the same way (pairing, measures,
// ledger, follow-up). Units never compete with deputies in the evaluation
// and are never counted as deputies taking part.
const (
	KindDeputy = "deputy"
	KindUnit   = "unit"
)

// Kinds is 帮扶人类别.
var Kinds = codelist.List{
	{Value: KindDeputy, Label: "人大代表"},
	{Value: KindUnit, Label: "帮扶单位"},
}

// UnitStatuses is a unit's status: the same stored values as a deputy's
// (active / left_office), read as 正常 / 已停用.
var UnitStatuses = codelist.List{
	{Value: "active", Label: "正常"},
	{Value: "left_office", Label: "已停用"},
}

// HelperLabel is how a page names the helper of a household: "帮扶单位" for
// a unit, else "帮扶代表".
func HelperLabel(kind string) string {
	if kind == KindUnit {
		return "帮扶单位"
	}
	return "帮扶代表"
}

// Unit is a validated unit (帮扶单位) record.
type Unit struct {
	Name             string // 单位名称, e.g. 汨罗市人大常委会农业农村工作委员会
	ContactPerson    string // 联系人
	Phone            string // 联系电话
	Post             string // 联系人职务, "" = not given
	HomeTownshipCode string // 所在乡镇 (where the office sits)
	HomeVillageCode  string // "" = not given
}

// UnitInput is the unit form as typed.
type UnitInput struct {
	Name             string
	ContactPerson    string
	Phone            string
	Post             string
	HomeTownshipCode string
	HomeVillageCode  string
}

// ParseUnit validates in: a name of 2–50 characters, a contact person of
// 2–20 characters, a valid contact phone (required: the township chair must
// be able to reach the unit), a post of at most 50 characters, a township
// inside the county (inCounty) and, if given, a village of that township. It
// returns the unit or the field errors (field name → Chinese message).
func ParseUnit(in UnitInput, inCounty func(code string) bool) (Unit, validation.Errors) {
	errs := validation.Errors{}
	u := Unit{
		Name:             strings.TrimSpace(in.Name),
		ContactPerson:    strings.TrimSpace(in.ContactPerson),
		Phone:            strings.TrimSpace(in.Phone),
		Post:             strings.TrimSpace(in.Post),
		HomeTownshipCode: in.HomeTownshipCode,
		HomeVillageCode:  in.HomeVillageCode,
	}
	if n := utf8.RuneCountInString(u.Name); n < 2 || n > 50 {
		errs["name"] = "请输入单位名称（2至50个字）"
	}
	if n := utf8.RuneCountInString(u.ContactPerson); n < 2 || n > 20 {
		errs["contact_person"] = "请输入联系人姓名（2至20个字）"
	}
	switch {
	case u.Phone == "":
		errs["phone"] = "请输入联系电话"
	case !household.ValidPhone(u.Phone):
		errs["phone"] = "请输入11位手机号或带区号的固定电话，如 0730-5222222"
	}
	if utf8.RuneCountInString(u.Post) > 50 {
		errs["post"] = "联系人职务最多50个字"
	}
	if lvl, ok := division.LevelOf(u.HomeTownshipCode); !ok || lvl != division.Township || !inCounty(u.HomeTownshipCode) {
		errs["home_township_code"] = "请选择所在乡镇（街道）"
	}
	if u.HomeVillageCode != "" {
		if lvl, ok := division.LevelOf(u.HomeVillageCode); !ok || lvl != division.Village || division.TownshipOf(u.HomeVillageCode) != u.HomeTownshipCode || !inCounty(u.HomeVillageCode) {
			errs["home_village_code"] = "所在村（社区）须属于所选乡镇"
		}
	}
	if len(errs) > 0 {
		return Unit{}, errs
	}
	return u, nil
}
