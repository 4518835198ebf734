package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	authpages "github.com/bangfu/bangfu/web/pages/auth"
)

// loginShow renders the sign-in form; signed-in users go home.
func (s *Server) loginShow(w http.ResponseWriter, r *http.Request) {
	if _, ok := userFrom(r); ok {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.render(w, r, http.StatusOK, authpages.Login(authpages.LoginProps{Layout: s.layoutProps(r, "登录", "")}))
}

// dummyHash is compared against when the username is unknown, so that the
// answer takes as long as for a wrong password. It is made on first use: an
// argon2id hash costs 64 MB and tens of milliseconds, not worth paying at
// start-up.
var dummyHash = sync.OnceValue(func() string {
	h, _ := auth.HashPassword("no such user")
	return h
})

// loginSubmit checks username and password, renews the session token and
// stores the user id; a failure re-renders the form (422) with the name kept.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.serveError(w, r, httpError{http.StatusBadRequest, "表单无法读取。"})
		return
	}
	username := strings.ToLower(strings.TrimSpace(r.PostForm.Get("username")))
	if len(username) > 64 {
		// No account name is this long (at most 40): neither looked up nor
		// shown again in full.
		n := 64
		for n > 0 && !utf8.RuneStart(username[n]) {
			n--
		}
		username = username[:n]
		r.PostForm.Set("username", username)
	}
	password := r.PostForm.Get("password")
	refuse := func(msg string) {
		s.render(w, r, http.StatusUnprocessableEntity, authpages.Login(authpages.LoginProps{
			Layout: s.layoutProps(r, "登录", ""), Username: r.PostForm.Get("username"), Error: msg,
			Remember: r.PostForm.Get("remember") != ""}))
	}
	lockedMsg := func(until time.Time) string {
		return fmt.Sprintf("连续%d次密码错误，账号已锁定，请于%s后再试，或联系市人大办公室。", store.LockoutFailures, until.In(Shanghai).Format("15:04"))
	}
	until, err := s.st.LockedUntil(r.Context(), username, s.now())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if !until.IsZero() {
		// Locked: the password is not even checked.
		_ = s.st.AuditLogin(r.Context(), 0, username, false)
		refuse(lockedMsg(until))
		return
	}
	u, hash, err := s.st.UserForLogin(r.Context(), username)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serveError(w, r, err)
		return
	}
	found := err == nil
	if !found {
		hash = dummyHash()
	}
	ok, herr := auth.CheckPassword(password, hash)
	if herr != nil || !ok || !found {
		locked, err := s.st.LoginFailed(r.Context(), u.ID, username, s.now())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		if !locked.IsZero() {
			refuse(lockedMsg(locked))
			return
		}
		refuse("用户名或密码不正确。")
		return
	}
	if err := s.sm.RenewToken(r.Context()); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.sm.Put(r.Context(), "user_id", u.ID)
	// Only deputies, who work in villages on their own phones, may stay
	// signed in for RememberFor; everyone else times out after IdleTimeout.
	remember := u.Role == auth.Deputy && r.PostForm.Get("remember") != ""
	now := s.clock().Unix()
	s.sm.Put(r.Context(), sessionRemember, remember)
	s.sm.Put(r.Context(), sessionLoginAt, now)
	s.sm.Put(r.Context(), sessionSeen, now)
	s.sm.Put(r.Context(), sessionPasswordAt, u.PasswordChangedAt.UnixMicro())
	s.sm.RememberMe(r.Context(), remember)
	if err := s.st.AuditLogin(r.Context(), u.ID, username, true); err != nil {
		s.serveError(w, r, err)
		return
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// logoutSubmit ends the session.
func (s *Server) logoutSubmit(w http.ResponseWriter, r *http.Request) {
	if u, ok := userFrom(r); ok {
		if err := s.st.AuditAction(r.Context(), u.ID, "user.logout", "user", u.ID, nil); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if err := s.sm.Destroy(r.Context()); err != nil {
		s.serveError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// homeShow sends each role to its home page.
func (s *Server) homeShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	switch u.Role {
	case auth.Deputy:
		http.Redirect(w, r, "/my", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	}
}
