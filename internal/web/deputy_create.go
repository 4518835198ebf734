package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/deputies"
)

// deputyNew renders the empty deputy form.
func (s *Server) deputyNew(w http.ResponseWriter, r *http.Request) {
	s.renderDeputyForm(w, r, http.StatusOK, deputy.Input{Term: "第十二届", Ethnicity: "汉族"}, nil)
}

// deputyCreate validates the form and registers the deputy; on error the
// form comes back (422) with what was typed and a message beside each field.
func (s *Server) deputyCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	if err := r.ParseForm(); err != nil {
		s.serveError(w, r, httpError{http.StatusBadRequest, "表单无法读取。"})
		return
	}
	f := r.PostForm
	in := deputy.Input{
		Name: f.Get("name"), Gender: f.Get("gender"), Ethnicity: f.Get("ethnicity"), BirthDate: f.Get("birth_date"),
		Levels: f["levels"], Category: f.Get("category"), Term: f.Get("term"), WorkUnit: f.Get("work_unit"),
		Post: f.Get("post"), Phone: f.Get("phone"), HomeTownshipCode: f.Get("home_township_code"),
		HomeVillageCode: f.Get("home_village_code"),
	}
	d, errs := deputy.Parse(in, s.inCounty(r.Context()), s.today())
	if len(errs) > 0 {
		s.renderDeputyForm(w, r, http.StatusUnprocessableEntity, in, errs)
		return
	}
	if _, err := s.st.CreateDeputy(r.Context(), d, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/deputies?q="+d.Name, "已登记代表 "+d.Name+"。")
}

func (s *Server) renderDeputyForm(w http.ResponseWriter, r *http.Request, status int, in deputy.Input, errs validation.Errors) {
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	villages, err := s.villageOptions(r.Context(), "")
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, deputies.Form(deputies.FormProps{
		Layout: s.layoutProps(r, "登记人大代表", "/deputies"), Input: in, Errors: errs, Townships: towns, Villages: villages,
		Genders: components.Options(deputy.Genders), Levels: components.Options(deputy.Levels),
		Categories: components.Options(deputy.Categories),
	}))
}
