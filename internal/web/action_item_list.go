package web

import (
	"net/http"
	"slices"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/pages/meetings"
)

// actionItemList renders action items: staff and leaders every item, a
// chair its township's and its own, any other account its own; ?status=
// open|overdue|done filters.
func (s *Server) actionItemList(w http.ResponseWriter, r *http.Request) {
	rows, status, err := s.actionItems(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	u, _ := userFrom(r)
	s.render(w, r, http.StatusOK, meetings.Items(meetings.ItemsProps{
		Layout: s.layoutProps(r, "会议事项督办", "/action-items"), Rows: rows, Status: status, Today: s.today(),
		CanClose: func(it store.ActionItemRow) bool { return canCloseItem(u, it) }, CanMark: canMarkCases(u),
	}))
}

func (s *Server) actionItems(r *http.Request) ([]store.ActionItemRow, string, error) {
	u, _ := userFrom(r)
	f := store.ItemFilter{}
	switch u.Role {
	case auth.TownshipChair:
		f.OwnerUserID, f.OwnerTownship = u.ID, u.TownshipCode
	case auth.Staff, auth.Leader:
	default:
		f.OwnerUserID = u.ID
	}
	rows, err := s.st.ActionItems(r.Context(), f)
	if err != nil {
		return nil, "", err
	}
	status := r.URL.Query().Get("status")
	if !meeting.ItemStatuses.Has(status) {
		return rows, "", nil
	}
	today := s.today()
	return slices.DeleteFunc(rows, func(it store.ActionItemRow) bool { return meeting.ItemStatus(it.Status, it.Due, today) != status }), status, nil
}

// actionItemExport sends the items the list shows as Excel.
func (s *Server) actionItemExport(w http.ResponseWriter, r *http.Request) {
	rows, _, err := s.actionItems(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	today := s.today()
	t := xlsx.Table{Sheet: "会议事项", Headings: []string{"序号", "会议", "会议日期", "事项", "责任人（单位）", "办结期限", "状态", "办结日期", "办结情况"},
		Widths: []float64{6, 24, 12, 40, 16, 12, 10, 12, 40}}
	for i, it := range rows {
		closed := ""
		if it.ClosedOn != nil {
			closed = it.ClosedOn.Format("2006-01-02")
		}
		t.Rows = append(t.Rows, []any{i + 1, it.MeetingTitle, it.MeetingDate.Format("2006-01-02"), it.Title, it.OwnerName,
			it.Due.Format("2006-01-02"), meeting.ItemStatuses.Label(meeting.ItemStatus(it.Status, it.Due, today)), closed, it.ClosingNote})
	}
	s.sendTable(w, r, t, "联席会议事项督办表", "联席会议事项督办表.xlsx")
}
