package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/projects"
)

// villageChoices are the villages u may manage projects in: the county's
// for staff and leaders, its township's for a chair.
func (s *Server) villageChoices(r *http.Request, u auth.User) ([]components.Option, error) {
	if u.Role == auth.TownshipChair {
		return s.villageOptions(r.Context(), u.TownshipCode)
	}
	return s.villageOptions(r.Context(), "")
}

func hasOption(opts []components.Option, v string) bool {
	return slices.ContainsFunc(opts, func(o components.Option) bool { return o.Value == v })
}

// supportShow renders a village's projects and cooperatives with their
// totals (?village=; default: the relief point 扶贫联系点 in the viewer's
// scope, else its first village with a project).
func (s *Server) supportShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	ctx := r.Context()
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	code := r.URL.Query().Get("village")
	if code == "" {
		if rp, err := s.st.ReliefPointIn(ctx, s.topDivision(u)); err == nil {
			code = rp.Code
		} else if !errors.Is(err, store.ErrNotFound) {
			s.serveError(w, r, err)
			return
		} else if ps, err := s.st.Projects(ctx, s.topDivision(u)); err != nil {
			s.serveError(w, r, err)
			return
		} else if len(ps) > 0 {
			code = ps[0].VillageCode // no relief point here: the first village with a project
		}
	}
	p := projects.SupportProps{Villages: villages, Village: code, CanEdit: u.Role == auth.Staff || u.Role == auth.TownshipChair}
	if code != "" {
		if !hasOption(villages, code) {
			s.serveError(w, r, errNotFound)
			return
		}
		d, err := s.st.Division(ctx, code)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.Division = d
		if p.Projects, err = s.st.Projects(ctx, code); err != nil {
			s.serveError(w, r, err)
			return
		}
		if p.Cooperatives, err = s.st.Cooperatives(ctx, code); err != nil {
			s.serveError(w, r, err)
			return
		}
		p.Totals = store.Totals(p.Projects)
	}
	title := "村级项目与合作组织"
	if p.Division.ReliefPoint {
		title = "扶贫联系点" + p.Division.Name + "：项目与合作组织"
	} else if p.Division.Name != "" {
		title = p.Division.Name + "：项目与合作组织"
	}
	p.Layout = s.layoutProps(r, title, "/support")
	s.render(w, r, http.StatusOK, projects.Support(p))
}
