package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/meeting"
)

// actionItemClose closes an item with a note (staff, its owner, or the
// owning township's chair), dated today.
func (s *Server) actionItemClose(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	it, err := s.st.ActionItem(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if !canCloseItem(u, it) {
		s.serveError(w, r, errNotFound)
		return
	}
	note, errs := meeting.ParseClosing(r.PostForm.Get("closing_note"))
	if errs != nil {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请填写办结情况后再办结（2000字以内）。"})
		return
	}
	if err := s.st.CloseActionItem(r.Context(), id, note, s.today(), u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	back := r.PostForm.Get("back")
	if !safeBack(back) {
		back = "/action-items"
	}
	s.redirect(w, r, back, "事项已办结："+it.Title)
}
