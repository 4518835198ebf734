package scoring

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// deputyLine is the part of a DeputyScore the tests write out by hand.
type deputyLine struct {
	ID      int64
	Rank    int
	Score   decimal.Decimal
	Points  []decimal.Decimal // visits, measures, exits, help
	Penalty decimal.Decimal
}

func deputyLines(scores []DeputyScore) []deputyLine {
	out := make([]deputyLine, len(scores))
	for i, s := range scores {
		l := deputyLine{ID: s.Input.DeputyID, Rank: s.Rank, Score: s.Score, Penalty: s.Penalty.Points}
		for _, t := range s.Terms {
			l.Points = append(l.Points, t.Points)
		}
		out[i] = l
	}
	return out
}

func ids(scores []DeputyScore) []int64 {
	out := []int64{}
	for _, s := range scores {
		out = append(out, s.Input.DeputyID)
	}
	return out
}

// Six deputies under the default rules (1 a visit ≤ 25, 5 a measure ≤ 25,
// 10 an exit ≤ 30, 1 per 1,000 yuan ≤ 20, 2 off per return).
var deputies = []DeputyInput{
	// 15: visits 25 → 25; measures 2×5 = 10; exits 2×10 = 20; help
	// 4,994.99/1000 = 4.99499 → 4.99. Score 25+10+20+4.99 = 59.99, just
	// under the candidate minimum of 60.
	{DeputyID: 15, Name: "赵五", Levels: []string{"township"}, Visits: 25, MeasuresConfirmed: 2, HouseholdsExited: 2, HelpYuan: d("4994.99")},
	// 13: visits 10; measures 5×5 = 25; exits 2×10 = 20; help 7,350/1000 =
	// 7.35; returns 1×2 = 2. Score 10+25+20+7.35−2 = 60.35: ties with 12.
	{DeputyID: 13, Name: "王三", Levels: []string{"county"}, Visits: 10, MeasuresConfirmed: 5, HouseholdsExited: 2, HelpYuan: d("7350"), Returns: 1},
	// 11: every cap hit: visits 30 → 25; measures 6×5 = 30 → 25; exits
	// 4×10 = 40 → 30; help 25,000/1000 = 25 → 20. Score 100.00.
	{DeputyID: 11, Name: "张一", Levels: []string{"county"}, Visits: 30, MeasuresConfirmed: 6, HouseholdsExited: 4, HelpYuan: d("25000")},
	// 16: nothing done, 3 entries returned: 0 − 3×2 = −6.00.
	{DeputyID: 16, Name: "孙六", Levels: []string{"prefectural"}, Returns: 3},
	// 12 sits at two levels: visits 20; measures 4×5 = 20; exits 2×10 = 20;
	// help 2,345/1000 = 2.345 → 2.35 (half away from zero; rounding half to
	// even would give 2.34); returns 1×2 = 2. Score
	// 20+20+20+2.35−2 = 60.35.
	{DeputyID: 12, Name: "李二", Levels: []string{"county", "township"}, Visits: 20, MeasuresConfirmed: 4, HouseholdsExited: 2, HelpYuan: d("2345"), Returns: 1},
	// 14: visits 25; measures 2×5 = 10; exits 2×10 = 20; help
	// 4,999.99/1000 = 4.99999 → 5.00. Score 60.00, exactly the minimum.
	{DeputyID: 14, Name: "周四", Levels: []string{"county"}, Visits: 25, MeasuresConfirmed: 2, HouseholdsExited: 2, HelpYuan: d("4999.99")},
}

