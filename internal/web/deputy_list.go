package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/deputies"
)

// deputyList renders one page of the deputy registry with its filters.
func (s *Server) deputyList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	f := store.DeputyFilter{Township: q.Get("township"), Level: q.Get("level"), Category: q.Get("category"),
		Status: q.Get("status"), Query: q.Get("q"), Sort: q.Get("sort"), Page: pageParam(r)}
	rows, total, err := s.st.Deputies(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, f.Page, total) {
		return
	}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, deputies.List(deputies.ListProps{
		Layout: s.layoutProps(r, "人大代表", "/deputies"), Rows: rows, Filter: f, Townships: towns,
		Levels: components.Options(deputy.Levels), Pager: pager(r, f.Page, total),
		CanCreate: u.Role == auth.Staff, Phone: phoneFor(u), CanExportFull: u.SeesPersonalData(),
	}))
}
