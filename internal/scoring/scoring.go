// Package scoring holds the two published formulas of the programme: the
// township ranking (三比 competition, which feeds the county's 绩效考核 of
// townships) and the yearly deputy evaluation (which feeds 评先评优). It is
// pure: callers count the inputs from the database and pass them in.
//
// Both are one mechanism: a formula is a criterion table (each criterion a
// published definition and the points an input earns on it, the last one a
// penalty), scored and ranked by the same code; settings structs list their
// editable numbers through struct tags (json, label, unit).
//
// Every score is an exact decimal (github.com/shopspring/decimal), never a
// float, so that a tie computed by hand is a tie here too. Points are rounded
// to 2 decimal places, half away from zero (2.345 → 2.35), term by term, and a
// score is the sum of the rounded terms, so the published table adds up.
package scoring

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/bangfu/bangfu/internal/validation"
	"github.com/shopspring/decimal"
)

// Keys of the terms, as in Term.Key and TermDef.Key: the township
// ranking's five terms and its penalty, then the deputy evaluation's four
// terms and its penalty, each in published order.
const (
	TermPaired      = "paired"
	TermExit        = "exit"
	TermVisits      = "visits"
	TermFirstPass   = "first_pass"
	TermActionItems = "action_items"
	TermOverdue     = "overdue"

	TermDeputyVisits   = "visits"
	TermDeputyMeasures = "measures"
	TermDeputyExits    = "exits"
	TermDeputyHelp     = "help"
	TermDeputyReturns  = "returns"
)

// Term is one line of a score: what a page shows as "结对率 0.9000 → 18.00 / 20 分".
type Term struct {
	Key   string          // stable identifier, as in TermDef.Key
	Label string          // Chinese label
	Ratio decimal.Decimal // in [0,1], rounded to 4 places, for display only
	// Points earned (or, for a penalty, deducted, always >= 0), rounded to
	// 2 places. Scores are computed from Points, never from Ratio.
	Points decimal.Decimal
	Max    decimal.Decimal // the most Points can be; zero for an uncapped penalty
}

// TermDef explains one term of a published formula to the people it ranks.
type TermDef struct {
	Key     string // as in Term.Key
	Label   string // Chinese label
	Formula string // Chinese one-line explanation of the rule
}

// Param is one editable number of a settings struct (RankingWeights,
// EvaluationRules), for a settings form: Key is the JSON key of the field.
type Param struct {
	Key   string
	Label string // Chinese
	Unit  string // Chinese unit shown after the input, e.g. "分"
	Value decimal.Decimal
}

// maxParam is the largest value Validate accepts for any setting.
var maxParam = decimal.NewFromInt(1000)

// InvalidError is returned by Validate. Fields maps the JSON key of every
// offending setting to a Chinese message naming it; Error joins the messages
// in field order.
type InvalidError struct {
	Fields validation.Errors
	msgs   []string
}

func (e *InvalidError) Error() string { return strings.Join(e.msgs, "；") }

func (e *InvalidError) add(p Param, format string) {
	if e.Fields == nil {
		e.Fields = validation.Errors{}
	}
	msg := fmt.Sprintf(format, p.Label)
	e.Fields[p.Key] = msg
	e.msgs = append(e.msgs, msg)
}

