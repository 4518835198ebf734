package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/deputies"
)

// deputyShow renders a deputy's page: facts, pairings (with those flagged
// for reassignment), account and audit trail.
func (s *Server) deputyShow(w http.ResponseWriter, r *http.Request) {
	// A link to a helper that is a unit lands on the unit's page.
	if id, err := pathID(r); err == nil {
		if d, err := s.st.Deputy(r.Context(), id); err == nil && d.Kind == deputy.KindUnit {
			http.Redirect(w, r, "/units/"+components.ID(id), http.StatusSeeOther)
			return
		}
	}
	s.renderDeputyPage(w, r, http.StatusOK, deputies.ShowProps{})
}

// renderDeputyPage renders the deputy page; p carries what an action adds
// (a new password to show once, a left-office date error).
func (s *Server) renderDeputyPage(w http.ResponseWriter, r *http.Request, status int, p deputies.ShowProps) {
	u, _ := userFrom(r)
	d, err := s.deputyFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := d.ID
	pairings, err := s.st.DeputyPairingHistory(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	trail, err := s.st.AuditTrail(r.Context(), "deputy", id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.NewPassword != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	p.Layout, p.Deputy, p.Phone = s.layoutProps(r, "代表 "+d.Name, "/deputies"), d, phoneFor(u)(d.Phone)
	p.Pairings, p.Audit, p.CanManage = pairings, trail, u.Role == auth.Staff
	if p.LeftOfficeDate == "" {
		p.LeftOfficeDate = s.today().Format(time.DateOnly)
	}
	s.render(w, r, status, deputies.Show(p))
}

// deputyLeftOffice marks a deputy as left office on the given date (not in
// the future); its active pairings are flagged for reassignment and its
// account is disabled.
func (s *Server) deputyLeftOffice(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	d, err := s.deputyFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := d.ID
	typed := r.PostForm.Get("left_office_date")
	date, msg := s.endDate(typed, "离任日期")
	if msg != "" {
		s.renderDeputyPage(w, r, http.StatusUnprocessableEntity, deputies.ShowProps{LeftOfficeDate: typed, LeftOfficeError: msg})
		return
	}
	n, err := s.st.MarkLeftOffice(r.Context(), id, date, u.ID)
	if errors.Is(err, store.ErrConflict) {
		s.redirect(w, r, "/deputies/"+components.ID(id), "该代表已是离任状态。")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg = "已标记离任。"
	if n > 0 {
		msg = fmt.Sprintf("已标记离任；其帮扶的 %d 户已标记为“待调整帮扶人”，请尽快重新结对。", n)
	}
	s.redirect(w, r, "/deputies/"+components.ID(id), msg)
}

// deputyAccount opens a login for a deputy from its record: the username is
// its name in pinyin plus its id, the initial password random; the password
// is shown once on the page that answers and must be changed at first
// sign-in.
func (s *Server) deputyAccount(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	d, err := s.deputyFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := d.ID
	_, full, _ := strings.Cut(pinyin.Key(d.Name), "|")
	if len(full) > 30 {
		full = full[:30]
	}
	username := fmt.Sprintf("%s.%d", full, d.ID)
	if full == "" {
		username = fmt.Sprintf("deputy.%d", d.ID)
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
	if err := s.st.CreateDeputyAccount(r.Context(), id, username, hash, u.ID); err != nil {
		if errors.Is(err, store.ErrConflict) {
			s.redirect(w, r, "/deputies/"+components.ID(id), "该代表已有账号或已离任，未重复开通。")
			return
		}
		s.serveError(w, r, err)
		return
	}
	s.renderDeputyPage(w, r, http.StatusOK, deputies.ShowProps{NewPassword: password})
}

// deputyFromPath loads the deputy {id} of the URL: 404 when unknown or
// when the id is a unit's (units have their own pages under /units).
func (s *Server) deputyFromPath(r *http.Request) (store.DeputyRow, error) {
	id, err := pathID(r)
	if err != nil {
		return store.DeputyRow{}, err
	}
	d, err := s.st.Deputy(r.Context(), id)
	if err != nil {
		return store.DeputyRow{}, err
	}
	if d.Kind != deputy.KindDeputy {
		return store.DeputyRow{}, errNotFound
	}
	return d, nil
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
