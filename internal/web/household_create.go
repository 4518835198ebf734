package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/households"
)

// householdNew renders the empty household form.
func (s *Server) householdNew(w http.ResponseWriter, r *http.Request) {
	in := household.Input{Standard: "national", IdentificationYear: strconv.Itoa(s.today().Year()),
		Head: household.MemberInput{Health: "健康", Labour: "普通劳动力", Ethnicity: "汉族"}}
	s.renderHouseholdForm(w, r, http.StatusOK, households.FormProps{Input: in, Action: "/households", Cancel: "/households"}, "登记贫困户")
}

// householdCreate validates the form (GB 11643 ID numbers that agree with
// sex and birth date, causes, income in exact yuan, village of the county,
// member rows) and registers the household with its head and members. Errors
// come back beside the fields (422) with everything typed kept, including
// "ID number already registered in <village> <head>". op=add_member
// re-renders the form with one more empty member row.
func (s *Server) householdCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	in, op := householdInput(r.PostForm)
	props := households.FormProps{Input: in, Action: "/households", Cancel: "/households"}
	if op == "add_member" {
		props.Input.Members = append(props.Input.Members, newMemberRow())
		s.renderHouseholdForm(w, r, http.StatusOK, props, "登记贫困户")
		return
	}
	h, errs := household.Parse(in, s.inCounty(r.Context()), s.today())
	if len(errs) > 0 {
		props.Errors = errs
		s.renderHouseholdForm(w, r, http.StatusUnprocessableEntity, props, "登记贫困户")
		return
	}
	id, err := s.st.CreateHousehold(r.Context(), h, u.ID)
	var dup *store.ErrDuplicateID
	if errors.As(err, &dup) {
		props.Errors = s.duplicateIDError(r, u, in, dup)
		s.renderHouseholdForm(w, r, http.StatusUnprocessableEntity, props, "登记贫困户")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+strconv.FormatInt(id, 10), "已登记贫困户 "+h.HeadName+"（"+strconv.Itoa(1+len(h.Members))+"人）。")
}
