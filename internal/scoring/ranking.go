package scoring

import (
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
	PairedShare    decimal.Decimal `json:"paired_share" label:"结对率权重" unit:"分"`        // 结对率, points at ratio 1
	ExitVsPlan     decimal.Decimal `json:"exit_vs_plan" label:"脱贫计划完成率权重" unit:"分"`    // 脱贫计划完成率, points at ratio 1
	VisitRate      decimal.Decimal `json:"visit_rate" label:"走访达标率权重" unit:"分"`        // 走访达标率, points at ratio 1
	FirstPass      decimal.Decimal `json:"first_pass" label:"台账一次通过率权重" unit:"分"`      // 台账一次通过率, points at ratio 1
	ActionItems    decimal.Decimal `json:"action_items" label:"会议事项按时办结率权重" unit:"分"`  // 会议事项按时办结率, points at ratio 1
	OverduePenalty decimal.Decimal `json:"overdue_penalty" label:"超期未走访最高扣分" unit:"分"` // points deducted when every active pairing is overdue
	VisitTarget    decimal.Decimal `json:"visit_target" label:"每对每月走访目标" unit:"次"`     // visits per pairing per month that earn full VisitRate points
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
func (w RankingWeights) Params() []Param { return paramsOf(w) }

// Validate checks every weight is >= 0 and <= 1000 with at most 2 decimal
// places, and VisitTarget is > 0. It returns nil or an *InvalidError whose
// Chinese messages name the fields.
func (w RankingWeights) Validate() error {
	return checkParams(w.Params(), "visit_target")
}

// RankingRule is the township ranking in one Chinese sentence, for the page
// that publishes it.
const RankingRule = "每项得分 = 该项比率 × 权重（四舍五入保留两位小数）；总分 = 五项得分之和 − 超期未走访扣分（可为负数）；总分相同名次相同，下一名次顺延。比率的分母为 0 时（无需完成的事项）按 1 计，不算落后。"

var ranking = formula[TownshipInput, RankingWeights]{
	terms: []criterion[TownshipInput, RankingWeights]{
		{TermDef{TermPaired, "结对率", "已结对户数 ÷ 贫困户数；无贫困户时按 1 计"},
			func(in TownshipInput, w RankingWeights) (r, p, m decimal.Decimal) {
				return ratioPoints(w.PairedShare, in.Paired, in.Households, 1)
			}},
		{TermDef{TermExit, "脱贫计划完成率", "本年已脱贫户数 ÷ 本年计划脱贫户数，最高为 1；无计划时按 1 计"},
			func(in TownshipInput, w RankingWeights) (r, p, m decimal.Decimal) {
				return ratioPoints(w.ExitVsPlan, in.Exited, in.ExitPlanned, 1)
			}},
		{TermDef{TermVisits, "走访达标率", "期内走访次数 ÷（在帮结对数 × 已过月数 × 每对每月目标次数），最高为 1；无在帮结对时按 1 计"},
			func(in TownshipInput, w RankingWeights) (r, p, m decimal.Decimal) {
				due := dec(in.ActivePairings).Mul(dec(max(in.Months, 1))).Mul(w.VisitTarget)
				r, p = points(w.VisitRate, dec(in.Visits), due, 1)
				return r, p, w.VisitRate
			}},
		{TermDef{TermFirstPass, "台账一次通过率", "期内审核通过且从未被退回的台账记录数 ÷ 期内审核通过的台账记录数；无通过记录时按 1 计"},
			func(in TownshipInput, w RankingWeights) (r, p, m decimal.Decimal) {
				return ratioPoints(w.FirstPass, in.FirstPass, in.Approved, 1)
			}},
		{TermDef{TermActionItems, "会议事项按时办结率", "期内到期且按期办结的联席会议事项数 ÷ 期内到期事项数；无到期事项时按 1 计"},
			func(in TownshipInput, w RankingWeights) (r, p, m decimal.Decimal) {
				return ratioPoints(w.ActionItems, in.ActionItemsOnTime, in.ActionItemsDue, 1)
			}},
	},
	penalty: criterion[TownshipInput, RankingWeights]{TermDef{TermOverdue, "超期未走访扣分", "超过红色预警天数未走访的在帮结对数 ÷ 在帮结对数 × 最高扣分；无在帮结对时不扣分"},
		func(in TownshipInput, w RankingWeights) (r, p, m decimal.Decimal) {
			return ratioPoints(w.OverduePenalty, in.Overdue, in.ActivePairings, 0)
		}},
}

// RankingTerms returns the five terms and, last, the overdue penalty, in
// published order, each with a Chinese explanation of its formula.
func RankingTerms() []TermDef { return ranking.defs() }

// TownshipScore is one township's line in the ranking: Terms are the five
// terms in RankingTerms order, Penalty the overdue pairings; Rank is 1-based.
type TownshipScore = Scored[TownshipInput]

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
func ScoreTownship(in TownshipInput, w RankingWeights) TownshipScore { return ranking.score(in, w) }

// Rank scores every township (see ScoreTownship) and returns them best
// first: by Score descending, then by Code ascending. Equal scores share a
// rank and the next rank skips (standard competition ranking: 1, 2, 2, 4).
func Rank(inputs []TownshipInput, w RankingWeights) []TownshipScore {
	return ranking.rank(inputs, w, func(a, b TownshipInput) int { return strings.Compare(a.Code, b.Code) })
}
