package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
)

// meetingAttendee adds an attendee (action=add: user=ID or deputy=ID) or
// marks one present/absent or removes it (attendee=ID, action=present|
// absent|remove).
func (s *Server) meetingAttendee(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	back := "/meetings/" + strconv.FormatInt(m.ID, 10) + "#attendees"
	switch action := f.Get("action"); action {
	case "add":
		userID, _ := strconv.ParseInt(f.Get("user"), 10, 64)
		deputyID, _ := strconv.ParseInt(f.Get("deputy"), 10, 64)
		if (userID == 0) == (deputyID == 0) {
			s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, nil, validation.Errors{"attendee": "请选择一名工作人员，或填写一名代表的编号"})
			return
		}
		err = s.st.AddAttendee(r.Context(), m.ID, userID, deputyID, f.Get("present") != "0", u.ID)
		switch {
		case errors.Is(err, store.ErrConflict):
			s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, nil, validation.Errors{"attendee": "此人已在参会名单中"})
			return
		case errors.Is(err, store.ErrNotFound):
			s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, nil, validation.Errors{"attendee": "没有这名工作人员或代表"})
			return
		}
	case "present", "absent", "remove":
		id, _ := strconv.ParseInt(f.Get("attendee"), 10, 64)
		err = s.st.SetAttendance(r.Context(), m.ID, id, action == "present", action == "remove", u.ID)
	default:
		err = httpError{http.StatusBadRequest, "未知的操作。"}
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, back, "参会名单已更新。")
}
