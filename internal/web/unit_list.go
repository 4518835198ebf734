package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/units"
)

// Helpers that are units (帮扶单位): a unit is a row of deputies with kind
// "unit", so that pairing, measures, ledger, review and follow-up work for
// it as for a deputy; its account has role deputy (auth.User.Unit set), so
// every deputy route and the own-pairing scope apply to it unchanged. The
// unit_*.go handlers are its registry: list, register, edit, deactivate,
// open a login.

// unitList renders one page of the units.
func (s *Server) unitList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	f := store.DeputyFilter{Kind: deputy.KindUnit, Status: q.Get("status"), Query: q.Get("q"), Page: pageParam(r)}
	rows, total, err := s.st.Deputies(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, f.Page, total) {
		return
	}
	s.render(w, r, http.StatusOK, units.List(units.ListProps{
		Layout: s.layoutProps(r, "帮扶单位", "/deputies"), Rows: rows, Filter: f, Pager: pager(r, f.Page, total),
		CanCreate: u.Role == auth.Staff, Phone: phoneFor(u),
	}))
}
