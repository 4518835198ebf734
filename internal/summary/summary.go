// Package summary is a township's quarterly summary (乡镇季度总结): the
// chair sums up the quarter "有台帐、有典型、有效果" (seed article) from a
// report generated from the data (figures, model cases, the joint
// meetings' shortcomings, action items), edits the prose and submits it;
// staff read every township's summary side by side and may return one for
// revision. A submitted summary is frozen: the report is kept as it was.
package summary

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/shopspring/decimal"
)

// Statuses is 总结状态; a quarter without a saved row is "draft".
var Statuses = codelist.List{
	{Value: "draft", Label: "草稿"},
	{Value: "submitted", Label: "已提交"},
	{Value: "returned", Label: "已退回修改"},
}

// MaxProse is the prose's length limit in characters.
const MaxProse = 20000

// Figures are a township's figures of a quarter, counted from the raw
// tables. AsOf is the day the point-in-time figures are taken on: the
// quarter's last day, or today while the quarter runs.
type Figures struct {
	AsOf           time.Time       `json:"as_of"`
	ActivePairings int             `json:"active_pairings"` // pairings in force on AsOf (started on or before it, not ended by it)
	NewPairings    int             `json:"new_pairings"`    // pairings (not rejected) started in the quarter
	Visits         int             `json:"visits"`          // visit entries dated in the quarter, submitted or approved
	Entries        int             `json:"entries"`         // approved ledger entries dated in the quarter (all kinds)
	Yuan           decimal.Decimal `json:"yuan"`            // sum of their amounts, yuan
	Exits          int             `json:"exits"`           // households whose status became 已脱贫 in the quarter
	AmberDays      int             `json:"amber_days"`      // follow-up thresholds used, days
	RedDays        int             `json:"red_days"`
	OverdueAmber   int             `json:"overdue_amber"` // pairings in force on AsOf with no visit (or start) for AmberDays..RedDays-1 days
	OverdueRed     int             `json:"overdue_red"`   // ... for RedDays days or more
}

// Overdue is every pairing overdue for a visit on AsOf.
func (f Figures) Overdue() int { return f.OverdueAmber + f.OverdueRed }

// Case is a model case as the summary lists it (no household name).
type Case struct {
	ID      int64     `json:"id"`
	Title   string    `json:"title"`
	Theme   string    `json:"theme"`
	Story   string    `json:"story"`
	Helper  string    `json:"helper"`
	Village string    `json:"village"`
	Marked  time.Time `json:"marked"`
}

// Shortcoming is what a joint meeting of the quarter found lacking.
type Shortcoming struct {
	MeetingID int64     `json:"meeting_id"`
	Meeting   string    `json:"meeting"`
	Date      time.Time `json:"date"`
	County    bool      `json:"county"` // a county meeting (else the township's own)
	Text      string    `json:"text"`
}

// Item is an action item owned by the township or its accounts, with its
// status on the day the report was made.
type Item struct {
	ID       int64      `json:"id"`
	Title    string     `json:"title"`
	Owner    string     `json:"owner"`
	Due      time.Time  `json:"due"`
	Status   string     `json:"status"` // open, overdue, done (meeting.ItemStatuses)
	ClosedOn *time.Time `json:"closed_on"`
}

// Report is the generated part of a summary: what the data say about a
// township's quarter. A submitted summary keeps its Report as a snapshot.
type Report struct {
	Township     string        `json:"township"`
	TownshipName string        `json:"township_name"`
	Period       period.Period `json:"period"`
	Made         time.Time     `json:"made"` // the day it was generated
	Figures      Figures       `json:"figures"`
	Cases        []Case        `json:"cases"`
	Shortcomings []Shortcoming `json:"shortcomings"`
	Items        []Item        `json:"items"`
}

// AsOf is the day point-in-time figures are taken on for quarter p: its
// last day, or today while it runs.
func AsOf(p period.Period, today time.Time) time.Time {
	if last := p.Last(); today.Before(last) {
		return today
	}
	return p.Last()
}

var keyRe = regexp.MustCompile(`^([0-9]{4})-Q([1-4])$`)

