package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/pages/jobs"
)

// xlsxVillages lists the county's villages for templates.
func (s *Server) xlsxVillages(ctx context.Context) ([]xlsx.Village, error) {
	vs, err := s.st.Villages(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]xlsx.Village, len(vs))
	for i, v := range vs {
		out[i] = xlsx.Village{Township: v.TownshipName, Name: v.Name}
	}
	return out, nil
}

// householdTemplate sends the roster import template with the county's
// villages in its drop-down lists.
func (s *Server) householdTemplate(w http.ResponseWriter, r *http.Request) {
	villages, err := s.xlsxVillages(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.sendTemplate(w, r, "贫困户花名册导入模板.xlsx", func(w io.Writer, office string) error {
		return xlsx.WriteHouseholdTemplate(w, villages, office)
	})
}

func (s *Server) importHouseholds(ctx context.Context, id int64, u auth.User, data []byte, lim xlsx.Limits) jobResult {
	var hs []xlsx.Household
	return s.runImport(ctx, id, "household_import", "户", func() importRead {
		resolve, err := s.villageResolver(ctx)
		if err != nil {
			return importRead{err: err}
		}
		var rowErrs []xlsx.RowError
		hs, rowErrs, err = xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), lim, resolve, s.now().In(Shanghai))
		return importRead{n: len(hs), rowErrs: rowErrs, err: err}
	}, func() importWrite {
		in := make([]store.ImportHousehold, len(hs))
		for i, h := range hs {
			in[i] = store.ImportHousehold(h)
		}
		res, err := s.st.ImportHouseholds(ctx, in, u.ID)
		var conflict *store.ErrImportConflict
		if errors.As(err, &conflict) {
			rowErrs := make([]xlsx.RowError, len(conflict.Conflicts))
			for i, c := range conflict.Conflicts {
				rowErrs[i] = xlsx.RowError{Row: c.Row, Column: "身份证号码", Reason: "身份证号 " + idcard.Mask(c.IDNumber) + " 已登记在 " + c.Holder + " 户"}
			}
			return importWrite{conflicts: rowErrs, conflictMsg: "有 %d 个身份证号已登记在其他户，未导入任何数据。"}
		}
		return importWrite{created: res.Created, updated: res.Updated, unchanged: res.Unchanged, err: err}
	})
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

// exportMeta is the title block of an export of the served county.
func (s *Server) exportMeta(ctx context.Context, what string) (xlsx.ExportMeta, string, error) {
	office, err := s.officeName(ctx)
	if err != nil {
		return xlsx.ExportMeta{}, "", err
	}
	today := s.now().In(Shanghai)
	title := strings.TrimSuffix(office, "人大常委会办公室") + what
	return xlsx.ExportMeta{Title: title, Unit: office, Date: today}, title + "_" + today.Format("20060102") + ".xlsx", nil
}

// officeName is the name of the office running Bangfu, from the county it
// is set up for (COUNTY_CODE): 汨罗市人大常委会办公室. Exports name it as
// their 填报单位 and as the workbook's creator.
func (s *Server) officeName(ctx context.Context) (string, error) {
	county, err := s.st.Division(ctx, s.county)
	if err != nil {
		return "", err
	}
	return county.Name + "人大常委会办公室", nil
}

// householdFilterFields are the list filters that the export form carries.
var householdFilterFields = []string{"division", "status", "attribute", "cause", "paired", "planned_year", "q", "sort"}

// householdPersonalData is what a full household export holds beyond the
// masked one.
const householdPersonalData = "完整的身份证号和联系电话"

// householdExport exports, in a job, the households in the user's scope that
// match the list's filters, with ID numbers and phones masked. Staff may ask
// for them in full (full=1, see exportChoice) with a stated purpose; the
// first row of such a file says that it holds personal data. Every export
// is audited with its filters, household count, and purpose when full.
func (s *Server) householdExport(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	f := householdFilterFrom(r.PostForm, u)
	var total int
	s.startExport(w, r, householdExportKind, func(purpose string) error {
		var err error
		if _, total, err = s.st.Households(r.Context(), u.Scope(), f); err != nil {
			return err
		}
		return s.st.AuditExport(r.Context(), u.ID, f, total, purpose)
	}, func(ctx context.Context, id int64, purpose string) (int, string, io.Reader, error) {
		_ = s.st.JobProgress(ctx, id, "正在读取数据", 0, total)
		meta, name, err := s.exportMeta(ctx, "建档立卡贫困户花名册")
		if err != nil {
			return 0, "", nil, err
		}
		if purpose != "" {
			meta.Notice = personalDataNotice(householdPersonalData, purpose)
		}
		// Households stream from the database into the workbook: memory does
		// not grow with their number.
		hw, err := xlsx.NewHouseholdWriter(meta)
		if err != nil {
			return 0, "", nil, err
		}
		err = s.st.ExportHouseholds(ctx, u.Scope(), f, func(h store.ExportHousehold) error {
			if purpose == "" {
				h.IDNumber = idcard.Mask(h.IDNumber)
				h.Phone = household.MaskPhone(h.Phone)
				h.Head.IDNumber = h.IDNumber
				for i := range h.Members {
					h.Members[i].IDNumber = idcard.Mask(h.Members[i].IDNumber)
				}
			}
			if err := hw.Add(xlsx.ExportHousehold(h)); err != nil {
				return err
			}
			if n := hw.Households(); n%500 == 0 {
				_ = s.st.JobProgress(ctx, id, "正在读取数据", n, total)
			}
			return nil
		})
		if err != nil {
			hw.Close()
			return 0, "", nil, err
		}
		n := hw.Households()
		_ = s.st.JobProgress(ctx, id, "正在生成Excel文件", n, total)
		// The workbook goes to a temporary file, which FinishJob stores in
		// chunks: the 40 MB of 100,000 households are never in memory.
		tmp, err := newTempFile()
		if err == nil {
			err = hw.Finish(tmp)
		}
		if err == nil {
			_, err = tmp.Seek(0, io.SeekStart)
		}
		if err != nil {
			if tmp != nil {
				tmp.Close()
			}
			return 0, "", nil, err
		}
		return n, name, tmp, nil
	})
}

// householdExportKind is the household roster's export.
var householdExportKind = registryExport{kind: "household_export", fullTitle: "导出贫困户花名册（完整信息）",
	personalData: householdPersonalData, filterFields: householdFilterFields, unit: "户", resultKey: "households",
	maskedNote: "身份证号和电话已按规定隐去中间位。"}

// householdImporter is the household roster's import: one row per person,
// the head first and the members after; a head's ID number imported again
// updates the household.
var householdImporter = registryImport{kind: "household_import", run: (*Server).importHouseholds,
	page: jobs.ImportProps{Action: "/households/import", Template: "/households/template.xlsx", Notes: []string{
		"按模板“填写说明”每人一行填写，户主行在前，同户成员紧随其后。",
		"身份证号一列须为文本格式；同一户主身份证号再次导入时更新该户，内容相同则不变。",
		"只要有一行有误，整个文件都不会导入，页面会列出每一处错误。",
		"乡镇自己的花名册也可直接导入：表头上方可有标题行，表头可写“户主”“证件号码”“手机号”，户主等合并单元格按所跨各行读取；另存为 CSV（UTF-8 或 GBK）的文件也可以。旧版 .xls 请先在 Excel 或 WPS 中另存为 .xlsx。"}, CSV: true}}
