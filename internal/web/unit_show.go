package web

import (
	"fmt"
	"net/http"

	"github.com/a-h/templ"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/layout"
	"github.com/bangfu/bangfu/web/pages/helpers"
	"github.com/bangfu/bangfu/web/pages/units"
)

// unitHelper is how a unit's pages differ from a deputy's.
var unitHelper = helperKind{
	kind: deputy.KindUnit, base: "/units", title: "帮扶单位 ", noun: "单位", state: "停用", verb: "停用", endField: "date",
	username: func(d store.DeputyRow) string { return fmt.Sprintf("unit.%d", d.ID) },
	view: func(l layout.Props, h helpers.Helper) templ.Component {
		return units.Show(units.ShowProps{Layout: l, Helper: h})
	},
}

// unitShow renders a unit's page: facts, pairings, account and audit trail.
func (s *Server) unitShow(w http.ResponseWriter, r *http.Request) {
	s.renderHelperPage(w, r, http.StatusOK, unitHelper, helpers.Helper{})
}

// unitDeactivate stops a unit's help from the given date (not in the
// future): as a deputy leaving office, its active pairings are flagged for
// reassignment, its proposals end and its account is disabled.
func (s *Server) unitDeactivate(w http.ResponseWriter, r *http.Request) {
	s.helperEnd(w, r, unitHelper)
}

// unitAccount opens a login (role deputy) for a unit: the username is
// "unit." and its id, the initial password random, shown once and to be
// changed at first sign-in.
func (s *Server) unitAccount(w http.ResponseWriter, r *http.Request) {
	s.helperAccount(w, r, unitHelper)
}

// unitFromPath loads the unit {id} of the URL: 404 when unknown or when the
// id is a deputy's.
func (s *Server) unitFromPath(r *http.Request) (store.DeputyRow, error) {
	return s.helperFromPath(r, unitHelper)
}
