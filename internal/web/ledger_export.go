package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/components"
	"github.com/shopspring/decimal"
)

// ledgerExport sends the ledger search (/ledger) as Excel: every entry in
// the viewer's scope matching the same filters (township or village,
// deputy, kind, status, returns, dates), oldest first, one row each with
// its amount a number (#,##0.00) and its date an Excel date, and a 合计 row
// of the amounts in yuan. A chair asking for another township gets 404.
func (s *Server) ledgerExport(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	f, errs, err := s.ledgerFilter(r, u)
	if err == nil && len(errs) > 0 {
		err = httpError{http.StatusBadRequest, "日期有误：" + strings.Join(sortedValues(errs), "；") + "。请在台账查询页改正后再导出。"}
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	rows, err := s.st.LedgerExport(r.Context(), u.Scope(), f)
	if errors.Is(err, store.ErrTooManyEntries) {
		err = httpError{http.StatusBadRequest, fmt.Sprintf("符合条件的台账超过 %d 条，请缩小乡镇、村或日期范围后再导出。", store.MaxLedgerExport)}
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	t := xlsx.Table{Sheet: "帮扶台账",
		Headings: []string{"日期", "村", "户主", "帮扶人", "类别", "内容", "金额（元）", "状态", "审核人"},
		Widths:   []float64{12, 12, 10, 12, 10, 40, 14, 10, 10}}
	total := decimal.Zero
	for _, e := range rows {
		t.Rows = append(t.Rows, []any{e.EntryDate, e.VillageName, e.HeadName, e.DeputyName, ledger.Kinds.Label(e.Kind),
			e.Description, e.Amount, ledger.Statuses.Label(e.Status), e.ReviewerName})
		total = total.Add(e.Amount)
	}
	t.Rows = append(t.Rows, []any{"合计", "", "", "", "", fmt.Sprintf("%d 条", len(rows)), total, "", ""})
	s.sendTable(w, r, t, "帮扶台账", "帮扶台账-"+s.today().Format("20060102")+".xlsx")
}

// householdLedgerExport sends one household's 帮扶台账 as Excel: a header
// block (household, deputy, measures, goal of the active pairing), then
// every entry of that pairing but drafts, oldest first, with date, kind,
// content, amount (yuan, a number), status and reviewer, and a 合计 row.
// The household must be in the viewer's scope (a chair's township, a
// deputy's own pairing), else 404.
func (s *Server) householdLedgerExport(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	h, err := s.st.Household(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	intro := []string{"户主：" + h.HeadName + "　　住址：" + h.TownshipName + h.VillageName + h.GroupName}
	var rows []store.LedgerExportRow
	if h.PairingID == 0 {
		intro = append(intro, "帮扶人：尚未结对")
	} else {
		d, err := s.st.Deputy(r.Context(), h.DeputyID)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		intro = append(intro, "帮扶人："+components.HelperName(d.Name, d.Kind))
		measures, err := s.st.Measures(r.Context(), h.PairingID)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		var ms []string
		for _, m := range measures {
			ms = append(ms, pairing.SupportTypes.Label(m.SupportType)+"："+m.Content)
		}
		if len(ms) == 0 {
			ms = []string{"暂无"}
		}
		intro = append(intro, "帮扶措施："+strings.Join(ms, "；"))
		switch g, err := s.st.Goal(r.Context(), h.PairingID); {
		case err == nil:
			intro = append(intro, fmt.Sprintf("帮扶目标：人均纯收入 %s 元/年，计划 %d 年脱贫", g.TargetIncome.StringFixed(2), g.TargetExitYear))
		case errors.Is(err, store.ErrNotFound):
			intro = append(intro, "帮扶目标：尚未设定")
		default:
			s.serveError(w, r, err)
			return
		}
		if rows, err = s.st.LedgerExport(r.Context(), u.Scope(), store.LedgerFilter{PairingID: h.PairingID}); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	t := xlsx.Table{Sheet: "帮扶台账",
		Headings: []string{"日期", "类别", "内容", "金额（元）", "状态", "审核人"},
		Widths:   []float64{12, 10, 50, 14, 10, 10}}
	total := decimal.Zero
	for _, e := range rows {
		t.Rows = append(t.Rows, []any{e.EntryDate, ledger.Kinds.Label(e.Kind), e.Description, e.Amount, ledger.Statuses.Label(e.Status), e.ReviewerName})
		total = total.Add(e.Amount)
	}
	t.Rows = append(t.Rows, []any{"合计", fmt.Sprintf("%d 条", len(rows)), "", total, "", ""})
	office, err := s.officeName(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	title := h.VillageName + h.HeadName + "户帮扶台账"
	s.sendTableMeta(w, r, t, xlsx.ExportMeta{Title: title, Unit: office, Date: s.today(), Intro: intro}, title+".xlsx")
}

// sortedValues returns the values of m ordered by key, for a message that
// reads the same every time.
func sortedValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}
