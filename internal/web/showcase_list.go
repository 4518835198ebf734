package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	showcasepages "github.com/bangfu/bangfu/web/pages/showcase"
)

// caseScope is the township a viewer may mark model cases in: "" for
// staff (any), a chair's own; only staff and chairs reach these routes.
func caseScope(u auth.User) string {
	if u.Role == auth.TownshipChair {
		return u.TownshipCode
	}
	return ""
}

// canMarkCases: staff and township chairs mark model cases (a chair in its
// own township only, checked by the store).
func canMarkCases(u auth.User) bool { return u.Role == auth.Staff || u.Role == auth.TownshipChair }

// showcaseList renders the showcase (典型展示 / 代表风采) to every signed-in
// user: model cases by township and theme, the latest first, a page at a
// time. No household name, ID or phone is shown.
func (s *Server) showcaseList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	f := store.CaseFilter{Township: q.Get("township"), Theme: q.Get("theme")}
	if f.Theme != "" && !showcase.Themes.Has(f.Theme) {
		f.Theme = ""
	}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	page := pageParam(r)
	rows, total, err := s.st.ShowcaseCases(r.Context(), f, page)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, page, total) {
		return
	}
	s.render(w, r, http.StatusOK, showcasepages.List(showcasepages.ListProps{
		Layout: s.layoutProps(r, "典型展示", "/showcase"), Rows: rows, Filter: f, Townships: towns,
		Pager: pager(r, page, total), CanEdit: func(c store.ShowcaseCase) bool {
			return canMarkCases(u) && (u.Role == auth.Staff || c.TownshipCode == u.TownshipCode)
		},
	}))
}

// modelCasePhoto sends a model case's photo to any signed-in user (it is
// on the showcase).
func (s *Server) modelCasePhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	data, err := s.st.ModelCasePhoto(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=600")
	_, _ = w.Write(data)
}
