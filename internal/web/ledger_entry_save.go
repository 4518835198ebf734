package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/photo"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	ledgerpages "github.com/bangfu/bangfu/web/pages/ledger"
)

// newFormToken returns a random UUID (version 4) that identifies one filled-in
// form, so that sending it twice creates one entry.
func newFormToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// ownPairing loads pairing id if it is an active pairing of deputy u.
func (s *Server) ownPairing(r *http.Request, u auth.User, id int64) (store.PairingRow, error) {
	p, err := s.st.Pairing(r.Context(), u.Scope(), id)
	if err != nil {
		return p, err
	}
	if p.DeputyID != u.DeputyID || p.Status != "active" {
		return p, errNotFound
	}
	return p, nil
}

// ledgerEntryNew renders an empty entry form for one of the deputy's own
// pairings, dated today, as a visit.
func (s *Server) ledgerEntryNew(w http.ResponseWriter, r *http.Request) {
	_, p, err := s.pairingFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := ledger.Input{EntryDate: s.today().Format(time.DateOnly), Kind: "visit"}
	s.renderLedgerForm(w, r, http.StatusOK, p, 0, in, nil, newFormToken(), "")
}

// ledgerEntryCreate saves a new entry as draft or submits it (button
// "action"). The form token makes a resent form land on the same entry.
func (s *Server) ledgerEntryCreate(w http.ResponseWriter, r *http.Request) {
	u, p, err := s.pairingFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.saveLedgerEntry(w, r, u, p, 0, "")
}

// ledgerEntryEdit renders the deputy's own draft or returned entry for editing.
func (s *Server) ledgerEntryEdit(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	e, p, err := s.ownEditableEntry(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := ledger.Input{EntryDate: e.EntryDate.Format(time.DateOnly), Kind: e.Kind, Description: e.Description,
		Amount: e.Amount.StringFixed(2), Beneficiaries: e.Beneficiaries}
	s.renderLedgerForm(w, r, http.StatusOK, p, e.ID, in, nil, "", e.ReviewComment)
}

// ledgerEntryUpdate saves changes to a draft or returned entry and, with
// action=submit, (re)submits it.
func (s *Server) ledgerEntryUpdate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	e, p, err := s.ownEditableEntry(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.saveLedgerEntry(w, r, u, p, e.ID, e.ReviewComment)
}

// ownEditableEntry loads entry {id} of deputy u; entries of others are 404,
// entries no longer editable are 409.
func (s *Server) ownEditableEntry(r *http.Request, u auth.User) (store.LedgerEntryRow, store.PairingRow, error) {
	id, err := pathID(r)
	if err != nil {
		return store.LedgerEntryRow{}, store.PairingRow{}, err
	}
	e, err := s.st.LedgerEntry(r.Context(), u.Scope(), id)
	if err != nil {
		return e, store.PairingRow{}, err
	}
	p, err := s.ownPairing(r, u, e.PairingID)
	if err != nil {
		return e, p, err
	}
	if !ledger.Editable(e.Status) {
		return e, p, httpError{http.StatusConflict, "这条台账已提交或已审核通过，不能再修改。"}
	}
	return e, p, nil
}

// maxPhotos is how many photos one save may attach.
const maxPhotos = 3

// formPhotos reads and normalises the photos of a multipart ledger form
// (field "photos"); a message for the user is returned for a bad file.
func (s *Server) formPhotos(r *http.Request) ([]photo.Photo, string) {
	if r.MultipartForm == nil {
		return nil, ""
	}
	files := r.MultipartForm.File["photos"]
	var out []photo.Photo
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input of a form sent without photos
		}
		if len(out) == maxPhotos {
			return nil, fmt.Sprintf("每次最多上传%d张照片", maxPhotos)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, photo.ErrBroken.Error()
		}
		b, err := io.ReadAll(io.LimitReader(f, photo.MaxBytes+1))
		f.Close()
		if err != nil {
			return nil, photo.ErrBroken.Error()
		}
		s.photoSlots <- struct{}{}
		p, err := photo.Normalize(b)
		<-s.photoSlots
		if err != nil {
			return nil, fh.Filename + "：" + err.Error()
		}
		out = append(out, p)
	}
	return out, ""
}

