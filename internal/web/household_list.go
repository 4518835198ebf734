package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/households"
)

// householdList renders one page of the households in the user's scope.
func (s *Server) householdList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	f := householdFilter(r, u)
	rows, total, err := s.st.Households(r.Context(), u.Scope(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	for i := range rows {
		maskHousehold(&rows[i])
	}
	var divs []components.Option
	if u.Role == auth.TownshipChair {
		divs, err = s.villageOptions(r.Context(), u.TownshipCode)
	} else {
		var towns, villages []components.Option
		towns, err = s.townshipOptions(r.Context())
		if err == nil {
			villages, err = s.villageOptions(r.Context(), "")
		}
		divs = append(towns, villages...)
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, households.List(households.ListProps{
		Layout: s.layoutProps(r, "贫困户", "/households"), Rows: rows, Filter: f, Divisions: divs,
		Pager: pager(r, f.Page, total), CanCreate: u.Role == auth.Staff,
	}))
}

// householdFilter reads the household list filters from the query string.
// Staff may search any tail of an ID number; others only the visible last
// four characters.
func householdFilter(r *http.Request, u auth.User) store.HouseholdFilter {
	q := r.URL.Query()
	return store.HouseholdFilter{Division: q.Get("division"), Status: q.Get("status"), Attribute: q.Get("attribute"),
		Cause: q.Get("cause"), Paired: q.Get("paired"), Query: q.Get("q"), Sort: q.Get("sort"), Page: pageParam(r),
		MaskedIDs: !u.SeesPersonalData()}
}
