package scoring

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// d parses a hand-written decimal.
func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ds(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = d(s)
	}
	return out
}

// townshipLine is the part of a TownshipScore the tests write out by hand.
// cmp compares decimals with their Equal method, so 20 equals 20.00.
type townshipLine struct {
	Code         string
	Rank         int
	Score        decimal.Decimal
	Points       []decimal.Decimal // paired, exit, visits, first pass, action items
	Ratios       []decimal.Decimal
	Penalty      decimal.Decimal
	PenaltyRatio decimal.Decimal
}

func lines(scores []TownshipScore) []townshipLine {
	out := make([]townshipLine, len(scores))
	for i, s := range scores {
		l := townshipLine{Code: s.Input.Code, Rank: s.Rank, Score: s.Score, Penalty: s.Penalty.Points, PenaltyRatio: s.Penalty.Ratio}
		for _, t := range s.Terms {
			l.Points = append(l.Points, t.Points)
			l.Ratios = append(l.Ratios, t.Ratio)
		}
		out[i] = l
	}
	return out
}

// Five townships under the default weights
// (paired 20, exit 30, visits 20, first pass 15, action items 15, penalty 20, target 1).
var (
	// 甲镇: paired 100/100 = 1 → 20.00; exit 15/20 = 0.75 → 22.50;
	// visits 240/(100×3×1) = 0.8 → 16.00; first pass 23/24 = 0.958333… →
	// 15×23/24 = 14.375 → 14.38 (half away from zero; rounding the ratio first,
	// 0.9583×15 = 14.3745 → 14.37, would be wrong); action items 3/4 → 11.25.
	// Sum 20 + 22.50 + 16 + 14.38 + 11.25 = 84.13; overdue 0/100 → 0.
	// Score 84.13.
	townJia = TownshipInput{Code: "430681107", Name: "甲镇", Households: 100, Paired: 100, ExitPlanned: 20, Exited: 15,
		ActivePairings: 100, Months: 3, Visits: 240, Approved: 24, FirstPass: 23, Overdue: 0, ActionItemsDue: 4, ActionItemsOnTime: 3}
	// 乙镇: paired 50/50 → 20.00; exit planned 0 → ratio 1 → 30.00 (zero
	// denominator); visits 75/(50×3×1) = 0.5 → 10.00; first pass 7/8 →
	// 15×0.875 = 13.125 → 13.13; action items due 0 → ratio 1 → 15.00.
	// Sum 20 + 30 + 10 + 13.13 + 15 = 88.13; overdue 10/50 = 0.2 × 20 = 4.00.
	// Score 88.13 − 4.00 = 84.13: a tie with 甲镇.
	townYi = TownshipInput{Code: "430681101", Name: "乙镇", Households: 50, Paired: 50, ExitPlanned: 0, Exited: 3,
		ActivePairings: 50, Months: 3, Visits: 75, Approved: 8, FirstPass: 7, Overdue: 10, ActionItemsDue: 0, ActionItemsOnTime: 0}
	// 丙镇: every ratio is 1; exited 3 of 2 planned and 45 visits of 30
	// expected are capped at 1. 20 + 30 + 20 + 15 + 15 = 100.00, no penalty.
	townBing = TownshipInput{Code: "430681103", Name: "丙镇", Households: 10, Paired: 10, ExitPlanned: 2, Exited: 3,
		ActivePairings: 10, Months: 3, Visits: 45, Approved: 40, FirstPass: 40, Overdue: 0, ActionItemsDue: 2, ActionItemsOnTime: 2}
	// 丁镇: paired 10/40 = 0.25 → 5.00; exit 1/10 → 3.00; visits 12/(10×6) =
	// 0.2 → 4.00; first pass 5/10 → 7.50; action items 1/3 → 5.00 (ratio
	// shown 0.3333). Sum 24.50; overdue 5/10 × 20 = 10.00. Score 14.50.
	townDing = TownshipInput{Code: "430681104", Name: "丁镇", Households: 40, Paired: 10, ExitPlanned: 10, Exited: 1,
		ActivePairings: 10, Months: 6, Visits: 12, Approved: 10, FirstPass: 5, Overdue: 5, ActionItemsDue: 3, ActionItemsOnTime: 1}
	// 戊镇: paired 3/30 = 0.1 → 2.00; exit 0/10 → 0; visits 0/(3×12) → 0;
	// approved 0 → ratio 1 → 15.00; action items 0/5 → 0. Sum 17.00;
	// overdue 3/3 → 20.00. Score 17.00 − 20.00 = −3.00.
	townWu = TownshipInput{Code: "430681105", Name: "戊镇", Households: 30, Paired: 3, ExitPlanned: 10, Exited: 0,
		ActivePairings: 3, Months: 12, Visits: 0, Approved: 0, FirstPass: 0, Overdue: 3, ActionItemsDue: 5, ActionItemsOnTime: 0}
)