func TestEvaluateDefaultRules(t *testing.T) {
	t.Parallel()
	// 100, 60.35, 60.35, 60.00, 59.99, −6.00 → ranks 1, 2, 2, 4, 5, 6; the
	// tie is ordered by DeputyID (12 before 13).
	got := Evaluate(deputies, DefaultEvaluationRules())
	want := []deputyLine{
		{ID: 11, Rank: 1, Score: d("100"), Points: ds("25", "25", "30", "20"), Penalty: d("0")},
		{ID: 12, Rank: 2, Score: d("60.35"), Points: ds("20", "20", "20", "2.35"), Penalty: d("2")},
		{ID: 13, Rank: 2, Score: d("60.35"), Points: ds("10", "25", "20", "7.35"), Penalty: d("2")},
		{ID: 14, Rank: 4, Score: d("60"), Points: ds("25", "10", "20", "5"), Penalty: d("0")},
		{ID: 15, Rank: 5, Score: d("59.99"), Points: ds("25", "10", "20", "4.99"), Penalty: d("0")},
		{ID: 16, Rank: 6, Score: d("-6"), Points: ds("0", "0", "0", "0"), Penalty: d("6")},
	}
	if diff := cmp.Diff(want, deputyLines(got)); diff != "" {
		t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
	}

	// Deputy 12's terms in full: Ratio is Points ÷ Max: 20/25 = 0.8,
	// 20/25 = 0.8, 20/30 = 0.6667, 2.35/20 = 0.1175; the penalty is uncapped.
	wantTerms := []Term{
		{Key: "visits", Label: "走访", Ratio: d("0.8"), Points: d("20"), Max: d("25")},
		{Key: "measures", Label: "帮扶措施", Ratio: d("0.8"), Points: d("20"), Max: d("25")},
		{Key: "exits", Label: "帮助脱贫", Ratio: d("0.6667"), Points: d("20"), Max: d("30")},
		{Key: "help", Label: "资金物资", Ratio: d("0.1175"), Points: d("2.35"), Max: d("20")},
		{Key: "returns", Label: "台账被退回扣分", Ratio: d("0"), Points: d("2"), Max: d("0")},
	}
	if diff := cmp.Diff(wantTerms, append(got[1].Terms, got[1].Penalty)); diff != "" {
		t.Errorf("deputy 12 terms mismatch (-want +got):\n%s", diff)
	}
}

func TestEvaluateChangedRules(t *testing.T) {
	t.Parallel()
	r := EvaluationRules{
		PerVisit: d("0.5"), VisitCap: d("10"), PerMeasure: d("2"), MeasureCap: d("100"),
		PerExit: d("5"), ExitCap: d("5"), PerThousandYuan: d("2"), HelpCap: d("50"),
		PerReturn: d("5"), CandidateMin: d("20"), CandidateTop: 1,
	}
	// 12: visits 20×0.5 = 10 (cap 10); measures 4×2 = 8; exits 2×5 = 10 →
	// cap 5; help 2,345×2/1000 = 4.69; returns 1×5 = 5.
	// Score 10+8+5+4.69−5 = 22.69.
	// 13: visits 10×0.5 = 5; measures 5×2 = 10; exits 2×5 = 10 → 5; help
	// 7,350×2/1000 = 14.70; returns 5. Score 5+10+5+14.70−5 = 29.70.
	// Under the defaults they tie; here 13 leads.
	got := Evaluate([]DeputyInput{deputies[4], deputies[1]}, r)
	want := []deputyLine{
		{ID: 13, Rank: 1, Score: d("29.7"), Points: ds("5", "10", "5", "14.7"), Penalty: d("5")},
		{ID: 12, Rank: 2, Score: d("22.69"), Points: ds("10", "8", "5", "4.69"), Penalty: d("5")},
	}
	if diff := cmp.Diff(want, deputyLines(got)); diff != "" {
		t.Errorf("Evaluate mismatch (-want +got):\n%s", diff)
	}
	// With CandidateTop 1 and minimum 20 only 13 is a county candidate.
	if diff := cmp.Diff([]int64{13}, ids(Candidates(got, "county", r))); diff != "" {
		t.Errorf("Candidates mismatch (-want +got):\n%s", diff)
	}
}

