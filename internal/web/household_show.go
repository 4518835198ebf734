package web

import (
	"errors"
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/households"
)

// householdShow renders the household file (一户一档) if the household is in
// the user's scope (404 otherwise): facts, members, active pairing with its
// measures, goal and ledger, and the pairing history.
func (s *Server) householdShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.householdPage(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, households.Show(p))
}

// householdPage loads everything the household page shows, for the handlers
// that re-render it with a form error.
func (s *Server) householdPage(r *http.Request) (households.ShowProps, error) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		return households.ShowProps{}, err
	}
	return s.householdPageFor(r, u, id)
}

func (s *Server) householdPageFor(r *http.Request, u auth.User, id int64) (households.ShowProps, error) {
	ctx := r.Context()
	h, err := s.st.Household(ctx, u.Scope(), id)
	if err != nil {
		return households.ShowProps{}, err
	}
	maskHousehold(u, &h)
	members, err := s.st.Members(ctx, id)
	if err != nil {
		return households.ShowProps{}, err
	}
	if !u.SeesPersonalData() {
		for i := range members {
			members[i].IDNumber = idcard.Mask(members[i].IDNumber)
		}
	}
	history, err := s.st.HouseholdPairings(ctx, id)
	if err != nil {
		return households.ShowProps{}, err
	}
	p := households.ShowProps{
		Household: h, Members: members, Pairings: history,
		CanPair: u.Role == auth.Staff,
	}
	for i := range history {
		if history[i].Status == "active" {
			p.Active = &history[i]
		}
	}
	if p.Active != nil {
		mine := u.Role == auth.Deputy && p.Active.DeputyID == u.DeputyID
		p.CanPlan = u.Role == auth.Staff || mine
		p.CanRecord = mine
		if p.Measures, err = s.st.Measures(ctx, p.Active.ID); err != nil {
			return households.ShowProps{}, err
		}
		g, err := s.st.Goal(ctx, p.Active.ID)
		switch {
		case err == nil:
			p.Goal = &g
		case !errors.Is(err, store.ErrNotFound):
			return households.ShowProps{}, err
		}
		if p.Entries, err = s.st.LedgerEntries(ctx, p.Active.ID, mine); err != nil {
			return households.ShowProps{}, err
		}
	}
	p.Layout = s.layoutProps(r, h.VillageName+" "+h.HeadName+" 户", "/households")
	return p, nil
}
