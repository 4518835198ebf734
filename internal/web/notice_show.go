package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/notices"
	"github.com/go-chi/chi/v5"
)

// loadNotice reads {id} for the viewer: ErrNotFound unless staff, a leader
// or one of its recipients.
func (s *Server) loadNotice(r *http.Request) (store.NoticeRow, auth.User, error) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		return store.NoticeRow{}, u, err
	}
	n, err := s.st.Notice(r.Context(), noticeViewer(u), id)
	return n, u, err
}

// noticeShow renders a notice with its attachments. Opening it records the
// recipient's first reading (a read receipt: idempotent, like an access
// log). Staff and leaders also see the figures per township.
func (s *Server) noticeShow(w http.ResponseWriter, r *http.Request) {
	n, u, err := s.loadNotice(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	ctx := r.Context()
	if n.RecipientID != 0 && n.ReadAt == nil {
		if err := s.st.MarkNoticeRead(ctx, n.RecipientID, u.ID); err != nil {
			s.serveError(w, r, err)
			return
		}
		now := s.now()
		n.ReadAt = &now
	}
	p := notices.ShowProps{Notice: n, ApplyHref: "", Overview: u.Role == auth.Staff || u.Role == auth.Leader,
		CanWithdraw: u.Role == auth.Staff && n.WithdrawnAt == nil}
	if n.CallToApply && u.Role == auth.Deputy {
		p.ApplyHref = "/applications/new"
	}
	if p.Files, err = s.st.NoticeFiles(ctx, n.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.Overview {
		if p.Townships, err = s.st.NoticeTownships(ctx, n.ID); err != nil {
			s.serveError(w, r, err)
			return
		}
		name, _, err := s.townshipNamer(r)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.TownshipName = name
	}
	p.Layout = s.layoutProps(r, n.Title, "/notices")
	s.render(w, r, http.StatusOK, notices.Show(p))
}

// noticeFile sends an attachment to those who see the notice (staff,
// leaders, its recipients); anyone else gets 404.
func (s *Server) noticeFile(w http.ResponseWriter, r *http.Request) {
	n, _, err := s.loadNotice(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	fid, err := strconv.ParseInt(chi.URLParam(r, "fid"), 10, 64)
	if err != nil || fid <= 0 {
		s.serveError(w, r, errNotFound)
		return
	}
	f, err := s.st.NoticeFileData(r.Context(), n.ID, fid)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType)
	w.Header().Set("Content-Disposition", "attachment; filename=\"attachment\"; filename*=UTF-8''"+pathEscape(f.Name))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(f.Data)
}

// noticeRecipients lists a notice's recipients for staff and leaders:
// ?filter=unread (not yet read) or unanswered (deputies without an
// application since publishing), ?township= one township; paged. Deputies'
// phones show in full to staff only.
func (s *Server) noticeRecipients(w http.ResponseWriter, r *http.Request) {
	n, u, err := s.loadNotice(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	q := r.URL.Query()
	filter := q.Get("filter")
	if !slices.Contains(store.NoticeRecipientFilters, filter) {
		s.serveError(w, r, httpError{http.StatusBadRequest, "筛选条件有误。"})
		return
	}
	if filter == "unanswered" && !n.DeputyAudience {
		filter = ""
	}
	name, towns, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	township := q.Get("township")
	if township != "" && name(township) == "" {
		s.serveError(w, r, errNotFound)
		return
	}
	page := pageParam(r)
	rows, total, err := s.st.NoticeRecipients(r.Context(), n.ID, filter, township, page)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, page, total) {
		return
	}
	s.render(w, r, http.StatusOK, notices.Recipients(notices.RecipientsProps{
		Layout: s.layoutProps(r, n.Title+" · 送达情况", "/notices"), Notice: n, Rows: rows, Filter: filter,
		Township: township, Townships: towns, Total: total, Pager: pager(r, page, total), Phone: phoneFor(u),
	}))
}
