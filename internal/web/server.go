// Package web is Bangfu's HTTP layer: routes (routes.go), middleware, the
// error mapper, and one handler file per action named noun_verb.go. Handlers
// parse forms, validate with the domain packages, call the store in one
// transaction and render templ pages; they hold no SQL.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/alexedwards/scs/v2"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/layout"
	"github.com/bangfu/bangfu/web/pages/errorpage"
	"github.com/go-chi/chi/v5"
)

// Server holds what handlers need. Build it with New.
type Server struct {
	st     *store.Store
	sm     *scs.SessionManager
	log    *slog.Logger
	county string
	now    func() time.Time
	clock  func() time.Time // sessions' time (Options.SessionClock)
	// trustedProxies: see Options.TrustedProxies.
	trustedProxies []netip.Prefix
	// photoSlots bounds how many uploaded photos are decoded at once, so a
	// burst of uploads cannot take all memory (each may take up to
	// photo.MaxDecoded bytes).
	photoSlots chan struct{}
	secure     bool // served over HTTPS: HSTS
	// requestTimeout bounds a page's work (Options.RequestTimeout); jobs
	// run background work under their own limit.
	requestTimeout time.Duration
	jobs           *jobRunner
}

// Options configure New.
type Options struct {
	CountyCode    string
	SecureCookies bool // served over HTTPS: HSTS (the session cookie is set by NewSessionManager)
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (config TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// SessionClock is the time sessions age by; nil means time.Now. (Tests
	// move Now by days without signing everyone out.)
	SessionClock func() time.Time
	// RequestTimeout bounds each request's database work (config
	// REQUEST_TIMEOUT; 0: 4 s). Downloads of export files and uploads get
	// JobTimeout instead.
	RequestTimeout time.Duration
	// JobTimeout bounds one import or export job (config JOB_TIMEOUT; 0:
	// 10 minutes); MaxJobs is how many run at once (MAX_JOBS; 0: 2).
	JobTimeout time.Duration
	MaxJobs    int
}

// Session lifetimes (等保 2.0 / issue 8): staff, leaders and chairs are
// signed out after IdleTimeout without a request and SessionLifetime after
// signing in; a deputy who ticks "remember me" stays signed in RememberFor.
const (
	IdleTimeout     = 30 * time.Minute
	SessionLifetime = 12 * time.Hour
	RememberFor     = 14 * 24 * time.Hour
)

// Shanghai is the display time zone (DESIGN.md §5).
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()

// NewSessionManager returns the scs session manager on the PostgreSQL store
// (table sessions): cookie HttpOnly, SameSite=Lax, Secure and named
// __Host-bangfu_session when secure is set,
// 30 minutes idle timeout, 12 hours lifetime.
func NewSessionManager(st *store.Store, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = newPgxStore(st)
	// The store keeps a session at most RememberFor; checkSessionAge ends
	// the others after IdleTimeout without a request or SessionLifetime in
	// all. scs's own IdleTimeout stays off: it would rewrite the session row
	// on every request.
	sm.Lifetime = RememberFor
	sm.Cookie.Persist = false // a browser-session cookie unless RememberMe
	sm.Cookie.Name = "bangfu_session"
	if secure {
		// Over HTTPS the __Host- prefix binds the cookie to this host and path /.
		sm.Cookie.Name = "__Host-bangfu_session"
		sm.Cookie.Path = "/"
	}
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	return sm
}

// Handler is the application's HTTP handler; Routes lists its chi routes
// (for the route coverage test).
type Handler struct {
	http.Handler
	Routes chi.Routes
	s      *Server
}

// StopJobs is for shutting down: it cancels the imports and exports
// running or queued, which end as failed with a message asking the user to
// start them again, and waits for them until ctx is done (the error then).
func (h *Handler) StopJobs(ctx context.Context) error { return h.s.jobs.stop(ctx) }

// New returns the application's HTTP handler.
func New(st *store.Store, sm *scs.SessionManager, log *slog.Logger, o Options) *Handler {
	s := &Server{st: st, sm: sm, log: log, county: o.CountyCode, now: o.Now, clock: o.SessionClock, trustedProxies: o.TrustedProxies, photoSlots: make(chan struct{}, 2), secure: o.SecureCookies}
	// A session that cannot be loaded or saved (the database is away) gets
	// the Chinese error page, not scs's plain 500.
	sm.ErrorFunc = s.serveError
	if s.now == nil {
		s.now = time.Now
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.county == "" {
		s.county = "430681"
	}
	s.requestTimeout = o.RequestTimeout
	if s.requestTimeout <= 0 {
		s.requestTimeout = 4 * time.Second
	}
	s.jobs = newJobRunner(o.JobTimeout, o.MaxJobs)
	h, routes := s.routes()
	return &Handler{Handler: h, Routes: routes, s: s}
}

// today is the current date in Asia/Shanghai at UTC midnight (how pgx reads
// a PostgreSQL date).
func (s *Server) today() time.Time {
	t := s.now().In(Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

type ctxKey int

const userKey ctxKey = 1

func withUser(ctx context.Context, u auth.User) context.Context {
	return context.WithValue(ctx, userKey, u)
}

// userFrom returns the signed-in user; ok is false for anonymous requests.
func userFrom(r *http.Request) (auth.User, bool) {
	u, ok := r.Context().Value(userKey).(auth.User)
	return u, ok
}

// layoutProps returns the frame props for a page.
func (s *Server) layoutProps(r *http.Request, title, current string) layout.Props {
	p := layout.Props{Title: title, Current: current}
	if u, ok := userFrom(r); ok {
		p.Viewer = layout.Viewer{Name: u.DisplayName, Role: string(u.Role), RoleLabel: auth.Roles.Label(string(u.Role)), Unit: u.Unit}
		if u.Unit {
			p.Viewer.RoleLabel = "帮扶单位"
		}
	}
	p.Flash = s.popFlash(r)
	return p
}

// popFlash takes the one-time flash message out of the session; it is empty
// when the request carries no session (a panic caught before the session
// middleware ran).
func (s *Server) popFlash(r *http.Request) (msg string) {
	defer func() {
		if recover() != nil {
			msg = ""
		}
	}()
	return s.sm.PopString(r.Context(), "flash")
}

// render writes c with status after rendering it into a buffer, so that a
// template error becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// httpError is an error with a status and a Chinese message for the user.
type httpError struct {
	status int
	msg    string
}

func (e httpError) Error() string { return e.msg }

var (
	errDBUnavailable = httpError{http.StatusServiceUnavailable, "数据库暂时无法连接，请稍后再试。您填写的内容没有保存，请返回上一页重新提交。如果问题持续，请联系市人大办公室。"}
	errNotFound      = httpError{http.StatusNotFound, "没有找到这个页面，或您无权查看。"}
	errForbidden     = httpError{http.StatusForbidden, "您的账号无权进行此操作。"}
)

// serveError maps err to a page: 404 for store.ErrNotFound, 409 for
// store.ErrConflict, the status of an httpError, else 500 with the full error
// logged (request id, user, route) and a generic message shown.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	var he httpError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, store.ErrNotFound):
		he = errNotFound
	case errors.Is(err, store.ErrConflict):
		he = httpError{http.StatusConflict, "该记录已被他人修改或状态已变化，请刷新后重试。"}
	case dbUnavailable(err):
		he = errDBUnavailable
		s.log.Warn("database unavailable", "err", err, "request_id", requestID(r), "path", r.URL.Path)
	default:
		he = httpError{http.StatusInternalServerError, "系统出错了，请稍后再试。如果问题持续，请联系市人大办公室。"}
		u, _ := userFrom(r)
		s.log.Error("request failed", "err", err, "request_id", requestID(r), "user", u.Username, "method", r.Method, "path", r.URL.Path)
	}
	if he.status == http.StatusForbidden {
		s.auditDenied(r)
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		// The API answers in JSON, errors too.
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(he.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": he.msg})
		return
	}
	titles := map[int]string{503: "暂时无法服务", 400: "请求有误", 403: "无权访问", 404: "页面不存在", 405: "不支持该操作", 409: "操作冲突", 413: "内容过大", 422: "无法处理", 429: "请稍后再试", 500: "系统错误"}
	props := errorpage.Props{Layout: s.layoutProps(r, titles[he.status], ""), Status: he.status, Message: he.msg}
	var buf bytes.Buffer
	// The request's deadline may have passed (that may be the error):
	// the page is rendered all the same.
	if rerr := errorpage.Page(props).Render(context.WithoutCancel(r.Context()), &buf); rerr != nil {
		http.Error(w, he.msg, he.status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(he.status)
	_, _ = buf.WriteTo(w)
}

// auditDenied records a refusal (403) of a signed-in user as the audit
// event authz.denied with the method and path (never the query string,
// which may carry personal data). Anonymous refusals (cross-site requests
// before any session is read) are not recorded: anyone could fill the
// audit log with them.
func (s *Server) auditDenied(r *http.Request) {
	u, ok := userFrom(r)
	if !ok {
		return
	}
	if err := s.st.AuditDenied(r.Context(), u.ID, r.Method, r.URL.Path); err != nil {
		s.log.Error("audit authz.denied", "err", err, "request_id", requestID(r), "user", u.Username, "path", r.URL.Path)
	}
}

// redirect stores a flash message and answers 303 See Other.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, url, flash string) {
	if flash != "" {
		s.sm.Put(r.Context(), "flash", flash)
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// dbUnavailable reports whether err means the database cannot be reached
// in time: a closed pool, a refused or broken connection, a server shutting
// down, terminating the session or cancelling a statement past
// statement_timeout (SQLSTATE classes 08 and 57), a lock not granted within
// lock_timeout (55P03), or the request's deadline passed while waiting
// (withDeadline). Such requests answer 503; the pool reconnects by itself
// when the database is back.
func dbUnavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57") || pgErr.Code == "55P03"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var connErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connErr) || errors.As(err, &netErr) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, puddle.ErrClosedPool) || pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "closed pool")
}
