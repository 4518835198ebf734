package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/dashboard"
)

// divisionFor returns the division a user asked for (?division=, default the
// top of its scope) if the user may see it: staff and leaders any division of
// the county, a township chair only its township and its villages. Anything
// else is errNotFound, so that existence is not revealed.
func (s *Server) divisionFor(r *http.Request, u auth.User) (string, error) {
	top := s.topDivision(u)
	code := r.URL.Query().Get("division")
	if code == "" {
		return top, nil
	}
	if !strings.HasPrefix(code, top) {
		return "", errNotFound
	}
	return code, nil
}

// topDivision is the widest division a user's dashboard shows: the county,
// or a chair's township.
func (s *Server) topDivision(u auth.User) string {
	if u.Role == auth.TownshipChair {
		return u.TownshipCode
	}
	return s.county
}

// periodFrom reads ?year= and ?quarter= (default: this year) as an
// httpError 400 with the Chinese message when they are wrong.
func (s *Server) periodFrom(r *http.Request) (period.Period, error) {
	p, err := period.Parse(r.URL.Query().Get("year"), r.URL.Query().Get("quarter"), s.today())
	if err != nil {
		return p, httpError{http.StatusBadRequest, err.Error()}
	}
	return p, nil
}

// progressResponse is the JSON of GET /api/v1/progress: the division's
// figures (store.Figures, children included) and the period they cover.
type progressResponse struct {
	store.Figures
	Period progressPeriod `json:"period"`
}

type progressPeriod struct {
	period.Period
	From  string `json:"from"` // first day, 2006-01-02
	To    string `json:"to"`   // last day
	Today string `json:"today"`
}

// progressAPI answers GET /api/v1/progress?division=CODE&year=YYYY&quarter=Q
// with the figures of the division and one object per child (store.Figures
// as JSON) for the period (default: this year). A division outside the
// viewer's scope is 404, a bad year or quarter 400, each with {"error": ...}.
func (s *Server) progressAPI(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	writeJSON := func(status int, v any) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	code, err := s.divisionFor(r, u)
	if err != nil {
		writeJSON(http.StatusNotFound, map[string]string{"error": "区划不存在或无权查看"})
		return
	}
	p, err := s.periodFrom(r)
	if err != nil {
		writeJSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	today := s.today()
	f, err := s.st.ProgressFor(r.Context(), code, p, today)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			writeJSON(http.StatusNotFound, map[string]string{"error": "区划不存在或无权查看"})
			return
		}
		s.log.Error("progress api", "err", err, "request_id", requestID(r), "user", u.Username)
		writeJSON(http.StatusInternalServerError, map[string]string{"error": "系统出错了"})
		return
	}
	if f.Children == nil {
		f.Children = []store.Figures{}
	}
	writeJSON(http.StatusOK, progressResponse{Figures: f, Period: progressPeriod{Period: p,
		From: p.Start().Format("2006-01-02"), To: p.Last().Format("2006-01-02"), Today: today.Format("2006-01-02")}})
}

// dashboardSorts are the columns the child table sorts by (?sort=), each
// largest first except the name.
var dashboardSorts = map[string]func(a, b store.Figures) int{
	"households": func(a, b store.Figures) int { return cmp.Compare(b.Households, a.Households) },
	"paired": func(a, b store.Figures) int {
		return cmp.Compare(share(b.Paired, b.Households), share(a.Paired, a.Households))
	},
	"exited": func(a, b store.Figures) int {
		return cmp.Compare(share(b.ExitedInYear, b.ExitPlanned), share(a.ExitedInYear, a.ExitPlanned))
	},
	"visits":    func(a, b store.Figures) int { return cmp.Compare(b.PeriodVisits, a.PeriodVisits) },
	"novisit30": func(a, b store.Figures) int { return cmp.Compare(b.NoVisit30d, a.NoVisit30d) },
	"novisit60": func(a, b store.Figures) int { return cmp.Compare(b.NoVisit60d, a.NoVisit60d) },
	"yuan":      func(a, b store.Figures) int { return b.PeriodYuan.Cmp(a.PeriodYuan) },
}

