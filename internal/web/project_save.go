package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/project"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
)

// projectCreate stores a new project (POST /projects).
func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) {
	s.projectSave(w, r, 0)
}

// projectUpdate saves project {id} with the version the form was read at.
func (s *Server) projectUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.projectSave(w, r, id)
}

func (s *Server) projectSave(w http.ResponseWriter, r *http.Request, id int64) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var row store.ProjectRow
	if id != 0 {
		if row, err = s.st.Project(r.Context(), s.topDivision(u), id); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	in := projectInput(r)
	p, errs := project.Parse(in, func(c string) bool { return hasOption(villages, c) })
	if errs != nil {
		s.renderProject(w, r, http.StatusUnprocessableEntity, row, in, errs)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	saved, err := s.st.SaveProject(r.Context(), id, version, p, u.ID)
	if errors.Is(err, store.ErrVersionConflict) {
		fresh, ferr := s.st.Project(r.Context(), s.topDivision(u), id)
		if ferr != nil {
			s.serveError(w, r, ferr)
			return
		}
		s.renderProject(w, r, http.StatusConflict, fresh, in, validation.Errors{"_": "该项目已被他人修改（当前为第" + strconv.Itoa(fresh.Version) + "版）。您填写的内容仍在表单中，请核对后再保存。"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/projects/"+strconv.FormatInt(saved, 10), "项目已保存："+p.Name)
}
