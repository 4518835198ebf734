package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/households"
)

// pairingNew lists active deputies to pair an unpaired household with,
// deputies of the household's own township first (就近原则).
func (s *Server) pairingNew(w http.ResponseWriter, r *http.Request) {
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
	transfer := h.PairingID
	q := r.URL.Query()
	// Deputies by proximity (就近原则: the household's township first);
	// units (?kind=unit) are county offices, all of them listed.
	kind, township := deputy.KindDeputy, h.TownshipCode
	if q.Get("kind") == deputy.KindUnit {
		kind, township = deputy.KindUnit, ""
	}
	if _, set := q["township"]; set && kind == deputy.KindDeputy {
		township = q.Get("township")
	}
	f := store.DeputyFilter{Kind: kind, Township: township, Query: q.Get("q"), Page: pageParam(r), ActiveOnly: true}
	rows, total, err := s.st.Deputies(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	maskHousehold(&h)
	title := "结对帮扶代表"
	if transfer != 0 {
		title = "调整帮扶人"
	}
	s.render(w, r, http.StatusOK, households.Pair(households.PairProps{
		Layout: s.layoutProps(r, title, "/households"), Household: h, Deputies: rows,
		Query: f.Query, Township: township, Townships: towns, Pager: pager(r, f.Page, total),
		Today: s.today().Format(time.DateOnly), TransferFrom: transfer, Kind: kind,
	}))
}

// firstPairingYear is the first year a pairing may start: the programme
// follows the 2014 national registration of poor households (建档立卡).
const firstPairingYear = 2014

// pairingCreate pairs the household with the chosen deputy from the given
// start date (default today). A household that got a deputy meanwhile gets
// 409; the partial unique index guarantees one active pairing per household.
func (s *Server) pairingCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if _, err := s.st.Household(r.Context(), u.Scope(), id); err != nil {
		s.serveError(w, r, err)
		return
	}
	deputyID, err := strconv.ParseInt(r.PostFormValue("deputy_id"), 10, 64)
	if err != nil {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请选择一名代表。"})
		return
	}
	start := s.today()
	if v := r.PostFormValue("start_date"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		if err != nil || d.After(start) || d.Year() < firstPairingYear {
			s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "结对日期不正确（应在2014年至今天之间）。"})
			return
		}
		start = d
	}
	_, err = s.st.CreatePairing(r.Context(), id, deputyID, start, u.ID)
	var early *store.StartBeforeLastEndError
	if errors.As(err, &early) {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "结对日期不能早于该户上一次结对的结束日期 " + early.LastEnd.Format(time.DateOnly) + "。"})
		return
	}
	if errors.Is(err, store.ErrConflict) {
		s.serveError(w, r, httpError{http.StatusConflict, "该户已有帮扶人（可能刚被他人结对），请返回刷新。"})
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "所选代表（单位）不存在、已离任或已停用。"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(id), "结对成功。")
}

// pairingEnd ends the active pairing with a reason; the row stays as history.
func (s *Server) pairingEnd(w http.ResponseWriter, r *http.Request) {
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
	reason := r.PostFormValue("end_reason")
	if !pairingEndReasonValid(reason) {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请选择结束原因。"})
		return
	}
	if err := s.st.EndPairing(r.Context(), id, reason, s.today(), u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(p.HouseholdID), "已结束结对。")
}

// pairingEndReasonValid admits the reasons staff may end a pairing with
// directly: a transfer goes through the transfer page (to name the new
// deputy) and "rejected" is the chair's answer to a proposal.
func pairingEndReasonValid(reason string) bool {
	return reason == "household_exited" || reason == "deputy_left_office"
}