// share is part/whole as a fraction for sorting (1 when whole is 0).
func share(part, whole int) float64 {
	if whole == 0 {
		return 1
	}
	return float64(part) / float64(whole)
}

// dashboardShow renders the figures of a division for a period with a row
// per child and charts: county → townships → villages → a village's
// figures, which link to its household list.
func (s *Server) dashboardShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	code, err := s.divisionFor(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	per, err := s.periodFrom(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	ctx := r.Context()
	today := s.today()
	f, err := s.st.ProgressFor(ctx, code, per, today)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	sortKey := r.URL.Query().Get("sort")
	if by, ok := dashboardSorts[sortKey]; ok {
		slices.SortStableFunc(f.Children, by)
	} else {
		sortKey = ""
	}
	top := s.topDivision(u)
	p := dashboard.Props{
		Figures: f, Period: per, Today: today, Sort: sortKey,
		IsChair: u.Role == auth.TownshipChair,
		Years:   yearsUpTo(today.Year()),
	}
	// Breadcrumbs from the top of the viewer's scope down to this division.
	for c := code; len(c) >= len(top); c = parentCode(c) {
		d, err := s.st.Division(ctx, c)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.Crumbs = append([]dashboard.Crumb{{Code: d.Code, Name: d.Name}}, p.Crumbs...)
		if len(c) == 6 {
			break
		}
	}
	switch len(code) {
	case 6:
		p.ChildLabel = "乡镇"
	case 9:
		p.ChildLabel = "村（社区）"
	}
	last := per.Last()
	if today.Before(last) {
		last = today
	}
	if p.Monthly, err = s.st.MonthlyLedger(ctx, code, last); err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.Causes, err = s.st.HouseholdsByCause(ctx, code); err != nil {
		s.serveError(w, r, err)
		return
	}
	p.CauseLabel = household.Causes.Label
	rp, err := s.st.ReliefPointIn(ctx, code)
	switch {
	case err == nil:
		p.ReliefPoint = &rp
	case !errors.Is(err, store.ErrNotFound):
		s.serveError(w, r, err)
		return
	}
	part, err := s.st.DeputyParticipation(ctx, code)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Participation = &part
	p.LevelLabels = components.Options(deputy.Levels)
	p.CategoryLabels = components.Options(deputy.Categories)
	if p.IsChair {
		_, n, err := s.st.ReviewQueue(ctx, u.TownshipCode, store.ReviewFilter{Page: 1})
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.PendingReview = n
		if p.Unread, err = s.unreadNotices(r, u); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	next, err := s.st.NextMeeting(ctx, meetingScope(u), today)
	switch {
	case err == nil:
		p.NextMeeting = &next
	case !errors.Is(err, store.ErrNotFound):
		s.serveError(w, r, err)
		return
	}
	mine := store.ItemFilter{OwnerUserID: u.ID, OpenOnly: true}
	if u.Role == auth.TownshipChair {
		mine.OwnerTownship = u.TownshipCode
	}
	if p.MyItems, err = s.st.ActionItems(ctx, mine); err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.Amber, p.Red, err = s.st.FollowUpThresholds(ctx); err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Layout = s.layoutProps(r, f.Name+"脱贫帮扶进展", "/dashboard")
	s.render(w, r, http.StatusOK, dashboard.Dashboard(p))
}

// parentCode is the code of the division above code (township → county,
// village → township); a county code returns "".
func parentCode(code string) string {
	if len(code) <= 6 {
		return ""
	}
	return code[:len(code)-3]
}

// yearsUpTo lists the years the period selector offers, newest first.
func yearsUpTo(last int) []int {
	var out []int
	for y := last; y >= period.MinYear; y-- {
		out = append(out, y)
	}
	return out
}
