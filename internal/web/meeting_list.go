package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/meetings"
)

// meetingScope is which meetings u sees: staff and leaders all, a chair
// the county's and its township's, a deputy those it is listed at.
func meetingScope(u auth.User) store.MeetingScope {
	switch u.Role {
	case auth.TownshipChair:
		return store.MeetingScope{Township: u.TownshipCode}
	case auth.Deputy:
		return store.MeetingScope{DeputyID: u.DeputyID}
	}
	return store.MeetingScope{}
}

// canEditMeeting: staff any meeting, a chair its township's own meetings.
func canEditMeeting(u auth.User, m store.MeetingRow) bool {
	return u.Role == auth.Staff || (u.Role == auth.TownshipChair && m.TownshipCode == u.TownshipCode)
}

// canCloseItem: staff, the owning account, or the chair of the owning township.
func canCloseItem(u auth.User, it store.ActionItemRow) bool {
	return u.Role == auth.Staff || (it.OwnerUserID != 0 && it.OwnerUserID == u.ID) ||
		(u.Role == auth.TownshipChair && it.OwnerTownship != "" && it.OwnerTownship == u.TownshipCode)
}

// meetingList renders the meetings of a year visible to the viewer.
func (s *Server) meetingList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	// Meetings are scheduled up to next year.
	p, err := period.Parse(r.URL.Query().Get("year"), "", s.today().AddDate(1, 0, 0))
	if err != nil {
		s.serveError(w, r, httpError{http.StatusBadRequest, err.Error()})
		return
	}
	if r.URL.Query().Get("year") == "" {
		p.Year = s.today().Year()
	}
	rows, err := s.st.Meetings(r.Context(), meetingScope(u), p.Year)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, meetings.List(meetings.ListProps{
		Layout: s.layoutProps(r, "联席会议", "/meetings"), Year: p.Year, Years: yearsUpTo(s.today().Year() + 1),
		Rows: rows, CanSchedule: u.Role == auth.Staff || u.Role == auth.TownshipChair, ShowItems: u.Role != auth.Deputy, Today: s.today(),
	}))
}
