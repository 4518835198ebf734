package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/summary"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/internal/xlsx"
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

// summaryList shows every township's summary of a quarter side by side
// (staff and leaders; a chair its own): status and figures (a submitted
// summary's frozen ones, else counted now).
func (s *Server) summaryList(w http.ResponseWriter, r *http.Request) {
	rows, p, err := s.summaryRows(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, summaries.List(summaries.ListProps{
		Layout: s.layoutProps(r, "乡镇季度总结", "/summaries"), Period: p, Years: yearsUpTo(s.today().Year()), Rows: rows,
	}))
}

func (s *Server) summaryRows(r *http.Request) ([]summaries.Row, period.Period, error) {
	u, _ := userFrom(r)
	ctx := r.Context()
	p, err := s.summaryQuarter(r)
	if err != nil {
		return nil, p, err
	}
	towns, err := s.townshipOptions(ctx)
	if err != nil {
		return nil, p, err
	}
	only := ""
	if u.Role == auth.TownshipChair {
		only = u.TownshipCode
	}
	figs, err := s.st.SummaryFigures(ctx, s.county, only, p, summary.AsOf(p, s.today()))
	if err != nil {
		return nil, p, err
	}
	saved, err := s.st.TownshipSummaries(ctx, p)
	if err != nil {
		return nil, p, err
	}
	var out []summaries.Row
	for _, t := range towns {
		if only != "" && t.Value != only {
			continue
		}
		row := summaries.Row{Code: t.Value, Name: t.Label, Status: "draft", Figures: figs[t.Value], Href: "/summaries/" + t.Value + "/" + summary.Key(p)}
		if sv, ok := saved[t.Value]; ok {
			row.Status = sv.Status
			row.SubmittedAt = sv.SubmittedAt
			if sv.Status == "submitted" {
				rep, err := sv.Report()
				if err != nil {
					return nil, p, err
				}
				row.Figures = rep.Figures
			}
		}
		out = append(out, row)
	}
	return out, p, nil
}

