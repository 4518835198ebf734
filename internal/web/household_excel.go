package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/jobs"
)

// maxListedProblems is how many bad rows an import page lists.
const maxListedProblems = 500

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// attachment sets the headers of an Excel download named name (UTF-8 file
// names per RFC 6266 / 5987).
func attachment(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", "attachment; filename=\"bangfu.xlsx\"; filename*=UTF-8''"+pathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
}

// householdTemplate sends the roster import template with the county's
// villages in its drop-down lists.
func (s *Server) householdTemplate(w http.ResponseWriter, r *http.Request) {
	vs, err := s.st.Villages(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	villages := make([]xlsx.Village, len(vs))
	for i, v := range vs {
		villages[i] = xlsx.Village{Township: v.TownshipName, Name: v.Name}
	}
	var buf bytes.Buffer
	if err := xlsx.WriteHouseholdTemplate(&buf, villages); err != nil {
		s.serveError(w, r, err)
		return
	}
	attachment(w, "贫困户花名册导入模板.xlsx")
	_, _ = buf.WriteTo(w)
}

// householdImportShow renders the upload form.
func (s *Server) householdImportShow(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, jobs.Import(jobs.ImportProps{Layout: s.layoutProps(r, "Excel导入贫困户", "/households")}))
}

// householdImport takes an uploaded roster (size-capped), starts an import
// job and sends the user to its progress page. The import itself is
// all-or-nothing: one bad row commits nothing and the page lists every bad row.
func (s *Server) householdImport(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	lim := xlsx.DefaultLimits
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxFileBytes+1<<20)
	fail := func(msg string) {
		s.render(w, r, http.StatusUnprocessableEntity, jobs.Import(jobs.ImportProps{Layout: s.layoutProps(r, "Excel导入贫困户", "/households"), Error: msg}))
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		fail("文件过大或上传不完整（不超过20MB）。")
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		fail("请选择要导入的Excel文件（.xlsx）。")
		return
	}
	defer f.Close()
	if hdr.Size > lim.MaxFileBytes {
		fail("文件超过20MB，请分乡镇导入。")
		return
	}
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
	if err != nil || int64(len(data)) > lim.MaxFileBytes {
		fail("文件无法读取或超过20MB。")
		return
	}
	id, err := s.st.CreateJob(r.Context(), "household_import", u.ID, "正在读取文件")
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	go s.runImport(id, u, data, lim)
	http.Redirect(w, r, "/jobs/"+components.ID(id), http.StatusSeeOther)
}

// runImport reads, validates and imports a roster in the background,
// recording progress and the outcome on job id.
func (s *Server) runImport(id int64, u auth.User, data []byte, lim xlsx.Limits) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	finish := func(failed bool, msg string, out jobs.ImportOutcome) {
		if err := s.st.FinishJob(ctx, id, failed, msg, out, "", nil); err != nil {
			s.log.Error("import job", "job", id, "err", err)
		}
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("import job panicked", "job", id, "panic", p)
			finish(true, "导入出错，未导入任何数据。请联系管理员。", jobs.ImportOutcome{})
		}
	}()
	resolve, err := s.villageResolver(ctx)
	if err != nil {
		s.log.Error("import job", "job", id, "err", err)
		finish(true, "导入出错，未导入任何数据。", jobs.ImportOutcome{})
		return
	}
	hs, rowErrs, err := xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), lim, resolve, s.now().In(Shanghai))
	if msg, ok := xlsx.IsFileError(err); ok {
		finish(true, msg, jobs.ImportOutcome{})
		return
	}
	if err != nil {
		s.log.Error("import job", "job", id, "err", err)
		finish(true, "文件无法读取，未导入任何数据。请确认是本系统模板填写的 .xlsx 文件。", jobs.ImportOutcome{})
		return
	}
	if len(rowErrs) > 0 {
		out := jobs.ImportOutcome{}
		for i, e := range rowErrs {
			if i >= maxListedProblems {
				out.More = len(rowErrs) - maxListedProblems
				break
			}
			out.Problems = append(out.Problems, jobs.RowProblem{Row: e.Row, Column: e.Column, Reason: e.Reason})
		}
		finish(true, fmt.Sprintf("文件中有 %d 处错误，未导入任何数据。请修改后重新导入。", len(rowErrs)), out)
		return
	}
	_ = s.st.JobProgress(ctx, id, "正在写入数据库", 0, len(hs))
	in := make([]store.ImportHousehold, len(hs))
	for i, h := range hs {
		in[i] = store.ImportHousehold(h)
	}
	res, err := s.st.ImportHouseholds(ctx, in, u.ID)
	var conflict *store.ErrImportConflict
	if errors.As(err, &conflict) {
		out := jobs.ImportOutcome{}
		for i, c := range conflict.Conflicts {
			if i >= maxListedProblems {
				out.More = len(conflict.Conflicts) - maxListedProblems
				break
			}
			out.Problems = append(out.Problems, jobs.RowProblem{Row: c.Row, Column: "身份证号码",
				Reason: "身份证号 " + idcard.Mask(c.IDNumber) + " 已登记在 " + c.Holder + " 户"})
		}
		finish(true, fmt.Sprintf("有 %d 个身份证号已登记在其他户，未导入任何数据。", len(conflict.Conflicts)), out)
		return
	}
	if err != nil {
		s.log.Error("import job", "job", id, "err", err)
		finish(true, "写入数据库出错，未导入任何数据。", jobs.ImportOutcome{})
		return
	}
	finish(false, fmt.Sprintf("导入完成：新增 %d 户，更新 %d 户，%d 户无变化。", res.Created, res.Updated, res.Unchanged),
		jobs.ImportOutcome{Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged})
}

