package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/pairings"
)

// pairingReassignList lists households whose deputy left office.
func (s *Server) pairingReassignList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	rows, err := s.st.NeedsNewDeputy(r.Context(), u.Scope().TownshipCode)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pairings.Reassign(pairings.ReassignProps{Layout: s.layoutProps(r, "待调整帮扶人", "/pairing/reassign"), Rows: rows}))
}

// pairingTransfer hands the household of an active pairing to another deputy.
func (s *Server) pairingTransfer(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p, err := s.st.Pairing(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	deputyID, err := strconv.ParseInt(r.PostForm.Get("deputy_id"), 10, 64)
	if err != nil {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请选择一名代表。"})
		return
	}
	_, err = s.st.TransferPairing(r.Context(), id, deputyID, s.today(), u.ID)
	switch {
	case errors.Is(err, store.ErrConflict):
		s.serveError(w, r, httpError{http.StatusConflict, "这条结对已结束，或所选代表就是当前帮扶代表。"})
		return
	case errors.Is(err, store.ErrNotFound):
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "所选代表不存在或已离任。"})
		return
	case err != nil:
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), "已调整帮扶人，原结对记录保留。")
}