// ParseKey reads a quarter written as in URLs, "2026-Q3". It returns false
// for anything else or a year outside period.MinYear..maxYear.
func ParseKey(s string, maxYear int) (period.Period, bool) {
	m := keyRe.FindStringSubmatch(s)
	if m == nil {
		return period.Period{}, false
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	if y < period.MinYear || y > maxYear {
		return period.Period{}, false
	}
	return period.Period{Year: y, Quarter: q}, true
}

// Key is the quarter as written in URLs: "2026-Q3".
func Key(p period.Period) string { return fmt.Sprintf("%d-Q%d", p.Year, p.Quarter) }

// Draft is the prose a chair starts from: the quarter summed up as 有台帐、
// 有典型、有效果, then the shortcomings and the next steps, from r.
func Draft(r Report, itemStatusLabel func(string) string, themeLabel func(string) string) string {
	f := r.Figures
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s代表“一对一”帮扶工作总结\n\n", r.TownshipName, r.Period.Label())
	fmt.Fprintf(&b, "一、有台帐。截至%s，全镇在帮结对 %d 对，本季度新结对 %d 对；代表本季度走访 %d 次，审核通过台账记录 %d 条。",
		f.AsOf.Format("2006年1月2日"), f.ActivePairings, f.NewPairings, f.Visits, f.Entries)
	if f.Overdue() > 0 {
		fmt.Fprintf(&b, "尚有 %d 对结对超过 %d 天未走访（其中 %d 天以上 %d 对），须逐一盯紧。", f.Overdue(), f.AmberDays, f.RedDays, f.OverdueRed)
	} else {
		b.WriteString("没有超期未走访的结对，做到了“人盯人”。")
	}
	b.WriteString("\n\n二、有典型。")
	if len(r.Cases) == 0 {
		b.WriteString("本季度尚未推出典型，下季度要注意发现和总结。")
	} else {
		fmt.Fprintf(&b, "本季度推出典型 %d 个：", len(r.Cases))
		for i, c := range r.Cases {
			if i > 0 {
				b.WriteString("；")
			}
			fmt.Fprintf(&b, "%s（%s，%s）", c.Title, themeLabel(c.Theme), c.Helper)
		}
		b.WriteString("。")
	}
	fmt.Fprintf(&b, "\n\n三、有效果。本季度代表帮扶资金和物资折合 %s 元，%d 户贫困户脱贫。", money.Format(f.Yuan), f.Exits)
	b.WriteString("\n\n四、存在的不足。")
	if len(r.Shortcomings) == 0 {
		b.WriteString("（本季度联席会议未记录不足，请补充。）")
	}
	for _, s := range r.Shortcomings {
		fmt.Fprintf(&b, "\n%s：%s", s.Meeting, strings.TrimSpace(s.Text))
	}
	b.WriteString("\n\n五、下步打算。")
	open := 0
	for _, it := range r.Items {
		if it.Status != "done" {
			open++
			fmt.Fprintf(&b, "\n抓紧办理“%s”（%s，期限 %s，%s）。", it.Title, it.Owner, it.Due.Format("2006-01-02"), itemStatusLabel(it.Status))
		}
	}
	if open == 0 {
		b.WriteString("会议交办事项均已办结；")
	}
	b.WriteString("\n继续落实“一户群众、一个代表、一套措施、一本台账、一个目标”，确保如期脱贫。\n")
	return b.String()
}

// Cell is one figure of a summary: its label, definition, value (int or
// decimal yuan, for Excel) and the value as shown.
type Cell struct {
	Label, Note, Text string
	Value             any
}

// Cells lists f's figures in the order pages and exports show them, each
// with its definition.
func Cells(f Figures) []Cell {
	asOf := f.AsOf.Format("2006-01-02")
	n := func(label, note string, v int) Cell { return Cell{label, note, strconv.Itoa(v), v} }
	return []Cell{
		n("在帮结对", "截至"+asOf+"已开始且未结束的结对（对）", f.ActivePairings),
		n("新结对", "本季度开始的结对（对，不含被退回的建议）", f.NewPairings),
		n("走访", "本季度日期的走访记录，已提交或已审核（次）", f.Visits),
		n("台账记录", "本季度日期、已审核通过的台账记录（条）", f.Entries),
		{"帮扶资金物资", "上述已审核台账的金额合计（元）", money.Format(f.Yuan), f.Yuan},
		n("脱贫户", "本季度内状态变为“已脱贫”的贫困户（户）", f.Exits),
		n(fmt.Sprintf("%d–%d天未走访", f.AmberDays, f.RedDays-1), "截至"+asOf+"，在帮结对距最近一次走访（无走访则自结对日起）的天数（对）", f.OverdueAmber),
		n(fmt.Sprintf("%d天以上未走访", f.RedDays), "同上（对）", f.OverdueRed),
	}
}
