package web

import (
	"net/http"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/validation"
	authpages "github.com/bangfu/bangfu/web/pages/auth"
)

// passwordShow renders the change-password form.
func (s *Server) passwordShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	s.render(w, r, http.StatusOK, authpages.Password(authpages.PasswordProps{
		Layout: s.layoutProps(r, "修改密码", ""), Forced: u.MustChangePassword, Expired: u.PasswordExpired}))
}

// passwordChange checks the current password and the policy
// (auth.CheckPolicy), stores the new hash, renews the session token and
// clears the must-change flag.
func (s *Server) passwordChange(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	cur, next, confirm := r.PostForm.Get("current"), r.PostForm.Get("new"), r.PostForm.Get("confirm")
	errs := validation.Errors{}
	hash, err := s.st.PasswordHash(r.Context(), u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if ok, _ := auth.CheckPassword(cur, hash); !ok {
		errs["current"] = "当前密码不正确"
	}
	if msg := auth.CheckPolicy(next, u.Username); msg != "" {
		errs["new"] = msg
	} else if next == cur {
		errs["new"] = "新密码不能与当前密码相同"
	}
	if confirm != next {
		errs["confirm"] = "两次输入的新密码不一致"
	}
	if len(errs) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, authpages.Password(authpages.PasswordProps{
			Layout: s.layoutProps(r, "修改密码", ""), Errors: errs, Forced: u.MustChangePassword, Expired: u.PasswordExpired}))
		return
	}
	newHash, err := auth.HashPassword(next)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	at, err := s.st.ChangePassword(r.Context(), u.ID, newHash)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// Sessions signed in before this change (other devices) end at their
	// next request; this one carries on.
	s.sm.Put(r.Context(), sessionPasswordAt, at.UnixMicro())
	if err := s.sm.RenewToken(r.Context()); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/", "密码已修改。")
}

// requirePasswordChange sends a user who still has its initial password, or
// whose password is older than the age staff set, to /password for every
// page but that one and logging out (POSTs get 403).
func (s *Server) requirePasswordChange(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := userFrom(r)
		if ok && (u.MustChangePassword || u.PasswordExpired) && r.URL.Path != "/password" && r.URL.Path != "/logout" {
			if strings.HasPrefix(r.URL.Path, "/api/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				_, _ = w.Write([]byte(`{"error":"请先修改密码"}`))
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/password", http.StatusSeeOther)
				return
			}
			s.serveError(w, r, httpError{http.StatusForbidden, "请先修改密码。"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
