package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/meetings"
)

// meetingNew renders the schedule form.
func (s *Server) meetingNew(w http.ResponseWriter, r *http.Request) {
	s.renderMeetingForm(w, r, http.StatusOK, meeting.ScheduleInput{Kind: "on_site"}, nil)
}

func (s *Server) renderMeetingForm(w http.ResponseWriter, r *http.Request, status int, in meeting.ScheduleInput, errs validation.Errors) {
	u, _ := userFrom(r)
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if u.Role == auth.TownshipChair && in.HostTownship == "" {
		in.HostTownship = u.TownshipCode
	}
	s.render(w, r, status, meetings.Form(meetings.FormProps{
		Layout: s.layoutProps(r, "安排联席会议", "/meetings"), Input: in, Errors: errs, Townships: towns,
		Township: u.Role == auth.TownshipChair,
	}))
}

// meetingCreate schedules a meeting: staff a county meeting, a chair its
// township's own.
func (s *Server) meetingCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	in := meeting.ScheduleInput{Date: r.PostForm.Get("date"), Title: r.PostForm.Get("title"), Kind: r.PostForm.Get("kind"),
		HostTownship: r.PostForm.Get("host_township"), Place: r.PostForm.Get("place")}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	isTownship := func(c string) bool {
		return slices.ContainsFunc(towns, func(o components.Option) bool { return o.Value == c })
	}
	if u.Role == auth.TownshipChair {
		in.HostTownship = u.TownshipCode // a chair's own meeting is held in its township
	}
	m, errs := meeting.ParseSchedule(in, s.today(), isTownship)
	if errs != nil {
		s.renderMeetingForm(w, r, http.StatusUnprocessableEntity, in, errs)
		return
	}
	scope := ""
	if u.Role == auth.TownshipChair {
		scope = u.TownshipCode
	}
	id, err := s.st.CreateMeeting(r.Context(), m, scope, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(id, 10), "已安排会议："+m.Title)
}
