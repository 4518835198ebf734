package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/xlsx"
	scoringpages "github.com/bangfu/bangfu/web/pages/scoring"
	"github.com/shopspring/decimal"
)

// ranking computes the township ranking (三比) of the period in the request.
func (s *Server) ranking(r *http.Request) (period.Period, []scoring.TownshipScore, scoring.RankingWeights, error) {
	p, err := s.periodFrom(r)
	if err != nil {
		return p, nil, scoring.RankingWeights{}, err
	}
	w, err := s.st.RankingWeights(r.Context())
	if err != nil {
		return p, nil, w, err
	}
	in, err := s.st.RankingInputs(r.Context(), s.county, p, s.today())
	if err != nil {
		return p, nil, w, err
	}
	return p, scoring.Rank(in, w), w, nil
}

// rankingShow renders the township ranking of a year or quarter: every
// term's points link to the rows behind them.
func (s *Server) rankingShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	p, rows, weights, err := s.ranking(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, scoringpages.Ranking(scoringpages.RankingProps{
		Layout: s.layoutProps(r, "乡镇“三比”排名", "/ranking"), Period: p, Years: yearsUpTo(s.today().Year()),
		Rows: rows, Weights: weights, Terms: scoring.RankingTerms(), Rule: scoring.RankingRule,
		OwnTownship: ownTownship(u), Today: s.today(),
	}))
}

// ownTownship is the township whose rows a viewer may open: "" for staff
// and leaders (all), the chair's township for a chair.
func ownTownship(u auth.User) string {
	if u.Role == auth.TownshipChair {
		return u.TownshipCode
	}
	return ""
}

// rankingExport sends the ranking as an Excel workbook for 绩效考核.
func (s *Server) rankingExport(w http.ResponseWriter, r *http.Request) {
	p, rows, weights, err := s.ranking(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// Ratios as the page shows them ("95.7%"), points exactly; the
	// headings carry each term's weight, the penalty is negative.
	maxima := []decimal.Decimal{weights.PairedShare, weights.ExitVsPlan, weights.VisitRate, weights.FirstPass, weights.ActionItems, weights.OverduePenalty}
	t := xlsx.Table{Sheet: "三比排名", Headings: []string{"名次", "乡镇"}, Widths: []float64{6, 14}}
	for i, d := range scoring.RankingTerms() {
		label := "满分"
		if d.Key == scoring.TermOverdue {
			label = "最多扣"
		}
		t.Headings = append(t.Headings, d.Label+"（比率）", d.Label+"（"+label+maxima[i].String()+"分）")
		t.Widths = append(t.Widths, 12, 14)
	}
	t.Headings = append(t.Headings, "总分")
	t.Widths = append(t.Widths, 10)
	for _, x := range rows {
		row := []any{x.Rank, x.Input.Name}
		for _, term := range x.Terms {
			row = append(row, term.Ratio.Shift(2).StringFixed(1)+"%", term.Points)
		}
		row = append(row, x.Penalty.Ratio.Shift(2).StringFixed(1)+"%", x.Penalty.Points.Neg())
		t.Rows = append(t.Rows, append(row, x.Score))
	}
	s.sendTable(w, r, t, "汨罗市乡镇“三比”排名（"+p.Label()+"）", "乡镇三比排名-"+p.Label()+".xlsx")
}
