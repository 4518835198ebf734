package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/components"
	auditpages "github.com/bangfu/bangfu/web/pages/audit"
)

// auditFilter reads the audit page's filters from the query string; a
// value that cannot be read gets a Chinese message under its name and does
// not filter.
func auditFilter(r *http.Request) (store.AuditFilter, auditpages.Form, map[string]string) {
	q := r.URL.Query()
	form := auditpages.Form{From: q.Get("from"), To: q.Get("to"), User: strings.TrimSpace(q.Get("user")),
		Action: strings.TrimSpace(q.Get("action")), Entity: strings.TrimSpace(q.Get("entity")),
		EntityID: strings.TrimSpace(q.Get("entity_id")), IP: strings.TrimSpace(q.Get("ip"))}
	f := store.AuditFilter{User: form.User, Action: form.Action, Entity: form.Entity, IP: form.IP}
	errs := map[string]string{}
	day := func(name, v string) time.Time {
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation(time.DateOnly, v, Shanghai)
		if err != nil {
			errs[name] = "请按 2006-01-02 的格式填写日期。"
		}
		return t
	}
	f.From, f.To = day("from", form.From), day("to", form.To)
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		errs["to"] = "结束日期不能早于开始日期。"
		f.To = time.Time{}
	}
	if form.EntityID != "" {
		n, err := strconv.ParseInt(form.EntityID, 10, 64)
		if err != nil || n <= 0 {
			errs["entity_id"] = "对象编号应为正整数。"
		} else {
			f.EntityID = n
		}
	}
	return f, form, errs
}

// auditList is the staff's audit log search (/audit): newest first, one
// page of store.PageSize events; a bad filter answers 422 with its message.
func (s *Server) auditList(w http.ResponseWriter, r *http.Request) {
	f, form, errs := auditFilter(r)
	p := auditpages.ListProps{Layout: s.layoutProps(r, "审计日志", "/audit"), Form: form, Errors: errs,
		Actions: components.AuditActionOptions(), Roles: auth.Roles, Export: "/audit/export.xlsx?" + r.URL.Query().Encode()}
	if len(errs) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, auditpages.List(p))
		return
	}
	page := pageParam(r)
	rows, total, err := s.st.AuditEvents(r.Context(), f, page)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, page, total) {
		return
	}
	p.Rows, p.Pager = rows, pager(r, page, total)
	s.render(w, r, http.StatusOK, auditpages.List(p))
}

// auditExport sends the events matching the page's filters as Excel (at
// most store.AuditExportLimit, newest first); the export is itself an
// audit event (audit.export).
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request) {
	f, _, errs := auditFilter(r)
	if len(errs) > 0 {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "筛选条件有误，请返回审计日志页面修改后再导出。"})
		return
	}
	u, _ := userFrom(r)
	rows, err := s.st.AuditEventsForExport(r.Context(), f, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	t := xlsx.Table{Sheet: "审计日志",
		Headings: []string{"编号", "时间", "用户", "角色", "IP地址", "操作", "操作代码", "对象", "对象编号", "修改前", "修改后", "请求编号"},
		Widths:   []float64{10, 20, 18, 14, 16, 16, 22, 16, 10, 40, 40, 18}}
	for _, e := range rows {
		entityID := ""
		if e.EntityID != 0 {
			entityID = strconv.FormatInt(e.EntityID, 10)
		}
		t.Rows = append(t.Rows, []any{strconv.FormatInt(e.ID, 10), e.At.In(Shanghai).Format("2006-01-02 15:04:05"),
			orSystem(e.UserName), auth.Roles.Label(e.Role), e.IP, components.AuditAction(e.Action), e.Action,
			e.Entity, entityID, components.AuditJSON(e.Before), components.AuditJSON(e.After), e.RequestID})
	}
	s.sendTable(w, r, t, "审计日志", "审计日志-"+s.today().Format("20060102")+".xlsx")
}

func orSystem(name string) string {
	if name == "" {
		return "系统"
	}
	return name
}