func TestRankDefaultWeights(t *testing.T) {
	t.Parallel()
	// Scores 100.00, 84.13, 84.13, 14.50, −3.00 → ranks 1, 2, 2, 4, 5; in the
	// tie 乙镇 (…101) comes before 甲镇 (…107) by code, whatever the input order.
	got := Rank([]TownshipInput{townJia, townWu, townBing, townDing, townYi}, DefaultRankingWeights())
	want := []townshipLine{
		{Code: "430681103", Rank: 1, Score: d("100"),
			Points: ds("20", "30", "20", "15", "15"), Ratios: ds("1", "1", "1", "1", "1"), Penalty: d("0"), PenaltyRatio: d("0")},
		{Code: "430681101", Rank: 2, Score: d("84.13"),
			Points: ds("20", "30", "10", "13.13", "15"), Ratios: ds("1", "1", "0.5", "0.875", "1"), Penalty: d("4"), PenaltyRatio: d("0.2")},
		{Code: "430681107", Rank: 2, Score: d("84.13"),
			Points: ds("20", "22.5", "16", "14.38", "11.25"), Ratios: ds("1", "0.75", "0.8", "0.9583", "0.75"), Penalty: d("0"), PenaltyRatio: d("0")},
		{Code: "430681104", Rank: 4, Score: d("14.5"),
			Points: ds("5", "3", "4", "7.5", "5"), Ratios: ds("0.25", "0.1", "0.2", "0.5", "0.3333"), Penalty: d("10"), PenaltyRatio: d("0.5")},
		{Code: "430681105", Rank: 5, Score: d("-3"),
			Points: ds("2", "0", "0", "15", "0"), Ratios: ds("0.1", "0", "0", "1", "0"), Penalty: d("20"), PenaltyRatio: d("1")},
	}
	if diff := cmp.Diff(want, lines(got)); diff != "" {
		t.Errorf("Rank mismatch (-want +got):\n%s", diff)
	}
}

func TestRankChangedWeights(t *testing.T) {
	t.Parallel()
	w := RankingWeights{
		PairedShare: d("10"), ExitVsPlan: d("40"), VisitRate: d("10"), FirstPass: d("20"), ActionItems: d("20"),
		OverduePenalty: d("50"), VisitTarget: d("2"),
	}
	// 甲镇: paired 1×10 = 10.00; exit 0.75×40 = 30.00; visits
	// 240/(100×3×2) = 0.4 → 4.00; first pass 20×23/24 = 19.1666… → 19.17;
	// action items 0.75×20 = 15.00. Sum 78.17, no penalty. Score 78.17.
	// 乙镇: paired 10.00; exit (none planned) 40.00; visits 75/(50×3×2) =
	// 0.25 → 2.50; first pass 20×7/8 = 17.50; action items (none due) 20.00.
	// Sum 90.00; overdue 10/50 × 50 = 10.00. Score 80.00.
	// Under the defaults they tie; here 乙镇 leads.
	got := Rank([]TownshipInput{townJia, townYi}, w)
	want := []townshipLine{
		{Code: "430681101", Rank: 1, Score: d("80"),
			Points: ds("10", "40", "2.5", "17.5", "20"), Ratios: ds("1", "1", "0.25", "0.875", "1"), Penalty: d("10"), PenaltyRatio: d("0.2")},
		{Code: "430681107", Rank: 2, Score: d("78.17"),
			Points: ds("10", "30", "4", "19.17", "15"), Ratios: ds("1", "0.75", "0.4", "0.9583", "0.75"), Penalty: d("0"), PenaltyRatio: d("0")},
	}
	if diff := cmp.Diff(want, lines(got)); diff != "" {
		t.Errorf("Rank mismatch (-want +got):\n%s", diff)
	}
	// Max is the weight in force, not the default.
	wantMax := ds("10", "40", "10", "20", "20")
	for i, term := range got[0].Terms {
		if !term.Max.Equal(wantMax[i]) {
			t.Errorf("term %s Max = %s, want %s", term.Key, term.Max, wantMax[i])
		}
	}
	if !got[0].Penalty.Max.Equal(d("50")) {
		t.Errorf("penalty Max = %s, want 50", got[0].Penalty.Max)
	}
}

