package web

import (
	"errors"
	"net/http"

	"github.com/a-h/templ"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/qr"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/households"
	"github.com/shopspring/decimal"
)

// householdFile renders the printable household file (一户一档): facts,
// members, pairing history, measures, goal and checklist, approved ledger
// entries with their total, and signature lines. Personal data is masked.
func (s *Server) householdFile(w http.ResponseWriter, r *http.Request) {
	show, err := s.householdPage(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := households.FileProps{Show: show, Total: decimal.Zero, Printed: s.today().Format("2006年1月2日")}
	if show.Active != nil {
		entries, err := s.st.LedgerEntries(r.Context(), show.Active.ID, false)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		for _, e := range entries {
			if e.Status == "approved" {
				p.Approved = append(p.Approved, e)
				p.Total = p.Total.Add(e.Amount)
			}
		}
	}
	p.Layout = s.layoutProps(r, "建档立卡贫困户一户一档 · "+show.Household.VillageName+" "+show.Household.HeadName, "/households")
	s.render(w, r, http.StatusOK, households.File(p))
}

// householdCard renders the household card (明白卡): the deputy's name and
// phone (in full for staff and the deputy itself, who hand the card over),
// the pairing's goal (target income, exit year, the 一超两不愁三保障 items),
// the measures with their scale, deadline and outcome, and a QR code of the
// household page.
func (s *Server) householdCard(w http.ResponseWriter, r *http.Request) {
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
	p := households.CardProps{Household: h}
	if h.PairingID != 0 {
		d, err := s.st.Deputy(r.Context(), h.DeputyID)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.DeputyName, p.DeputyKind, p.DeputyPhone = d.Name, d.Kind, d.Phone
		if !(u.Role == auth.Staff || (u.Role == auth.Deputy && u.DeputyID == d.ID)) {
			p.DeputyPhone = household.MaskPhone(d.Phone)
		}
		if p.DeputyPhone == "" {
			p.DeputyPhone = "—"
		}
		if p.Measures, err = s.st.Measures(r.Context(), h.PairingID); err != nil {
			s.serveError(w, r, err)
			return
		}
		switch g, err := s.st.Goal(r.Context(), h.PairingID); {
		case err == nil:
			p.Goal = &g
		case !errors.Is(err, store.ErrNotFound):
			s.serveError(w, r, err)
			return
		}
	}
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	p.Link = scheme + "://" + r.Host + "/households/" + components.ID(id)
	code, err := qr.DataURL(p.Link)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// The data: URL is an SVG this server drew from its own link, not user
	// input, so it may bypass templ's URL sanitiser (which refuses data:).
	p.QR = templ.SafeURL(code)
	maskHousehold(&h)
	p.Household = h
	p.Layout = s.layoutProps(r, "帮扶明白卡", "/households")
	s.render(w, r, http.StatusOK, households.Card(p))
}
