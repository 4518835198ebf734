package scoring

import (
	"cmp"
	"slices"

	"github.com/shopspring/decimal"
)

// DeputyInput is what the yearly evaluation needs to know about one deputy
// (代表) for one calendar year. Counts are taken by the caller; negative
// values count as 0.
type DeputyInput struct {
	DeputyID int64 // breaks ties
	Name     string
	Levels   []string // deputy levels, e.g. "county", "township"; a person may sit at two

	Visits            int             // approved visit entries (走访) dated in the year
	MeasuresConfirmed int             // support measures whose outcome the household confirmed in the year
	HouseholdsExited  int             // paired households that exited poverty in the year
	HelpYuan          decimal.Decimal // approved cash and goods entries dated in the year, yuan
	Returns           int             // the deputy's ledger entries returned by the township chair in the year
}

// EvaluationRules are the published points of the deputy evaluation, stored
// as a setting (JSON, decimals as strings). Per* values are points per unit,
// *Cap values the most a term can earn, in points.
type EvaluationRules struct {
	PerVisit        decimal.Decimal `json:"per_visit" label:"每次走访得分" unit:"分"`
	VisitCap        decimal.Decimal `json:"visit_cap" label:"走访得分上限" unit:"分"`
	PerMeasure      decimal.Decimal `json:"per_measure" label:"每项措施得分" unit:"分"`
	MeasureCap      decimal.Decimal `json:"measure_cap" label:"帮扶措施得分上限" unit:"分"`
	PerExit         decimal.Decimal `json:"per_exit" label:"每户脱贫得分" unit:"分"`
	ExitCap         decimal.Decimal `json:"exit_cap" label:"脱贫户数得分上限" unit:"分"`
	PerThousandYuan decimal.Decimal `json:"per_thousand_yuan" label:"每千元资金物资得分" unit:"分"`
	HelpCap         decimal.Decimal `json:"help_cap" label:"资金物资得分上限" unit:"分"`
	PerReturn       decimal.Decimal `json:"per_return" label:"每次被退回扣分" unit:"分"` // deducted per returned entry, no cap

	// CandidateMin is the score (points) a deputy needs to be a 评先评优
	// candidate; CandidateTop the most candidates per level, except that
	// everyone tied with the last one taken is included.
	CandidateMin decimal.Decimal `json:"candidate_min" label:"评先评优候选最低分" unit:"分"`
	CandidateTop int             `json:"candidate_top" label:"每个层级候选人数上限" unit:"人"`
}

// DefaultEvaluationRules returns the rules published with the programme:
// 1 point a visit (at most 25), 5 a confirmed measure (at most 25), 10 an
// exited household (at most 30), 1 per 1,000 yuan of help (at most 20),
// 2 deducted per returned entry; candidates need 60 points, 10 per level.
func DefaultEvaluationRules() EvaluationRules {
	return EvaluationRules{
		PerVisit:        decimal.NewFromInt(1),
		VisitCap:        decimal.NewFromInt(25),
		PerMeasure:      decimal.NewFromInt(5),
		MeasureCap:      decimal.NewFromInt(25),
		PerExit:         decimal.NewFromInt(10),
		ExitCap:         decimal.NewFromInt(30),
		PerThousandYuan: decimal.NewFromInt(1),
		HelpCap:         decimal.NewFromInt(20),
		PerReturn:       decimal.NewFromInt(2),
		CandidateMin:    decimal.NewFromInt(60),
		CandidateTop:    10,
	}
}

// Params lists the rules in form order, with Chinese labels and units.
func (r EvaluationRules) Params() []Param { return paramsOf(r) }

// Validate checks every value is >= 0 and <= 1000 with at most 2 decimal
// places, and CandidateTop is at least 1. It returns nil or an *InvalidError
// whose Chinese messages name the fields.
func (r EvaluationRules) Validate() error {
	return checkParams(r.Params(), "candidate_top")
}

