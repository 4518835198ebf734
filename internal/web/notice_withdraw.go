package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/bangfu/bangfu/web/components"
)

// noticeWithdraw withdraws a notice (staff; field reason, 1–200
// characters): its recipients no longer see it. Without a reason the notice
// page is shown again with the message.
func (s *Server) noticeWithdraw(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if n := utf8.RuneCountInString(reason); n == 0 || n > 200 {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请填写撤回原因（200字以内）。"})
		return
	}
	if err := s.st.WithdrawNotice(r.Context(), id, reason, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/notices/"+components.ID(id), "通知已撤回，接收人不再看到它。")
}
