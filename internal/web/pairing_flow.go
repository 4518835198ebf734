package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/matcher"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/pairings"
	"github.com/shopspring/decimal"
)

// townshipNamer returns code → township name for the county.
func (s *Server) townshipNamer(r *http.Request) (func(string) string, []components.Option, error) {
	opts, err := s.townshipOptions(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, o := range opts {
		names[o.Value] = o.Label
	}
	return func(c string) string { return names[c] }, opts, nil
}

// applicationList shows all applications to staff and its own to a deputy.
func (s *Server) applicationList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	rows, err := s.st.Applications(r.Context(), u.DeputyID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	name, _, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := pairings.ApplicationsProps{Layout: s.layoutProps(r, "申请书", "/applications"), Rows: rows, TownshipName: name,
		CanFile: u.Role == auth.Deputy, NewHref: "/applications/new"}
	s.render(w, r, http.StatusOK, pairings.Applications(p))
}

// applicationDeputy is the deputy an application is for: a deputy files its
// own; staff file on behalf of the deputy named by deputy_id.
func (s *Server) applicationDeputy(r *http.Request, u auth.User, deputyID string) (store.DeputyRow, error) {
	id := u.DeputyID
	if u.Role == auth.Staff {
		n, err := strconv.ParseInt(deputyID, 10, 64)
		if err != nil {
			return store.DeputyRow{}, httpError{http.StatusUnprocessableEntity, "请从代表页面进入“代填申请书”。"}
		}
		id = n
	}
	d, err := s.st.Deputy(r.Context(), id)
	if err != nil {
		return d, err
	}
	if d.Status != "active" {
		return d, httpError{http.StatusConflict, "该代表已离任，不能提交申请书。"}
	}
	return d, nil
}

// applicationNew renders the application form (staff: ?deputy=ID).
func (s *Server) applicationNew(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	d, err := s.applicationDeputy(r, u, r.URL.Query().Get("deputy"))
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := pairings.ApplicationFormProps{Deputy: d, Capacity: "2"}
	// Start from the deputy's open application, which the new one replaces.
	if apps, err := s.st.Applications(r.Context(), d.ID); err == nil {
		for _, a := range apps {
			if a.Status == "open" {
				p.Capacity, p.Offers, p.Preferred, p.Note = strconv.Itoa(a.Capacity), a.Offers, a.PreferredTownships, a.Note
				break
			}
		}
	}
	s.renderApplicationForm(w, r, http.StatusOK, p)
}

func (s *Server) renderApplicationForm(w http.ResponseWriter, r *http.Request, status int, p pairings.ApplicationFormProps) {
	_, towns, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Townships = towns
	p.Layout = s.layoutProps(r, "“一对一”帮扶申请书", "/applications")
	s.render(w, r, status, pairings.ApplicationForm(p))
}

// applicationCreate files the application (replacing an open one).
func (s *Server) applicationCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	f := r.PostForm
	d, err := s.applicationDeputy(r, u, f.Get("deputy_id"))
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	isTownship := func(c string) bool {
		return len(c) == 9 && strings.HasPrefix(c, s.county) && s.inCounty(r.Context())(c)
	}
	a, errs := pairing.ParseApplication(d.ID, f["preferred_townships"], f.Get("capacity"), f["offers"], f.Get("note"), isTownship)
	if len(errs) > 0 {
		s.renderApplicationForm(w, r, http.StatusUnprocessableEntity, pairings.ApplicationFormProps{Deputy: d, Preferred: f["preferred_townships"],
			Capacity: f.Get("capacity"), Offers: f["offers"], Note: f.Get("note"), Errors: errs})
		return
	}
	if _, err := s.st.FileApplication(r.Context(), a, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	back := "/applications"
	if u.Role == auth.Staff {
		back = "/deputies/" + components.ID(d.ID)
	}
	s.redirect(w, r, back, "申请书已提交，市人大办公室将按申请和就近原则安排结对。")
}

// neighbours returns the adjacency relation entered on the settings page.
func (s *Server) neighbours(r *http.Request) (func(a, b string) bool, error) {
	pairs, err := s.st.Adjacency(r.Context())
	if err != nil {
		return nil, err
	}
	adj := map[[2]string]bool{}
	for _, p := range pairs {
		adj[p] = true
	}
	return func(a, b string) bool { return adj[[2]string{a, b}] || adj[[2]string{b, a}] }, nil
}

var classNames = map[int]string{matcher.ClassSameVillage: "同村", matcher.ClassSameTownship: "同乡镇", matcher.ClassNeighbour: "相邻乡镇", matcher.ClassElsewhere: "其他乡镇"}

// pairingSuggest proposes a deputy for every unpaired household of a
// division by minimum total cost (internal/matcher) and shows why.
func (s *Server) pairingSuggest(w http.ResponseWriter, r *http.Request) {
	division := r.URL.Query().Get("division")
	if division == "" {
		division = s.county
	}
	if !strings.HasPrefix(division, s.county) {
		s.serveError(w, r, errNotFound)
		return
	}
	hs, ds, err := s.st.MatchInput(r.Context(), division)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	adj, err := s.neighbours(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	mh := make([]matcher.Household, len(hs))
	byHousehold := map[int64]store.MatchHousehold{}
	for i, h := range hs {
		mh[i] = matcher.Household{ID: h.ID, Village: h.Village, Township: h.Township, Causes: h.Causes}
		byHousehold[h.ID] = h
	}
	md := make([]matcher.Deputy, len(ds))
	for i, d := range ds {
		md[i] = matcher.Deputy{ID: d.ID, Village: d.Village, Township: d.Township, Preferred: d.Preferred, Offers: d.Offers, Capacity: d.Capacity, Load: d.Load}
	}
	res := matcher.Assign(mh, md, adj)
	names, err := s.st.SuggestionNames(r.Context(), res.Proposals)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	rows := make([]pairings.SuggestionRow, len(res.Proposals))
	for i, p := range res.Proposals {
		n := names[i]
		rows[i] = pairings.SuggestionRow{HouseholdID: p.HouseholdID, HouseholdName: n.HeadName, VillageName: n.VillageName,
			Causes: strings.Join(byHousehold[p.HouseholdID].Causes, "、"), DeputyID: p.DeputyID, DeputyName: n.DeputyName,
			DeputyHome: n.DeputyTownship, Class: classNames[p.Class], Total: p.Total, Reason: p.Reason}
	}
	_, towns, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	sel := division
	if sel == s.county {
		sel = ""
	}
	s.render(w, r, http.StatusOK, pairings.Suggest(pairings.SuggestProps{
		Layout: s.layoutProps(r, "结对建议", "/pairing/suggest"), Division: sel, Divisions: towns, Rows: rows,
		Unassigned: len(res.Unassigned), Households: len(hs), Deputies: len(ds), TotalCost: res.TotalCost,
	}))
}

// pairingPropose records the proposals staff picked as `proposed` pairings
// for the township chairs to confirm.
func (s *Server) pairingPropose(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	var ps []store.Proposal
	for _, v := range r.PostForm["pick"] {
		hs, ds, ok := strings.Cut(v, ":")
		h, err1 := strconv.ParseInt(hs, 10, 64)
		d, err2 := strconv.ParseInt(ds, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		reason := r.PostForm.Get("reason_" + hs)
		if len([]rune(reason)) > 200 {
			reason = string([]rune(reason)[:200])
		}
		ps = append(ps, store.Proposal{HouseholdID: h, DeputyID: d, Reason: reason})
	}
	back := "/pairing/suggest"
	division := s.county
	if d := r.PostForm.Get("division"); d != "" {
		if !strings.HasPrefix(d, s.county) {
			s.serveError(w, r, errNotFound)
			return
		}
		division = d
		back += "?division=" + url.QueryEscape(d)
	}
	if len(ps) == 0 {
		s.redirect(w, r, back, "没有选择任何建议。")
		return
	}
	n, skipped, err := s.st.ProposePairings(r.Context(), division, ps, s.today(), u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg := fmt.Sprintf("已采纳 %d 条建议，等待乡镇人大主席确认。", n)
	if len(skipped) > 0 {
		msg += fmt.Sprintf("另有 %d 条未采纳（该户已有结对、已脱贫或不在所选范围，或代表已满）。", len(skipped))
	}
	s.redirect(w, r, back, msg)
}

// pairingQueue lists proposals: a chair its township's (to confirm or turn
// down), staff all of them.
func (s *Server) pairingQueue(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	rows, err := s.st.ProposedPairings(r.Context(), u.Scope().TownshipCode)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pairings.Queue(pairings.QueueProps{Layout: s.layoutProps(r, "待确认结对", "/pairing/confirm"),
		Rows: rows, CanConfirm: u.Role == auth.TownshipChair}))
}

// pairingConfirm makes a proposal of the chair's township active.
func (s *Server) pairingConfirm(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	err = s.st.ConfirmPairing(r.Context(), u.TownshipCode, id, s.today(), u.ID)
	switch {
	case errors.Is(err, store.ErrAlreadyPaired):
		s.serveError(w, r, httpError{http.StatusConflict, "该户已有帮扶代表（可能刚被确认），这条建议不能再确认。"})
		return
	case errors.Is(err, store.ErrDeputyLeft):
		s.serveError(w, r, httpError{http.StatusConflict, "建议的代表已离任，不能确认。请点“不同意”，由市人大办公室重新安排。"})
		return
	case errors.Is(err, store.ErrConflict):
		s.redirect(w, r, "/pairing/confirm", "这条结对已处理过。")
		return
	case err != nil:
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/pairing/confirm", "已确认结对。")
}

// pairingReject turns a proposal of the chair's township down.
func (s *Server) pairingReject(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	err = s.st.RejectProposal(r.Context(), u.TownshipCode, id, s.today(), u.ID)
	if errors.Is(err, store.ErrConflict) {
		s.redirect(w, r, "/pairing/confirm", "这条结对已处理过。")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/pairing/confirm", "已退回这条建议，该户可重新安排。")
}

// pairingReassignList lists households whose deputy left office.
func (s *Server) pairingReassignList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	rows, err := s.st.NeedsNewDeputy(r.Context(), u.Scope().TownshipCode)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pairings.Reassign(pairings.ReassignProps{Layout: s.layoutProps(r, "待调整帮扶人", "/pairing/reassign"), Rows: rows}))
}

// pairingTransfer hands the household of an active pairing to another deputy.
func (s *Server) pairingTransfer(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p, err := s.st.Pairing(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	deputyID, err := strconv.ParseInt(r.PostForm.Get("deputy_id"), 10, 64)
	if err != nil {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请选择一名代表。"})
		return
	}
	_, err = s.st.TransferPairing(r.Context(), id, deputyID, s.today(), u.ID)
	switch {
	case errors.Is(err, store.ErrConflict):
		s.serveError(w, r, httpError{http.StatusConflict, "这条结对已结束，或所选代表就是当前帮扶代表。"})
		return
	case errors.Is(err, store.ErrNotFound):
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "所选代表不存在或已离任。"})
		return
	case err != nil:
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), "已调整帮扶人，原结对记录保留。")
}

// settingsShow renders the pairing settings (adjacency, poverty lines).
func (s *Server) settingsShow(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, pairings.LineInput{Standard: "national", Year: strconv.Itoa(s.today().Year())}, nil)
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, in pairings.LineInput, errs validation.Errors) {
	_, towns, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pairs, err := s.st.Adjacency(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	adj := map[[2]string]bool{}
	for _, p := range pairs {
		adj[p] = true
	}
	lines, err := s.st.PovertyLines(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	amber, red, err := s.st.FollowUpThresholds(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pct, err := s.st.SpotCheckPercent(r.Context(), ledger.SpotCheckPercent)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	age, err := s.st.PasswordMaxAgeDays(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, pairings.Settings(pairings.SettingsProps{Layout: s.layoutProps(r, "设置", "/settings"), PasswordAge: age,
		Townships: towns, Adjacent: adj, Lines: lines, LineForm: in, Errors: errs, Amber: amber, Red: red, SpotCheck: pct}))
}

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

// refuseUnits answers 403 with the reason to a unit's (帮扶单位) account:
// units are paired by the office directly and file no application.
func (s *Server) refuseUnits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _ := userFrom(r); u.Unit {
			s.serveError(w, r, httpError{http.StatusForbidden, "帮扶单位由市人大办公室直接安排结对，无需填写申请书。"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