// checkParams applies the rules shared by every setting: not negative, at
// most maxParam, at most 2 decimal places (so that a product with a count is
// already a number of points to the hundredth, and rounding never hides a
// setting's digits). positive lists keys that must be > 0.
func checkParams(ps []Param, positive ...string) error {
	e := &InvalidError{}
	for _, p := range ps {
		switch {
		case p.Value.IsNegative():
			e.add(p, "%s不能为负数")
		case p.Value.IsZero() && contains(positive, p.Key):
			e.add(p, "%s必须大于 0")
		case p.Value.GreaterThan(maxParam):
			e.add(p, "%s不能超过 1000")
		case !p.Value.Equal(p.Value.Truncate(2)):
			e.add(p, "%s最多保留两位小数")
		}
	}
	if len(e.msgs) > 0 {
		return e
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// points returns weight × num/den rounded to 2 places, and num/den rounded
// to 4 places, with the ratio clamped to [0,1]. A den <= 0 means there was
// nothing to do: the ratio is ifEmpty (1 for a term, 0 for a penalty).
// Multiplying before dividing keeps an exact .005 exact.
func points(weight, num, den decimal.Decimal, ifEmpty int64) (ratio, pts decimal.Decimal) {
	if !den.IsPositive() {
		r := decimal.NewFromInt(ifEmpty)
		return r, weight.Mul(r).Round(2)
	}
	if num.IsNegative() {
		num = decimal.Zero
	}
	if num.GreaterThan(den) {
		num = den
	}
	return num.DivRound(den, 4), weight.Mul(num).DivRound(den, 2)
}

func dec(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }

// criterion is one line of a published formula: its definition and the
// points an input earns on it under the settings W. ratio is in [0,1] (4
// places, display only), pts the points (2 places) and max the most pts can
// be (zero for an uncapped penalty).
type criterion[In, W any] struct {
	TermDef
	score func(in In, w W) (ratio, pts, max decimal.Decimal)
}

// formula is a criterion table: terms whose points add up, then one penalty
// whose points are deducted. Ranking and evaluation are both formulas.
type formula[In, W any] struct {
	terms   []criterion[In, W]
	penalty criterion[In, W]
}

// defs returns the terms' definitions and, last, the penalty's, in
// published order, as a new slice.
func (f formula[In, W]) defs() []TermDef {
	out := make([]TermDef, 0, len(f.terms)+1)
	for _, c := range f.terms {
		out = append(out, c.TermDef)
	}
	return append(out, f.penalty.TermDef)
}

// Scored is one line of a ranked formula: the input, its Terms in the
// formula's published order, the Penalty (Points deducted), Score = sum of
// the Terms' Points − Penalty.Points (2 places, may be negative) and Rank,
// 1-based, equal scores sharing a rank (1, 2, 2, 4); 0 until ranked.
type Scored[In any] struct {
	Input   In
	Terms   []Term
	Penalty Term
	Score   decimal.Decimal
	Rank    int
}

// score applies the formula to in under w; Rank is left 0.
func (f formula[In, W]) score(in In, w W) Scored[In] {
	term := func(c criterion[In, W]) Term {
		r, p, m := c.score(in, w)
		return Term{Key: c.Key, Label: c.Label, Ratio: r, Points: p, Max: m}
	}
	s := Scored[In]{Input: in, Terms: make([]Term, len(f.terms)), Score: decimal.Zero}
	for i, c := range f.terms {
		s.Terms[i] = term(c)
		s.Score = s.Score.Add(s.Terms[i].Points)
	}
	s.Penalty = term(f.penalty)
	s.Score = s.Score.Sub(s.Penalty.Points)
	return s
}

// rank scores every input, sorts them best first (see sortByScore) and
// ranks them: equal scores share a rank and the next rank skips (standard
// competition ranking: 1, 2, 2, 4).
func (f formula[In, W]) rank(inputs []In, w W, tie func(a, b In) int) []Scored[In] {
	out := make([]Scored[In], len(inputs))
	for i, in := range inputs {
		out[i] = f.score(in, w)
	}
	sortByScore(out, tie)
	for i := range out {
		if i > 0 && out[i].Score.Equal(out[i-1].Score) {
			out[i].Rank = out[i-1].Rank
		} else {
			out[i].Rank = i + 1
		}
	}
	return out
}

// sortByScore sorts s best first: Score descending, then tie on the inputs.
func sortByScore[In any](s []Scored[In], tie func(a, b In) int) {
	slices.SortStableFunc(s, func(a, b Scored[In]) int {
		if c := b.Score.Cmp(a.Score); c != 0 {
			return c
		}
		return tie(a.Input, b.Input)
	})
}

// ratioPoints is a ranking term: weight × num/den (see points), at most weight.
func ratioPoints(weight decimal.Decimal, num, den int, ifEmpty int64) (ratio, pts, max decimal.Decimal) {
	r, p := points(weight, dec(num), dec(den), ifEmpty)
	return r, p, weight
}

// cappedPoints is an evaluation term: v rounded to 2 places, at most limit,
// with its share of limit as the ratio (0 when limit is 0).
func cappedPoints(v, limit decimal.Decimal) (ratio, pts, max decimal.Decimal) {
	pts = decimal.Min(v.Round(2), limit.Round(2))
	ratio = decimal.Zero
	if limit.IsPositive() {
		ratio = pts.DivRound(limit, 4)
	}
	return ratio, pts, limit
}

// paramsOf lists the fields of a settings struct (RankingWeights,
// EvaluationRules) in declaration order as Params: Key from the json tag,
// Label and Unit from the label and unit tags. Fields are decimal.Decimal or
// int; a field without a label tag is skipped.
func paramsOf(settings any) []Param {
	v := reflect.ValueOf(settings)
	t := v.Type()
	var out []Param
	for i := range t.NumField() {
		f := t.Field(i)
		label := f.Tag.Get("label")
		if label == "" {
			continue
		}
		p := Param{Key: strings.Split(f.Tag.Get("json"), ",")[0], Label: label, Unit: f.Tag.Get("unit")}
		switch x := v.Field(i).Interface().(type) {
		case decimal.Decimal:
			p.Value = x
		case int:
			p.Value = decimal.NewFromInt(int64(x))
		default:
			panic(fmt.Sprintf("scoring: setting %s has unsupported type %T", f.Name, x))
		}
		out = append(out, p)
	}
	return out
}
