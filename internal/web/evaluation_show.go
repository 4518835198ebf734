package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/store"
	scoringpages "github.com/bangfu/bangfu/web/pages/scoring"
)

// evaluationShow renders one deputy's evaluation of a year with the evidence
// behind each term: staff and leaders for any deputy, a deputy for itself.
func (s *Server) evaluationShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil || (u.Role == auth.Deputy && id != u.DeputyID) {
		s.serveError(w, r, errNotFound)
		return
	}
	d, err := s.st.Deputy(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// Every helper of its kind is scored, so that the rank is the one the
	// list shows (a unit's among units).
	year, scores, rules, err := s.evaluation(r, d.Kind)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var sc *scoring.DeputyScore
	if i := slices.IndexFunc(scores, func(x scoring.DeputyScore) bool { return x.Input.DeputyID == id }); i >= 0 {
		sc = &scores[i]
	}
	measures, exits, err := s.st.DeputyEvidence(r.Context(), id, year)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := period.Period{Year: year}
	f := store.LedgerFilter{DeputyID: id, From: p.Start(), To: p.Last(), Status: "approved"}
	f.Kind = "visit"
	visits, nVisits, err := s.st.SearchLedger(r.Context(), auth.Scope{}, f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f.Kind = "help"
	help, nHelp, err := s.st.SearchLedger(r.Context(), auth.Scope{}, f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f.Kind, f.Status, f.Returned = "", "", "yes"
	returned, nReturned, err := s.st.SearchLedger(r.Context(), auth.Scope{}, f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, scoringpages.EvaluationShow(scoringpages.EvaluationShowProps{
		Layout: s.layoutProps(r, d.Name+" · "+strconv.Itoa(year)+evaluationTitle(d.Kind), "/evaluation"), Deputy: d, Year: year,
		Years: yearsUpTo(s.today().Year()), Score: sc, Rules: rules, Terms: scoring.EvaluationTerms(),
		Visits: visits, VisitCount: nVisits, Help: help, HelpCount: nHelp, Returned: returned, ReturnedCount: nReturned,
		Measures: measures, Exits: exits, ShowLedgerLinks: u.Role != auth.Deputy,
	}))
}
