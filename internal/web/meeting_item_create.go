package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
)

// meetingItem creates an action item from a decision.
func (s *Server) meetingItem(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	users, err := s.st.MeetingUserOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := meeting.ItemInput{Title: r.PostForm.Get("title"), Owner: r.PostForm.Get("owner"), Due: r.PostForm.Get("due")}
	// A township's own meeting gives items to that township or its own
	// accounts only; a county meeting to any township or account.
	ownTownship := func(code string) bool { return m.TownshipCode == "" || code == m.TownshipCode }
	it, errs := meeting.ParseItem(in, m.Date, func(userID int64, township string) bool {
		if userID != 0 {
			return slices.ContainsFunc(users, func(a store.AttendeeRow) bool {
				return a.UserID == userID && (m.TownshipCode == "" || a.Township == m.TownshipCode)
			})
		}
		return ownTownship(township) && slices.ContainsFunc(towns, func(o components.Option) bool { return o.Value == township })
	})
	if errs != nil {
		s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, map[string]string{"item_title": in.Title, "item_owner": in.Owner, "item_due": in.Due},
			validation.Errors{"item_title": errs["title"], "item_owner": errs["owner"], "item_due": errs["due"]})
		return
	}
	if _, err := s.st.CreateActionItem(r.Context(), m.ID, it, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10)+"#items", "已建立会议事项："+it.Title)
}
