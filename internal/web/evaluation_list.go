package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/components"
	scoringpages "github.com/bangfu/bangfu/web/pages/scoring"
)

// evaluation scores every helper of kind (deputy.KindDeputy or
// deputy.KindUnit) taking part in the request's year, ranked among its own
// kind: units do not compete with deputies.
func (s *Server) evaluation(r *http.Request, kind string) (int, []scoring.DeputyScore, scoring.EvaluationRules, error) {
	p, err := period.Parse(r.URL.Query().Get("year"), "", s.today())
	if err != nil {
		return 0, nil, scoring.EvaluationRules{}, httpError{http.StatusBadRequest, err.Error()}
	}
	rules, err := s.st.EvaluationRules(r.Context())
	if err != nil {
		return p.Year, nil, rules, err
	}
	in, err := s.st.EvaluationInputs(r.Context(), p.Year, kind, 0)
	if err != nil {
		return p.Year, nil, rules, err
	}
	return p.Year, scoring.Evaluate(in, rules), rules, nil
}

// evaluationRows filters the scores by ?level= and, with ?candidates=1, to
// the 评先评优 candidates of that level.
func evaluationRows(r *http.Request, all []scoring.DeputyScore, rules scoring.EvaluationRules) (level string, candidates bool, rows []scoring.DeputyScore) {
	level = r.URL.Query().Get("level")
	if !deputy.Levels.Has(level) {
		level = ""
	}
	candidates = level != "" && r.URL.Query().Get("candidates") == "1"
	switch {
	case candidates:
		return level, true, scoring.Candidates(all, level, rules)
	case level != "":
		for _, d := range all {
			if slices.Contains(d.Input.Levels, level) {
				rows = append(rows, d)
			}
		}
		return level, false, rows
	}
	return "", false, all
}

// evaluationList renders the deputies' scores of a year, best first, 50 to a
// page; by level, or that level's 评先评优 candidates.
func (s *Server) evaluationList(w http.ResponseWriter, r *http.Request) {
	year, all, rules, err := s.evaluation(r, deputy.KindDeputy)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	_, units, _, err := s.evaluation(r, deputy.KindUnit)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	level, candidates, rows := evaluationRows(r, all, rules)
	page := pageParam(r)
	if pastLastPage(w, r, page, len(rows)) {
		return
	}
	from := min((page-1)*store.PageSize, len(rows))
	s.render(w, r, http.StatusOK, scoringpages.Evaluation(scoringpages.EvaluationProps{
		Layout: s.layoutProps(r, "代表履职考评", "/evaluation"), Year: year, Years: yearsUpTo(s.today().Year()),
		Level: level, Candidates: candidates, Levels: components.Options(deputy.Levels), Rules: rules,
		NeedLevel: r.URL.Query().Get("candidates") == "1" && level == "",
		Rows:      rows[from:min(from+store.PageSize, len(rows))], Total: len(rows), Evaluated: len(all),
		Terms: scoring.EvaluationTerms(), Pager: pager(r, page, len(rows)), Units: units,
	}))
}

// evaluationExport sends the year's scores (as filtered) as Excel.
func (s *Server) evaluationExport(w http.ResponseWriter, r *http.Request) {
	year, all, rules, err := s.evaluation(r, deputy.KindDeputy)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	level, candidates, rows := evaluationRows(r, all, rules)
	t := xlsx.Table{Sheet: "代表考评", Headings: []string{"名次", "姓名", "代表层级", "走访（次）", "确认成效措施（项）", "帮助脱贫（户）", "资金物资（元）", "被退回（次）"},
		Widths: []float64{6, 10, 20, 10, 12, 12, 14, 10}}
	for _, d := range scoring.EvaluationTerms() {
		t.Headings = append(t.Headings, d.Label+"（分）")
		t.Widths = append(t.Widths, 12)
	}
	t.Headings = append(t.Headings, "总分")
	t.Widths = append(t.Widths, 10)
	for _, x := range rows {
		row := []any{x.Rank, x.Input.Name, deputy.LevelLabels(x.Input.Levels), x.Input.Visits, x.Input.MeasuresConfirmed,
			x.Input.HouseholdsExited, x.Input.HelpYuan, x.Input.Returns}
		for _, term := range append(slices.Clone(x.Terms), x.Penalty) {
			row = append(row, term.Points)
		}
		t.Rows = append(t.Rows, append(row, x.Score))
	}
	title := strconv.Itoa(year) + "年人大代表结对帮扶履职考评"
	if candidates {
		title = strconv.Itoa(year) + "年" + deputy.Levels.Label(level) + "评先评优候选人"
	} else if level != "" {
		title += "（" + deputy.Levels.Label(level) + "）"
	}
	s.sendTable(w, r, t, title, title+".xlsx")
}

// evaluationTitle is the title word of a helper's evaluation page.
func evaluationTitle(kind string) string {
	if kind == deputy.KindUnit {
		return "年帮扶工作考评"
	}
	return "年履职考评"
}
