package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/project"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
)

// cooperativePayout records a dividend or wage paid to a member household;
// it also counts as the household's income of that year.
func (s *Server) cooperativePayout(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	c, err := s.loadCooperative(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := c.ID
	f := r.PostForm
	typed := map[string]string{"household": f.Get("household"), "kind": f.Get("kind"), "amount": f.Get("amount"), "paid_on": f.Get("paid_on")}
	p, errs := project.ParsePayout(f.Get("household"), f.Get("kind"), f.Get("amount"), f.Get("paid_on"), s.today())
	if errs == nil {
		err = s.st.RecordPayout(r.Context(), id, p, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			errs = validation.Errors{"household": "该户不是本合作组织的成员"}
		} else if errors.Is(err, store.ErrNoIncomeYear) {
			errs = validation.Errors{"household": "该户尚未登记" + strconv.Itoa(p.Year) + "年收入：请先在贫困户页面登记当年收入，再记录分红、工资（会计入当年收入）"}
		} else if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if errs != nil {
		s.renderCooperative(w, r, http.StatusUnprocessableEntity, typed, errs)
		return
	}
	s.redirect(w, r, "/cooperatives/"+strconv.FormatInt(id, 10), "已记录发放，并计入该户"+strconv.Itoa(p.Year)+"年收入。")
}
