package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	showcasepages "github.com/bangfu/bangfu/web/pages/showcase"
)

// loadCase reads model case {id} for a viewer who may change it (a chair:
// its township's only; elsewhere 404).
func (s *Server) loadCase(r *http.Request) (store.ShowcaseCase, auth.User, error) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		return store.ShowcaseCase{}, u, err
	}
	c, err := s.st.ModelCase(r.Context(), caseScope(u), id)
	return c, u, err
}

// modelCaseEdit renders the form of an existing model case.
func (s *Server) modelCaseEdit(w http.ResponseWriter, r *http.Request) {
	c, _, err := s.loadCase(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderCaseForm(w, r, http.StatusOK, showcasepages.FormProps{CaseID: c.ID, Version: c.Version, HasPhoto: c.HasPhoto,
		Target: store.CaseTarget{Kind: c.Kind, RefID: c.RefID, TownshipName: c.TownshipName, Village: c.Village, Helper: c.Helper},
		Input:  showcase.Input{Theme: c.Theme, Title: c.Title, Story: c.Story}})
}

// modelCaseUpdate saves a model case's theme, title, story and photo, with
// the version its form was read at.
func (s *Server) modelCaseUpdate(w http.ResponseWriter, r *http.Request) {
	ph, photoErr, err := s.parseCaseForm(w, r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	c, u, err := s.loadCase(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	t, err := s.st.ModelCaseTarget(r.Context(), "", c.Kind, c.RefID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	in := showcase.Input{Theme: f.Get("theme"), Title: f.Get("title"), Story: f.Get("story")}
	version, _ := strconv.Atoi(f.Get("version"))
	props := showcasepages.FormProps{CaseID: c.ID, Version: version, HasPhoto: c.HasPhoto, Target: t, Input: in}
	parsed, errs := showcase.Parse(in, t.Names)
	if photoErr != "" {
		errs = withError(errs, "photo", photoErr+"（请重新选择照片）")
	}
	if errs != nil {
		props.Errors = errs
		s.renderCaseForm(w, r, http.StatusUnprocessableEntity, props)
		return
	}
	err = s.st.UpdateModelCase(r.Context(), caseScope(u), c.ID, version, parsed, ph, f.Get("drop_photo") == "1", u.ID)
	if errors.Is(err, store.ErrVersionConflict) {
		props.Version = c.Version
		props.Errors = validation.Errors{"_": "这个典型已被他人修改：您填写的内容仍在表单中，请核对后再保存。"}
		s.renderCaseForm(w, r, http.StatusConflict, props)
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/showcase", "典型已保存："+parsed.Title)
}
