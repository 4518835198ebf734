package web

import (
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
// target exit date and the 一达标两不愁三保障 checklist.
func (s *Server) goalSave(w http.ResponseWriter, r *http.Request) {
	u, p, err := s.pairingFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.serveError(w, r, httpError{http.StatusBadRequest, "表单无法读取。"})
		return
	}
	in := households.GoalInput{TargetIncome: r.PostForm.Get("target_income"), TargetExitDate: r.PostForm.Get("target_exit_date"), Checks: r.PostForm["checks"]}
	var msg string
	income, ierr := money.ParseYuan(in.TargetIncome)
	exit, derr := time.Parse(time.DateOnly, in.TargetExitDate)
	switch {
	case strings.TrimSpace(in.TargetIncome) == "":
		msg = "请填写目标人均纯收入。"
	case ierr != nil:
		msg = "目标人均纯收入：" + ierr.Error()
	case derr != nil:
		msg = "请填写计划脱贫日期，如 2026-12-31。"
	}
	if msg != "" {
		s.rerenderHousehold(w, r, u, p.HouseholdID, func(sp *households.ShowProps) {
			sp.GoalForm = in
			sp.FormErrors = map[string]string{"goal": msg}
		})
		return
	}
	has := func(k string) bool { return slices.Contains(in.Checks, k) }
	g := store.GoalRow{TargetIncome: income, TargetExitDate: exit,
		IncomeAboveLine: has("income_above_line"), FoodClothing: has("food_clothing"),
		CompulsoryEducation: has("compulsory_education"), BasicMedical: has("basic_medical"),
		SafeHousing: has("safe_housing"), SafeWater: has("safe_water")}
	if err := s.st.SetGoal(r.Context(), p.ID, g, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), "已保存帮扶目标。")
}