func (s *Server) saveLedgerEntry(w http.ResponseWriter, r *http.Request, u auth.User, p store.PairingRow, entryID int64, comment string) {
	if !s.parsePostForm(w, r, maxPhotos*photo.MaxBytes+1<<20, fmt.Sprintf("上传内容过大：每次最多%d张照片，每张不超过10MB。", maxPhotos)) {
		return
	}
	f := r.PostForm
	in := ledger.Input{EntryDate: f.Get("entry_date"), Kind: f.Get("kind"), Description: f.Get("description"),
		Amount: f.Get("amount"), Beneficiaries: f.Get("beneficiaries")}
	token := f.Get("form_token")
	if entryID == 0 && !validUUID(token) {
		// Every form the app serves carries a token; without one a resend
		// could not be told from a new entry.
		s.serveError(w, r, errNoFormToken("记录帮扶"))
		return
	}
	e, errs := ledger.Parse(in, p.StartDate, s.now().In(Shanghai))
	photos, photoErr := s.formPhotos(r)
	if photoErr != "" {
		if errs == nil {
			errs = validation.Errors{}
		}
		errs["photos"] = photoErr + "（请重新选择照片）"
	} else if len(errs) > 0 && len(photos) > 0 {
		errs["photos"] = "请修改上面的错误后重新选择照片"
	}
	if len(errs) > 0 {
		s.renderLedgerForm(w, r, http.StatusUnprocessableEntity, p, entryID, in, errs, token, comment)
		return
	}
	action := f.Get("action")
	if action == "" {
		action = "submit" // Enter in a field sends the form without a button name
	}
	if action != "submit" && action != "draft" {
		s.serveError(w, r, httpError{http.StatusBadRequest, "请使用“提交审核”或“保存草稿”按钮。"})
		return
	}
	submit := action == "submit"
	id, err := s.st.SaveLedgerEntry(r.Context(), u.DeputyID, p.ID, entryID, e, submit, token, photos, u.ID)
	if reused := (*store.TokenReusedError)(nil); errors.As(err, &reused) {
		stored, err := s.st.LedgerEntry(r.Context(), u.Scope(), reused.ID)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		s.render(w, r, http.StatusConflict, ledgerpages.Resent(ledgerpages.ResentProps{
			Layout: s.layoutProps(r, "这张表单已提交过", "/my"), Pairing: p, Stored: stored, Sent: in}))
		return
	}
	if errors.Is(err, store.ErrConflict) && entryID == 0 {
		s.serveError(w, r, httpError{http.StatusConflict, "这张表单已用于另一户的台账，请重新打开“记录帮扶”页面填写。"})
		return
	}
	if errors.Is(err, store.ErrConflict) {
		s.serveError(w, r, httpError{http.StatusConflict, "这条台账已提交或已审核通过，不能再修改。"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// The message says what is stored now: a resend of a form already
	// submitted (or reviewed since) did not change the entry.
	saved, err := s.st.LedgerEntry(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg := map[string]string{
		"draft":     "已保存草稿。",
		"submitted": "已提交，等待乡镇人大主席审核。",
		"approved":  "这条台账已提交过，已审核通过。",
		"returned":  "这条台账已提交过，已被退回，请按退回意见修改后重新提交。",
	}[saved.Status]
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), msg)
}

func (s *Server) renderLedgerForm(w http.ResponseWriter, r *http.Request, status int, p store.PairingRow, entryID int64, in ledger.Input, errs validation.Errors, token, comment string) {
	title := "记录帮扶"
	if entryID != 0 {
		title = "修改台账"
	}
	s.render(w, r, status, ledgerpages.Form(ledgerpages.FormProps{
		Layout: s.layoutProps(r, title, "/my"), Pairing: p, EntryID: entryID, Input: in, Errors: errs,
		FormToken: token, Comment: comment,
	}))
}

// errNoFormToken is the answer to a create form sent without a valid form
// token; page names the page that serves the form.
func errNoFormToken(page string) error {
	return httpError{http.StatusBadRequest, "表单缺少提交标识，无法确认是否已经提交过。请重新打开“" + page + "”页面填写。"}
}

// validUUID reports whether s looks like a canonical UUID.
func validUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// photoShow sends a ledger photo to a user who may see its household (and,
// for a draft, only to its deputy).
func (s *Server) photoShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	data, err := s.st.Photo(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(data)
}
