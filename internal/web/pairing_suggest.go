package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/matcher"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/pairings"
)

// neighbours returns the adjacency relation entered on the settings page.
func (s *Server) neighbours(r *http.Request) (func(a, b string) bool, error) {
	pairs, err := s.st.Adjacency(r.Context())
	if err != nil {
		return nil, err
	}
	adj := map[[2]string]bool{}
	for _, p := range pairs {
		adj[p] = true
	}
	return func(a, b string) bool { return adj[[2]string{a, b}] || adj[[2]string{b, a}] }, nil
}

var classNames = map[int]string{matcher.ClassSameVillage: "同村", matcher.ClassSameTownship: "同乡镇", matcher.ClassNeighbour: "相邻乡镇", matcher.ClassElsewhere: "其他乡镇"}

// pairingSuggest proposes a deputy for every unpaired household of a
// division by minimum total cost (internal/matcher) and shows why.
func (s *Server) pairingSuggest(w http.ResponseWriter, r *http.Request) {
	division := r.URL.Query().Get("division")
	if division == "" {
		division = s.county
	}
	if !strings.HasPrefix(division, s.county) {
		s.serveError(w, r, errNotFound)
		return
	}
	hs, ds, err := s.st.MatchInput(r.Context(), division)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	adj, err := s.neighbours(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	mh := make([]matcher.Household, len(hs))
	byHousehold := map[int64]store.MatchHousehold{}
	for i, h := range hs {
		mh[i] = matcher.Household{ID: h.ID, Village: h.Village, Township: h.Township, Causes: h.Causes}
		byHousehold[h.ID] = h
	}
	md := make([]matcher.Deputy, len(ds))
	for i, d := range ds {
		md[i] = matcher.Deputy{ID: d.ID, Village: d.Village, Township: d.Township, Preferred: d.Preferred, Offers: d.Offers, Capacity: d.Capacity, Load: d.Load}
	}
	res := matcher.Assign(mh, md, adj)
	names, err := s.st.SuggestionNames(r.Context(), res.Proposals)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	rows := make([]pairings.SuggestionRow, len(res.Proposals))
	for i, p := range res.Proposals {
		n := names[i]
		rows[i] = pairings.SuggestionRow{HouseholdID: p.HouseholdID, HouseholdName: n.HeadName, VillageName: n.VillageName,
			Causes: strings.Join(byHousehold[p.HouseholdID].Causes, "、"), DeputyID: p.DeputyID, DeputyName: n.DeputyName,
			DeputyHome: n.DeputyTownship, Class: classNames[p.Class], Total: p.Total, Reason: p.Reason}
	}
	_, towns, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	sel := division
	if sel == s.county {
		sel = ""
	}
	s.render(w, r, http.StatusOK, pairings.Suggest(pairings.SuggestProps{
		Layout: s.layoutProps(r, "结对建议", "/pairing/suggest"), Division: sel, Divisions: towns, Rows: rows,
		Unassigned: len(res.Unassigned), Households: len(hs), Deputies: len(ds), TotalCost: res.TotalCost,
	}))
}

// pairingPropose records the proposals staff picked as `proposed` pairings
// for the township chairs to confirm.
func (s *Server) pairingPropose(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	var ps []store.Proposal
	for _, v := range r.PostForm["pick"] {
		hs, ds, ok := strings.Cut(v, ":")
		h, err1 := strconv.ParseInt(hs, 10, 64)
		d, err2 := strconv.ParseInt(ds, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			continue
		}
		reason := r.PostForm.Get("reason_" + hs)
		if len([]rune(reason)) > 200 {
			reason = string([]rune(reason)[:200])
		}
		ps = append(ps, store.Proposal{HouseholdID: h, DeputyID: d, Reason: reason})
	}
	back := "/pairing/suggest"
	division := s.county
	if d := r.PostForm.Get("division"); d != "" {
		if !strings.HasPrefix(d, s.county) {
			s.serveError(w, r, errNotFound)
			return
		}
		division = d
		back += "?division=" + url.QueryEscape(d)
	}
	if len(ps) == 0 {
		s.redirect(w, r, back, "没有选择任何建议。")
		return
	}
	n, skipped, err := s.st.ProposePairings(r.Context(), division, ps, s.today(), u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg := fmt.Sprintf("已采纳 %d 条建议，等待乡镇人大主席确认。", n)
	if len(skipped) > 0 {
		msg += fmt.Sprintf("另有 %d 条未采纳（该户已有结对、已脱贫或不在所选范围，或代表已满）。", len(skipped))
	}
	s.redirect(w, r, back, msg)
}
