package web

import (
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/pairings"
)

// settingsShow renders the pairing settings (adjacency, poverty lines).
func (s *Server) settingsShow(w http.ResponseWriter, r *http.Request) {
	s.renderSettings(w, r, http.StatusOK, pairings.LineInput{Standard: "national", Year: strconv.Itoa(s.today().Year())}, nil)
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, in pairings.LineInput, errs validation.Errors) {
	_, towns, err := s.townshipNamer(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pairs, err := s.st.Adjacency(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	adj := map[[2]string]bool{}
	for _, p := range pairs {
		adj[p] = true
	}
	lines, err := s.st.PovertyLines(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	amber, red, err := s.st.FollowUpThresholds(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pct, err := s.st.SpotCheckPercent(r.Context(), ledger.SpotCheckPercent)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	age, err := s.st.PasswordMaxAgeDays(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, pairings.Settings(pairings.SettingsProps{Layout: s.layoutProps(r, "设置", "/settings"), PasswordAge: age,
		Townships: towns, Adjacent: adj, Lines: lines, LineForm: in, Errors: errs, Amber: amber, Red: red, SpotCheck: pct}))
}
