package web

import (
	"errors"
	"net/http"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/units"
)

// unitNew renders the empty unit form.
func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) {
	s.renderUnitForm(w, r, http.StatusOK, units.FormProps{Action: "/units", Cancel: "/units"}, "登记帮扶单位")
}

// unitInput reads the unit form.
func unitInput(r *http.Request) deputy.UnitInput {
	f := r.PostForm
	return deputy.UnitInput{Name: f.Get("name"), ContactPerson: f.Get("contact_person"), Phone: f.Get("phone"),
		Post: f.Get("post"), HomeTownshipCode: f.Get("home_township_code"), HomeVillageCode: f.Get("home_village_code")}
}

// unitCreate validates the form and registers the unit; on error the form
// comes back (422) with what was typed and a message beside each field.
func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	in := unitInput(r)
	d, errs := deputy.ParseUnit(in, s.inCounty(r.Context()))
	if len(errs) > 0 {
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, units.FormProps{Input: in, Errors: errs,
			Action: "/units", Cancel: "/units"}, "登记帮扶单位")
		return
	}
	id, err := s.st.CreateUnit(r.Context(), d, u.ID)
	if errors.Is(err, store.ErrDuplicateUnit) {
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, units.FormProps{Input: in, Errors: validation.Errors{"name": unitNameTaken},
			Action: "/units", Cancel: "/units"}, "登记帮扶单位")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/units/"+components.ID(id), "已登记帮扶单位 "+d.Name+"。")
}

// renderUnitForm renders the unit form (register or edit) with title.
func (s *Server) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, p units.FormProps, title string) {
	var err error
	if p.Townships, p.Villages, err = s.homeOptions(r.Context()); err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Layout = s.layoutProps(r, title, "/deputies")
	s.render(w, r, status, units.Form(p))
}

// unitNameTaken is the message beside the name of a unit whose name another
// unit in use has.
const unitNameTaken = "已有同名的帮扶单位在用，请核对（如为不同单位，请写全称）"
