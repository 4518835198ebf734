package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/web/components"

	"github.com/bangfu/bangfu/internal/store"
	ledgerpages "github.com/bangfu/bangfu/web/pages/ledger"
)

// deputyHome renders the deputy's unread notices, its returned entries to correct, then its
// pairings, the longest without a visit first, with amber (30 days) and red
// (60 days) follow-up warnings, and a link to its evaluation.
func (s *Server) deputyHome(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	ps, err := s.st.DeputyPairings(r.Context(), u.DeputyID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	amber, red, err := s.st.FollowUpThresholds(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	returned, err := s.st.DeputyReturnedEntries(r.Context(), u.DeputyID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	today := s.today()
	var next *store.MeetingRow
	if m, err := s.st.NextMeeting(r.Context(), meetingScope(u), today); err == nil {
		next = &m
	} else if !errors.Is(err, store.ErrNotFound) {
		s.serveError(w, r, err)
		return
	}
	unread, err := s.unreadNotices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, ledgerpages.Home(ledgerpages.HomeProps{NextMeeting: next, Unread: unread,
		Layout: s.layoutProps(r, "我的结对", "/my"), Pairings: ps, Today: today.Format(time.DateOnly), Amber: amber, Red: red,
		Returned: returned, DeputyID: u.DeputyID, Year: today.Year(),
		DaysSince: func(p store.PairingRow) int {
			since := p.StartDate
			if p.LastVisit != nil {
				since = *p.LastVisit
			}
			return int(today.Sub(since).Hours() / 24)
		},
	}))
}

// followUpList shows the pairings overdue for a visit (人盯人): the county's
// by township for staff and leaders, the township's for its chair.
func (s *Server) followUpList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	code, err := s.divisionFor(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	amber, red, err := s.st.FollowUpThresholds(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	rows, err := s.st.FollowUps(r.Context(), code, amber, s.today())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var divs []components.Option
	if u.Role == auth.TownshipChair {
		divs, err = s.villageOptions(r.Context(), u.TownshipCode)
	} else {
		divs, err = s.townshipOptions(r.Context())
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	sel := r.URL.Query().Get("division")
	s.render(w, r, http.StatusOK, ledgerpages.FollowUp(ledgerpages.FollowUpProps{Layout: s.layoutProps(r, "人盯人：超期未走访", "/followup"),
		Division: sel, Divisions: divs, Rows: rows, Amber: amber, Red: red}))
}

// digestShow renders a township's weekly digest (每周通报): pairings overdue
// for a visit and returned entries not yet resubmitted. A chair sees its own
// township; staff and leaders pick one (default: the first).
func (s *Server) digestShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	townships, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	township := r.URL.Query().Get("division")
	var choices []components.Option
	if u.Role == auth.TownshipChair {
		if township != "" && township != u.TownshipCode {
			s.serveError(w, r, errNotFound)
			return
		}
		township = u.TownshipCode
	} else {
		choices = townships
		if township == "" && len(townships) > 0 {
			township = townships[0].Value
		}
	}
	name := ""
	for _, t := range townships {
		if t.Value == township {
			name = t.Label
		}
	}
	if name == "" {
		s.serveError(w, r, errNotFound)
		return
	}
	amber, red, err := s.st.FollowUpThresholds(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	today := s.today()
	overdue, err := s.st.FollowUps(r.Context(), township, amber, today)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	returned, err := s.st.ReturnedEntries(r.Context(), township)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	s.render(w, r, http.StatusOK, ledgerpages.Digest(ledgerpages.DigestProps{Layout: s.layoutProps(r, name+"每周通报", "/digest"),
		Township: township, Townships: choices, Week: components.DateCN(monday) + "—" + components.DateCN(monday.AddDate(0, 0, 6)),
		Overdue: overdue, Returned: returned, Red: red}))
}
