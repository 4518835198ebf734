package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/photo"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	showcasepages "github.com/bangfu/bangfu/web/pages/showcase"
)

// caseScope is the township a viewer may mark model cases in: "" for
// staff (any), a chair's own; only staff and chairs reach these routes.
func caseScope(u auth.User) string {
	if u.Role == auth.TownshipChair {
		return u.TownshipCode
	}
	return ""
}

// canMarkCases: staff and township chairs mark model cases (a chair in its
// own township only, checked by the store).
func canMarkCases(u auth.User) bool { return u.Role == auth.Staff || u.Role == auth.TownshipChair }

// showcaseList renders the showcase (典型展示 / 代表风采) to every signed-in
// user: model cases by township and theme, the latest first, a page at a
// time. No household name, ID or phone is shown.
func (s *Server) showcaseList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	f := store.CaseFilter{Township: q.Get("township"), Theme: q.Get("theme")}
	if f.Theme != "" && !showcase.Themes.Has(f.Theme) {
		f.Theme = ""
	}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	page := pageParam(r)
	rows, total, err := s.st.ShowcaseCases(r.Context(), f, page)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, page, total) {
		return
	}
	s.render(w, r, http.StatusOK, showcasepages.List(showcasepages.ListProps{
		Layout: s.layoutProps(r, "典型展示", "/showcase"), Rows: rows, Filter: f, Townships: towns,
		Pager: pager(r, page, total), CanEdit: func(c store.ShowcaseCase) bool {
			return canMarkCases(u) && (u.Role == auth.Staff || c.TownshipCode == u.TownshipCode)
		},
	}))
}

// modelCasePhoto sends a model case's photo to any signed-in user (it is
// on the showcase).
func (s *Server) modelCasePhoto(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	data, err := s.st.ModelCasePhoto(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=600")
	_, _ = w.Write(data)
}

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

// loadCase reads model case {id} for a viewer who may change it (a chair:
// its township's only; elsewhere 404).
func (s *Server) loadCase(r *http.Request) (store.ShowcaseCase, auth.User, error) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		return store.ShowcaseCase{}, u, err
	}
	c, err := s.st.ModelCase(r.Context(), caseScope(u), id)
	return c, u, err
}

// modelCaseEdit renders the form of an existing model case.
func (s *Server) modelCaseEdit(w http.ResponseWriter, r *http.Request) {
	c, _, err := s.loadCase(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderCaseForm(w, r, http.StatusOK, showcasepages.FormProps{CaseID: c.ID, Version: c.Version, HasPhoto: c.HasPhoto,
		Target: store.CaseTarget{Kind: c.Kind, RefID: c.RefID, TownshipName: c.TownshipName, Village: c.Village, Helper: c.Helper},
		Input:  showcase.Input{Theme: c.Theme, Title: c.Title, Story: c.Story}})
}

// modelCaseUpdate saves a model case's theme, title, story and photo, with
// the version its form was read at.
func (s *Server) modelCaseUpdate(w http.ResponseWriter, r *http.Request) {
	ph, photoErr, err := s.parseCaseForm(w, r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	c, u, err := s.loadCase(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	t, err := s.st.ModelCaseTarget(r.Context(), "", c.Kind, c.RefID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	in := showcase.Input{Theme: f.Get("theme"), Title: f.Get("title"), Story: f.Get("story")}
	version, _ := strconv.Atoi(f.Get("version"))
	props := showcasepages.FormProps{CaseID: c.ID, Version: version, HasPhoto: c.HasPhoto, Target: t, Input: in}
	parsed, errs := showcase.Parse(in, t.Names)
	if photoErr != "" {
		errs = withError(errs, "photo", photoErr+"（请重新选择照片）")
	}
	if errs != nil {
		props.Errors = errs
		s.renderCaseForm(w, r, http.StatusUnprocessableEntity, props)
		return
	}
	err = s.st.UpdateModelCase(r.Context(), caseScope(u), c.ID, version, parsed, ph, f.Get("drop_photo") == "1", u.ID)
	if errors.Is(err, store.ErrVersionConflict) {
		props.Version = c.Version
		props.Errors = validation.Errors{"_": "这个典型已被他人修改：您填写的内容仍在表单中，请核对后再保存。"}
		s.renderCaseForm(w, r, http.StatusConflict, props)
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/showcase", "典型已保存："+parsed.Title)
}

// modelCaseDelete unmarks a model case (confirm=1, sent by the button).
func (s *Server) modelCaseDelete(w http.ResponseWriter, r *http.Request) {
	c, u, err := s.loadCase(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if r.PostForm.Get("confirm") != "1" {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请在典型展示页面上点击“取消典型”。"})
		return
	}
	if err := s.st.UnmarkModelCase(r.Context(), caseScope(u), c.ID, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/showcase", fmt.Sprintf("已取消典型：%s", c.Title))
}
