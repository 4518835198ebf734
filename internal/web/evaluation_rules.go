package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/validation"
	scoringpages "github.com/bangfu/bangfu/web/pages/scoring"
)

// evaluationRules explains the evaluation's terms; staff may change them.
func (s *Server) evaluationRules(w http.ResponseWriter, r *http.Request) {
	rules, err := s.st.EvaluationRules(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderEvaluationRules(w, r, http.StatusOK, rules.Params(), nil, nil)
}

func (s *Server) renderEvaluationRules(w http.ResponseWriter, r *http.Request, status int, params []scoring.Param, typed map[string]string, errs validation.Errors) {
	u, _ := userFrom(r)
	back := "/evaluation"
	if u.Role == auth.Deputy {
		back = "/my"
	}
	s.render(w, r, status, scoringpages.Rules(scoringpages.RulesProps{
		Layout: s.layoutProps(r, "代表履职考评规则", "/evaluation"), Rule: scoring.EvaluationRule, Terms: scoring.EvaluationTerms(),
		Params: params, Typed: typed, Errors: errs, Action: "/settings/evaluation", CanEdit: u.Role == auth.Staff, Back: back,
	}))
}

// settingsEvaluation stores new evaluation rules (staff), audited; bad
// values come back beside their fields with what was typed.
func (s *Server) settingsEvaluation(w http.ResponseWriter, r *http.Request) {
	saveFormulaSettings(s, w, r, scoring.DefaultEvaluationRules().Params(), s.st.SetEvaluationRules, s.renderEvaluationRules,
		"/evaluation/rules", "已保存新的考评规则，考评即按新规则计算。")
}
