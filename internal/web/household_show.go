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
// the user's scope (404 otherwise): facts, members, status history, active
// pairing with its measures, goal and ledger, the pairing history and the
// audit trail. Personal data is masked.
func (s *Server) householdShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.householdPage(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, households.Show(p))
}

// householdReveal shows the household page with ID numbers and phones in
// full, for staff only, and records the unmasking as an audit event.
func (s *Server) householdReveal(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if err := s.st.AuditReveal(r.Context(), u.Scope(), id, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	p, err := s.householdPageFor(r, u, id, true)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, households.Show(p))
}

// householdPage loads everything the household page shows, masked.
func (s *Server) householdPage(r *http.Request) (households.ShowProps, error) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		return households.ShowProps{}, err
	}
	return s.householdPageFor(r, u, id, false)
}

func (s *Server) householdPageFor(r *http.Request, u auth.User, id int64, revealed bool) (households.ShowProps, error) {
	ctx := r.Context()
	h, err := s.st.Household(ctx, u.Scope(), id)
	if err != nil {
		return households.ShowProps{}, err
	}
	members, err := s.st.Members(ctx, id)
	if err != nil {
		return households.ShowProps{}, err
	}
	if !revealed {
		maskHousehold(&h)
		for i := range members {
			members[i].IDNumber = idcard.Mask(members[i].IDNumber)
		}
	}
	history, err := s.st.HouseholdPairings(ctx, id)
	if err != nil {
		return households.ShowProps{}, err
	}
	statuses, err := s.st.StatusHistory(ctx, id)
	if err != nil {
		return households.ShowProps{}, err
	}
	p := households.ShowProps{
		Household: h, Members: members, Pairings: history, Statuses: statuses, Revealed: revealed, Remark: h.Remark,
		CanPair:   u.Role == auth.Staff,
		CanEdit:   u.Role == auth.Staff || u.Role == auth.TownshipChair,
		CanReveal: u.SeesPersonalData() && !revealed,
	}
	if p.Incomes, err = s.st.Incomes(ctx, id); err != nil {
		return households.ShowProps{}, err
	}
	p.CanRecordIncome = u.Role == auth.Staff || u.Role == auth.TownshipChair || (u.Role == auth.Deputy && h.DeputyID == u.DeputyID)
	if p.Exits, err = s.st.Exits(ctx, id); err != nil {
		return households.ShowProps{}, err
	}
	p.CanProposeExit = u.Role == auth.TownshipChair || (u.Role == auth.Deputy && h.DeputyID == u.DeputyID)
	if u.Role != auth.Deputy {
		if p.Audit, err = s.st.AuditTrail(ctx, "household", id); err != nil {
			return households.ShowProps{}, err
		}
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
		ids := make([]int64, len(p.Entries))
		for i, e := range p.Entries {
			ids[i] = e.ID
		}
		if p.Photos, err = s.st.EntryPhotos(ctx, ids); err != nil {
			return households.ShowProps{}, err
		}
	}
	// The poverty line of this year (or, early in a year before staff enter
	// it, of last year) for the household's identification standard.
	for _, y := range []int{s.today().Year(), s.today().Year() - 1} {
		line, err := s.st.PovertyLineFor(ctx, y, h.Standard)
		if err == nil {
			p.PovertyLine, p.PovertyLineYear = line, y
			break
		}
		if !errors.Is(err, store.ErrNotFound) {
			return households.ShowProps{}, err
		}
	}
	p.Layout = s.layoutProps(r, h.VillageName+" "+h.HeadName+" 户", "/households")
	return p, nil
}
