package scoring

import (
	"slices"
	"strings"

	"github.com/shopspring/decimal"
)

// TownshipInput is what the ranking needs to know about one township (乡镇)
// for one period (a year, or the part of it elapsed). All fields are counts
// taken by the caller; "now" means at the moment the ranking is computed.
type TownshipInput struct {
	Code string // 9-digit division code; breaks ties
	Name string

	Households  int // registered poor households (建档立卡贫困户)
	Paired      int // of those, households with an active pairing now
	ExitPlanned int // households whose planned exit year is the period's year
	Exited      int // households that exited in that year

	ActivePairings int // active pairings now
	Months         int // months of the period elapsed, >= 1 (a value below 1 counts as 1)
	Visits         int // visit entries (走访) submitted or approved, dated in the period

	Approved  int // ledger entries approved, dated in the period
	FirstPass int // of those, approved without ever having been returned

	Overdue int // active pairings with no visit for the red threshold (60 days), now

	ActionItemsDue    int // joint-meeting action items due in the period
	ActionItemsOnTime int // of those, closed by their due date
}

// RankingWeights are the published weights of the township ranking, in
// points, stored as a setting (JSON, decimals as strings). Any non-negative
// weights are allowed (see Validate); the defaults sum to 100.
type RankingWeights struct {
	PairedShare    decimal.Decimal `json:"paired_share"`    // 结对率, points at ratio 1
	ExitVsPlan     decimal.Decimal `json:"exit_vs_plan"`    // 脱贫计划完成率, points at ratio 1
	VisitRate      decimal.Decimal `json:"visit_rate"`      // 走访达标率, points at ratio 1
	FirstPass      decimal.Decimal `json:"first_pass"`      // 台账一次通过率, points at ratio 1
	ActionItems    decimal.Decimal `json:"action_items"`    // 会议事项按时办结率, points at ratio 1
	OverduePenalty decimal.Decimal `json:"overdue_penalty"` // points deducted when every active pairing is overdue
	VisitTarget    decimal.Decimal `json:"visit_target"`    // visits per pairing per month that earn full VisitRate points
}

// DefaultRankingWeights returns the weights published with the programme:
// 20 + 30 + 20 + 15 + 15 = 100 points, up to 20 points deducted for overdue
// pairings, and one visit per pairing per month for full visit points.
func DefaultRankingWeights() RankingWeights {
	return RankingWeights{
		PairedShare:    decimal.NewFromInt(20),
		ExitVsPlan:     decimal.NewFromInt(30),
		VisitRate:      decimal.NewFromInt(20),
		FirstPass:      decimal.NewFromInt(15),
		ActionItems:    decimal.NewFromInt(15),
		OverduePenalty: decimal.NewFromInt(20),
		VisitTarget:    decimal.NewFromInt(1),
	}
}

// Params lists the weights in form order, with Chinese labels and units.
func (w RankingWeights) Params() []Param {
	return []Param{
		{"paired_share", "结对率权重", "分", w.PairedShare},
		{"exit_vs_plan", "脱贫计划完成率权重", "分", w.ExitVsPlan},
		{"visit_rate", "走访达标率权重", "分", w.VisitRate},
		{"first_pass", "台账一次通过率权重", "分", w.FirstPass},
		{"action_items", "会议事项按时办结率权重", "分", w.ActionItems},
		{"overdue_penalty", "超期未走访最高扣分", "分", w.OverduePenalty},
		{"visit_target", "每对每月走访目标", "次", w.VisitTarget},
	}
}

// Validate checks every weight is >= 0 and <= 1000 with at most 2 decimal
// places, and VisitTarget is > 0. It returns nil or an *InvalidError whose
// Chinese messages name the fields.
func (w RankingWeights) Validate() error {
	return checkParams(w.Params(), "visit_target")
}

// Keys of the ranking terms, in published order, and of its penalty.
const (
	TermPaired      = "paired"
	TermExit        = "exit"
	TermVisits      = "visits"
	TermFirstPass   = "first_pass"
	TermActionItems = "action_items"
	TermOverdue     = "overdue"
)

// RankingRule is the township ranking in one Chinese sentence, for the page
// that publishes it.
const RankingRule = "每项得分 = 该项比率 × 权重（四舍五入保留两位小数）；总分 = 五项得分之和 − 超期未走访扣分（可为负数）；总分相同名次相同，下一名次顺延。比率的分母为 0 时（无需完成的事项）按 1 计，不算落后。"

