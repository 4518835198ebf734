package web

import (
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/households"
)

// householdIncome records a year's net income by source (staff, the
// township's chair, or the household's deputy); the per-capita figure is
// computed from the member count and shown against that year's line.
func (s *Server) householdIncome(w http.ResponseWriter, r *http.Request) {
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
	if u.Role == auth.Deputy && h.DeputyID != u.DeputyID {
		s.serveError(w, r, errNotFound)
		return
	}
	f := r.PostForm
	form := households.IncomeInput{Year: f.Get("year"), Wages: f.Get("wages"), Production: f.Get("production"),
		Property: f.Get("property"), Transfers: f.Get("transfers"), Costs: f.Get("costs")}
	in, errs := household.ParseIncome(form.Year, form.Wages, form.Production, form.Property, form.Transfers, form.Costs,
		h.IdentificationYear, s.today().Year())
	if len(errs) > 0 {
		s.rerenderHousehold(w, r, u, id, func(sp *households.ShowProps) {
			sp.IncomeForm, sp.IncomeErrors = form, errs
		})
		return
	}
	per, err := s.st.RecordIncome(r.Context(), u.Scope(), id, in, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(id), strconv.Itoa(in.Year)+"年人均纯收入 "+components.Yuan(per)+"，已记录。")
}