func TestScoreTownshipEdgeCases(t *testing.T) {
	t.Parallel()
	defaults := DefaultRankingWeights()
	halfTarget := DefaultRankingWeights()
	halfTarget.VisitTarget = d("0.5")
	tests := []struct {
		name       string
		in         TownshipInput
		w          RankingWeights
		wantPoints []decimal.Decimal
		wantRatios []decimal.Decimal
		wantPen    decimal.Decimal
		wantScore  decimal.Decimal
	}{
		{
			// Every denominator is 0: each term's ratio is 1 (nothing to do is
			// not lagging) and the penalty ratio is 0. 20+30+20+15+15 = 100.
			name:       "all zero",
			in:         TownshipInput{Code: "430681199", Months: 1},
			w:          defaults,
			wantPoints: ds("20", "30", "20", "15", "15"), wantRatios: ds("1", "1", "1", "1", "1"),
			wantPen: d("0"), wantScore: d("100"),
		},
		{
			// Months 0 counts as 1: visits 5/(10×1×1) = 0.5 → 10.00 (not a
			// zero denominator, which would give 20). Other terms full:
			// 20+30+10+15+15 = 90; overdue 0. Score 90.
			name:       "months below one",
			in:         TownshipInput{Households: 10, Paired: 10, ActivePairings: 10, Months: 0, Visits: 5},
			w:          defaults,
			wantPoints: ds("20", "30", "10", "15", "15"), wantRatios: ds("1", "1", "0.5", "1", "1"),
			wantPen: d("0"), wantScore: d("90"),
		},
		{
			// VisitTarget 0.5: visits 3/(4×3×0.5) = 3/6 = 0.5 → 10.00.
			// 20+30+10+15+15 = 90.
			name:       "fractional visit target",
			in:         TownshipInput{Households: 4, Paired: 4, ActivePairings: 4, Months: 3, Visits: 3},
			w:          halfTarget,
			wantPoints: ds("20", "30", "10", "15", "15"), wantRatios: ds("1", "1", "0.5", "1", "1"),
			wantPen: d("0"), wantScore: d("90"),
		},
		{
			// .005 that binary floats cannot hold: exit 1/400 × 30 = 0.075 →
			// 0.08 (a float64 0.075 is 0.07499… and would round to 0.07);
			// ratio 0.0025 → 0.0025. First pass 1/200 × 15 = 0.075 → 0.08,
			// ratio 0.005. Paired 1/3 × 20 = 6.666… → 6.67, ratio 0.3333.
			// Action items 1/32 × 15 = 0.46875 → 0.47, ratio 0.03125 →
			// 0.0313. Visits full 20. Sum 6.67+0.08+20+0.08+0.47 = 27.30.
			// Overdue 1/3 × 20 = 6.666… → 6.67. Score 27.30 − 6.67 = 20.63.
			name: "rounding half away from zero",
			in: TownshipInput{Households: 3, Paired: 1, ExitPlanned: 400, Exited: 1, ActivePairings: 3, Months: 1, Visits: 3,
				Approved: 200, FirstPass: 1, Overdue: 1, ActionItemsDue: 32, ActionItemsOnTime: 1},
			w:          defaults,
			wantPoints: ds("6.67", "0.08", "20", "0.08", "0.47"), wantRatios: ds("0.3333", "0.0025", "1", "0.005", "0.0313"),
			wantPen: d("6.67"), wantScore: d("20.63"),
		},
		{
			// Inconsistent counts are clamped to [0,1]: paired 12/10 → 1 →
			// 20; first pass 9/8 → 1 → 15; overdue 5/4 → 1 → 20. The rest
			// full: 20+30+20+15+15 = 100; score 100 − 20 = 80.
			name: "ratios above one are capped",
			in: TownshipInput{Households: 10, Paired: 12, ActivePairings: 4, Months: 1, Visits: 4,
				Approved: 8, FirstPass: 9, Overdue: 5},
			w:          defaults,
			wantPoints: ds("20", "30", "20", "15", "15"), wantRatios: ds("1", "1", "1", "1", "1"),
			wantPen: d("20"), wantScore: d("80"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ScoreTownship(tt.in, tt.w)
			want := townshipLine{Code: tt.in.Code, Score: tt.wantScore, Points: tt.wantPoints, Ratios: tt.wantRatios, Penalty: tt.wantPen}
			l := lines([]TownshipScore{got})[0]
			l.PenaltyRatio = decimal.Zero // checked in the ranking tests
			if diff := cmp.Diff(want, l); diff != "" {
				t.Errorf("ScoreTownship mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRankTieAtTop(t *testing.T) {
	t.Parallel()
	// Two empty townships score 100 each (every ratio 1), 丙镇 too: three
	// share rank 1, ordered by code; 丁镇 (14.50) is 4th.
	a := TownshipInput{Code: "430681120", Months: 1}
	b := TownshipInput{Code: "430681110", Months: 1}
	got := Rank([]TownshipInput{townDing, a, townBing, b}, DefaultRankingWeights())
	type cr struct {
		Code string
		Rank int
	}
	var gotCR []cr
	for _, s := range got {
		gotCR = append(gotCR, cr{s.Input.Code, s.Rank})
	}
	want := []cr{{"430681103", 1}, {"430681110", 1}, {"430681120", 1}, {"430681104", 4}}
	if diff := cmp.Diff(want, gotCR); diff != "" {
		t.Errorf("Rank mismatch (-want +got):\n%s", diff)
	}
	if len(Rank(nil, DefaultRankingWeights())) != 0 {
		t.Error("Rank(nil) is not empty")
	}
}

func TestRankingTermsMatchScores(t *testing.T) {
	t.Parallel()
	wantKeys := []string{"paired", "exit", "visits", "first_pass", "action_items", "overdue"}
	wantLabels := []string{"结对率", "脱贫计划完成率", "走访达标率", "台账一次通过率", "会议事项按时办结率", "超期未走访扣分"}
	defs := RankingTerms()
	var keys, labels []string
	for _, def := range defs {
		keys = append(keys, def.Key)
		labels = append(labels, def.Label)
		if def.Formula == "" {
			t.Errorf("term %s has no formula", def.Key)
		}
	}
	if diff := cmp.Diff(wantKeys, keys); diff != "" {
		t.Errorf("RankingTerms keys mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantLabels, labels); diff != "" {
		t.Errorf("RankingTerms labels mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(defs[0].Formula, "已结对户数 ÷ 贫困户数") {
		t.Errorf("paired formula = %q", defs[0].Formula)
	}
	s := ScoreTownship(townJia, DefaultRankingWeights())
	var scored []string
	for _, term := range append(s.Terms, s.Penalty) {
		scored = append(scored, term.Key+"/"+term.Label)
	}
	var want []string
	for i := range wantKeys {
		want = append(want, wantKeys[i]+"/"+wantLabels[i])
	}
	if diff := cmp.Diff(want, scored); diff != "" {
		t.Errorf("scored terms mismatch (-want +got):\n%s", diff)
	}
	// The returned slice is a copy.
	defs[0].Label = "x"
	if RankingTerms()[0].Label != "结对率" {
		t.Error("RankingTerms returns shared storage")
	}
}

func TestRankingWeightsValidate(t *testing.T) {
	t.Parallel()
	with := func(f func(*RankingWeights)) RankingWeights {
		w := DefaultRankingWeights()
		f(&w)
		return w
	}
	tests := []struct {
		name string
		w    RankingWeights
		want map[string]string // field → words its message must contain; nil = valid
	}{
		{"defaults", DefaultRankingWeights(), nil},
		{"zero weight allowed", with(func(w *RankingWeights) { w.ActionItems = d("0") }), nil},
		{"1000 allowed", with(func(w *RankingWeights) { w.ExitVsPlan = d("1000") }), nil},
		{"two decimals allowed", with(func(w *RankingWeights) { w.VisitTarget = d("0.25") }), nil},
		{"negative weight", with(func(w *RankingWeights) { w.PairedShare = d("-1") }),
			map[string]string{"paired_share": "结对率权重不能为负数"}},
		{"zero visit target", with(func(w *RankingWeights) { w.VisitTarget = d("0") }),
			map[string]string{"visit_target": "每对每月走访目标必须大于 0"}},
		{"above 1000", with(func(w *RankingWeights) { w.OverduePenalty = d("1000.01") }),
			map[string]string{"overdue_penalty": "超期未走访最高扣分不能超过 1000"}},
		{"three decimals", with(func(w *RankingWeights) { w.FirstPass = d("15.005") }),
			map[string]string{"first_pass": "台账一次通过率权重最多保留两位小数"}},
		{"two fields", with(func(w *RankingWeights) { w.VisitRate = d("-0.5"); w.ActionItems = d("-3") }),
			map[string]string{"visit_rate": "走访达标率权重不能为负数", "action_items": "会议事项按时办结率权重不能为负数"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.w.Validate()
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

func TestRankingWeightsJSON(t *testing.T) {
	t.Parallel()
	// A stored setting: numbers or strings both decode.
	const stored = `{"paired_share":"25","exit_vs_plan":25,"visit_rate":"20.5","first_pass":"14.5",` +
		`"action_items":"15","overdue_penalty":"10","visit_target":"0.5"}`
	var got RankingWeights
	if err := json.Unmarshal([]byte(stored), &got); err != nil {
		t.Fatal(err)
	}
	want := RankingWeights{PairedShare: d("25"), ExitVsPlan: d("25"), VisitRate: d("20.5"), FirstPass: d("14.5"),
		ActionItems: d("15"), OverduePenalty: d("10"), VisitTarget: d("0.5")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded weights mismatch (-want +got):\n%s", diff)
	}
	// Params keys are the JSON keys, so a form error lands on the right field.
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
