package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/notice"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/notices"
	"github.com/go-chi/chi/v5"
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

// noticeNew renders the empty publish form.
func (s *Server) noticeNew(w http.ResponseWriter, r *http.Request) {
	s.renderNoticeForm(w, r, http.StatusOK, notice.Input{Audience: "all"}, nil, newFormToken())
}

func (s *Server) renderNoticeForm(w http.ResponseWriter, r *http.Request, status int, in notice.Input, errs validation.Errors, token string) {
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, notices.Form(notices.FormProps{
		Layout: s.layoutProps(r, "发布通知", "/notices"), Input: in, Errors: errs, Townships: towns, FormToken: token,
	}))
}

// maxNoticeRequest caps a publish request: MaxFiles attachments and the text.
const maxNoticeRequest = notice.MaxFiles*notice.MaxFileBytes + 1<<20

// noticeCreate publishes a notice with its attachments to its audience
// (staff). A bad field or file re-renders the form with what was typed
// (files must be chosen again) and a message beside the field.
func (s *Server) noticeCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, maxNoticeRequest)
		if err := r.ParseMultipartForm(16 << 20); err != nil {
			s.serveError(w, r, httpError{http.StatusRequestEntityTooLarge,
				fmt.Sprintf("上传内容过大：每条通知最多%d个附件，每个不超过10MB。", notice.MaxFiles)})
			return
		}
		for _, vs := range r.MultipartForm.Value {
			for _, v := range vs {
				if !cleanText(v) {
					s.serveError(w, r, errBadText)
					return
				}
			}
		}
	} else if err := r.ParseForm(); err != nil {
		s.serveError(w, r, httpError{http.StatusBadRequest, "表单无法读取。"})
		return
	}
	f := r.PostForm
	in := notice.Input{Title: f.Get("title"), Body: f.Get("body"), Audience: f.Get("audience"),
		Levels: f["levels"], Townships: f["townships"], CallToApply: f.Get("call_to_apply") == "1"}
	token := f.Get("form_token")
	if !validUUID(token) {
		s.serveError(w, r, errNoFormToken("发布通知"))
		return
	}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	n, errs := notice.Parse(in, func(c string) bool {
		return slices.ContainsFunc(towns, func(o components.Option) bool { return o.Value == c })
	})
	files, fileErr := noticeFiles(r)
	if fileErr != "" {
		if errs == nil {
			errs = validation.Errors{}
		}
		errs["files"] = fileErr + "（请重新选择附件）"
	} else if len(errs) > 0 && len(files) > 0 {
		errs["files"] = "请修改上面的错误后重新选择附件"
	}
	if len(errs) > 0 {
		s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, in, errs, token)
		return
	}
	id, err := s.st.PublishNotice(r.Context(), n, files, s.county, token, u.ID)
	if errors.Is(err, store.ErrNoRecipients) {
		errs = validation.Errors{"audience": "发送范围内没有接收人（没有符合条件的在任代表或乡镇），请调整发送范围。"}
		if len(files) > 0 {
			errs["files"] = "请调整发送范围后重新选择附件"
		}
		s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, in, errs, token)
		return
	}
	if reused := (*store.TokenReusedError)(nil); errors.As(err, &reused) {
		stored, err := s.st.Notice(r.Context(), noticeViewer(u), reused.ID)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		s.serveError(w, r, httpError{http.StatusConflict, "这张表单已经发布过通知《" + stored.Title + "》，这次的内容与它不同，没有发布。如需再发一条，请重新打开“发布通知”页面填写。"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/notices/"+components.ID(id), "通知已发布："+n.Title)
}

// noticeFiles reads and checks the attachments of a multipart publish form
// (field "files"); a message for the user is returned for a bad file.
func noticeFiles(r *http.Request) ([]store.NoticeFile, string) {
	if r.MultipartForm == nil {
		return nil, ""
	}
	var out []store.NoticeFile
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input of a form sent without attachments
		}
		if len(out) == notice.MaxFiles {
			return nil, fmt.Sprintf("每条通知最多%d个附件", notice.MaxFiles)
		}
		name := notice.SafeName(fh.Filename)
		if fh.Size > notice.MaxFileBytes {
			return nil, name + "：" + notice.ErrFileTooLarge.Error()
		}
		f, err := fh.Open()
		if err != nil {
			return nil, name + "：文件无法读取"
		}
		b, err := io.ReadAll(io.LimitReader(f, notice.MaxFileBytes+1))
		f.Close()
		if err != nil {
			return nil, name + "：文件无法读取"
		}
		ct, err := notice.CheckFile(name, b)
		if err != nil {
			return nil, name + "：" + err.Error()
		}
		out = append(out, store.NoticeFile{Name: name, ContentType: ct, Data: b})
	}
	return out, ""
}

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

// noticeWithdraw withdraws a notice (staff; field reason, 1–200
// characters): its recipients no longer see it. Without a reason the notice
// page is shown again with the message.
func (s *Server) noticeWithdraw(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if n := utf8.RuneCountInString(reason); n == 0 || n > 200 {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请填写撤回原因（200字以内）。"})
		return
	}
	if err := s.st.WithdrawNotice(r.Context(), id, reason, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/notices/"+components.ID(id), "通知已撤回，接收人不再看到它。")
}
