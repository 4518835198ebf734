package web

import (
	"github.com/bangfu/bangfu/internal/idcard"
	"net/http"
	"net/url"
	"strings"

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
	if pastLastPage(w, r, f.Page, total) {
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
		Pager: pager(r, f.Page, total), CanCreate: u.Role == auth.Staff, CanFindByID: u.Role == auth.Staff, CanExportFull: u.SeesPersonalData(), Years: yearsUpTo(s.today().Year() + 1),
	}))
}

// householdFilter reads the household list filters from the query string.
func householdFilter(r *http.Request, u auth.User) store.HouseholdFilter {
	f := householdFilterFrom(r.URL.Query(), u)
	f.Page = pageParam(r)
	return f
}

// householdFilterFrom reads the list filters from v (query string or the
// export form). Staff may search any tail of an ID number; others only the
// visible last four characters.
func householdFilterFrom(v url.Values, u auth.User) store.HouseholdFilter {
	return store.HouseholdFilter{Division: v.Get("division"), Status: v.Get("status"), Attribute: v.Get("attribute"),
		Cause: v.Get("cause"), Paired: v.Get("paired"), PlannedYear: v.Get("planned_year"), Query: v.Get("q"), Sort: v.Get("sort"),
		MaskedIDs: !u.SeesPersonalData()}
}

// householdFind looks a household up by the whole ID number of its head or
// of any member (staff;
// form field id_number) and opens its page. It is a POST so that the number
// never sits in a URL (browser history, proxy logs); the list's GET search
// takes only the last 4 characters. No match, or a malformed number, goes
// back to the list with a message.
func (s *Server) householdFind(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("id_number")))
	if _, err := idcard.Parse(q); err != nil {
		s.redirect(w, r, "/households", "请输入18位身份证号（校验位须正确）。")
		return
	}
	rows, _, err := s.st.Households(r.Context(), u.Scope(), store.HouseholdFilter{Query: q})
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	for _, h := range rows {
		s.redirect(w, r, "/households/"+components.ID(h.ID), "")
		return
	}
	s.redirect(w, r, "/households", "没有户主或成员身份证号为 "+idcard.Mask(q)+" 的贫困户。")
}
