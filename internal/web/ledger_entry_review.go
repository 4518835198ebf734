package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bangfu/bangfu/internal/store"
	ledgerpages "github.com/bangfu/bangfu/web/pages/ledger"
)

// reviewQueue renders the township chair's queue of submitted entries.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	f := store.ReviewFilter{Village: q.Get("village"), Kind: q.Get("kind"), Page: pageParam(r)}
	rows, total, err := s.st.ReviewQueue(r.Context(), u.TownshipCode, f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, f.Page, total) {
		return
	}
	ids := make([]int64, len(rows))
	for i, e := range rows {
		ids[i] = e.ID
	}
	photos, err := s.st.EntryPhotos(r.Context(), ids)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	villages, err := s.villageOptions(r.Context(), u.TownshipCode)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, ledgerpages.Review(ledgerpages.ReviewProps{
		Layout: s.layoutProps(r, "台账审核", "/review"), Rows: rows, Filter: f, Villages: villages, Photos: photos,
		Pager: pager(r, f.Page, total),
	}))
}

// ledgerEntryApprove approves a submitted entry of the chair's township.
func (s *Server) ledgerEntryApprove(w http.ResponseWriter, r *http.Request) {
	s.reviewEntry(w, r, true)
}

// ledgerEntryReturn returns a submitted entry with the chair's comment
// (required).
func (s *Server) ledgerEntryReturn(w http.ResponseWriter, r *http.Request) {
	s.reviewEntry(w, r, false)
}

func (s *Server) reviewEntry(w http.ResponseWriter, r *http.Request, approve bool) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	// Scope first: an entry of another township (or a draft) is 404 whatever
	// the form holds.
	e, err := s.st.LedgerEntry(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if e.Status == "draft" {
		s.serveError(w, r, errNotFound)
		return
	}
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if !approve && comment == "" {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "退回时必须填写退回意见，请返回填写。"})
		return
	}
	err = s.st.ReviewLedgerEntry(r.Context(), u.TownshipCode, id, approve, comment, u.ID)
	if errors.Is(err, store.ErrConflict) {
		s.redirect(w, r, "/review", "这条台账已被审核过。")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg := "已通过。"
	if !approve {
		msg = "已退回，代表会看到您的意见。"
	}
	s.redirect(w, r, "/review", msg)
}
