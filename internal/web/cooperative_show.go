package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/projects"
)

// cooperativeShow renders a cooperative, its members and the payout form.
func (s *Server) cooperativeShow(w http.ResponseWriter, r *http.Request) {
	s.renderCooperative(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderCooperative(w http.ResponseWriter, r *http.Request, status int, typed map[string]string, errs validation.Errors) {
	u, _ := userFrom(r)
	c, err := s.loadCooperative(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := c.ID
	members, err := s.st.CooperativeMembers(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	payouts, err := s.st.Payouts(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, projects.Cooperative(projects.CooperativeProps{
		Layout: s.layoutProps(r, c.Name, "/support"), Coop: c, Members: members, Payouts: payouts, Typed: typed, Errors: errs,
		CanEdit: u.Role == auth.Staff || u.Role == auth.TownshipChair, Today: s.today()}))
}

// loadCooperative reads cooperative {id} within u's scope (ErrNotFound
// outside it).
func (s *Server) loadCooperative(r *http.Request, u auth.User) (store.CooperativeRow, error) {
	id, err := pathID(r)
	if err != nil {
		return store.CooperativeRow{}, err
	}
	return s.st.Cooperative(r.Context(), s.topDivision(u), id)
}
