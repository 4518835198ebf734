package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/notices"
)

// noticeViewer is which notices u sees: staff and leaders every one, a
// deputy those it is a recipient of, a chair those sent to its township's
// chair. An unknown role sees none.
func noticeViewer(u auth.User) store.NoticeViewer {
	switch u.Role {
	case auth.Staff, auth.Leader:
		return store.NoticeViewer{}
	case auth.Deputy:
		return store.NoticeViewer{DeputyID: u.DeputyID}
	case auth.TownshipChair:
		return store.NoticeViewer{ChairTownship: u.TownshipCode}
	}
	return store.NoticeViewer{DeputyID: -1}
}

// unreadNotices is the home page's box of u's unread notices (at most 5)
// and how many there are.
func (s *Server) unreadNotices(r *http.Request, u auth.User) (notices.UnreadProps, error) {
	rows, n, err := s.st.UnreadNotices(r.Context(), noticeViewer(u), 5)
	return notices.UnreadProps{Rows: rows, Total: n}, err
}

// noticeList renders the notices the viewer sees: staff and leaders all,
// newest first; a recipient its own, unread first.
func (s *Server) noticeList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	page := pageParam(r)
	rows, total, err := s.st.Notices(r.Context(), noticeViewer(u), page)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, page, total) {
		return
	}
	name, _, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, notices.List(notices.ListProps{
		Layout: s.layoutProps(r, "通知公告", "/notices"), Rows: rows, Pager: pager(r, page, total), TownshipName: name,
		CanPublish: u.Role == auth.Staff, Overview: u.Role == auth.Staff || u.Role == auth.Leader,
	}))
}
