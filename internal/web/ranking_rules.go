package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/validation"
	scoringpages "github.com/bangfu/bangfu/web/pages/scoring"
)

// rankingRules explains each term of the ranking with its weight; staff
// may change the weights there.
func (s *Server) rankingRules(w http.ResponseWriter, r *http.Request) {
	weights, err := s.st.RankingWeights(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderRankingRules(w, r, http.StatusOK, weights.Params(), nil, nil)
}

func (s *Server) renderRankingRules(w http.ResponseWriter, r *http.Request, status int, params []scoring.Param, typed map[string]string, errs validation.Errors) {
	u, _ := userFrom(r)
	s.render(w, r, status, scoringpages.Rules(scoringpages.RulesProps{
		Layout: s.layoutProps(r, "乡镇“三比”评分规则", "/ranking"), Rule: scoring.RankingRule, Terms: scoring.RankingTerms(),
		Params: params, Typed: typed, Errors: errs, Action: "/settings/ranking", CanEdit: u.Role == auth.Staff, Back: "/ranking",
	}))
}

// settingsRanking stores new ranking weights (staff), audited; bad values
// come back beside their fields with what was typed.
func (s *Server) settingsRanking(w http.ResponseWriter, r *http.Request) {
	saveFormulaSettings(s, w, r, scoring.DefaultRankingWeights().Params(), s.st.SetRankingWeights, s.renderRankingRules,
		"/ranking/rules", "已保存新的“三比”评分权重，排名即按新权重计算。")
}
