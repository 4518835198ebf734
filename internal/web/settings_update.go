package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/pairings"
	"github.com/shopspring/decimal"
)

// settingsAdjacency replaces the township adjacency table.
func (s *Server) settingsAdjacency(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	var pairs [][2]string
	for _, v := range r.PostForm["pair"] {
		a, b, ok := strings.Cut(v, ":")
		if !ok || len(a) != 9 || len(b) != 9 || !strings.HasPrefix(a, s.county) || !strings.HasPrefix(b, s.county) {
			continue
		}
		pairs = append(pairs, [2]string{a, b})
	}
	if err := s.st.SetAdjacency(r.Context(), pairs, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/settings", fmt.Sprintf("已保存 %d 对相邻乡镇。", len(pairs)))
}

// settingsPovertyLine saves one year's poverty line.
func (s *Server) settingsPovertyLine(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	in := pairings.LineInput{Year: r.PostForm.Get("year"), Standard: r.PostForm.Get("standard"), Yuan: r.PostForm.Get("yuan")}
	errs := validation.Errors{}
	year, err := strconv.Atoi(strings.TrimSpace(in.Year))
	if err != nil || year < 2010 || year > s.today().Year()+1 {
		errs["year"] = "年度应在2010年至明年之间"
	}
	if !householdStandard(in.Standard) {
		errs["standard"] = "请选择标准"
	}
	yuan, err := money.ParseYuan(in.Yuan)
	switch {
	case err != nil:
		errs["yuan"] = err.Error()
	case yuan.LessThan(decimal.NewFromInt(1000)) || yuan.GreaterThan(decimal.NewFromInt(100000)):
		errs["yuan"] = "扶贫标准应在1,000至100,000元/人·年之间"
	}
	if len(errs) > 0 {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if err := s.st.SetPovertyLine(r.Context(), store.PovertyLine{Year: year, Standard: in.Standard, Yuan: yuan}, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/settings", fmt.Sprintf("已保存%d年扶贫标准。", year))
}

// settingsFollowUp stores the amber and red thresholds (days without a visit).
func (s *Server) settingsFollowUp(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	amber, err1 := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("amber")))
	red, err2 := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("red")))
	if err1 != nil || err2 != nil || amber < 1 || red <= amber || red > 365 {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, pairings.LineInput{Standard: "national", Year: strconv.Itoa(s.today().Year())},
			validation.Errors{"amber": "标黄天数应为1以上，且小于标红天数", "red": "标红天数应大于标黄天数，且不超过365"})
		return
	}
	if err := s.st.SetFollowUpThresholds(r.Context(), amber, red, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/settings", fmt.Sprintf("已保存：超过%d天未走访标黄，超过%d天标红。", amber, red))
}

// settingsSpotCheck stores the monthly spot-check share (1–100 per cent).
func (s *Server) settingsSpotCheck(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("percent")))
	if err != nil || n < 1 || n > 100 {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, pairings.LineInput{Standard: "national", Year: strconv.Itoa(s.today().Year())},
			validation.Errors{"percent": "抽查比例应为1至100之间的整数"})
		return
	}
	if err := s.st.SetSpotCheckPercent(r.Context(), n, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/settings", fmt.Sprintf("已保存：每月抽查 %d%%。", n))
}

// settingsPasswordAge sets whether passwords must be changed every 90 days
// (form field days: "0" or "90").
func (s *Server) settingsPasswordAge(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	days := strings.TrimSpace(r.PostForm.Get("days"))
	if days != "0" && days != "90" {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, pairings.LineInput{Standard: "national", Year: strconv.Itoa(s.today().Year())},
			validation.Errors{"days": "请选择“不要求”或“每90天更换一次”"})
		return
	}
	n, _ := strconv.Atoi(days)
	if err := s.st.SetPasswordMaxAgeDays(r.Context(), n, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	msg := "已保存：不要求定期更换密码。"
	if n > 0 {
		msg = "已保存：密码每90天须更换一次。"
	}
	s.redirect(w, r, "/settings", msg)
}
