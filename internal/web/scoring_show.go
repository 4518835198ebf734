package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/components"
	scoringpages "github.com/bangfu/bangfu/web/pages/scoring"
	"github.com/shopspring/decimal"
	"golang.org/x/text/width"
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

// sendTable writes t as an Excel download, buffered so that an error can
// still be a page.
func (s *Server) sendTable(w http.ResponseWriter, r *http.Request, t xlsx.Table, title, filename string) {
	office, err := s.officeName(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := xlsx.WriteTable(&buf, t, xlsx.ExportMeta{Title: title, Unit: office, Date: s.today()}); err != nil {
		s.serveError(w, r, err)
		return
	}
	attachment(w, filename)
	_, _ = w.Write(buf.Bytes())
}

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

// evaluationShow renders one deputy's evaluation of a year with the evidence
// behind each term: staff and leaders for any deputy, a deputy for itself.
func (s *Server) evaluationShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil || (u.Role == auth.Deputy && id != u.DeputyID) {
		s.serveError(w, r, errNotFound)
		return
	}
	d, err := s.st.Deputy(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// Every helper of its kind is scored, so that the rank is the one the
	// list shows (a unit's among units).
	year, scores, rules, err := s.evaluation(r, d.Kind)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var sc *scoring.DeputyScore
	if i := slices.IndexFunc(scores, func(x scoring.DeputyScore) bool { return x.Input.DeputyID == id }); i >= 0 {
		sc = &scores[i]
	}
	measures, exits, err := s.st.DeputyEvidence(r.Context(), id, year)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := period.Period{Year: year}
	f := store.LedgerFilter{DeputyID: id, From: p.Start(), To: p.Last(), Status: "approved"}
	f.Kind = "visit"
	visits, nVisits, err := s.st.SearchLedger(r.Context(), auth.Scope{}, f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f.Kind = "help"
	help, nHelp, err := s.st.SearchLedger(r.Context(), auth.Scope{}, f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f.Kind, f.Status, f.Returned = "", "", "yes"
	returned, nReturned, err := s.st.SearchLedger(r.Context(), auth.Scope{}, f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, scoringpages.EvaluationShow(scoringpages.EvaluationShowProps{
		Layout: s.layoutProps(r, d.Name+" · "+strconv.Itoa(year)+evaluationTitle(d.Kind), "/evaluation"), Deputy: d, Year: year,
		Years: yearsUpTo(s.today().Year()), Score: sc, Rules: rules, Terms: scoring.EvaluationTerms(),
		Visits: visits, VisitCount: nVisits, Help: help, HelpCount: nHelp, Returned: returned, ReturnedCount: nReturned,
		Measures: measures, Exits: exits, ShowLedgerLinks: u.Role != auth.Deputy,
	}))
}

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

// settingsEvaluation stores new evaluation rules (staff), audited.
func (s *Server) settingsEvaluation(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	def := scoring.DefaultEvaluationRules()
	var rules scoring.EvaluationRules
	typed, errs := readParams(r.PostForm, def.Params(), &rules)
	if len(errs) == 0 {
		err := s.st.SetEvaluationRules(r.Context(), rules, u.ID)
		if inv := (*scoring.InvalidError)(nil); errors.As(err, &inv) {
			errs = inv.Fields
		} else if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.renderEvaluationRules(w, r, http.StatusUnprocessableEntity, def.Params(), typed, errs)
		return
	}
	s.redirect(w, r, "/evaluation/rules", "已保存新的考评规则，考评即按新规则计算。")
}

// evaluationTitle is the title word of a helper's evaluation page.
func evaluationTitle(kind string) string {
	if kind == deputy.KindUnit {
		return "年帮扶工作考评"
	}
	return "年履职考评"
}
