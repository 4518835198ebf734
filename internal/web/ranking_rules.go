package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/validation"
	scoringpages "github.com/bangfu/bangfu/web/pages/scoring"
	"github.com/shopspring/decimal"
	"golang.org/x/text/width"
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
	u, _ := userFrom(r)
	def := scoring.DefaultRankingWeights()
	var weights scoring.RankingWeights
	typed, errs := readParams(r.PostForm, def.Params(), &weights)
	if len(errs) == 0 {
		err := s.st.SetRankingWeights(r.Context(), weights, u.ID)
		if inv := (*scoring.InvalidError)(nil); errors.As(err, &inv) {
			errs = inv.Fields
		} else if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.renderRankingRules(w, r, http.StatusUnprocessableEntity, def.Params(), typed, errs)
		return
	}
	s.redirect(w, r, "/ranking/rules", "已保存新的“三比”评分权重，排名即按新权重计算。")
}

// readParams reads the settings form's numbers (one per param key, full-width
// digits allowed) into dst (a settings struct with matching JSON keys). It
// returns what was typed and the Chinese messages of fields that are not
// numbers; the caller validates the values.
func readParams(form url.Values, params []scoring.Param, dst any) (map[string]string, validation.Errors) {
	typed := map[string]string{}
	errs := validation.Errors{}
	obj := map[string]any{}
	for _, p := range params {
		v := strings.TrimSpace(width.Fold.String(form.Get(p.Key)))
		typed[p.Key] = form.Get(p.Key)
		d, err := decimal.NewFromString(v)
		if err != nil || strings.ContainsAny(v, "eE") {
			errs[p.Key] = p.Label + "应为数字"
			continue
		}
		if p.Key == "candidate_top" {
			if !d.IsInteger() {
				errs[p.Key] = p.Label + "应为整数"
				continue
			}
			obj[p.Key] = d.IntPart()
			continue
		}
		obj[p.Key] = d.String()
	}
	if len(errs) > 0 {
		return typed, errs
	}
	raw, _ := json.Marshal(obj)
	if err := json.Unmarshal(raw, dst); err != nil {
		errs["_"] = "无法读取所填数值"
	}
	return typed, errs
}
