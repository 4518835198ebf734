package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/go-chi/chi/v5"
)

// exitRoles says who takes each step of the exit procedure.
var exitRoles = map[string][]auth.Role{
	"appraised": {auth.TownshipChair},
	"notice":    {auth.TownshipChair},
	"reviewed":  {auth.TownshipChair},
	"approved":  {auth.Leader},
}

// householdExitPropose opens the 脱贫退出 case: the household's deputy or its
// township's chair, once the pairing's goal has every item of the
// 一超两不愁三保障 checklist ticked.
func (s *Server) householdExitPropose(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	h, err := s.st.Household(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if h.PairingID == 0 {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "该户没有帮扶中的结对，不能提出退出。"})
		return
	}
	goal, err := s.st.Goal(r.Context(), h.PairingID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serveError(w, r, err)
		return
	}
	var missing []string
	for _, it := range pairing.GoalItems {
		if _, ok := goal.Checks[it.Value]; !ok {
			missing = append(missing, it.Label)
		}
	}
	if len(missing) > 0 {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "一超两不愁三保障尚未全部达到，不能提出退出：" + strings.Join(missing, "、") + "。"})
		return
	}
	year, err := strconv.Atoi(r.PostForm.Get("exit_year"))
	if err != nil || year < s.today().Year()-1 || year > s.today().Year()+1 {
		year = s.today().Year()
	}
	err = s.st.ProposeExit(r.Context(), u.Scope(), id, year, u.ID)
	if errors.Is(err, store.ErrConflict) {
		s.serveError(w, r, httpError{http.StatusConflict, "该户已脱贫，或已有进行中的退出程序。"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(id), "已提出脱贫退出，等待村民主评议。")
}

// householdExitStep records one step of the exit procedure (appraised,
// notice, reviewed by the chair; approved by a leader). Review and sign-off
// wait until the public notice has run household.NoticeDays days.
func (s *Server) householdExitStep(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	step := chi.URLParam(r, "step")
	roles, ok := exitRoles[step]
	if !ok {
		s.serveError(w, r, errNotFound)
		return
	}
	if !slices.Contains(roles, u.Role) {
		s.serveError(w, r, errForbidden)
		return
	}
	date := s.today()
	if step == "appraised" || step == "notice" {
		d, err := time.Parse(time.DateOnly, r.PostForm.Get("date"))
		if err != nil || d.After(s.today()) || d.Year() < 2014 {
			s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请填写日期（不能晚于今天）。"})
			return
		}
		date = d
	}
	if _, err := s.st.Household(r.Context(), u.Scope(), id); err != nil {
		s.serveError(w, r, err)
		return
	}
	err = s.st.ExitStep(r.Context(), u.Scope(), id, step, date, s.today(), u.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.serveError(w, r, httpError{http.StatusConflict, "该户没有进行中的退出程序。"})
		return
	case errors.Is(err, store.ErrNoticeRunning):
		s.serveError(w, r, httpError{http.StatusConflict, "公示期未满" + strconv.Itoa(household.NoticeDays) + "天，暂不能审核或批准。"})
		return
	case errors.Is(err, store.ErrConflict):
		s.serveError(w, r, httpError{http.StatusConflict, "退出程序须按顺序进行（提出 → 民主评议 → 公示 → 乡镇审核 → 县级批准），公示日期不能早于评议日期。"})
		return
	case err != nil:
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(id), "已记录："+household.ExitSteps.Label(step)+"。")
}

// householdExitReturn sends an open exit case back with a reason.
func (s *Server) householdExitReturn(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if _, err := s.st.Household(r.Context(), u.Scope(), id); err != nil {
		s.serveError(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if reason == "" || len([]rune(reason)) > 200 {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "退回须写明原因（200字以内）。"})
		return
	}
	if err := s.st.ReturnExit(r.Context(), u.Scope(), id, reason, u.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = httpError{http.StatusConflict, "该户没有进行中的退出程序。"}
		}
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(id), "已退回退出申请。")
}