var evaluation = formula[DeputyInput, EvaluationRules]{
	terms: []criterion[DeputyInput, EvaluationRules]{
		{TermDef{TermDeputyVisits, "走访", "本年审核通过的走访记录数 × 每次分值，不超过上限"},
			func(in DeputyInput, r EvaluationRules) (ratio, p, m decimal.Decimal) {
				return cappedPoints(dec(max(in.Visits, 0)).Mul(r.PerVisit), r.VisitCap)
			}},
		{TermDef{TermDeputyMeasures, "帮扶措施", "本年经群众确认成效的帮扶措施数 × 每项分值，不超过上限"},
			func(in DeputyInput, r EvaluationRules) (ratio, p, m decimal.Decimal) {
				return cappedPoints(dec(max(in.MeasuresConfirmed, 0)).Mul(r.PerMeasure), r.MeasureCap)
			}},
		{TermDef{TermDeputyExits, "帮助脱贫", "本年脱贫的结对户数 × 每户分值，不超过上限"},
			func(in DeputyInput, r EvaluationRules) (ratio, p, m decimal.Decimal) {
				return cappedPoints(dec(max(in.HouseholdsExited, 0)).Mul(r.PerExit), r.ExitCap)
			}},
		{TermDef{TermDeputyHelp, "资金物资", "本年审核通过的资金、物资金额（元）÷ 1000 × 每千元分值，保留两位小数，不超过上限"},
			func(in DeputyInput, r EvaluationRules) (ratio, p, m decimal.Decimal) {
				help := decimal.Max(in.HelpYuan, decimal.Zero)
				return cappedPoints(help.Mul(r.PerThousandYuan).DivRound(decimal.NewFromInt(1000), 2), r.HelpCap)
			}},
	},
	penalty: criterion[DeputyInput, EvaluationRules]{TermDef{TermDeputyReturns, "台账被退回扣分", "本年被乡镇人大主席退回的台账记录数 × 每次扣分，不设上限"},
		func(in DeputyInput, r EvaluationRules) (ratio, p, m decimal.Decimal) {
			return decimal.Zero, dec(max(in.Returns, 0)).Mul(r.PerReturn).Round(2), decimal.Zero
		}},
}

// EvaluationRule is the deputy evaluation in one Chinese sentence, for the
// page that publishes it.
const EvaluationRule = "各项得分 = 数量 × 每项分值，不超过该项上限（资金物资按每千元计，四舍五入保留两位小数）；总分 = 四项得分之和 − 被退回扣分（可为负数）；总分相同名次相同，下一名次顺延。评先评优候选人：具有该层级身份且总分不低于最低分，按总分取前若干名，与最后一名同分者一并入选。"

// EvaluationTerms returns the four terms and, last, the returns penalty, in
// published order, each with a Chinese explanation of its formula.
func EvaluationTerms() []TermDef { return evaluation.defs() }

// DeputyScore is one deputy's line in the evaluation: Terms are visits,
// measures, exits and help in EvaluationTerms order (Ratio is the share of
// the cap reached, 0 when the cap is 0), Penalty the returned entries (Max 0,
// no cap); Rank is 1-based among all deputies evaluated.
type DeputyScore = Scored[DeputyInput]

// ScoreDeputy applies the evaluation to one deputy; Rank is left 0.
//
//	visits   min(VisitCap, Visits × PerVisit)
//	measures min(MeasureCap, MeasuresConfirmed × PerMeasure)
//	exits    min(ExitCap, HouseholdsExited × PerExit)
//	help     min(HelpCap, HelpYuan ÷ 1000 × PerThousandYuan rounded to 2 places)
//	penalty  Returns × PerReturn
//
// Every term is rounded to 2 places, half away from zero, and
// Score = visits + measures + exits + help − penalty. r should have passed
// Validate.
func ScoreDeputy(in DeputyInput, r EvaluationRules) DeputyScore { return evaluation.score(in, r) }

// Evaluate scores every deputy (see ScoreDeputy) and returns them best
// first: by Score descending, then by DeputyID ascending. Equal scores share
// a rank and the next rank skips (1, 2, 2, 4).
func Evaluate(inputs []DeputyInput, r EvaluationRules) []DeputyScore {
	return evaluation.rank(inputs, r, byDeputyID)
}

func byDeputyID(a, b DeputyInput) int { return cmp.Compare(a.DeputyID, b.DeputyID) }

// Candidates returns the 评先评优 candidates at one deputy level (e.g.
// "county") from scores as returned by Evaluate: deputies who hold that level
// and scored at least r.CandidateMin, best first (Score descending, then
// DeputyID), at most r.CandidateTop of them except that everyone tied with
// the last one taken is included too. A deputy at two levels can be a
// candidate at both. Rank keeps the deputy's rank among all deputies. The
// result is a new slice; scores is not modified.
func Candidates(scores []DeputyScore, level string, r EvaluationRules) []DeputyScore {
	out := []DeputyScore{}
	for _, s := range scores {
		if slices.Contains(s.Input.Levels, level) && s.Score.GreaterThanOrEqual(r.CandidateMin) {
			out = append(out, s)
		}
	}
	sortByScore(out, byDeputyID)
	n := max(r.CandidateTop, 0)
	if len(out) <= n {
		return out
	}
	if n == 0 {
		return out[:0]
	}
	for n < len(out) && out[n].Score.Equal(out[n-1].Score) {
		n++
	}
	return out[:n]
}
