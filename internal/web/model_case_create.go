package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/photo"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	showcasepages "github.com/bangfu/bangfu/web/pages/showcase"
)

// modelCaseNew renders the "设为典型" form for ?kind=&ref= (a pairing, an
// approved ledger entry or an action item in the viewer's scope).
func (s *Server) modelCaseNew(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	ref, _ := strconv.ParseInt(r.URL.Query().Get("ref"), 10, 64)
	t, err := s.st.ModelCaseTarget(r.Context(), caseScope(u), r.URL.Query().Get("kind"), ref)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderCaseForm(w, r, http.StatusOK, showcasepages.FormProps{Target: t, Back: r.URL.Query().Get("back")})
}

func (s *Server) renderCaseForm(w http.ResponseWriter, r *http.Request, status int, p showcasepages.FormProps) {
	title := "设为典型"
	if p.CaseID != 0 {
		title = "修改典型"
	}
	if !safeBack(p.Back) {
		p.Back = "/showcase"
	}
	p.Layout = s.layoutProps(r, title, "/showcase")
	s.render(w, r, status, showcasepages.Form(p))
}

// safeBack reports whether back is a local path to return to.
func safeBack(back string) bool {
	// "/\evil.example" is read by browsers as "//evil.example": no
	// backslashes, no scheme-relative paths.
	return strings.HasPrefix(back, "/") && !strings.HasPrefix(back, "//") && !strings.ContainsAny(back, "\\\r\n")
}

// parseCaseForm reads a model case form, multipart (with a photo) or not;
// it returns the normalised photo (nil without one) or a message for the
// photo field, or an error page to serve.
func (s *Server) parseCaseForm(w http.ResponseWriter, r *http.Request) (*photo.Photo, string, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil, "", nil // the middleware parsed it
	}
	r.Body = http.MaxBytesReader(w, r.Body, photo.MaxBytes+1<<20)
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		return nil, "", httpError{http.StatusRequestEntityTooLarge, "上传内容过大：照片不超过10MB。"}
	}
	for _, vs := range r.MultipartForm.Value {
		for _, v := range vs {
			if !cleanText(v) {
				return nil, "", errBadText
			}
		}
	}
	files := r.MultipartForm.File["photo"]
	if len(files) == 0 || (files[0].Size == 0 && files[0].Filename == "") {
		return nil, "", nil
	}
	f, err := files[0].Open()
	if err != nil {
		return nil, photo.ErrBroken.Error(), nil
	}
	b, err := io.ReadAll(io.LimitReader(f, photo.MaxBytes+1))
	f.Close()
	if err != nil {
		return nil, photo.ErrBroken.Error(), nil
	}
	s.photoSlots <- struct{}{}
	p, err := photo.Normalize(b)
	<-s.photoSlots
	if err != nil {
		return nil, err.Error(), nil
	}
	return &p, "", nil
}

// modelCaseCreate marks a model case: staff in any township, a chair in
// its own (a reference elsewhere is 404).
func (s *Server) modelCaseCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	ph, photoErr, err := s.parseCaseForm(w, r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	// kind and ref come from the form, or from the URL of the form page.
	ref, _ := strconv.ParseInt(r.Form.Get("ref"), 10, 64)
	t, err := s.st.ModelCaseTarget(r.Context(), caseScope(u), r.Form.Get("kind"), ref)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := showcase.Input{Theme: f.Get("theme"), Title: f.Get("title"), Story: f.Get("story")}
	props := showcasepages.FormProps{Target: t, Input: in, Back: f.Get("back")}
	c, errs := showcase.Parse(in, t.Names)
	if photoErr != "" {
		errs = withError(errs, "photo", photoErr+"（请重新选择照片）")
	} else if errs != nil && ph != nil {
		errs["photo"] = "请修改上面的错误后重新选择照片"
	}
	if errs != nil {
		props.Errors = errs
		s.renderCaseForm(w, r, http.StatusUnprocessableEntity, props)
		return
	}
	if _, err := s.st.MarkModelCase(r.Context(), caseScope(u), t.Kind, t.RefID, c, ph, s.now(), u.ID); err != nil {
		if errors.Is(err, store.ErrConflict) {
			props.Errors = validation.Errors{"_": "这条" + showcase.Kinds.Label(t.Kind) + "已经是典型了，可在典型展示中修改。"}
			s.renderCaseForm(w, r, http.StatusConflict, props)
			return
		}
		s.serveError(w, r, err)
		return
	}
	back := f.Get("back")
	if !safeBack(back) {
		back = "/showcase"
	}
	s.redirect(w, r, back, "已设为典型："+c.Title)
}

func withError(errs validation.Errors, field, msg string) validation.Errors {
	if errs == nil {
		errs = validation.Errors{}
	}
	errs[field] = msg
	return errs
}
