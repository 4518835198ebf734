package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/units"
)

// unitEdit renders the edit form of a unit.
func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) {
	d, err := s.unitFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	path := "/units/" + components.ID(d.ID)
	s.renderUnitForm(w, r, http.StatusOK, units.FormProps{Input: unitInputFrom(d), Action: path, Cancel: path, Version: d.Version}, "修改帮扶单位信息")
}

func unitInputFrom(d store.DeputyRow) deputy.UnitInput {
	return deputy.UnitInput{Name: d.Name, ContactPerson: d.ContactPerson, Phone: d.Phone, Post: d.Post,
		HomeTownshipCode: d.HomeTownshipCode, HomeVillageCode: d.HomeVillageCode}
}

// unitUpdate saves the edit form; a version saved meanwhile by someone else
// gives the conflict page with both versions (409) and nothing overwritten.
func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	current, err := s.unitFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	in := unitInput(r)
	path := "/units/" + components.ID(current.ID)
	props := units.FormProps{Input: in, Action: path, Cancel: path, Version: version}
	d, errs := deputy.ParseUnit(in, s.inCounty(r.Context()))
	if len(errs) > 0 {
		props.Errors = errs
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, props, "修改帮扶单位信息")
		return
	}
	err = s.st.UpdateUnit(r.Context(), current.ID, version, d, u.ID)
	if errors.Is(err, store.ErrDuplicateUnit) {
		props.Errors = validation.Errors{"name": unitNameTaken}
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, props, "修改帮扶单位信息")
		return
	}
	if errors.Is(err, store.ErrVersionConflict) {
		theirs := unitInputFrom(current)
		props.Version = current.Version
		props.Conflict = components.Compare([][3]string{
			{"单位名称", in.Name, theirs.Name},
			{"联系人", in.ContactPerson, theirs.ContactPerson},
			{"联系人职务", in.Post, theirs.Post},
			{"联系电话", in.Phone, theirs.Phone},
			{"所在乡镇", in.HomeTownshipCode, theirs.HomeTownshipCode},
		})
		s.renderUnitForm(w, r, http.StatusConflict, props, "保存冲突")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, path, "已保存帮扶单位 "+strings.TrimSpace(d.Name)+" 的信息。")
}
