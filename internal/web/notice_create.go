package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"

	"github.com/bangfu/bangfu/internal/notice"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/notices"
)

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
	if !s.parsePostForm(w, r, maxNoticeRequest, fmt.Sprintf("上传内容过大：每条通知最多%d个附件，每个不超过10MB。", notice.MaxFiles)) {
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
