package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/a-h/templ"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/layout"
	"github.com/bangfu/bangfu/web/pages/deputies"
	"github.com/bangfu/bangfu/web/pages/helpers"
)

// deputyHelper is how a deputy's pages differ from a unit's.
var deputyHelper = helperKind{
	kind: deputy.KindDeputy, base: "/deputies", title: "代表 ", noun: "代表", state: "离任", verb: "标记离任",
	endField: "left_office_date", username: deputyUsername,
	view: func(l layout.Props, h helpers.Helper) templ.Component {
		return deputies.Show(deputies.ShowProps{Layout: l, Helper: h})
	},
}

// deputyShow renders a deputy's page: facts, pairings (with those flagged
// for reassignment), account and audit trail.
func (s *Server) deputyShow(w http.ResponseWriter, r *http.Request) {
	// A link to a helper that is a unit lands on the unit's page.
	if id, err := pathID(r); err == nil {
		if d, err := s.st.Deputy(r.Context(), id); err == nil && d.Kind == deputy.KindUnit {
			http.Redirect(w, r, "/units/"+components.ID(id), http.StatusSeeOther)
			return
		}
	}
	s.renderHelperPage(w, r, http.StatusOK, deputyHelper, helpers.Helper{})
}

// deputyLeftOffice marks a deputy as left office on the given date (not in
// the future); its active pairings are flagged for reassignment and its
// account is disabled.
func (s *Server) deputyLeftOffice(w http.ResponseWriter, r *http.Request) {
	s.helperEnd(w, r, deputyHelper)
}

// deputyAccount opens a login for a deputy from its record: the username is
// its name in pinyin plus its id (deputyUsername), the initial password
// random; the password is shown once on the page that answers and must be
// changed at first sign-in.
func (s *Server) deputyAccount(w http.ResponseWriter, r *http.Request) {
	s.helperAccount(w, r, deputyHelper)
}

// deputyUsername is the login name given to a deputy: its name in pinyin
// (at most 30 letters) and its id, e.g. "zhangsan.12"; "deputy.12" when the
// name has no pinyin.
func deputyUsername(d store.DeputyRow) string {
	_, full, _ := strings.Cut(pinyin.Key(d.Name), "|")
	if len(full) > 30 {
		full = full[:30]
	}
	if full == "" {
		return fmt.Sprintf("deputy.%d", d.ID)
	}
	return fmt.Sprintf("%s.%d", full, d.ID)
}

// deputyFromPath loads the deputy {id} of the URL: 404 when unknown or
// when the id is a unit's (units have their own pages under /units).
func (s *Server) deputyFromPath(r *http.Request) (store.DeputyRow, error) {
	return s.helperFromPath(r, deputyHelper)
}
