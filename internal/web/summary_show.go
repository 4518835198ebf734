package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/summary"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/summaries"
	"github.com/go-chi/chi/v5"
)

// summaryQuarter reads ?year=&quarter= for the summaries list: the current
// quarter by default; a whole year is not a summary's period (its 4th
// quarter, or this year's current one, is shown).
func (s *Server) summaryQuarter(r *http.Request) (period.Period, error) {
	today := s.today()
	p, err := period.Parse(r.URL.Query().Get("year"), r.URL.Query().Get("quarter"), today)
	if err != nil {
		return p, httpError{http.StatusBadRequest, err.Error()}
	}
	current := (int(today.Month())-1)/3 + 1
	if p.Quarter == 0 {
		p.Quarter = 4
		if p.Year == today.Year() {
			p.Quarter = current
		}
	}
	if p.Year == today.Year() && p.Quarter > current {
		return p, httpError{http.StatusBadRequest, "这个季度还没有开始。"}
	}
	return p, nil
}

// summaryView is a township's summary of a quarter as shown: a submitted
// one's frozen report and prose; otherwise the report generated now and
// the saved draft (or, before any save, a generated draft). saved is nil
// when nothing has been saved.
type summaryView struct {
	Report summary.Report
	Prose  string
	Saved  *store.SummaryRow
}

func (v summaryView) submitted() bool { return v.Saved != nil && v.Saved.Status == "submitted" }

func (s *Server) loadSummary(ctx context.Context, township string, p period.Period) (summaryView, error) {
	var v summaryView
	row, err := s.st.TownshipSummary(ctx, township, p)
	switch {
	case err == nil:
		v.Saved = &row
	case !errors.Is(err, store.ErrNotFound):
		return v, err
	}
	if v.submitted() {
		if v.Report, err = row.Report(); err != nil {
			return v, err
		}
		v.Prose = row.Prose
		return v, nil
	}
	if v.Report, err = s.st.SummaryReport(ctx, s.county, township, p, s.today()); err != nil {
		return v, err
	}
	if v.Saved != nil {
		v.Prose = row.Prose
	} else {
		v.Prose = summary.Draft(v.Report, meeting.ItemStatuses.Label, showcase.Themes.Label)
	}
	return v, nil
}

// summaryTarget reads {township} and {quarter} ("2026-Q3") for the viewer:
// a chair reaches its own township only; another township, an unknown
// one or a quarter not yet begun is ErrNotFound.
func (s *Server) summaryTarget(r *http.Request) (string, period.Period, auth.User, error) {
	u, _ := userFrom(r)
	township := chi.URLParam(r, "township")
	p, ok := summary.ParseKey(chi.URLParam(r, "quarter"), s.today().Year())
	if !ok || p.Start().After(s.today()) || (u.Role == auth.TownshipChair && township != u.TownshipCode) {
		return "", p, u, store.ErrNotFound
	}
	return township, p, u, nil
}

// requestedSummary loads the summary of the URL's township and quarter for
// the viewer (see summaryTarget): ErrNotFound outside its reach.
func (s *Server) requestedSummary(r *http.Request) (summaryView, auth.User, error) {
	township, p, u, err := s.summaryTarget(r)
	if err != nil {
		return summaryView{}, u, err
	}
	v, err := s.loadSummary(r.Context(), township, p)
	return v, u, err
}

// summaryShow renders a township's summary of a quarter: the report and
// the prose, editable by the township's chair until submitted; staff may
// return a submitted one.
func (s *Server) summaryShow(w http.ResponseWriter, r *http.Request) {
	v, u, err := s.requestedSummary(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderSummary(w, r, http.StatusOK, u, v, "", nil)
}

func (s *Server) renderSummary(w http.ResponseWriter, r *http.Request, status int, u auth.User, v summaryView, typed string, errs validation.Errors) {
	props := summaries.ShowProps{Report: v.Report, Prose: v.Prose, Saved: v.Saved, Errors: errs,
		CanEdit:   u.Role == auth.TownshipChair && u.TownshipCode == v.Report.Township && !v.submitted(),
		CanReturn: u.Role == auth.Staff && v.submitted(),
		Key:       summary.Key(v.Report.Period)}
	if typed != "" || errs != nil {
		props.Prose = typed
		if _, conflict := errs["_"]; conflict && v.Prose != typed {
			props.Theirs = v.Prose
		}
	}
	if !props.CanEdit && v.Saved == nil {
		props.Prose = "" // the generated draft is the chair's to start from, not a summary
	}
	props.Layout = s.layoutProps(r, v.Report.TownshipName+v.Report.Period.Label()+"总结", "/summaries")
	s.render(w, r, status, summaries.Show(props))
}

// summaryPrint renders the summary for A4 printing.
func (s *Server) summaryPrint(w http.ResponseWriter, r *http.Request) {
	v, u, err := s.requestedSummary(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := v.Report.Period
	if v.Saved == nil && u.Role != auth.TownshipChair {
		v.Prose = ""
	}
	s.render(w, r, http.StatusOK, summaries.Print(summaries.ShowProps{
		Layout: s.layoutProps(r, v.Report.TownshipName+v.Report.Period.Label()+"总结", "/summaries"),
		Report: v.Report, Prose: v.Prose, Saved: v.Saved, Key: summary.Key(p)}))
}

// summaryFiguresExport sends one township's figures of the quarter as Excel.
func (s *Server) summaryFiguresExport(w http.ResponseWriter, r *http.Request) {
	v, _, err := s.requestedSummary(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := v.Report.Period
	row := summaries.Row{Code: v.Report.Township, Name: v.Report.TownshipName, Status: "draft", Figures: v.Report.Figures}
	if v.Saved != nil {
		row.Status = v.Saved.Status
	}
	s.sendSummaryTable(w, r, p, []summaries.Row{row})
}
