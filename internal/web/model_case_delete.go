package web

import (
	"fmt"
	"net/http"
)

// modelCaseDelete unmarks a model case (confirm=1, sent by the button).
func (s *Server) modelCaseDelete(w http.ResponseWriter, r *http.Request) {
	c, u, err := s.loadCase(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if r.PostForm.Get("confirm") != "1" {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请在典型展示页面上点击“取消典型”。"})
		return
	}
	if err := s.st.UnmarkModelCase(r.Context(), caseScope(u), c.ID, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/showcase", fmt.Sprintf("已取消典型：%s", c.Title))
}