// summaryExport sends the list's figures as Excel, one row per township.
func (s *Server) summaryExport(w http.ResponseWriter, r *http.Request) {
	rows, p, err := s.summaryRows(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.sendSummaryTable(w, r, p, rows)
}

func (s *Server) sendSummaryTable(w http.ResponseWriter, r *http.Request, p period.Period, rows []summaries.Row) {
	t := xlsx.Table{Sheet: "季度总结", Headings: []string{"序号", "乡镇", "总结状态", "截至日期"}, Widths: []float64{6, 14, 12, 12}}
	for _, c := range summary.Cells(summary.Figures{AmberDays: 30, RedDays: 60}) {
		t.Headings = append(t.Headings, c.Label)
		t.Widths = append(t.Widths, 14)
	}
	if len(rows) > 0 {
		for i, c := range summary.Cells(rows[0].Figures) { // thresholds as counted
			t.Headings[4+i] = c.Label
		}
	}
	for i, row := range rows {
		line := []any{i + 1, row.Name, summary.Statuses.Label(row.Status), row.Figures.AsOf.Format("2006-01-02")}
		for _, c := range summary.Cells(row.Figures) {
			line = append(line, c.Value)
		}
		t.Rows = append(t.Rows, line)
	}
	name := "乡镇季度总结数据-" + p.Label()
	if len(rows) == 1 {
		name = rows[0].Name + p.Label() + "总结数据"
	}
	s.sendTable(w, r, t, name, name+".xlsx")
}

// summaryShow renders a township's summary of a quarter: the report and
// the prose, editable by the township's chair until submitted; staff may
// return a submitted one.
func (s *Server) summaryShow(w http.ResponseWriter, r *http.Request) {
	township, p, u, err := s.summaryTarget(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	v, err := s.loadSummary(r.Context(), township, p)
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

// summarySave saves the chair's prose as a draft (action=save) or submits
// the summary (action=submit), freezing the report, with the version read.
func (s *Server) summarySave(w http.ResponseWriter, r *http.Request) {
	township, p, u, err := s.summaryTarget(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	ctx := r.Context()
	prose := strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("prose"), "\r\n", "\n"))
	submit := r.PostForm.Get("action") == "submit"
	errs := validation.Errors{}
	if len([]rune(prose)) > summary.MaxProse {
		errs["prose"] = "总结不能超过20000字"
	} else if submit && prose == "" {
		errs["prose"] = "请填写总结后再提交"
	}
	v, err := s.loadSummary(ctx, township, p)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if v.submitted() {
		s.serveError(w, r, httpError{http.StatusConflict, "总结已提交，不能再修改；如需修改，请市人大办退回。"})
		return
	}
	if len(errs) > 0 {
		s.renderSummary(w, r, http.StatusUnprocessableEntity, u, v, r.PostForm.Get("prose"), errs)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	var rep *summary.Report
	if submit {
		fresh, err := s.st.SummaryReport(ctx, s.county, township, p, s.today())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		rep = &fresh
	}
	if err := s.st.SaveSummary(ctx, township, p, version, prose, rep, u.ID); err != nil {
		switch {
		case errors.Is(err, store.ErrVersionConflict):
			if v, err = s.loadSummary(ctx, township, p); err != nil {
				s.serveError(w, r, err)
				return
			}
			s.renderSummary(w, r, http.StatusConflict, u, v, r.PostForm.Get("prose"),
				validation.Errors{"_": "总结已在别处被修改：编辑框中是您填写的内容，最新保存的内容列在下面，请核对合并后再保存。"})
		case errors.Is(err, store.ErrConflict):
			s.serveError(w, r, httpError{http.StatusConflict, "总结已提交，不能再修改；如需修改，请市人大办退回。"})
		default:
			s.serveError(w, r, err)
		}
		return
	}
	msg := "总结草稿已保存。"
	if submit {
		msg = "总结已提交，报告中的数据已固定。"
	}
	s.redirect(w, r, "/summaries/"+township+"/"+summary.Key(p), msg)
}

// summaryReturn returns a submitted summary to its chair with a reason
// (staff).
func (s *Server) summaryReturn(w http.ResponseWriter, r *http.Request) {
	township, p, u, err := s.summaryTarget(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if n := len([]rune(reason)); n == 0 || n > 500 {
		v, err := s.loadSummary(r.Context(), township, p)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		s.renderSummary(w, r, http.StatusUnprocessableEntity, u, v, "", validation.Errors{"reason": "请填写退回理由（500字以内）"})
		return
	}
	if err := s.st.ReturnSummary(r.Context(), township, p, reason, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/summaries/"+township+"/"+summary.Key(p), "已退回修改。")
}

// summaryPrint renders the summary for A4 printing.
func (s *Server) summaryPrint(w http.ResponseWriter, r *http.Request) {
	township, p, _, err := s.summaryTarget(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	v, err := s.loadSummary(r.Context(), township, p)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if u, _ := userFrom(r); v.Saved == nil && u.Role != auth.TownshipChair {
		v.Prose = ""
	}
	s.render(w, r, http.StatusOK, summaries.Print(summaries.ShowProps{
		Layout: s.layoutProps(r, v.Report.TownshipName+v.Report.Period.Label()+"总结", "/summaries"),
		Report: v.Report, Prose: v.Prose, Saved: v.Saved, Key: summary.Key(p)}))
}

// summaryFiguresExport sends one township's figures of the quarter as Excel.
func (s *Server) summaryFiguresExport(w http.ResponseWriter, r *http.Request) {
	township, p, _, err := s.summaryTarget(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	v, err := s.loadSummary(r.Context(), township, p)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	row := summaries.Row{Code: township, Name: v.Report.TownshipName, Status: "draft", Figures: v.Report.Figures}
	if v.Saved != nil {
		row.Status = v.Saved.Status
	}
	s.sendSummaryTable(w, r, p, []summaries.Row{row})
}
