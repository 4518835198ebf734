package scoring

import (
	"strconv"
	"testing"

	"github.com/shopspring/decimal"
)

// BenchmarkRank ranks 16 townships (a county) with the default weights.
func BenchmarkRank(b *testing.B) {
	in := make([]TownshipInput, 16)
	for i := range in {
		in[i] = TownshipInput{Code: strconv.Itoa(430681100 + i), Name: "镇", Households: 200 + i, Paired: 180 + i, ExitPlanned: 50,
			Exited: 20 + i, ActivePairings: 180 + i, Months: 11, Visits: 1500 + 10*i, Approved: 2000, FirstPass: 1900 - i, Overdue: i}
	}
	w := DefaultRankingWeights()
	for b.Loop() {
		Rank(in, w)
	}
}

// BenchmarkEvaluate scores 20,000 deputies (a prefecture's worth).
func BenchmarkEvaluate(b *testing.B) {
	in := make([]DeputyInput, 20000)
	for i := range in {
		in[i] = DeputyInput{DeputyID: int64(i + 1), Levels: []string{"township"}, Visits: i % 30, MeasuresConfirmed: i % 4,
			HouseholdsExited: i % 3, HelpYuan: decimal.NewFromInt(int64(i%7) * 850), Returns: i % 5}
	}
	r := DefaultEvaluationRules()
	for b.Loop() {
		Evaluate(in, r)
	}
}
