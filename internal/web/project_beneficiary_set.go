package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
)

// projectBeneficiary adds (action=add) or removes (action=remove) a
// household of the project's village (household=ID).
func (s *Server) projectBeneficiary(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	row, err := s.st.Project(r.Context(), s.topDivision(u), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	hh, _ := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("household")), 10, 64)
	err = s.st.SetBeneficiary(r.Context(), id, hh, r.PostForm.Get("action") != "remove", u.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.renderProject(w, r, http.StatusUnprocessableEntity, row, inputOf(row), validation.Errors{"household": "请填写本村贫困户的编号（见贫困户页面地址）"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/projects/"+strconv.FormatInt(id, 10)+"#beneficiaries", "受益户已更新。")
}
