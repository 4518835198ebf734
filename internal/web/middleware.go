package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
)

const requestIDKey ctxKey = 2

// withRequestID gives each request an id for the logs and the X-Request-Id
// response header.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// withOrigin puts the client address and the request id into the request
// context, where every audit event written for the request finds them
// (store.WithOrigin). The address is the TCP peer (r.RemoteAddr), as for
// the login throttle: no forwarding header is trusted.
func withOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o := store.Origin{IP: clientIP(r), RequestID: requestID(r)}
		next.ServeHTTP(w, r.WithContext(store.WithOrigin(r.Context(), o)))
	})
}

// realClient makes r.RemoteAddr the client's address when the request comes
// from a trusted reverse proxy (Options.TrustedProxies): the right-most
// address of X-Forwarded-For that is not itself a trusted proxy (addresses
// further left were written by the client and may be forged). From any
// other peer, and without trusted proxies, the header is ignored.
func realClient(trusted []netip.Prefix) func(http.Handler) http.Handler {
	isTrusted := func(a netip.Addr) bool {
		a = a.Unmap()
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(next http.Handler) http.Handler {
		if len(trusted) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			peer, err := netip.ParseAddrPort(r.RemoteAddr)
			if err != nil || !isTrusted(peer.Addr()) {
				next.ServeHTTP(w, r)
				return
			}
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
				if err != nil {
					break // a malformed hop: stop believing the header
				}
				if !isTrusted(a) {
					r.RemoteAddr = netip.AddrPortFrom(a.Unmap(), 0).String()
					break
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// clientIP is the address of r's peer without the port (after realClient).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// withDeadline bounds each request's work by s.requestTimeout, so that a
// hung or locked database makes the page answer 503 暂时无法服务 instead
// of holding the request and its connection (dbUnavailable). Uploads
// (multipart forms) and downloads of export files and spreadsheets get the
// jobs' limit: they may take long on a slow line.
func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := s.requestTimeout
		p := r.URL.Path
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") ||
			strings.HasSuffix(p, ".xlsx") || strings.HasSuffix(p, "/file") || strings.Contains(p, "/files/") {
			d = s.jobs.timeout
		}
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// recoverer turns a panic into a logged 500 page.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.serveError(w, r, fmt.Errorf("panic: %v", p))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// securityHeaders sets headers every page gets: no sniffing, no framing,
// same-origin referrers, a Content-Security-Policy without inline script,
// Cache-Control no-store on everything but the static files (pages carry
// personal data), and HSTS when served over HTTPS (secure).
func securityHeaders(secure bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			if secure {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			if !strings.HasPrefix(r.URL.Path, "/static/") {
				h.Set("Cache-Control", "no-store")
			}
			headers(next).ServeHTTP(w, r)
		})
	}
}

func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

// loadUser reads the user id from the session and the user itself from the
// database on every request, so that a change of role, scope or a disabled
// account applies at once. A session whose user is gone is destroyed.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sm.GetInt64(r.Context(), "user_id")
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		if !s.checkSessionAge(r) {
			_ = s.sm.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.st.User(r.Context(), id)
		if err == nil && s.sm.GetInt64(r.Context(), sessionPasswordAt) < u.PasswordChangedAt.UnixMicro() {
			// Signed in before the password was last changed.
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) {
			_ = s.sm.Destroy(r.Context())
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(withUser(r.Context(), u)))
	})
}

// requireUser sends anonymous browsers to /login (303) and answers API calls
// with 401.
func (s *Server) requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := userFrom(r); !ok {
			if len(r.URL.Path) >= 5 && r.URL.Path[:5] == "/api/" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = w.Write([]byte(`{"error":"请先登录"}`))
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireRole admits only the given roles; others get 403.
func (s *Server) requireRole(roles ...auth.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, _ := userFrom(r)
			if !slices.Contains(roles, u.Role) {
				s.serveError(w, r, errForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// logRequests logs one line per request at debug level with its duration.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		next.ServeHTTP(w, r)
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "request_id", requestID(r), "duration", time.Since(start))
	})
}

// refuseBadText answers 400 when the query string or a form carries text
// that is not valid UTF-8 or holds a NUL character: PostgreSQL text cannot
// store either, and no honest form sends them.
func (s *Server) refuseBadText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bad := func(vals url.Values) bool {
			for k, vs := range vals {
				if !cleanText(k) {
					return true
				}
				for _, v := range vs {
					if !cleanText(v) {
						return true
					}
				}
			}
			return false
		}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				s.serveError(w, r, httpError{http.StatusBadRequest, "表单无法读取。"})
				return
			}
			if bad(r.Form) {
				s.serveError(w, r, errBadText)
				return
			}
		} else if q, err := url.ParseQuery(r.URL.RawQuery); err != nil || bad(q) {
			s.serveError(w, r, errBadText)
			return
		}
		next.ServeHTTP(w, r)
	})
}

var errBadText = httpError{http.StatusBadRequest, "输入中含有无法识别的字符，请检查后重新填写。"}

func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// Session keys beside user_id: whether the deputy chose "remember me", and
// when (Unix seconds) it signed in and was last seen.
const (
	sessionRemember = "remember"
	sessionLoginAt  = "login_at"
	sessionSeen     = "seen"
	// sessionPasswordAt is the password's users.password_changed_at
	// (Unix µs) when this session signed in or changed it.
	sessionPasswordAt = "password_at"
)

// checkSessionAge reports whether the signed-in session may go on: a
// remembered deputy's session lasts RememberFor (the store drops it then);
// any other ends after IdleTimeout without a request or SessionLifetime
// after signing in. The last-seen time is written at most once a minute, so
// that reading a page does not always rewrite the session row.
func (s *Server) checkSessionAge(r *http.Request) bool {
	ctx := r.Context()
	now := s.clock().Unix()
	seen, login := s.sm.GetInt64(ctx, sessionSeen), s.sm.GetInt64(ctx, sessionLoginAt)
	if !s.sm.GetBool(ctx, sessionRemember) {
		if now-seen > int64(IdleTimeout/time.Second) || now-login > int64(SessionLifetime/time.Second) {
			return false
		}
	}
	if now-seen >= 60 {
		s.sm.Put(ctx, sessionSeen, now)
	}
	return true
}
