package web

import (
	"net/http"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/pairings"
)

// applicationList shows the applications, a page at a time (?q= a deputy's
// name fragment, ?page=): all of them to staff, its own to a deputy.
func (s *Server) applicationList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	f := store.ApplicationFilter{DeputyID: u.DeputyID, Query: strings.TrimSpace(r.URL.Query().Get("q")), Page: pageParam(r)}
	rows, total, err := s.st.Applications(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, f.Page, total) {
		return
	}
	name, _, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := pairings.ApplicationsProps{Layout: s.layoutProps(r, "申请书", "/applications"), Rows: rows, TownshipName: name,
		CanFile: u.Role == auth.Deputy, NewHref: "/applications/new",
		Query: f.Query, Total: total, Pager: pager(r, f.Page, total), CanSearch: u.Role != auth.Deputy}
	s.render(w, r, http.StatusOK, pairings.Applications(p))
}
