package web

import (
	"errors"
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/pages/pairings"
)

// pairingQueue lists proposals: a chair its township's (to confirm or turn
// down), staff all of them.
func (s *Server) pairingQueue(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	rows, err := s.st.ProposedPairings(r.Context(), u.Scope().TownshipCode)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, pairings.Queue(pairings.QueueProps{Layout: s.layoutProps(r, "待确认结对", "/pairing/confirm"),
		Rows: rows, CanConfirm: u.Role == auth.TownshipChair}))
}

// pairingConfirm makes a proposal of the chair's township active.
func (s *Server) pairingConfirm(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	err = s.st.ConfirmPairing(r.Context(), u.TownshipCode, id, s.today(), u.ID)
	switch {
	case errors.Is(err, store.ErrAlreadyPaired):
		s.serveError(w, r, httpError{http.StatusConflict, "该户已有帮扶代表（可能刚被确认），这条建议不能再确认。"})
		return
	case errors.Is(err, store.ErrDeputyLeft):
		s.serveError(w, r, httpError{http.StatusConflict, "建议的代表已离任，不能确认。请点“不同意”，由市人大办公室重新安排。"})
		return
	case errors.Is(err, store.ErrConflict):
		s.redirect(w, r, "/pairing/confirm", "这条结对已处理过。")
		return
	case err != nil:
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/pairing/confirm", "已确认结对。")
}

// pairingReject turns a proposal of the chair's township down.
func (s *Server) pairingReject(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	err = s.st.RejectProposal(r.Context(), u.TownshipCode, id, s.today(), u.ID)
	if errors.Is(err, store.ErrConflict) {
		s.redirect(w, r, "/pairing/confirm", "这条结对已处理过。")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/pairing/confirm", "已退回这条建议，该户可重新安排。")
}
