package web

import (
	"net/http"
	"time"

	"github.com/bangfu/bangfu/internal/store"
	ledgerpages "github.com/bangfu/bangfu/web/pages/ledger"
)

// deputyHome renders the deputy's pairings, the longest without a visit
// first, with amber (30 days) and red (60 days) follow-up warnings.
func (s *Server) deputyHome(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	ps, err := s.st.DeputyPairings(r.Context(), u.DeputyID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	today := s.today()
	s.render(w, r, http.StatusOK, ledgerpages.Home(ledgerpages.HomeProps{
		Layout: s.layoutProps(r, "我的结对", "/my"), Pairings: ps, Today: today.Format(time.DateOnly),
		DaysSince: func(p store.PairingRow) int {
			since := p.StartDate
			if p.LastVisit != nil {
				since = *p.LastVisit
			}
			return int(today.Sub(since).Hours() / 24)
		},
	}))
}
