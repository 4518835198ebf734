package web

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/a-h/templ"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/layout"
	"github.com/bangfu/bangfu/web/pages/helpers"
)

// A helper (帮扶人) is a deputy or a unit: both are rows of deputies, told
// apart by kind, and their pages share one builder. helperKind says what
// differs: where its pages live, how its end of service is worded, its
// login name and its page's view.
type helperKind struct {
	kind     string // deputy.KindDeputy or deputy.KindUnit
	base     string // "/deputies" or "/units"
	title    string // page title before the name: "代表 ", "帮扶单位 "
	noun     string // in messages: 代表, 单位
	state    string // its state after the end of service: 离任, 停用 (the date is state+日期)
	verb     string // what the end does: 标记离任, 停用
	endField string // the end date's form field

	username func(store.DeputyRow) string                       // login name opened for it
	view     func(layout.Props, helpers.Helper) templ.Component // its page
}

// Messages of the end of service and of a login, from the kind's words.
func (k helperKind) endLabel() string     { return k.state + "日期" }
func (k helperKind) ended() string        { return "已" + k.verb + "。" }
func (k helperKind) alreadyEnded() string { return "该" + k.noun + "已是" + k.state + "状态。" }
func (k helperKind) endedFlagged(n int) string {
	return fmt.Sprintf("已%s；其帮扶的 %d 户已标记为“待调整帮扶人”，请尽快重新结对。", k.verb, n)
}
func (k helperKind) accountRefused() string {
	return "该" + k.noun + "已有账号或已" + k.state + "，未重复开通。"
}

// path is the helper's page.
func (k helperKind) path(id int64) string { return k.base + "/" + components.ID(id) }

// helperFromPath loads the helper {id} of the URL: 404 when unknown or of
// another kind (a unit's id under /deputies, a deputy's under /units).
func (s *Server) helperFromPath(r *http.Request, k helperKind) (store.DeputyRow, error) {
	id, err := pathID(r)
	if err != nil {
		return store.DeputyRow{}, err
	}
	d, err := s.st.Deputy(r.Context(), id)
	if err != nil {
		return store.DeputyRow{}, err
	}
	if d.Kind != k.kind {
		return store.DeputyRow{}, errNotFound
	}
	return d, nil
}

// renderHelperPage renders the page of the helper of the URL (k's view):
// its record, pairing history and audit trail; h carries what an action
// adds (a new password to show once, which must not be cached; an end date
// refused).
func (s *Server) renderHelperPage(w http.ResponseWriter, r *http.Request, status int, k helperKind, h helpers.Helper) {
	u, _ := userFrom(r)
	d, err := s.helperFromPath(r, k)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pairings, err := s.st.DeputyPairingHistory(r.Context(), d.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	trail, err := s.st.AuditTrail(r.Context(), "deputy", d.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if h.NewPassword != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	h.Row, h.Phone, h.Pairings, h.Audit, h.CanManage = d, phoneFor(u)(d.Phone), pairings, trail, u.Role == auth.Staff
	if h.EndDate == "" {
		h.EndDate = s.today().Format(time.DateOnly)
	}
	s.render(w, r, status, k.view(s.layoutProps(r, k.title+d.Name, "/deputies"), h))
}

// helperEnd ends a helper's service from the date typed in field (not in
// the future): its active pairings are flagged for reassignment, its
// proposals end and its account is disabled. A bad date re-renders the page
// with 422 and the message beside the date.
func (s *Server) helperEnd(w http.ResponseWriter, r *http.Request, k helperKind) {
	u, _ := userFrom(r)
	d, err := s.helperFromPath(r, k)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	typed := r.PostForm.Get(k.endField)
	date, msg := s.endDate(typed, k.endLabel())
	if msg != "" {
		s.renderHelperPage(w, r, http.StatusUnprocessableEntity, k, helpers.Helper{EndDate: typed, EndError: msg})
		return
	}
	n, err := s.st.MarkLeftOffice(r.Context(), d.ID, date, u.ID)
	if errors.Is(err, store.ErrConflict) {
		s.redirect(w, r, k.path(d.ID), k.alreadyEnded())
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg = k.ended()
	if n > 0 {
		msg = k.endedFlagged(n)
	}
	s.redirect(w, r, k.path(d.ID), msg)
}

// helperAccount opens a login (role deputy) for the helper of the URL under
// the username k.username(helper), with a random initial password to be
// changed at first sign-in; the page that answers shows it once.
func (s *Server) helperAccount(w http.ResponseWriter, r *http.Request, k helperKind) {
	u, _ := userFrom(r)
	d, err := s.helperFromPath(r, k)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	password, err := auth.RandomPassword(12)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if err := s.st.CreateDeputyAccount(r.Context(), d.ID, k.username(d), hash, u.ID); err != nil {
		if errors.Is(err, store.ErrConflict) {
			s.redirect(w, r, k.path(d.ID), k.accountRefused())
			return
		}
		s.serveError(w, r, err)
		return
	}
	s.renderHelperPage(w, r, http.StatusOK, k, helpers.Helper{NewPassword: password})
}

// endDate reads the day a helper stops (a deputy's 离任日期, a unit's
// 停用日期: label names it in the message): a date, not after today and not
// before 2000. It returns the date or the Chinese message for the field.
func (s *Server) endDate(typed, label string) (time.Time, string) {
	date, err := time.Parse(time.DateOnly, typed)
	switch {
	case err != nil:
		return time.Time{}, "请填写" + label + "，如 2026-03-31"
	case date.After(s.today()):
		return time.Time{}, label + "不能晚于今天"
	case date.Year() < 2000:
		return time.Time{}, label + "不能早于2000年"
	}
	return date, ""
}
