package web

import (
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/summary"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/pages/summaries"
)

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
