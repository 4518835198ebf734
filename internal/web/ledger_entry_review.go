package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/ledger"

	"github.com/bangfu/bangfu/internal/store"
	ledgerpages "github.com/bangfu/bangfu/web/pages/ledger"
)

// reviewQueue renders the township chair's queue of submitted entries.
func (s *Server) reviewQueue(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	age, _ := strconv.Atoi(q.Get("age"))
	f := store.ReviewFilter{Village: q.Get("village"), Kind: q.Get("kind"), Deputy: q.Get("deputy"), MinAgeDays: max(0, min(age, 365)), Page: pageParam(r)}
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

// reviewApproveMany approves the ticked entries of the queue at once.
func (s *Server) reviewApproveMany(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	var ids []int64
	seen := map[int64]bool{}
	for _, v := range r.PostForm["id"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		s.redirect(w, r, "/review", "没有勾选任何台账。")
		return
	}
	n, err := s.st.ApproveMany(r.Context(), u.TownshipCode, ids, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg := fmt.Sprintf("已通过 %d 条。", n)
	if n < len(ids) {
		msg += fmt.Sprintf("另有 %d 条已被审核过或不属于本镇，未处理。", len(ids)-n)
	}
	s.redirect(w, r, "/review", msg)
}

// reviewSpotCheck shows the month's fixed sample (ledger.SpotCheckPercent)
// of the township's approved entries for a second look.
func (s *Server) reviewSpotCheck(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	month := s.today()
	if m := r.URL.Query().Get("month"); m != "" {
		t, err := time.Parse("2006-01", m)
		if err != nil || t.Year() < 2014 || t.After(s.today()) {
			s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "月份应写成 2026-11，且在2014年至本月之间。"})
			return
		}
		month = t
	}
	pct, err := s.st.SpotCheckPercent(r.Context(), ledger.SpotCheckPercent)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	rows, total, err := s.st.SpotCheck(r.Context(), u.TownshipCode, month, float64(pct)/100)
	if err != nil {
		s.serveError(w, r, err)
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
	s.render(w, r, http.StatusOK, ledgerpages.SpotCheck(ledgerpages.SpotCheckProps{Layout: s.layoutProps(r, "台账抽查", "/review"),
		Month: month.Format("2006-01"), Rows: rows, Total: total, Photos: photos, Percent: pct}))
}
