// Package components holds the small reusable pieces of Bangfu pages (form
// fields with their error, select lists, pager, badges) and the Go helpers
// that format values for display (yuan, dates, masking).
package components

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/shopspring/decimal"
)

// HelperName is a helper's name as lists show it: a unit (帮扶单位) is
// marked "（单位）" so that units and deputies stay apart.
func HelperName(name, kind string) string {
	if kind == "unit" {
		return name + "（单位）"
	}
	return name
}

// Option is one choice of a select or checkbox group.
type Option struct {
	Value string
	Label string
}

// Field describes a labelled input. Error, when set, is shown beside it and
// marks it aria-invalid.
type Field struct {
	Label       string
	Name        string
	Value       string
	Error       string
	Type        string // "text" if empty
	Required    bool
	Placeholder string
	Help        string
	InputMode   string // e.g. "numeric", "decimal", "tel"
	Options     []Option
	Selected    []string // checkbox groups
	Empty       string   // first, empty choice of a select ("" = none)
}

// inputType is the input's type attribute. A date (Type "date") is a text
// input taking 年-月-日 (2026-03-01), so that it reads the same whatever the
// browser's language, where a date input follows the browser's (03/01/2026
// in an English one); forms.js tidies 2026/3/1 or 2026年3月1日 into it.
func (f Field) inputType() string {
	if f.Type == "" || f.Type == "date" {
		return "text"
	}
	return f.Type
}

// placeholder is the input's placeholder: a date's shows the format.
func (f Field) placeholder() string {
	if f.Placeholder == "" && f.Type == "date" {
		return "年-月-日，如 2026-03-01"
	}
	return f.Placeholder
}

func (f Field) checked(v string) bool {
	for _, s := range f.Selected {
		if s == v {
			return true
		}
	}
	return false
}

// Pager describes a paged list: Page is 1-based; Base is the list URL with its
// filters (without page).
type Pager struct {
	Page     int
	Total    int
	PageSize int
	Base     url.Values
	Path     string
}

// Pages is the number of pages (at least 1).
func (p Pager) Pages() int {
	if p.PageSize <= 0 || p.Total == 0 {
		return 1
	}
	return (p.Total + p.PageSize - 1) / p.PageSize
}

// URL returns the link to page n, keeping the filters.
func (p Pager) URL(n int) string {
	q := url.Values{}
	for k, v := range p.Base {
		q[k] = v
	}
	q.Set("page", strconv.Itoa(n))
	return p.Path + "?" + q.Encode()
}

// Yuan formats an exact amount as "1,234.50 元".
func Yuan(d decimal.Decimal) string { return money.Format(d) + " 元" }

// Date formats a calendar date as 2006-01-02.
func Date(t time.Time) string { return t.Format("2006-01-02") }

// DatePtr formats an optional date, "—" when nil.
func DatePtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return Date(*t)
}

// DateTime formats an instant in Asia/Shanghai as 2006-01-02 15:04.
func DateTime(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return t.In(shanghai).Format("2006-01-02 15:04")
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// Itoa formats an int.
func Itoa(n int) string { return strconv.Itoa(n) }

// ID formats a record id for URLs.
func ID(n int64) string { return strconv.FormatInt(n, 10) }

// Percent formats part/whole as "92.3%", "—" when whole is 0.
func Percent(part, whole int) string {
	if whole == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", float64(part)*100/float64(whole))
}

// Options turns a code list into select options.
func Options(l codelist.List) []Option {
	out := make([]Option, len(l))
	for i, it := range l {
		out[i] = Option{Value: it.Value, Label: it.Label}
	}
	return out
}

// CompareRow is one field of a conflict page: what the user typed and what is
// saved now.
type CompareRow struct {
	Label   string
	Mine    string
	Theirs  string
	Differs bool
}

// Compare turns (label, mine, theirs) triples into rows, marking those that
// differ.
func Compare(pairs [][3]string) []CompareRow {
	out := make([]CompareRow, len(pairs))
	for i, p := range pairs {
		out[i] = CompareRow{Label: p[0], Mine: p[1], Theirs: p[2], Differs: strings.TrimSpace(p[1]) != strings.TrimSpace(p[2])}
	}
	return out
}

// DateCN formats a calendar date for running text: 2017年3月7日.
func DateCN(t time.Time) string { return t.Format("2006年1月2日") }

// DateCNPtr formats an optional date for running text, "—" when nil.
func DateCNPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return DateCN(*t)
}

// Count formats a whole number with thousands separators: 3,069.
func Count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// YuanOrDash is Yuan, or "—" for zero (a visit carries no money).
func YuanOrDash(d decimal.Decimal) string {
	if d.IsZero() {
		return "—"
	}
	return Yuan(d)
}

// ErrorLink is one field in error as the error banner lists it: Field is the
// input's id (its form name), Label what the form calls it (「成员2 身份证号」).
type ErrorLink struct {
	Field, Label, Message string
}

// Labelled names one form field: its form name and its label.
type Labelled struct {
	Name, Label string
}

// ErrorLinks orders errs (form name → message) as fields lists the form's
// fields, labelled as there; fields not listed follow in name order,
// labelled by extra(name) ("" leaves the message alone).
func ErrorLinks(errs map[string]string, fields []Labelled, extra func(name string) string) []ErrorLink {
	out := make([]ErrorLink, 0, len(errs))
	seen := make(map[string]bool, len(errs))
	for _, f := range fields {
		if msg, ok := errs[f.Name]; ok {
			out = append(out, ErrorLink{Field: f.Name, Label: f.Label, Message: msg})
			seen[f.Name] = true
		}
	}
	rest := make([]string, 0, len(errs))
	for name := range errs {
		if !seen[name] {
			rest = append(rest, name)
		}
	}
	sort.Strings(rest)
	for _, name := range rest {
		label := ""
		if extra != nil {
			label = extra(name)
		}
		out = append(out, ErrorLink{Field: name, Label: label, Message: errs[name]})
	}
	return out
}
