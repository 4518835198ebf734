package web

import (
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/project"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/projects"
)

// cooperativeNew renders the new cooperative form.
func (s *Server) cooperativeNew(w http.ResponseWriter, r *http.Request) {
	s.renderCooperativeForm(w, r, http.StatusOK, map[string]string{"village": r.URL.Query().Get("village")}, nil)
}

func (s *Server) renderCooperativeForm(w http.ResponseWriter, r *http.Request, status int, typed map[string]string, errs validation.Errors) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, projects.CooperativeForm(projects.CooperativeFormProps{
		Layout: s.layoutProps(r, "新建合作组织", "/support"), Typed: typed, Errors: errs, Villages: villages}))
}

// cooperativeCreate stores a cooperative.
func (s *Server) cooperativeCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	typed := map[string]string{"village": f.Get("village"), "name": f.Get("name"), "product": f.Get("product"), "founded_on": f.Get("founded_on"), "note": f.Get("note")}
	c, errs := project.ParseCooperative(f.Get("village"), f.Get("name"), f.Get("product"), f.Get("founded_on"), f.Get("note"),
		func(c string) bool { return hasOption(villages, c) })
	if errs != nil {
		s.renderCooperativeForm(w, r, http.StatusUnprocessableEntity, typed, errs)
		return
	}
	id, err := s.st.CreateCooperative(r.Context(), c, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/cooperatives/"+strconv.FormatInt(id, 10), "已建立合作组织："+c.Name)
}
