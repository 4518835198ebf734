package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
)

// meetingRecord saves the agenda, minutes, practices, shortcomings and
// decisions (and "held"), with the version read by the form.
func (s *Server) meetingRecord(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	typed := map[string]string{}
	for _, k := range []string{"agenda", "minutes", "good_practices", "shortcomings", "decisions"} {
		typed[k] = f.Get(k)
	}
	typed["held"] = f.Get("held")
	rec, errs := meeting.ParseRecord(meeting.Record{Agenda: f.Get("agenda"), Minutes: f.Get("minutes"), GoodPractices: f.Get("good_practices"),
		Shortcomings: f.Get("shortcomings"), Decisions: f.Get("decisions"), Held: f.Get("held") == "1" || m.Status == "held"})
	if f.Get("held") == "1" && m.Status != "held" && m.Date.After(s.today()) {
		if errs == nil {
			errs = validation.Errors{}
		}
		errs["held"] = "会议日期还未到，不能记为已召开"
	}
	if errs != nil {
		s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, typed, errs)
		return
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if err := s.st.RecordMeeting(r.Context(), m.ID, version, rec, u.ID); err != nil {
		if errors.Is(err, store.ErrVersionConflict) {
			s.renderMeeting(w, r, http.StatusConflict, m, u, typed, validation.Errors{"_": "会议记录已被他人修改：下方是最新内容，您填写的内容仍在表单中，请核对后再保存。"})
			return
		}
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10), "会议记录已保存。")
}
