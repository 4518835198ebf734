package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/summary"
	"github.com/bangfu/bangfu/internal/validation"
)

// summarySave saves the chair's prose as a draft (action=save) or submits
// the summary (action=submit), freezing the report, with the version read.
func (s *Server) summarySave(w http.ResponseWriter, r *http.Request) {
	township, p, u, err := s.summaryTarget(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	ctx := r.Context()
	prose := strings.TrimSpace(strings.ReplaceAll(r.PostForm.Get("prose"), "\r\n", "\n"))
	submit := r.PostForm.Get("action") == "submit"
	errs := validation.Errors{}
	if len([]rune(prose)) > summary.MaxProse {
		errs["prose"] = "总结不能超过20000字"
	} else if submit && prose == "" {
		errs["prose"] = "请填写总结后再提交"
	}
	v, err := s.loadSummary(ctx, township, p)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if v.submitted() {
		s.serveError(w, r, httpError{http.StatusConflict, "总结已提交，不能再修改；如需修改，请市人大办退回。"})
		return
	}
	if len(errs) > 0 {
		s.renderSummary(w, r, http.StatusUnprocessableEntity, u, v, r.PostForm.Get("prose"), errs)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	var rep *summary.Report
	if submit {
		fresh, err := s.st.SummaryReport(ctx, s.county, township, p, s.today())
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		rep = &fresh
	}
	if err := s.st.SaveSummary(ctx, township, p, version, prose, rep, u.ID); err != nil {
		switch {
		case errors.Is(err, store.ErrVersionConflict):
			if v, err = s.loadSummary(ctx, township, p); err != nil {
				s.serveError(w, r, err)
				return
			}
			s.renderSummary(w, r, http.StatusConflict, u, v, r.PostForm.Get("prose"),
				validation.Errors{"_": "总结已在别处被修改：编辑框中是您填写的内容，最新保存的内容列在下面，请核对合并后再保存。"})
		case errors.Is(err, store.ErrConflict):
			s.serveError(w, r, httpError{http.StatusConflict, "总结已提交，不能再修改；如需修改，请市人大办退回。"})
		default:
			s.serveError(w, r, err)
		}
		return
	}
	msg := "总结草稿已保存。"
	if submit {
		msg = "总结已提交，报告中的数据已固定。"
	}
	s.redirect(w, r, "/summaries/"+township+"/"+summary.Key(p), msg)
}
