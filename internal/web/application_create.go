package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/pairings"
)

// applicationDeputy is the deputy an application is for: a deputy files its
// own; staff file on behalf of the deputy named by deputy_id.
func (s *Server) applicationDeputy(r *http.Request, u auth.User, deputyID string) (store.DeputyRow, error) {
	id := u.DeputyID
	if u.Role == auth.Staff {
		n, err := strconv.ParseInt(deputyID, 10, 64)
		if err != nil {
			return store.DeputyRow{}, httpError{http.StatusUnprocessableEntity, "请从代表页面进入“代填申请书”。"}
		}
		id = n
	}
	d, err := s.st.Deputy(r.Context(), id)
	if err != nil {
		return d, err
	}
	if d.Status != "active" {
		return d, httpError{http.StatusConflict, "该代表已离任，不能提交申请书。"}
	}
	return d, nil
}

// applicationNew renders the application form (staff: ?deputy=ID).
func (s *Server) applicationNew(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	d, err := s.applicationDeputy(r, u, r.URL.Query().Get("deputy"))
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := pairings.ApplicationFormProps{Deputy: d, Capacity: "2"}
	// Start from the deputy's open application, which the new one replaces.
	if apps, _, err := s.st.Applications(r.Context(), store.ApplicationFilter{DeputyID: d.ID}); err == nil {
		for _, a := range apps {
			if a.Status == "open" {
				p.Capacity, p.Offers, p.Preferred, p.Note = strconv.Itoa(a.Capacity), a.Offers, a.PreferredTownships, a.Note
				break
			}
		}
	}
	s.renderApplicationForm(w, r, http.StatusOK, p)
}

func (s *Server) renderApplicationForm(w http.ResponseWriter, r *http.Request, status int, p pairings.ApplicationFormProps) {
	_, towns, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Townships = towns
	p.Layout = s.layoutProps(r, "“一对一”帮扶申请书", "/applications")
	s.render(w, r, status, pairings.ApplicationForm(p))
}

// applicationCreate files the application (replacing an open one).
func (s *Server) applicationCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	f := r.PostForm
	d, err := s.applicationDeputy(r, u, f.Get("deputy_id"))
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	isTownship := func(c string) bool {
		return len(c) == 9 && strings.HasPrefix(c, s.county) && s.inCounty(r.Context())(c)
	}
	a, errs := pairing.ParseApplication(d.ID, f["preferred_townships"], f.Get("capacity"), f["offers"], f.Get("note"), isTownship)
	if len(errs) > 0 {
		s.renderApplicationForm(w, r, http.StatusUnprocessableEntity, pairings.ApplicationFormProps{Deputy: d, Preferred: f["preferred_townships"],
			Capacity: f.Get("capacity"), Offers: f["offers"], Note: f.Get("note"), Errors: errs})
		return
	}
	if _, err := s.st.FileApplication(r.Context(), a, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	back := "/applications"
	if u.Role == auth.Staff {
		back = "/deputies/" + components.ID(d.ID)
	}
	s.redirect(w, r, back, "申请书已提交，市人大办公室将按申请和就近原则安排结对。")
}
