package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/qr"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/households"
	"github.com/go-chi/chi/v5"
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
	p, err := s.fileProps(r, show)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Layout = s.layoutProps(r, "建档立卡贫困户一户一档 · "+show.Household.VillageName+" "+show.Household.HeadName, "/households")
	s.render(w, r, http.StatusOK, households.File(p))
}

// fileProps is the household file of show: its approved ledger entries of
// the active pairing and their total in yuan.
func (s *Server) fileProps(r *http.Request, show households.ShowProps) (households.FileProps, error) {
	p := households.FileProps{Show: show, Total: decimal.Zero, Printed: s.today().Format("2006年1月2日")}
	if show.Active == nil {
		return p, nil
	}
	entries, err := s.st.LedgerEntries(r.Context(), show.Active.ID, false)
	if err != nil {
		return p, err
	}
	for _, e := range entries {
		if e.Status == "approved" {
			p.Approved = append(p.Approved, e)
			p.Total = p.Total.Add(e.Amount)
		}
	}
	return p, nil
}

// villageFiles renders every household file of the village {code} on one
// page for printing into the archive, one household per printed page, in
// roster order. Staff see any village; a township chair only its own
// township's (another's is 404, as is an unknown code).
func (s *Server) villageFiles(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	code := chi.URLParam(r, "code")
	v, err := s.st.Division(r.Context(), code)
	if err == nil && (v.Level != "village" || (u.Scope().TownshipCode != "" && v.ParentCode != u.Scope().TownshipCode)) {
		err = errNotFound
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	ids, err := s.st.VillageHouseholdIDs(r.Context(), u.Scope(), code)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := households.VillageFilesProps{VillageName: v.Name, Files: make([]households.FileProps, 0, len(ids))}
	for _, id := range ids {
		show, err := s.householdPageFor(r, u, id, false)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		f, err := s.fileProps(r, show)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.Files = append(p.Files, f)
	}
	p.Layout = s.layoutProps(r, v.TownshipName+v.Name+"一户一档（"+strconv.Itoa(len(ids))+"户）", "/households")
	s.render(w, r, http.StatusOK, households.VillageFiles(p))
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
