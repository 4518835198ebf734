package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/web/pages/pairings"
)

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
