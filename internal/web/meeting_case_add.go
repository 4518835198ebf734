package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
)

// meetingCase names a model case (典型) at the meeting.
func (s *Server) meetingCase(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	kind := r.PostForm.Get("kind")
	ref, _ := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("ref")), 10, 64)
	note := strings.TrimSpace(r.PostForm.Get("note"))
	errs := validation.Errors{}
	if !meeting.ModelCaseKinds.Has(kind) {
		errs["case_kind"] = "请选择典型的类别"
	}
	if n := len([]rune(note)); n == 0 || n > 2000 {
		errs["case_note"] = "请填写典型事迹（2000字以内）"
	}
	if len(errs) == 0 {
		err = s.st.AddModelCase(r.Context(), m.ID, m.TownshipCode, kind, ref, note, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			errs["case_ref"] = "没有这个编号的" + meeting.ModelCaseKinds.Label(kind) + "（台账须已审核通过；乡镇会议只能推介本镇的）"
		} else if errors.Is(err, store.ErrConflict) {
			errs["case_ref"] = "本次会议已推介过"
		} else if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, map[string]string{"case_kind": kind, "case_ref": r.PostForm.Get("ref"), "case_note": note}, errs)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10)+"#cases", "已记入典型。")
}
