package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/pages/jobs"
)

// deputyTemplate sends the deputy roster import template, with the
// county's townships and villages in its drop-down lists.
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
	s.sendTemplate(w, r, "人大代表花名册导入模板.xlsx", func(w io.Writer, office string) error {
		return xlsx.WriteDeputyTemplate(w, names, villages, office)
	})
}

// deputyImporter is the deputy roster's import: one row per deputy,
// matched by credential number, else by name, birth date and township.
var deputyImporter = registryImport{kind: "deputy_import", run: (*Server).importDeputies, page: jobs.ImportProps{
	Action: "/deputies/import", Template: "/deputies/template.xlsx", Notes: []string{
		"按模板“填写说明”每位代表一行；出生日期可写成 1975-02-28、1975/2/28 或 1975年2月28日。",
		"有代表证号的按代表证号匹配，没有的按姓名、出生日期和所在乡镇匹配；内容相同则不变。",
		"只要有一行有误，整个文件都不会导入，页面会列出每一处错误。",
	}}}

func (s *Server) importDeputies(ctx context.Context, id int64, u auth.User, data []byte, lim xlsx.Limits) jobResult {
	var ds []xlsx.Deputy
	return s.runImport(ctx, id, "deputy_import", "名", func() importRead {
		towns, err := s.st.Children(ctx, s.county)
		if err != nil {
			return importRead{err: err}
		}
		townCode := map[string]string{}
		for _, t := range towns {
			townCode[t.Name] = t.Code
		}
		resolveVillage, err := s.villageResolver(ctx)
		if err != nil {
			return importRead{err: err}
		}
		resolveTownship := func(name string) (string, bool) { c, ok := townCode[name]; return c, ok }
		var rowErrs []xlsx.RowError
		ds, rowErrs, err = xlsx.ReadDeputies(bytes.NewReader(data), int64(len(data)), lim, resolveTownship, resolveVillage, s.now().In(Shanghai))
		return importRead{n: len(ds), rowErrs: rowErrs, err: err}
	}, func() importWrite {
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
			return importWrite{conflicts: rowErrs, conflictMsg: "有 %d 行无法确定对应哪位代表，未导入任何数据。"}
		}
		return importWrite{created: res.Created, updated: res.Updated, unchanged: res.Unchanged, err: err}
	})
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
	v := r.PostForm
	f := store.DeputyFilter{Township: v.Get("township"), Level: v.Get("level"), Category: v.Get("category"),
		Status: v.Get("status"), Query: v.Get("q"), Sort: v.Get("sort")}
	s.startExport(w, r, deputyExportKind, func(purpose string) error {
		_, total, err := s.st.Deputies(r.Context(), f)
		if err != nil {
			return err
		}
		after := map[string]any{"township": f.Township, "level": f.Level, "category": f.Category, "status": f.Status,
			"deputies": total, "unmasked": purpose != ""}
		if purpose != "" {
			after["purpose"] = purpose
		}
		return s.st.AuditAction(r.Context(), u.ID, "deputy.export", "deputy_export", 0, after)
	}, func(ctx context.Context, id int64, purpose string) (int, string, io.Reader, error) {
		var rows []xlsx.ExportDeputy
		if err := s.st.ExportDeputies(ctx, f, func(d store.ExportDeputy) error {
			if purpose == "" {
				d.Phone = household.MaskPhone(d.Phone)
			}
			rows = append(rows, xlsx.ExportDeputy(d))
			return nil
		}); err != nil {
			return 0, "", nil, err
		}
		meta, name, err := s.exportMeta(ctx, "人大代表花名册")
		if err != nil {
			return 0, "", nil, err
		}
		if purpose != "" {
			meta.Notice = personalDataNotice(deputyPersonalData, purpose)
		}
		var buf bytes.Buffer
		if err := xlsx.WriteDeputies(&buf, rows, meta); err != nil {
			return 0, "", nil, err
		}
		return len(rows), name, &buf, nil
	})
}

// deputyExportKind is the deputy roster's export.
var deputyExportKind = registryExport{kind: "deputy_export", fullTitle: "导出人大代表花名册（完整信息）",
	personalData: deputyPersonalData, filterFields: deputyFilterFields, unit: "名代表", resultKey: "deputies",
	maskedNote: "联系电话已按规定隐去中间位。"}
