package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/pages/jobs"
)

// deputyTemplate sends the deputy roster import template.
func (s *Server) deputyTemplate(w http.ResponseWriter, r *http.Request) {
	towns, err := s.st.Children(r.Context(), s.county)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	names := make([]string, len(towns))
	for i, t := range towns {
		names[i] = t.Name
	}
	villages, err := s.xlsxVillages(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	office, err := s.officeName(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := xlsx.WriteDeputyTemplate(&buf, names, villages, office); err != nil {
		s.serveError(w, r, err)
		return
	}
	attachment(w, "人大代表花名册导入模板.xlsx")
	_, _ = buf.WriteTo(w)
}

var deputyImportPage = jobs.ImportProps{Action: "/deputies/import", Template: "/deputies/template.xlsx", Notes: []string{
	"按模板“填写说明”每位代表一行；出生日期可写成 1975-02-28、1975/2/28 或 1975年2月28日。",
	"有代表证号的按代表证号匹配，没有的按姓名、出生日期和所在乡镇匹配；内容相同则不变。",
	"只要有一行有误，整个文件都不会导入，页面会列出每一处错误。",
}}

// deputyImportShow renders the upload form.
func (s *Server) deputyImportShow(w http.ResponseWriter, r *http.Request) {
	s.importPage(w, r, deputyImportPage, "deputy_import")
}

// deputyImport imports an uploaded deputy roster in a job, all-or-nothing.
func (s *Server) deputyImport(w http.ResponseWriter, r *http.Request) {
	s.importUpload(w, r, deputyImportPage, "deputy_import", s.importDeputies)
}

func (s *Server) importDeputies(ctx context.Context, id int64, u auth.User, data []byte, lim xlsx.Limits) jobResult {
	towns, err := s.st.Children(ctx, s.county)
	if err != nil {
		return jobResult{failed: true, msg: "导入出错，未导入任何数据。"}
	}
	townCode := map[string]string{}
	for _, t := range towns {
		townCode[t.Name] = t.Code
	}
	resolveVillage, err := s.villageResolver(ctx)
	if err != nil {
		return jobResult{failed: true, msg: "导入出错，未导入任何数据。"}
	}
	resolveTownship := func(name string) (string, bool) { c, ok := townCode[name]; return c, ok }
	ds, rowErrs, err := xlsx.ReadDeputies(bytes.NewReader(data), int64(len(data)), lim, resolveTownship, resolveVillage, s.now().In(Shanghai))
	if msg, ok := xlsx.IsFileError(err); ok {
		return jobResult{failed: true, msg: msg}
	}
	if err != nil {
		s.log.Error("deputy import job", "job", id, "err", err)
		return jobResult{failed: true, msg: "文件无法读取，未导入任何数据。请确认是本系统模板填写的 .xlsx 文件。"}
	}
	if len(rowErrs) > 0 {
		return jobResult{failed: true, msg: fmt.Sprintf("文件中有 %d 处错误，未导入任何数据。请修改后重新导入。", len(rowErrs)), result: rowProblems(rowErrs)}
	}
	_ = s.st.JobProgress(ctx, id, "正在写入数据库", 0, len(ds))
	in := make([]store.ImportDeputy, len(ds))
	for i, d := range ds {
		in[i] = store.ImportDeputy(d)
	}
	res, err := s.st.ImportDeputies(ctx, in, u.ID)
	var conflict *store.ErrDeputyImportConflict
	if errors.As(err, &conflict) {
		rowErrs := make([]xlsx.RowError, len(conflict.Conflicts))
		for i, c := range conflict.Conflicts {
			rowErrs[i] = xlsx.RowError{Row: c.Row, Column: "姓名", Reason: c.Reason}
		}
		return jobResult{failed: true, msg: fmt.Sprintf("有 %d 行无法确定对应哪位代表，未导入任何数据。", len(rowErrs)), result: rowProblems(rowErrs)}
	}
	if err != nil {
		s.log.Error("deputy import job", "job", id, "err", err)
		return jobResult{failed: true, msg: "写入数据库出错，未导入任何数据。"}
	}
	return jobResult{msg: fmt.Sprintf("导入完成：新增 %d 名，更新 %d 名，%d 名无变化。", res.Created, res.Updated, res.Unchanged),
		result: jobs.ImportOutcome{Created: res.Created, Updated: res.Updated, Unchanged: res.Unchanged}}
}

// deputyFilterFields are the list filters that the export form carries.
var deputyFilterFields = []string{"township", "level", "category", "status", "q", "sort"}

// deputyPersonalData is what a full deputy export holds beyond the masked one.
const deputyPersonalData = "完整的联系电话"

// deputyExport exports, in a job, the deputies matching the list's filters,
// with phones masked. Staff may ask for them in full (full=1, see
// exportChoice) with a stated purpose; the first row of such a file says
// that it holds personal data. Every export is audited with its filters,
// deputy count, and purpose when full.
func (s *Server) deputyExport(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	purpose, done := s.exportChoice(w, r, "导出人大代表花名册（完整信息）", deputyPersonalData, deputyFilterFields)
	if done {
		return
	}
	full := purpose != ""
	v := r.PostForm
	f := store.DeputyFilter{Township: v.Get("township"), Level: v.Get("level"), Category: v.Get("category"),
		Status: v.Get("status"), Query: v.Get("q"), Sort: v.Get("sort")}
	_, total, err := s.st.Deputies(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	after := map[string]any{"township": f.Township, "level": f.Level, "category": f.Category, "status": f.Status,
		"deputies": total, "unmasked": full}
	if full {
		after["purpose"] = purpose
	}
	if err := s.st.AuditAction(r.Context(), u.ID, "deputy.export", "deputy_export", 0, after); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.startJob(w, r, "deputy_export", "正在导出", func(ctx context.Context, id int64) jobResult {
		var rows []xlsx.ExportDeputy
		err := s.st.ExportDeputies(ctx, f, func(d store.ExportDeputy) error {
			if !full {
				d.Phone = household.MaskPhone(d.Phone)
			}
			rows = append(rows, xlsx.ExportDeputy(d))
			return nil
		})
		meta, name, merr := s.exportMeta(ctx, "人大代表花名册")
		if full {
			meta.Notice = personalDataNotice(deputyPersonalData, purpose)
		}
		var buf bytes.Buffer
		if err == nil && merr == nil {
			err = xlsx.WriteDeputies(&buf, rows, meta)
		}
		if err != nil || merr != nil {
			s.log.Error("deputy export job", "job", id, "err", errors.Join(err, merr))
			return jobResult{failed: true, msg: "导出出错，请稍后重试。"}
		}
		msg := "导出完成，共 " + strconv.Itoa(len(rows)) + " 名代表。"
		if full {
			msg += "文件含完整联系电话，请妥善保管，用后删除。"
		} else {
			msg += "联系电话已按规定隐去中间位。"
		}
		return jobResult{msg: msg, result: map[string]int{"deputies": len(rows)}, fileName: name, file: &buf}
	})
}
