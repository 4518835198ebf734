package web

import (
	"net/http"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/project"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/projects"
)

// projectInput reads the project form.
func projectInput(r *http.Request) project.Input {
	f := r.PostForm
	return project.Input{VillageCode: f.Get("village"), Name: f.Get("name"), Kind: f.Get("kind"), Status: f.Get("status"),
		Department: f.Get("department"), Note: f.Get("note"), Budget: f.Get("budget"), FundsReceived: f.Get("funds_received"),
		FundsSpent: f.Get("funds_spent"), AppliedOn: f.Get("applied_on"), ApprovedOn: f.Get("approved_on"),
		StartedOn: f.Get("started_on"), DoneOn: f.Get("completed_on")}
}

func ptrDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// inputOf is a stored project as form input.
func inputOf(p store.ProjectRow) project.Input {
	return project.Input{VillageCode: p.VillageCode, Name: p.Name, Kind: p.Kind, Status: p.Status, Department: p.Department,
		Note: p.Note, Budget: p.Budget.StringFixed(2), FundsReceived: p.FundsReceived.StringFixed(2), FundsSpent: p.FundsSpent.StringFixed(2),
		AppliedOn: ptrDate(p.AppliedOn), ApprovedOn: ptrDate(p.ApprovedOn), StartedOn: ptrDate(p.StartedOn), DoneOn: ptrDate(p.CompletedOn)}
}

func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, status int, row store.ProjectRow, in project.Input, errs validation.Errors) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := projects.ProjectProps{Project: row, Input: in, Errors: errs, Villages: villages, CanEdit: u.Role == auth.Staff || u.Role == auth.TownshipChair}
	if row.ID != 0 {
		if p.Beneficiaries, err = s.st.ProjectBeneficiaries(r.Context(), row.ID); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	title := "新建项目"
	if row.ID != 0 {
		title = row.Name
	}
	p.Layout = s.layoutProps(r, title, "/support")
	s.render(w, r, status, projects.Project(p))
}

// projectNew renders an empty project form (?village= preselected).
func (s *Server) projectNew(w http.ResponseWriter, r *http.Request) {
	s.renderProject(w, r, http.StatusOK, store.ProjectRow{}, project.Input{VillageCode: r.URL.Query().Get("village"), Kind: "solar", Status: "applied"}, nil)
}

// projectShow renders a project with its form and beneficiaries.
func (s *Server) projectShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	row, err := s.st.Project(r.Context(), s.topDivision(u), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderProject(w, r, http.StatusOK, row, inputOf(row), nil)
}
