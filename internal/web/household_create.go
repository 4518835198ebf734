package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/households"
)

// householdNew renders the empty household form.
func (s *Server) householdNew(w http.ResponseWriter, r *http.Request) {
	in := household.Input{Standard: "national", IdentificationYear: strconv.Itoa(s.today().Year())}
	s.renderHouseholdForm(w, r, http.StatusOK, in, nil)
}

// householdCreate validates the form (GB 11643 ID number, causes, income in
// exact yuan, village of the county) and registers the household with its
// head as first member; errors come back beside the fields (422) with what
// was typed kept, including "ID number already registered" naming the holder.
func (s *Server) householdCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	if err := r.ParseForm(); err != nil {
		s.serveError(w, r, httpError{http.StatusBadRequest, "表单无法读取。"})
		return
	}
	f := r.PostForm
	in := household.Input{
		VillageCode: f.Get("village_code"), GroupName: f.Get("group_name"), HeadName: f.Get("head_name"),
		HeadSex: f.Get("head_sex"), IDNumber: f.Get("id_number"), Phone: f.Get("phone"), Attribute: f.Get("attribute"),
		Standard: f.Get("standard"), MainCause: f.Get("main_cause"), OtherCauses: f["other_causes"],
		IdentificationYear: f.Get("identification_year"), PerCapitaIncome: f.Get("per_capita_income"),
		PlannedExitYear: f.Get("planned_exit_year"),
	}
	h, errs := household.Parse(in, s.inCounty(r.Context()), s.today())
	if len(errs) > 0 {
		s.renderHouseholdForm(w, r, http.StatusUnprocessableEntity, in, errs)
		return
	}
	id, err := s.st.CreateHousehold(r.Context(), h, u.ID)
	var dup *store.ErrDuplicateID
	if errors.As(err, &dup) {
		s.renderHouseholdForm(w, r, http.StatusUnprocessableEntity, in, validation.Errors{"id_number": "该身份证号已登记在 " + dup.Holder + " 户"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+strconv.FormatInt(id, 10), "已登记贫困户 "+h.HeadName+"。")
}

func (s *Server) renderHouseholdForm(w http.ResponseWriter, r *http.Request, status int, in household.Input, errs validation.Errors) {
	villages, err := s.villageOptions(r.Context(), "")
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, households.Form(households.FormProps{
		Layout: s.layoutProps(r, "登记贫困户", "/households"), Input: in, Errors: errs, Villages: villages,
	}))
}
