package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/web/static"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
)

// routes is every route of the application, by audience. A new route must
// also be listed in the route coverage test (routes_test.go).
func (s *Server) routes() (http.Handler, chi.Routes) {
	r := chi.NewRouter()
	r.Use(realClient(s.trustedProxies), withRequestID, withOrigin, s.withDeadline, s.recoverer, s.logRequests, securityHeaders(s.secure), s.refuseBadText, s.sm.LoadAndSave, s.loadUser)

	// Public: health, static files.
	r.Get("/healthz", s.healthzShow)
	r.Get("/static/*", http.StripPrefix("/static/", staticHandler()).ServeHTTP)

	{
		// Sign in and out.
		r.Get("/login", s.loginShow)
		// Throttled per address and per username (a spread-out guess at
		// one account), each with a Chinese page; the lockout after 5
		// wrong passwords is in loginSubmit.
		tooMany := httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			s.serveError(w, r, httpError{http.StatusTooManyRequests, "登录尝试过于频繁，请一分钟后再试。"})
		})
		r.With(httprate.LimitBy(20, time.Minute, loginAddress, tooMany),
			httprate.LimitBy(10, time.Minute, loginUsername, tooMany)).Post("/login", s.loginSubmit)

		r.Group(func(r chi.Router) {
			r.Use(s.requireUser, s.requirePasswordChange)
			r.Post("/logout", s.logoutSubmit)
			r.Get("/password", s.passwordShow)
			r.Post("/password", s.passwordChange)
			r.Get("/", s.homeShow)

			// Progress: leaders and staff for the county, chairs for their township.
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/dashboard", s.dashboardShow)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/api/v1/progress", s.progressAPI)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/followup", s.followUpList)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/digest", s.digestShow)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/ledger", s.ledgerList)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/ledger/export.xlsx", s.ledgerExport)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/ranking", s.rankingShow)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/ranking/rules", s.rankingRules)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/ranking/export.xlsx", s.rankingExport)
			r.With(s.requireRole(auth.Staff)).Post("/settings/ranking", s.settingsRanking)
			r.With(s.requireRole(auth.Staff, auth.Leader)).Get("/evaluation", s.evaluationList)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.Deputy)).Get("/evaluation/rules", s.evaluationRules)
			r.With(s.requireRole(auth.Staff, auth.Leader)).Get("/evaluation/export.xlsx", s.evaluationExport)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.Deputy)).Get("/evaluation/{id}", s.evaluationShow)
			r.With(s.requireRole(auth.Staff)).Post("/settings/evaluation", s.settingsEvaluation)

			// Joint meetings and action items.
			r.Get("/meetings", s.meetingList)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/meetings/new", s.meetingNew)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/meetings", s.meetingCreate)
			r.Get("/meetings/{id}", s.meetingShow)
			r.Get("/meetings/{id}/minutes", s.meetingMinutes)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/meetings/{id}", s.meetingRecord)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/meetings/{id}/attendees", s.meetingAttendee)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/meetings/{id}/cases", s.meetingCase)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/meetings/{id}/items", s.meetingItem)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/action-items", s.actionItemList)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/action-items/export.xlsx", s.actionItemExport)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Post("/action-items/{id}/close", s.actionItemClose)

			// Notices (通知公告): staff publish; recipients read; staff and
			// leaders follow who has read and answered. Scoped in the store.
			r.Get("/notices", s.noticeList)
			r.With(s.requireRole(auth.Staff)).Get("/notices/new", s.noticeNew)
			r.With(s.requireRole(auth.Staff)).Post("/notices", s.noticeCreate)
			r.With(s.requireRole(auth.Staff)).Post("/notices/{id}/withdraw", s.noticeWithdraw)
			r.Get("/notices/{id}", s.noticeShow)
			r.Get("/notices/{id}/files/{fid}", s.noticeFile)
			r.With(s.requireRole(auth.Staff, auth.Leader)).Get("/notices/{id}/recipients", s.noticeRecipients)

			// Model cases (典型) and the showcase; townships' quarterly summaries.
			r.Get("/showcase", s.showcaseList)
			r.Get("/model-cases/{id}/photo", s.modelCasePhoto)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/model-cases/new", s.modelCaseNew)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/model-cases", s.modelCaseCreate)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/model-cases/{id}/edit", s.modelCaseEdit)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/model-cases/{id}", s.modelCaseUpdate)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/model-cases/{id}/delete", s.modelCaseDelete)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/summaries", s.summaryList)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/summaries/export.xlsx", s.summaryExport)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/summaries/{township}/{quarter}", s.summaryShow)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/summaries/{township}/{quarter}/print", s.summaryPrint)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/summaries/{township}/{quarter}/export.xlsx", s.summaryFiguresExport)
			r.With(s.requireRole(auth.TownshipChair)).Post("/summaries/{township}/{quarter}", s.summarySave)
			r.With(s.requireRole(auth.Staff)).Post("/summaries/{township}/{quarter}/return", s.summaryReturn)

			// The relief point's projects and cooperatives.
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/support", s.supportShow)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/projects/new", s.projectNew)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/projects", s.projectCreate)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/projects/{id}", s.projectShow)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/projects/{id}", s.projectUpdate)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/projects/{id}/beneficiaries", s.projectBeneficiary)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/cooperatives/new", s.cooperativeNew)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/cooperatives", s.cooperativeCreate)
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/cooperatives/{id}", s.cooperativeShow)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/cooperatives/{id}/members", s.cooperativeMember)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/cooperatives/{id}/payouts", s.cooperativePayout)

			// Deputy registry.
			r.With(s.requireRole(auth.Staff, auth.Leader)).Get("/deputies", s.deputyList)
			r.With(s.requireRole(auth.Staff)).Get("/deputies/new", s.deputyNew)
			r.With(s.requireRole(auth.Staff)).Post("/deputies", s.deputyCreate)
			r.With(s.requireRole(auth.Staff)).Get("/deputies/template.xlsx", s.deputyTemplate)
			r.With(s.requireRole(auth.Staff)).Get("/deputies/import", s.importShow(deputyImporter))
			r.With(s.requireRole(auth.Staff)).Post("/deputies/import", s.importStart(deputyImporter))
			r.With(s.requireRole(auth.Staff, auth.Leader)).Post("/deputies/export", s.deputyExport)
			r.With(s.requireRole(auth.Staff, auth.Leader)).Get("/deputies/{id}", s.deputyShow)
			r.With(s.requireRole(auth.Staff)).Get("/deputies/{id}/edit", s.deputyEdit)
			r.With(s.requireRole(auth.Staff)).Post("/deputies/{id}", s.deputyUpdate)
			r.With(s.requireRole(auth.Staff)).Post("/deputies/{id}/left-office", s.deputyLeftOffice)
			r.With(s.requireRole(auth.Staff)).Post("/deputies/{id}/account", s.deputyAccount)

			// Helpers that are units (帮扶单位: 委办 and other organisations).
			r.With(s.requireRole(auth.Staff, auth.Leader)).Get("/units", s.unitList)
			r.With(s.requireRole(auth.Staff)).Get("/units/new", s.unitNew)
			r.With(s.requireRole(auth.Staff)).Post("/units", s.unitCreate)
			r.With(s.requireRole(auth.Staff, auth.Leader)).Get("/units/{id}", s.unitShow)
			r.With(s.requireRole(auth.Staff)).Get("/units/{id}/edit", s.unitEdit)
			r.With(s.requireRole(auth.Staff)).Post("/units/{id}", s.unitUpdate)
			r.With(s.requireRole(auth.Staff)).Post("/units/{id}/deactivate", s.unitDeactivate)
			r.With(s.requireRole(auth.Staff)).Post("/units/{id}/account", s.unitAccount)

			// Household registry; the household page is scoped per role in the store.
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Get("/households", s.householdList)
			r.With(s.requireRole(auth.Staff)).Get("/households/new", s.householdNew)
			r.With(s.requireRole(auth.Staff)).Post("/households", s.householdCreate)
			r.With(s.requireRole(auth.Staff)).Get("/households/template.xlsx", s.householdTemplate)
			r.With(s.requireRole(auth.Staff)).Get("/households/import", s.importShow(householdImporter))
			r.With(s.requireRole(auth.Staff)).Post("/households/import", s.importStart(householdImporter))
			r.With(s.requireRole(auth.Staff, auth.Leader, auth.TownshipChair)).Post("/households/export", s.householdExport)
			r.With(s.requireRole(auth.Staff)).Post("/households/find", s.householdFind)
			r.Get("/households/{id}", s.householdShow)
			r.Get("/households/{id}/file", s.householdFile)
			r.Get("/households/{id}/card", s.householdCard)
			r.Get("/households/{id}/ledger.xlsx", s.householdLedgerExport)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/villages/{code}/files", s.villageFiles)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/households/{id}/edit", s.householdEdit)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/households/{id}", s.householdUpdate)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Post("/households/{id}/status", s.householdStatus)
			r.With(s.requireRole(auth.Staff)).Post("/households/{id}/reveal", s.householdReveal)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair, auth.Deputy)).Post("/households/{id}/income", s.householdIncome)
			r.With(s.requireRole(auth.Deputy, auth.TownshipChair)).Post("/households/{id}/exit", s.householdExitPropose)
			r.With(s.requireRole(auth.TownshipChair, auth.Leader)).Post("/households/{id}/exit/return", s.householdExitReturn)
			r.With(s.requireRole(auth.TownshipChair, auth.Leader)).Post("/households/{id}/exit/{step}", s.householdExitStep)

			// Long-running imports and exports: their owner follows them.
			r.Get("/jobs/{id}", s.jobShow)
			r.Get("/jobs/{id}/file", s.jobFile)

			// Pairing (staff), measures and goal (staff or the paired deputy).
			r.With(s.requireRole(auth.Staff)).Get("/households/{id}/pair", s.pairingNew)
			r.With(s.requireRole(auth.Staff)).Post("/households/{id}/pairings", s.pairingCreate)
			r.With(s.requireRole(auth.Staff)).Post("/pairings/{id}/end", s.pairingEnd)
			r.With(s.requireRole(auth.Staff, auth.Deputy)).Post("/pairings/{id}/measures", s.measureCreate)
			r.With(s.requireRole(auth.Staff, auth.Deputy)).Post("/pairings/{id}/goal", s.goalSave)
			r.With(s.requireRole(auth.Staff, auth.Deputy)).Post("/pairings/{id}/measures/{mid}", s.measureUpdate)

			// The pairing workflow: applications → suggestions → the chair confirms.
			r.With(s.requireRole(auth.Staff, auth.Deputy), s.refuseUnits).Get("/applications", s.applicationList)
			r.With(s.requireRole(auth.Staff, auth.Deputy), s.refuseUnits).Get("/applications/new", s.applicationNew)
			r.With(s.requireRole(auth.Staff, auth.Deputy), s.refuseUnits).Post("/applications", s.applicationCreate)
			r.With(s.requireRole(auth.Staff)).Get("/pairing/suggest", s.pairingSuggest)
			r.With(s.requireRole(auth.Staff)).Post("/pairing/propose", s.pairingPropose)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/pairing/confirm", s.pairingQueue)
			r.With(s.requireRole(auth.TownshipChair)).Post("/pairings/{id}/confirm", s.pairingConfirm)
			r.With(s.requireRole(auth.TownshipChair)).Post("/pairings/{id}/reject", s.pairingReject)
			r.With(s.requireRole(auth.Staff, auth.TownshipChair)).Get("/pairing/reassign", s.pairingReassignList)
			r.With(s.requireRole(auth.Staff)).Post("/pairings/{id}/transfer", s.pairingTransfer)
			r.With(s.requireRole(auth.Staff)).Get("/settings", s.settingsShow)
			r.With(s.requireRole(auth.Staff)).Post("/settings/adjacency", s.settingsAdjacency)
			r.With(s.requireRole(auth.Staff)).Post("/settings/poverty-lines", s.settingsPovertyLine)
			r.With(s.requireRole(auth.Staff)).Post("/settings/followup", s.settingsFollowUp)
			r.With(s.requireRole(auth.Staff)).Post("/settings/spot-check", s.settingsSpotCheck)
			r.With(s.requireRole(auth.Staff)).Post("/settings/password-age", s.settingsPasswordAge)

			// Audit log: staff search and export every audit event.
			r.With(s.requireRole(auth.Staff)).Get("/audit", s.auditList)
			r.With(s.requireRole(auth.Staff)).Get("/audit/export.xlsx", s.auditExport)

			// Ledger: the deputy records, the township chair reviews.
			r.With(s.requireRole(auth.Deputy)).Get("/my", s.deputyHome)
			r.With(s.requireRole(auth.Deputy)).Get("/pairings/{id}/ledger/new", s.ledgerEntryNew)
			r.With(s.requireRole(auth.Deputy)).Post("/pairings/{id}/ledger", s.ledgerEntryCreate)
			r.With(s.requireRole(auth.Deputy)).Get("/ledger/{id}/edit", s.ledgerEntryEdit)
			r.With(s.requireRole(auth.Deputy)).Post("/ledger/{id}", s.ledgerEntryUpdate)
			r.Get("/photos/{id}", s.photoShow)
			r.With(s.requireRole(auth.TownshipChair)).Get("/review", s.reviewQueue)
			r.With(s.requireRole(auth.TownshipChair)).Post("/review/approve", s.reviewApproveMany)
			r.With(s.requireRole(auth.TownshipChair)).Get("/review/spot-check", s.reviewSpotCheck)
			r.With(s.requireRole(auth.TownshipChair)).Post("/ledger/{id}/approve", s.ledgerEntryApprove)
			r.With(s.requireRole(auth.TownshipChair)).Post("/ledger/{id}/return", s.ledgerEntryReturn)
		})
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) { s.serveError(w, r, errNotFound) })
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.serveError(w, r, httpError{http.StatusMethodNotAllowed, "不支持此请求方式。修改数据请使用页面上的按钮。"})
	})
	// CSRF: refuse cross-origin state-changing requests (Go's net/http
	// CrossOriginProtection, Sec-Fetch-Site / Origin based).
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serveError(w, r, httpError{http.StatusForbidden, "请求来自其他网站，已被拒绝。请在本系统页面内操作。"})
	}))
	return csrf.Handler(r), r
}

func staticHandler() http.Handler {
	fs := http.FileServerFS(static.FS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Vendored files carry their version in the name; ours change rarely.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		fs.ServeHTTP(w, r)
	})
}

// loginUsername is the rate-limit key of a login: the username typed.
func loginUsername(r *http.Request) (string, error) {
	if err := r.ParseForm(); err != nil {
		return "", err
	}
	return "login:" + strings.ToLower(strings.TrimSpace(r.PostForm.Get("username"))), nil
}

// loginAddress is the rate-limit key of a login: the client's address as
// realClient resolved it (the TCP peer, or the address a trusted proxy
// forwarded), IPv6 cut to its /64 so one host cannot rotate addresses.
func loginAddress(r *http.Request) (string, error) {
	return "addr:" + httprate.CanonicalizeIP(clientIP(r)), nil
}
