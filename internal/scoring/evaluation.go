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
	PerVisit        decimal.Decimal `json:"per_visit"`
	VisitCap        decimal.Decimal `json:"visit_cap"`
	PerMeasure      decimal.Decimal `json:"per_measure"`
	MeasureCap      decimal.Decimal `json:"measure_cap"`
	PerExit         decimal.Decimal `json:"per_exit"`
	ExitCap         decimal.Decimal `json:"exit_cap"`
	PerThousandYuan decimal.Decimal `json:"per_thousand_yuan"`
	HelpCap         decimal.Decimal `json:"help_cap"`
	PerReturn       decimal.Decimal `json:"per_return"` // deducted per returned entry, no cap

	// CandidateMin is the score (points) a deputy needs to be a 评先评优
	// candidate; CandidateTop the most candidates per level, except that
	// everyone tied with the last one taken is included.
	CandidateMin decimal.Decimal `json:"candidate_min"`
	CandidateTop int             `json:"candidate_top"`
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
func (r EvaluationRules) Params() []Param {
	return []Param{
		{"per_visit", "每次走访得分", "分", r.PerVisit},
		{"visit_cap", "走访得分上限", "分", r.VisitCap},
		{"per_measure", "每项措施得分", "分", r.PerMeasure},
		{"measure_cap", "帮扶措施得分上限", "分", r.MeasureCap},
		{"per_exit", "每户脱贫得分", "分", r.PerExit},
		{"exit_cap", "脱贫户数得分上限", "分", r.ExitCap},
		{"per_thousand_yuan", "每千元资金物资得分", "分", r.PerThousandYuan},
		{"help_cap", "资金物资得分上限", "分", r.HelpCap},
		{"per_return", "每次被退回扣分", "分", r.PerReturn},
		{"candidate_min", "评先评优候选最低分", "分", r.CandidateMin},
		{"candidate_top", "每个层级候选人数上限", "人", decimal.NewFromInt(int64(r.CandidateTop))},
	}
}

// Validate checks every value is >= 0 and <= 1000 with at most 2 decimal
// places, and CandidateTop is at least 1. It returns nil or an *InvalidError
// whose Chinese messages name the fields.
func (r EvaluationRules) Validate() error {
	return checkParams(r.Params(), "candidate_top")
}

// Keys of the evaluation terms, in published order, and of its penalty.
const (
	TermDeputyVisits   = "visits"
	TermDeputyMeasures = "measures"
	TermDeputyExits    = "exits"
	TermDeputyHelp     = "help"
	TermDeputyReturns  = "returns"
)

// EvaluationRule is the deputy evaluation in one Chinese sentence, for the
// page that publishes it.
const EvaluationRule = "各项得分 = 数量 × 每项分值，不超过该项上限（资金物资按每千元计，四舍五入保留两位小数）；总分 = 四项得分之和 − 被退回扣分（可为负数）；总分相同名次相同，下一名次顺延。评先评优候选人：具有该层级身份且总分不低于最低分，按总分取前若干名，与最后一名同分者一并入选。"

var evaluationTerms = []TermDef{
	{TermDeputyVisits, "走访", "本年审核通过的走访记录数 × 每次分值，不超过上限"},
	{TermDeputyMeasures, "帮扶措施", "本年经群众确认成效的帮扶措施数 × 每项分值，不超过上限"},
	{TermDeputyExits, "帮助脱贫", "本年脱贫的结对户数 × 每户分值，不超过上限"},
	{TermDeputyHelp, "资金物资", "本年审核通过的资金、物资金额（元）÷ 1000 × 每千元分值，保留两位小数，不超过上限"},
	{TermDeputyReturns, "台账被退回扣分", "本年被乡镇人大主席退回的台账记录数 × 每次扣分，不设上限"},
}

// EvaluationTerms returns the four terms and, last, the returns penalty, in
// published order, each with a Chinese explanation of its formula.
func EvaluationTerms() []TermDef { return slices.Clone(evaluationTerms) }

// DeputyScore is one deputy's line in the evaluation. In Terms, Ratio is the
// share of the cap reached (Points ÷ Max, 0 when Max is 0); the Penalty has
// Max 0 (no cap) and Ratio 0.
type DeputyScore struct {
	Input   DeputyInput
	Terms   []Term          // visits, measures, exits, help, in EvaluationTerms order
	Penalty Term            // returned entries; Points are deducted
	Score   decimal.Decimal // sum of Terms' Points − Penalty.Points, rounded to 2 places; may be negative
	Rank    int             // 1-based among all deputies evaluated; equal scores share a rank (1, 2, 2, 4)
}

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
func ScoreDeputy(in DeputyInput, r EvaluationRules) DeputyScore {
	help := in.HelpYuan
	if help.IsNegative() {
		help = decimal.Zero
	}
	capped := func(v, limit decimal.Decimal) decimal.Decimal { return decimal.Min(v.Round(2), limit.Round(2)) }
	pts := []struct{ points, max decimal.Decimal }{
		{capped(dec(max(in.Visits, 0)).Mul(r.PerVisit), r.VisitCap), r.VisitCap},
		{capped(dec(max(in.MeasuresConfirmed, 0)).Mul(r.PerMeasure), r.MeasureCap), r.MeasureCap},
		{capped(dec(max(in.HouseholdsExited, 0)).Mul(r.PerExit), r.ExitCap), r.ExitCap},
		{capped(help.Mul(r.PerThousandYuan).DivRound(decimal.NewFromInt(1000), 2), r.HelpCap), r.HelpCap},
	}
	s := DeputyScore{Input: in, Terms: make([]Term, len(pts)), Score: decimal.Zero}
	for i, p := range pts {
		ratio := decimal.Zero
		if p.max.IsPositive() {
			ratio = p.points.DivRound(p.max, 4)
		}
		s.Terms[i] = Term{Key: evaluationTerms[i].Key, Label: evaluationTerms[i].Label, Ratio: ratio, Points: p.points, Max: p.max}
		s.Score = s.Score.Add(p.points)
	}
	pen := dec(max(in.Returns, 0)).Mul(r.PerReturn).Round(2)
	pd := evaluationTerms[len(pts)]
	s.Penalty = Term{Key: pd.Key, Label: pd.Label, Ratio: decimal.Zero, Points: pen, Max: decimal.Zero}
	s.Score = s.Score.Sub(pen).Round(2)
	return s
}

// Evaluate scores every deputy (see ScoreDeputy) and returns them best
// first: by Score descending, then by DeputyID ascending. Equal scores share
// a rank and the next rank skips (1, 2, 2, 4).
func Evaluate(inputs []DeputyInput, r EvaluationRules) []DeputyScore {
	out := make([]DeputyScore, len(inputs))
	for i, in := range inputs {
		out[i] = ScoreDeputy(in, r)
	}
	sortDeputies(out)
	for i := range out {
		if i > 0 && out[i].Score.Equal(out[i-1].Score) {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

func sortDeputies(s []DeputyScore) {
	slices.SortStableFunc(s, func(a, b DeputyScore) int {
		if c := b.Score.Cmp(a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Input.DeputyID, b.Input.DeputyID)
	})
}

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
	sortDeputies(out)
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