// villageResolver maps (乡镇 name, 村 name) of a roster to a village code.
func (s *Server) villageResolver(ctx context.Context) (func(township, village string) (string, bool), error) {
	vs, err := s.st.Villages(ctx)
	if err != nil {
		return nil, err
	}
	byName := make(map[[2]string]string, len(vs))
	for _, v := range vs {
		byName[[2]string{v.TownshipName, v.Name}] = v.Code
	}
	return func(township, village string) (string, bool) {
		code, ok := byName[[2]string{township, village}]
		return code, ok
	}, nil
}

// householdExport starts an export of the households in the user's scope that
// match the list's filters and sends the user to its progress page. Staff
// get ID numbers and phones in full (audited); everyone else gets them masked.
func (s *Server) householdExport(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	f := householdFilterFrom(r.PostForm, u)
	f.Page = 0
	_, total, err := s.st.Households(r.Context(), u.Scope(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id, err := s.st.CreateJob(r.Context(), "household_export", u.ID, "正在导出")
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if err := s.st.AuditExport(r.Context(), u.ID, f, total, u.SeesPersonalData()); err != nil {
		s.serveError(w, r, err)
		return
	}
	go s.runExport(id, u, f, total)
	http.Redirect(w, r, "/jobs/"+components.ID(id), http.StatusSeeOther)
}

func (s *Server) runExport(id int64, u auth.User, f store.HouseholdFilter, total int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fail := func(err error) {
		s.log.Error("export job", "job", id, "err", err)
		_ = s.st.FinishJob(ctx, id, true, "导出出错，请稍后重试。", nil, "", nil)
	}
	_ = s.st.JobProgress(ctx, id, "正在读取数据", 0, total)
	var rows []xlsx.ExportHousehold
	err := s.st.ExportHouseholds(ctx, u.Scope(), f, func(h store.ExportHousehold) error {
		if !u.SeesPersonalData() {
			h.IDNumber = idcard.Mask(h.IDNumber)
			h.Phone = household.MaskPhone(h.Phone)
			h.Head.IDNumber = h.IDNumber
			for i := range h.Members {
				h.Members[i].IDNumber = idcard.Mask(h.Members[i].IDNumber)
			}
		}
		rows = append(rows, xlsx.ExportHousehold(h))
		if len(rows)%500 == 0 {
			_ = s.st.JobProgress(ctx, id, "正在读取数据", len(rows), total)
		}
		return nil
	})
	if err != nil {
		fail(err)
		return
	}
	_ = s.st.JobProgress(ctx, id, "正在生成Excel文件", len(rows), total)
	var buf bytes.Buffer
	today := s.now().In(Shanghai)
	county, err := s.st.Division(ctx, s.county)
	if err != nil {
		fail(err)
		return
	}
	title := county.Name + "建档立卡贫困户花名册"
	if err := xlsx.WriteHouseholds(&buf, rows, xlsx.ExportMeta{Title: title, Unit: county.Name + "人大常委会", Date: today}); err != nil {
		fail(err)
		return
	}
	name := title + "_" + today.Format("20060102") + ".xlsx"
	msg := "导出完成，共 " + strconv.Itoa(len(rows)) + " 户。"
	if !u.SeesPersonalData() {
		msg += "身份证号和电话已按规定隐去中间位。"
	}
	if err := s.st.FinishJob(ctx, id, false, msg, map[string]int{"households": len(rows)}, name, buf.Bytes()); err != nil {
		s.log.Error("export job", "job", id, "err", err)
	}
}

// jobShow renders a job's progress (refreshing every 2 seconds while it
// runs) or outcome; only its owner sees it.
func (s *Server) jobShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	j, err := s.st.Job(r.Context(), id, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	title := map[string]string{"household_import": "Excel导入贫困户", "household_export": "导出贫困户花名册"}[j.Kind]
	p := jobs.Props{Job: j, Back: "/households"}
	if j.Kind == "household_import" && j.Status != "running" && len(j.Result) > 0 {
		var out jobs.ImportOutcome
		if json.Unmarshal(j.Result, &out) == nil {
			p.Outcome = &out
		}
		if j.Status == "failed" {
			p.Back = "/households/import"
		}
	}
	p.Layout = s.layoutProps(r, title, "/households")
	if j.Status == "running" {
		p.Layout.Refresh = 2
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, jobs.Page(p))
}

// jobFile sends the file of a finished export to its owner.
func (s *Server) jobFile(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	name, data, err := s.st.JobFile(r.Context(), id, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	attachment(w, name)
	_, _ = w.Write(data)
}
