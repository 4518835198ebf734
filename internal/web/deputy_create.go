package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/deputies"
)

// deputyNew renders the empty deputy form.
func (s *Server) deputyNew(w http.ResponseWriter, r *http.Request) {
	s.renderDeputyForm(w, r, http.StatusOK, deputies.FormProps{Input: deputy.Input{Term: "第十二届", Ethnicity: "汉族"},
		Action: "/deputies", Cancel: "/deputies"}, "登记人大代表")
}

// deputyCreate validates the form and registers the deputy; on error the
// form comes back (422) with what was typed and a message beside each field.
func (s *Server) deputyCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	in := deputyInput(r)
	d, errs := deputy.Parse(in, s.inCounty(r.Context()), s.today())
	if len(errs) > 0 {
		s.renderDeputyForm(w, r, http.StatusUnprocessableEntity, deputies.FormProps{Input: in, Errors: errs,
			Action: "/deputies", Cancel: "/deputies"}, "登记人大代表")
		return
	}
	id, err := s.st.CreateDeputy(r.Context(), d, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/deputies/"+components.ID(id), "已登记代表 "+d.Name+"。")
}

func (s *Server) renderDeputyForm(w http.ResponseWriter, r *http.Request, status int, p deputies.FormProps, title string) {
	var err error
	if p.Townships, p.Villages, err = s.homeOptions(r.Context()); err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Layout = s.layoutProps(r, title, "/deputies")
	p.Genders, p.Levels, p.Categories = components.Options(deputy.Genders), components.Options(deputy.Levels), components.Options(deputy.Categories)
	s.render(w, r, status, deputies.Form(p))
}
