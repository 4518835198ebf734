package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	ledgerpages "github.com/bangfu/bangfu/web/pages/ledger"
)

// ledgerList renders one page of the ledger entries in the viewer's scope
// (staff and leaders: the county; a chair: its township), newest first,
// filtered by division, dates (?from=&to=, 2006-01-02), kind, status and
// returns. The ranking and the evaluation link their points here.
func (s *Server) ledgerList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	f, errs, err := s.ledgerFilter(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	code := f.Division
	rows, total, err := s.st.SearchLedger(r.Context(), u.Scope(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, f.Page, total) {
		return
	}
	var divs []components.Option
	if u.Role == auth.TownshipChair {
		divs, err = s.villageOptions(r.Context(), u.TownshipCode)
	} else {
		var villages []components.Option
		divs, err = s.townshipOptions(r.Context())
		if err == nil {
			villages, err = s.villageOptions(r.Context(), "")
		}
		divs = append(divs, villages...)
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if code == s.topDivision(u) {
		code = ""
	}
	s.render(w, r, http.StatusOK, ledgerpages.List(ledgerpages.ListProps{
		Layout: s.layoutProps(r, "帮扶台账查询", "/ledger"), Rows: rows, Filter: f, Division: code, Divisions: divs,
		From: q.Get("from"), To: q.Get("to"), Errors: errs, Total: total, Pager: pager(r, f.Page, total),
	}))
}

// ledgerFilter reads the ledger search's filters from the query: division
// (within the viewer's township for a chair, else 404), deputy, dates
// (?from=&to=, 2006-01-02; a wrong one gets a Chinese message in errs and
// is ignored), kind, status and returns (unknown values are dropped rather
// than matching nothing), and the page.
func (s *Server) ledgerFilter(r *http.Request, u auth.User) (store.LedgerFilter, map[string]string, error) {
	q := r.URL.Query()
	f := store.LedgerFilter{Kind: q.Get("kind"), Status: q.Get("status"), Returned: q.Get("returned"), Page: pageParam(r)}
	if id, err := strconv.ParseInt(q.Get("deputy"), 10, 64); err == nil && id > 0 {
		f.DeputyID = id
	}
	code, err := s.divisionFor(r, u)
	if err != nil {
		return f, nil, err
	}
	f.Division = code
	errs := map[string]string{}
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v := q.Get(name); v != "" {
			d, err := time.Parse(time.DateOnly, v)
			if err != nil {
				errs[name] = "日期格式应为 2017-03-07"
				continue
			}
			*dst = d
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs["to"] = "结束日期不能早于开始日期"
	}
	if f.Kind != "help" && !ledger.Kinds.Has(f.Kind) {
		f.Kind = ""
	}
	if f.Status != "counted" && !ledger.Statuses.Has(f.Status) {
		f.Status = ""
	}
	if f.Returned != "never" && f.Returned != "yes" {
		f.Returned = ""
	}
	return f, errs, nil
}
