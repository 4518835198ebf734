package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/households"
)

// pairingFromPath loads the pairing {id} if the user may work on it: staff
// any pairing, a deputy only its own active pairing (404 otherwise).
func (s *Server) pairingFromPath(r *http.Request) (auth.User, store.PairingRow, error) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		return u, store.PairingRow{}, err
	}
	p, err := s.st.Pairing(r.Context(), u.Scope(), id)
	if err != nil {
		return u, p, err
	}
	if u.Role == auth.Deputy && (p.DeputyID != u.DeputyID || p.Status != "active") {
		return u, p, errNotFound
	}
	return u, p, nil
}

// rerenderHousehold shows the household page again with a form error (422).
func (s *Server) rerenderHousehold(w http.ResponseWriter, r *http.Request, u auth.User, householdID int64, set func(*households.ShowProps)) {
	page, err := s.householdPageFor(r, u, householdID, false)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	set(&page)
	s.render(w, r, http.StatusUnprocessableEntity, households.Show(page))
}

// measureCreate adds a support measure (帮扶措施) to the pairing.
func (s *Server) measureCreate(w http.ResponseWriter, r *http.Request) {
	u, p, err := s.pairingFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := households.MeasureInput{SupportType: r.PostFormValue("support_type"), Content: strings.TrimSpace(r.PostFormValue("content")),
		Scale: strings.TrimSpace(r.PostFormValue("scale")), Funds: r.PostFormValue("funds"), Deadline: r.PostFormValue("deadline")}
	m := store.MeasureRow{SupportType: in.SupportType, Content: in.Content, Scale: in.Scale}
	var msg string
	funds, ferr := money.ParseYuan(in.Funds)
	switch {
	case !pairing.SupportTypes.Has(in.SupportType):
		msg = "请选择措施类型。"
	case in.Content == "" || utf8.RuneCountInString(in.Content) > 500:
		msg = "请填写项目内容（最多500字）。"
	case ferr != nil:
		msg = "扶持资金：" + ferr.Error()
	}
	m.Funds = funds
	if in.Deadline != "" && msg == "" {
		d, err := time.Parse(time.DateOnly, in.Deadline)
		if err != nil {
			msg = "完成时限格式应为 2026-12-31。"
		} else {
			m.Deadline = &d
		}
	}
	if msg != "" {
		s.rerenderHousehold(w, r, u, p.HouseholdID, func(sp *households.ShowProps) {
			sp.MeasureForm = in
			sp.FormErrors = map[string]string{"measure": msg}
		})
		return
	}
	if err := s.st.AddMeasure(r.Context(), p.ID, m, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), "已添加帮扶措施。")
}

// goalSave sets the pairing's goal: target per-capita income (yuan/year),
// target exit year and the 一超两不愁三保障 checklist (who ticked what and
// when is kept by the store).
func (s *Server) goalSave(w http.ResponseWriter, r *http.Request) {
	u, p, err := s.pairingFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := households.GoalInput{TargetIncome: r.PostForm.Get("target_income"), TargetExitYear: r.PostForm.Get("target_exit_year"), Checks: r.PostForm["checks"]}
	var msg string
	income, ierr := money.ParseYuan(in.TargetIncome)
	year, yerr := strconv.Atoi(strings.TrimSpace(in.TargetExitYear))
	switch {
	case strings.TrimSpace(in.TargetIncome) == "":
		msg = "请填写目标人均纯收入。"
	case ierr != nil:
		msg = "目标人均纯收入：" + ierr.Error()
	case yerr != nil || year < p.StartDate.Year() || year > s.today().Year()+5:
		msg = fmt.Sprintf("计划脱贫年度应在%d年至%d年之间。", p.StartDate.Year(), s.today().Year()+5)
	}
	var ticked []string
	for _, c := range in.Checks {
		if pairing.GoalItems.Has(c) && !slices.Contains(ticked, c) {
			ticked = append(ticked, c)
		}
	}
	if msg == "" {
		msg, err = s.checkGoalAgainstLine(r, u, p, income, year, slices.Contains(ticked, "income_above_line"))
		if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if msg != "" {
		s.rerenderHousehold(w, r, u, p.HouseholdID, func(sp *households.ShowProps) {
			sp.GoalForm = in
			sp.FormErrors = map[string]string{"goal": msg}
		})
		return
	}
	if ticked == nil {
		ticked = []string{}
	}
	if err := s.st.SetGoal(r.Context(), p.ID, income, year, ticked, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), "已保存帮扶目标。")
}

// measureUpdate records a measure's progress and outcome, and whether the
// household confirmed the outcome.
func (s *Server) measureUpdate(w http.ResponseWriter, r *http.Request) {
	u, p, err := s.pairingFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	mid, err := strconv.ParseInt(chi.URLParam(r, "mid"), 10, 64)
	if err != nil {
		s.serveError(w, r, errNotFound)
		return
	}
	status := r.PostForm.Get("status")
	outcome := strings.TrimSpace(r.PostForm.Get("outcome"))
	confirmed := r.PostForm.Get("confirmed") != ""
	var msg string
	switch {
	case !pairing.MeasureStatuses.Has(status):
		msg = "请选择措施进度。"
	case utf8.RuneCountInString(outcome) > 500:
		msg = "帮扶成效最多500字。"
	case confirmed && outcome == "":
		msg = "请先填写帮扶成效，再勾选户主已确认。"
	}
	if msg != "" {
		s.rerenderHousehold(w, r, u, p.HouseholdID, func(sp *households.ShowProps) {
			sp.FormErrors = map[string]string{"measure-" + strconv.FormatInt(mid, 10): msg}
		})
		return
	}
	if err := s.st.UpdateMeasure(r.Context(), p.ID, mid, status, outcome, confirmed, s.today(), u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), "已更新帮扶措施。")
}

// checkGoalAgainstLine holds a goal to the poverty-line table (DESIGN.md §2:
// a per-year, per-standard table staff edit): the target income must exceed
// the line of the target exit year, and "income above the line" may be
// ticked only when the household's per-capita income exceeds this year's
// line. It returns a Chinese message, or "" when the goal passes or the table
// has no line for the year.
func (s *Server) checkGoalAgainstLine(r *http.Request, u auth.User, p store.PairingRow, target decimal.Decimal, year int, incomeTicked bool) (string, error) {
	h, err := s.st.Household(r.Context(), u.Scope(), p.HouseholdID)
	if err != nil {
		return "", err
	}
	line, err := s.st.PovertyLineFor(r.Context(), year, h.Standard)
	switch {
	case err == nil && !target.GreaterThan(line):
		return fmt.Sprintf("目标人均纯收入应高于%d年扶贫标准（%s）。", year, components.Yuan(line)), nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	if !incomeTicked {
		return "", nil
	}
	now := s.today().Year()
	line, err = s.st.PovertyLineFor(r.Context(), now, h.Standard)
	switch {
	case err == nil && !h.PerCapitaIncome.GreaterThan(line):
		return fmt.Sprintf("该户人均纯收入（%s）未超过%d年扶贫标准（%s），不能勾选“收入稳定超过当年扶贫标准”。",
			components.Yuan(h.PerCapitaIncome), now, components.Yuan(line)), nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	return "", nil
}
