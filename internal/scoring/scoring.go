// Package scoring holds the two published formulas of the programme: the
// township ranking (三比 competition, which feeds the county's 绩效考核 of
// townships) and the yearly deputy evaluation (which feeds 评先评优). It is
// pure: callers count the inputs from the database and pass them in.
//
// Every score is an exact decimal (github.com/shopspring/decimal), never a
// float, so that a tie computed by hand is a tie here too. Points are rounded
// to 2 decimal places, half away from zero (2.345 → 2.35), term by term, and a
// score is the sum of the rounded terms, so the published table adds up.
package scoring

import (
	"fmt"
	"strings"

	"github.com/bangfu/bangfu/internal/validation"
	"github.com/shopspring/decimal"
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
