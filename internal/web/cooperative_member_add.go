package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
)

// cooperativeMember adds a member household (household=ID, joined_on).
func (s *Server) cooperativeMember(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	c, err := s.loadCooperative(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := c.ID
	f := r.PostForm
	typed := map[string]string{"member_household": f.Get("household"), "joined_on": f.Get("joined_on")}
	hh, herr := strconv.ParseInt(strings.TrimSpace(f.Get("household")), 10, 64)
	joined, jerr := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("joined_on")))
	errs := validation.Errors{}
	if herr != nil || hh <= 0 {
		errs["member_household"] = "请填写贫困户的编号（见贫困户页面地址）"
	}
	if jerr != nil || joined.After(s.today()) {
		errs["joined_on"] = "请填写入社日期（不晚于今天），如 2017-04-01"
	}
	if len(errs) == 0 {
		err = s.st.AddMember(r.Context(), id, hh, joined, u.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs["member_household"] = "本乡镇没有这个编号的贫困户"
		case errors.Is(err, store.ErrConflict):
			errs["member_household"] = "该户已是成员"
		case err != nil:
			s.serveError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.renderCooperative(w, r, http.StatusUnprocessableEntity, typed, errs)
		return
	}
	s.redirect(w, r, "/cooperatives/"+strconv.FormatInt(id, 10), "已加入成员户。")
}