var rankingTerms = []TermDef{
	{TermPaired, "结对率", "已结对户数 ÷ 贫困户数；无贫困户时按 1 计"},
	{TermExit, "脱贫计划完成率", "本年已脱贫户数 ÷ 本年计划脱贫户数，最高为 1；无计划时按 1 计"},
	{TermVisits, "走访达标率", "期内走访次数 ÷（在帮结对数 × 已过月数 × 每对每月目标次数），最高为 1；无在帮结对时按 1 计"},
	{TermFirstPass, "台账一次通过率", "期内审核通过且从未被退回的台账记录数 ÷ 期内审核通过的台账记录数；无通过记录时按 1 计"},
	{TermActionItems, "会议事项按时办结率", "期内到期且按期办结的联席会议事项数 ÷ 期内到期事项数；无到期事项时按 1 计"},
	{TermOverdue, "超期未走访扣分", "超过红色预警天数未走访的在帮结对数 ÷ 在帮结对数 × 最高扣分；无在帮结对时不扣分"},
}

// RankingTerms returns the five terms and, last, the overdue penalty, in
// published order, each with a Chinese explanation of its formula.
func RankingTerms() []TermDef { return slices.Clone(rankingTerms) }

// TownshipScore is one township's line in the ranking.
type TownshipScore struct {
	Input   TownshipInput
	Terms   []Term          // the five terms, in RankingTerms order
	Penalty Term            // overdue pairings; Points are deducted
	Score   decimal.Decimal // sum of Terms' Points − Penalty.Points, may be negative
	Rank    int             // 1-based; equal scores share a rank (1, 2, 2, 4)
}

// ScoreTownship applies the ranking formula to one township; Rank is left 0.
// For each term the ratio r is clamped to [0,1], and a zero denominator gives
// r = 1 (nothing to do is not lagging):
//
//	paired       Paired ÷ Households
//	exit         min(1, Exited ÷ ExitPlanned)
//	visits       min(1, Visits ÷ (ActivePairings × Months × VisitTarget))
//	first pass   FirstPass ÷ Approved
//	action items ActionItemsOnTime ÷ ActionItemsDue
//
// and its points are weight × r rounded to 2 places, half away from zero.
// The penalty is OverduePenalty × Overdue ÷ ActivePairings rounded likewise
// (0 with no active pairings). Score = the five points − the penalty.
// w should have passed Validate.
func ScoreTownship(in TownshipInput, w RankingWeights) TownshipScore {
	months := max(in.Months, 1)
	type part struct {
		weight   decimal.Decimal
		num, den decimal.Decimal
	}
	parts := []part{
		{w.PairedShare, dec(in.Paired), dec(in.Households)},
		{w.ExitVsPlan, dec(in.Exited), dec(in.ExitPlanned)},
		{w.VisitRate, dec(in.Visits), dec(in.ActivePairings).Mul(dec(months)).Mul(w.VisitTarget)},
		{w.FirstPass, dec(in.FirstPass), dec(in.Approved)},
		{w.ActionItems, dec(in.ActionItemsOnTime), dec(in.ActionItemsDue)},
	}
	s := TownshipScore{Input: in, Terms: make([]Term, len(parts)), Score: decimal.Zero}
	for i, p := range parts {
		r, pts := points(p.weight, p.num, p.den, 1)
		s.Terms[i] = Term{Key: rankingTerms[i].Key, Label: rankingTerms[i].Label, Ratio: r, Points: pts, Max: p.weight}
		s.Score = s.Score.Add(pts)
	}
	r, pen := points(w.OverduePenalty, dec(in.Overdue), dec(in.ActivePairings), 0)
	pd := rankingTerms[len(parts)]
	s.Penalty = Term{Key: pd.Key, Label: pd.Label, Ratio: r, Points: pen, Max: w.OverduePenalty}
	s.Score = s.Score.Sub(pen)
	return s
}

// Rank scores every township (see ScoreTownship) and returns them best
// first: by Score descending, then by Code ascending. Equal scores share a
// rank and the next rank skips (standard competition ranking: 1, 2, 2, 4).
func Rank(inputs []TownshipInput, w RankingWeights) []TownshipScore {
	out := make([]TownshipScore, len(inputs))
	for i, in := range inputs {
		out[i] = ScoreTownship(in, w)
	}
	slices.SortStableFunc(out, func(a, b TownshipScore) int {
		if c := b.Score.Cmp(a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.Input.Code, b.Input.Code)
	})
	for i := range out {
		if i > 0 && out[i].Score.Equal(out[i-1].Score) {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}
