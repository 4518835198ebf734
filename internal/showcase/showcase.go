// Package showcase is the programme's model cases (典型) and the deputies'
// showcase (代表风采展示): staff or a township chair mark a pairing, an
// approved ledger entry or a meeting's action item as a model case with a
// title, a short story, a theme and an optional photo. Households' personal
// data never appears: a story naming a household member, or holding an ID
// number or a phone number, is refused; the showcase shows the village and
// the helper (deputy or owner), never the household's name.
package showcase

import (
	"golang.org/x/text/width"
	"regexp"
	"strings"
	"unicode"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/validation"
)

// Kinds is what a model case points at.
var Kinds = codelist.List{
	{Value: "pairing", Label: "结对帮扶"},
	{Value: "ledger_entry", Label: "台账记录"},
	{Value: "action_item", Label: "会议事项"},
}

// Themes is 典型主题: the support types of DESIGN.md §3 (帮扶措施) plus
// 消费帮扶 (buying the households' produce).
var Themes = codelist.List{
	{Value: "industry", Label: "产业"},
	{Value: "employment", Label: "就业"},
	{Value: "skills", Label: "技能"},
	{Value: "education", Label: "助学"},
	{Value: "health", Label: "健康"},
	{Value: "housing", Label: "住房"},
	{Value: "credit", Label: "金融"},
	{Value: "safety_net", Label: "兜底"},
	{Value: "consumption", Label: "消费帮扶"},
	{Value: "other", Label: "其他"},
}

// Length limits in characters.
const (
	MaxTitle = 60
	MaxStory = 1000
)

// Input is the model case form as typed.
type Input struct {
	Theme, Title, Story string
}

// Case is a valid model case.
type Case struct {
	Theme, Title, Story string
}

var (
	idLike    = regexp.MustCompile(`[0-9]{15}[0-9Xx]{0,3}`)
	phoneLike = regexp.MustCompile(`1[3-9][0-9]{9}`) // after squeeze: no separators
)

// Parse checks a model case form. names are the names of the household
// members the case concerns (the head first): none may appear in the title
// or the story in full (write 张某 instead), nor an ID or phone number.
// It returns the case or the Chinese message per field (theme, title,
// story).
func Parse(in Input, names []string) (Case, validation.Errors) {
	c := Case{Theme: strings.TrimSpace(in.Theme), Title: strings.TrimSpace(in.Title), Story: strings.TrimSpace(in.Story)}
	errs := validation.Errors{}
	if !Themes.Has(c.Theme) {
		errs["theme"] = "请选择典型的主题"
	}
	if n := len([]rune(c.Title)); n == 0 || n > MaxTitle {
		errs["title"] = "请填写标题（60字以内）"
	}
	if n := len([]rune(c.Story)); n == 0 || n > MaxStory {
		errs["story"] = "请填写典型事迹（1000字以内）"
	}
	for _, f := range []struct{ field, text string }{{"title", c.Title}, {"story", c.Story}} {
		if errs.Has(f.field) {
			continue
		}
		if msg := personalData(f.text, names); msg != "" {
			errs[f.field] = msg
		}
	}
	if len(errs) > 0 {
		return c, errs
	}
	return c, nil
}

// squeeze folds full-width characters to their ASCII forms (width.Fold:
// ４３０ → 430) and drops the spaces and separators people put inside
// numbers and names (430681 19800101…, 138.1234.5678, 马 玉兰), so that
// personalData sees through them.
func squeeze(text string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || strings.ContainsRune(".-_·•—–/\\()（）[]【】", r) {
			return -1
		}
		return r
	}, width.Fold.String(text))
}

// personalData returns why text may not be shown publicly, or "".
func personalData(text string, names []string) string {
	text = squeeze(text)
	for _, n := range names {
		n = squeeze(n)
		// A one-character name would match too much; names are 2+ characters.
		if len([]rune(n)) >= 2 && strings.Contains(text, n) {
			return "请勿写出贫困户家庭成员的姓名（" + MaskName(n) + "），可写作“" + string([]rune(n)[:1]) + "某”"
		}
	}
	if idLike.MatchString(text) {
		return "请勿写出身份证号"
	}
	if phoneLike.MatchString(text) {
		return "请勿写出电话号码"
	}
	return ""
}

// MaskName keeps a name's first character: 张三丰 → 张**.
func MaskName(n string) string {
	r := []rune(n)
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}
