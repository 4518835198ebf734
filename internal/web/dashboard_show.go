package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/dashboard"
)

// divisionFor returns the division a user asked for (?division=, default the
// top of its scope) if the user may see it: staff and leaders any division of
// the county, a township chair only its township and its villages. Anything
// else is errNotFound, so that existence is not revealed.
func (s *Server) divisionFor(r *http.Request, u auth.User) (string, error) {
	top := s.county
	if u.Role == auth.TownshipChair {
		top = u.TownshipCode
	}
	code := r.URL.Query().Get("division")
	if code == "" {
		return top, nil
	}
	if !strings.HasPrefix(code, top) {
		return "", errNotFound
	}
	return code, nil
}

// progressAPI answers GET /api/v1/progress?division=CODE with the figures of
// the division and one object per child (store.Figures as JSON).
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
	f, err := s.st.Progress(r.Context(), code)
	if err != nil {
		if err == store.ErrNotFound {
			writeJSON(http.StatusNotFound, map[string]string{"error": "区划不存在或无权查看"})
			return
		}
		u, _ := userFrom(r)
		s.log.Error("progress api", "err", err, "request_id", requestID(r), "user", u.Username)
		writeJSON(http.StatusInternalServerError, map[string]string{"error": "系统出错了"})
		return
	}
	if f.Children == nil {
		f.Children = []store.Figures{}
	}
	writeJSON(http.StatusOK, f)
}

// dashboardShow renders the figures of a division with a row per child:
// county → townships → villages → the village's household list.
func (s *Server) dashboardShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	code, err := s.divisionFor(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f, err := s.st.Progress(r.Context(), code)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	top := s.county
	if u.Role == auth.TownshipChair {
		top = u.TownshipCode
	}
	p := dashboard.Props{
		Figures:    f,
		ChildLabel: "乡镇",
		ChildHref:  func(c string) string { return "/dashboard?division=" + c },
		IsChair:    u.Role == auth.TownshipChair,
	}
	title := f.Name + "脱贫帮扶进展"
	switch len(code) {
	case 9:
		p.ChildLabel = "村（社区）"
		p.ChildHref = func(c string) string { return "/households?division=" + c }
	case 12:
		p.ChildLabel = ""
	}
	if code != top {
		p.ParentHref = "/dashboard"
		if len(code) == 12 && len(top) < 9 {
			p.ParentHref = "/dashboard?division=" + code[:9]
		}
	}
	if code == s.county {
		part, err := s.st.DeputyParticipation(r.Context())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.Participation = &part
		p.LevelLabels = components.Options(deputy.Levels)
	}
	if p.IsChair {
		_, n, err := s.st.ReviewQueue(r.Context(), u.TownshipCode, store.ReviewFilter{Page: 1})
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.PendingReview = n
	}
	p.Layout = s.layoutProps(r, title, "/dashboard")
	s.render(w, r, http.StatusOK, dashboard.Dashboard(p))
}