func TestHelpPointsRounding(t *testing.T) {
	t.Parallel()
	perThousand15 := DefaultEvaluationRules()
	perThousand15.PerThousandYuan = d("1.5")
	tests := []struct {
		yuan string
		r    EvaluationRules
		want string
	}{
		{"5", DefaultEvaluationRules(), "0.01"},          // 0.005 → 0.01
		{"4.99", DefaultEvaluationRules(), "0"},          // 0.00499 → 0.00
		{"2345", DefaultEvaluationRules(), "2.35"},       // 2.345 → 2.35
		{"2344.99", DefaultEvaluationRules(), "2.34"},    // 2.34499 → 2.34
		{"19999.99", DefaultEvaluationRules(), "20"},     // 19.99999 → 20.00, the cap
		{"1000000", DefaultEvaluationRules(), "20"},      // 1000 → cap 20
		{"-300", DefaultEvaluationRules(), "0"},          // negative counts as 0
		{"2345", perThousand15, "3.52"},                  // 2,345×1.5/1000 = 3.5175 → 3.52
		{"3", perThousand15, "0"},                        // 0.0045 → 0.00
		{"3.34", perThousand15, "0.01"},                  // 0.00501 → 0.01
		{"17005", DefaultEvaluationRules(), "17.01"},     // 17.005 → 17.01
		{"12345.678", DefaultEvaluationRules(), "12.35"}, // 12.345678 → 12.35
		{"20005", DefaultEvaluationRules(), "20"},        // 20.005 → 20.01 → cap 20
		{"4995", DefaultEvaluationRules(), "5"},          // 4.995 → 5.00
		{"8885", DefaultEvaluationRules(), "8.89"},       // 8.885 → 8.89 (a float64 8.885 is 8.88499…)
		{"1015", DefaultEvaluationRules(), "1.02"},       // 1.015 → 1.02 (a float64 1.015 is 1.01499…)
	}
	for _, tt := range tests {
		s := ScoreDeputy(DeputyInput{HelpYuan: d(tt.yuan)}, tt.r)
		if got := s.Terms[3].Points; !got.Equal(d(tt.want)) {
			t.Errorf("help points for %s yuan (per thousand %s) = %s, want %s", tt.yuan, tt.r.PerThousandYuan, got, tt.want)
		}
		if !s.Score.Equal(d(tt.want)) {
			t.Errorf("score for %s yuan = %s, want %s", tt.yuan, s.Score, tt.want)
		}
	}
}

func TestCandidates(t *testing.T) {
	t.Parallel()
	scores := Evaluate(deputies, DefaultEvaluationRules())
	reversed := make([]DeputyScore, len(scores))
	for i, s := range scores {
		reversed[len(scores)-1-i] = s
	}
	rules := func(top int, minScore string) EvaluationRules {
		r := DefaultEvaluationRules()
		r.CandidateTop = top
		r.CandidateMin = d(minScore)
		return r
	}
	// Scores: 11 100 (county), 12 60.35 (county, township), 13 60.35
	// (county), 14 60.00 (county), 15 59.99 (township), 16 −6 (prefectural).
	tests := []struct {
		name   string
		scores []DeputyScore
		level  string
		r      EvaluationRules
		want   []int64
	}{
		// County, top 2: 11 and 12 are taken; 13 ties with 12 (60.35) at the
		// cut-off and is included; 14 (60.00) is not.
		{"tie at the cut-off", scores, "county", rules(2, "60"), []int64{11, 12, 13}},
		{"unsorted input", reversed, "county", rules(2, "60"), []int64{11, 12, 13}},
		{"top 1, no tie", scores, "county", rules(1, "60"), []int64{11}},
		{"top 3, no tie", scores, "county", rules(3, "60"), []int64{11, 12, 13}},
		// Default top 10: every county deputy with at least 60, 14 at exactly 60.
		{"defaults", scores, "county", DefaultEvaluationRules(), []int64{11, 12, 13, 14}},
		{"minimum raised", scores, "county", rules(10, "60.35"), []int64{11, 12, 13}},
		// Deputy 12 is also a township deputy; 15 (59.99) is below 60.
		{"second level", scores, "township", rules(2, "60"), []int64{12}},
		{"second level, lower minimum", scores, "township", rules(2, "59.99"), []int64{12, 15}},
		{"negative score", scores, "prefectural", DefaultEvaluationRules(), []int64{}},
		{"negative minimum", scores, "prefectural", rules(10, "-6"), []int64{16}},
		{"nobody at level", scores, "national", DefaultEvaluationRules(), []int64{}},
		{"no scores", nil, "county", DefaultEvaluationRules(), []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Candidates(tt.scores, tt.level, tt.r)
			if diff := cmp.Diff(tt.want, ids(got)); diff != "" {
				t.Errorf("Candidates mismatch (-want +got):\n%s", diff)
			}
		})
	}
	// Candidates keeps the county-wide rank and does not reorder its input.
	got := Candidates(reversed, "county", rules(2, "60"))
	if got[2].Rank != 2 {
		t.Errorf("candidate 13 rank = %d, want 2", got[2].Rank)
	}
	if reversed[0].Input.DeputyID != 16 {
		t.Errorf("Candidates reordered its input: first is %d", reversed[0].Input.DeputyID)
	}
}

