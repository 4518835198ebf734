package web

import (
	"net/http"
	"strings"

	"github.com/bangfu/bangfu/internal/summary"
	"github.com/bangfu/bangfu/internal/validation"
)

// summaryReturn returns a submitted summary to its chair with a reason
// (staff).
func (s *Server) summaryReturn(w http.ResponseWriter, r *http.Request) {
	township, p, u, err := s.summaryTarget(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if n := len([]rune(reason)); n == 0 || n > 500 {
		v, err := s.loadSummary(r.Context(), township, p)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		s.renderSummary(w, r, http.StatusUnprocessableEntity, u, v, "", validation.Errors{"reason": "请填写退回理由（500字以内）"})
		return
	}
	if err := s.st.ReturnSummary(r.Context(), township, p, reason, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/summaries/"+township+"/"+summary.Key(p), "已退回修改。")
}
