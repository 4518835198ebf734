package web

import (
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
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
	// The poverty line of this year (or, early in a year before staff enter
	// it, of last year) for the household's identification standard.
	years := []int{s.today().Year(), s.today().Year() - 1}
	var drafts int64
	if u.Role == auth.Deputy {
		drafts = u.DeputyID
	}
	d, err := s.st.HouseholdPageData(r.Context(), u.Scope(), id, store.HouseholdPageOptions{
		WithAudit: u.Role != auth.Deputy, DraftsOf: drafts, Years: years})
	if err != nil {
		return households.ShowProps{}, err
	}
	h, members := d.Household, d.Members
	if !revealed {
		maskHousehold(&h)
		for i := range members {
			members[i].IDNumber = idcard.Mask(members[i].IDNumber)
		}
	}
	p := households.ShowProps{
		Household: h, Members: members, Pairings: d.Pairings, Statuses: d.Statuses, Revealed: revealed, Remark: h.Remark,
		Incomes: d.Incomes, Payouts: d.Payouts, Exits: d.Exits, Audit: d.Audit, Active: d.Active, Today: s.today(),
		CanPair:         u.Role == auth.Staff,
		CanEdit:         u.Role == auth.Staff || u.Role == auth.TownshipChair,
		CanReveal:       u.SeesPersonalData() && !revealed,
		CanRecordIncome: u.Role == auth.Staff || u.Role == auth.TownshipChair || (u.Role == auth.Deputy && h.DeputyID == u.DeputyID),
		CanProposeExit:  u.Role == auth.TownshipChair || (u.Role == auth.Deputy && h.DeputyID == u.DeputyID),
	}
	if p.Active != nil {
		mine := u.Role == auth.Deputy && p.Active.DeputyID == u.DeputyID
		p.CanPlan = u.Role == auth.Staff || mine
		p.CanRecord = mine
		p.Measures, p.Goal, p.Entries, p.Photos, p.Cases = d.Measures, d.Goal, d.Entries, d.Photos, d.Cases
	}
	if p.CanRecordIncome {
		p.IncomeForm, p.IncomeOpen = s.incomeForm(r, d)
	}
	for _, y := range years {
		if line, ok := d.PovertyLines[y]; ok {
			p.PovertyLine, p.PovertyLineYear = line, y
			break
		}
	}
	p.Layout = s.layoutProps(r, h.VillageName+" "+h.HeadName+" 户", "/households")
	return p, nil
}

// incomeForm is the income form of the year asked for (?income_year=, else
// this year), filled with what is recorded for it without the cooperatives'
// payouts, which the form lists apart; open reports whether a year was asked.
func (s *Server) incomeForm(r *http.Request, d store.HouseholdPage) (form households.IncomeInput, open bool) {
	year := s.today().Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("income_year")); err == nil && y > 0 {
		year, open = y, true
	}
	form.Year = strconv.Itoa(year)
	for _, in := range d.Incomes {
		if in.Year != year {
			continue
		}
		base := household.Income{Year: in.Year, Wages: in.Wages, Production: in.Production, Property: in.Property,
			Transfers: in.Transfers, Costs: in.Costs}.WithoutCredit(store.CreditOf(d.Payouts, year))
		form.Wages, form.Production, form.Property = base.Wages.StringFixed(2), base.Production.StringFixed(2), base.Property.StringFixed(2)
		form.Transfers, form.Costs = base.Transfers.StringFixed(2), base.Costs.StringFixed(2)
	}
	return form, open
}