func TestEvaluationTerms(t *testing.T) {
	t.Parallel()
	wantKeys := []string{"visits", "measures", "exits", "help", "returns"}
	defs := EvaluationTerms()
	s := ScoreDeputy(deputies[0], DefaultEvaluationRules())
	scored := append(s.Terms, s.Penalty)
	if len(defs) != len(wantKeys) || len(scored) != len(wantKeys) {
		t.Fatalf("%d defs, %d scored terms, want %d", len(defs), len(scored), len(wantKeys))
	}
	for i, k := range wantKeys {
		if defs[i].Key != k || scored[i].Key != k || defs[i].Label != scored[i].Label || defs[i].Label == "" || defs[i].Formula == "" {
			t.Errorf("term %d: def %+v, scored %s/%s, want key %s", i, defs[i], scored[i].Key, scored[i].Label, k)
		}
	}
}

func TestEvaluationRulesValidate(t *testing.T) {
	t.Parallel()
	with := func(f func(*EvaluationRules)) EvaluationRules {
		r := DefaultEvaluationRules()
		f(&r)
		return r
	}
	tests := []struct {
		name string
		r    EvaluationRules
		want map[string]string
	}{
		{"defaults", DefaultEvaluationRules(), nil},
		{"zero penalty allowed", with(func(r *EvaluationRules) { r.PerReturn = d("0") }), nil},
		{"1000 allowed", with(func(r *EvaluationRules) { r.CandidateTop = 1000; r.CandidateMin = d("1000") }), nil},
		{"negative penalty", with(func(r *EvaluationRules) { r.PerReturn = d("-2") }),
			map[string]string{"per_return": "每次被退回扣分不能为负数"}},
		{"negative cap", with(func(r *EvaluationRules) { r.HelpCap = d("-0.01") }),
			map[string]string{"help_cap": "资金物资得分上限不能为负数"}},
		{"no candidates", with(func(r *EvaluationRules) { r.CandidateTop = 0 }),
			map[string]string{"candidate_top": "每个层级候选人数上限必须大于 0"}},
		{"too many candidates", with(func(r *EvaluationRules) { r.CandidateTop = 1001 }),
			map[string]string{"candidate_top": "每个层级候选人数上限不能超过 1000"}},
		{"three decimals", with(func(r *EvaluationRules) { r.PerThousandYuan = d("0.125") }),
			map[string]string{"per_thousand_yuan": "每千元资金物资得分最多保留两位小数"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Validate() = %v, want *InvalidError", err)
			}
			if diff := cmp.Diff(tt.want, map[string]string(ie.Fields)); diff != "" {
				t.Errorf("Fields mismatch (-want +got):\n%s", diff)
			}
			for _, msg := range tt.want {
				if !strings.Contains(err.Error(), msg) {
					t.Errorf("Error() = %q, missing %q", err.Error(), msg)
				}
			}
		})
	}
}

func TestEvaluationRulesJSON(t *testing.T) {
	t.Parallel()
	const stored = `{"per_visit":"1","visit_cap":"25","per_measure":"5","measure_cap":"25","per_exit":"10",` +
		`"exit_cap":"30","per_thousand_yuan":"1","help_cap":"20","per_return":"2","candidate_min":"60","candidate_top":10}`
	var got EvaluationRules
	if err := json.Unmarshal([]byte(stored), &got); err != nil {
		t.Fatal(err)
	}
	// The stored defaults, written out by hand, decode to DefaultEvaluationRules.
	if diff := cmp.Diff(DefaultEvaluationRules(), got); diff != "" {
		t.Errorf("decoded rules mismatch (-want +got):\n%s", diff)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(stored), &m); err != nil {
		t.Fatal(err)
	}
	for _, p := range got.Params() {
		if _, ok := m[p.Key]; !ok {
			t.Errorf("Param key %q is not a JSON key", p.Key)
		}
	}
	if len(got.Params()) != len(m) {
		t.Errorf("%d params, %d JSON keys", len(got.Params()), len(m))
	}
}
