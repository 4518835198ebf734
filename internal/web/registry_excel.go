package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/pages/jobs"
)

// The registries (households, deputies) share one Excel path: a template to
// download (sendTemplate), an upload run as a job (importUpload in job.go,
// ended by importDone) and an export run as a job (startExport). Each
// registry's file only says what differs: how its rows are read, written
// and counted.

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

// sendTemplate sends an import template as the download name; write gets
// the office's name for the workbook's properties.
func (s *Server) sendTemplate(w http.ResponseWriter, r *http.Request, name string, write func(w io.Writer, office string) error) {
	office, err := s.officeName(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := write(&buf, office); err != nil {
		s.serveError(w, r, err)
		return
	}
	attachment(w, name)
	_, _ = buf.WriteTo(w)
}

// registryImport is a registry's import: its job kind, its upload page and
// the job that reads and writes an uploaded roster.
type registryImport struct {
	kind string
	page jobs.ImportProps
	run  func(s *Server, ctx context.Context, id int64, u auth.User, data []byte, lim xlsx.Limits) jobResult
}

// importShow is the GET handler of im's upload form.
func (s *Server) importShow(im registryImport) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.importPage(w, r, im.page, im.kind) }
}

// importStart is the POST handler of im's upload form: the upload
// (size-capped) is imported in a job, all-or-nothing; one bad row commits
// nothing and the job page lists every bad row with its row, column and
// reason.
func (s *Server) importStart(im registryImport) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.importUpload(w, r, im.page, im.kind, func(ctx context.Context, id int64, u auth.User, data []byte, lim xlsx.Limits) jobResult {
			return im.run(s, ctx, id, u, data, lim)
		})
	}
}

// importRead is what reading an uploaded roster gave: how many records
// (households, deputies), the rows in error and the error of the file as a
// whole (xlsx.IsFileError gives its Chinese message).
type importRead struct {
	n       int
	rowErrs []xlsx.RowError
	err     error
}

// importWrite is what writing the records gave: the counts, or the rows
// that conflict with what is registered (with conflictMsg, a Chinese
// sentence with one %d for their number), or an error.
type importWrite struct {
	created, updated, unchanged int
	conflicts                   []xlsx.RowError
	conflictMsg                 string
	err                         error
}

// runImport is the body of every registry import job: read the file; any
// bad row or file error ends it with nothing written and every problem
// listed; else write in one transaction and report the counts in unit (户,
// 名). kind names the job in the log.
func (s *Server) runImport(ctx context.Context, id int64, kind, unit string, read func() importRead, write func() importWrite) jobResult {
	rd := read()
	if msg, ok := xlsx.IsFileError(rd.err); ok {
		return jobResult{failed: true, msg: msg}
	}
	if rd.err != nil {
		s.log.Error("import job", "kind", kind, "job", id, "err", rd.err)
		return jobResult{failed: true, msg: "文件无法读取，未导入任何数据。请确认是本系统模板填写的 .xlsx 文件。"}
	}
	if len(rd.rowErrs) > 0 {
		return jobResult{failed: true, msg: fmt.Sprintf("文件中有 %d 处错误，未导入任何数据。请修改后重新导入。", len(rd.rowErrs)), result: rowProblems(rd.rowErrs)}
	}
	_ = s.st.JobProgress(ctx, id, "正在写入数据库", 0, rd.n)
	wr := write()
	if len(wr.conflicts) > 0 {
		return jobResult{failed: true, msg: fmt.Sprintf(wr.conflictMsg, len(wr.conflicts)), result: rowProblems(wr.conflicts)}
	}
	if wr.err != nil {
		s.log.Error("import job", "kind", kind, "job", id, "err", wr.err)
		return jobResult{failed: true, msg: "写入数据库出错，未导入任何数据。"}
	}
	return jobResult{msg: fmt.Sprintf("导入完成：新增 %d %s，更新 %d %s，%d %s无变化。", wr.created, unit, wr.updated, unit, wr.unchanged, unit),
		result: jobs.ImportOutcome{Created: wr.created, Updated: wr.updated, Unchanged: wr.unchanged}}
}

// registryExport describes a registry's export: its job kind, the title of
// the purpose form of a full export, what a full export holds beyond the
// masked one, the list filters the form carries, and how records are
// counted (unit: 户, 名) and masked in the success message.
type registryExport struct {
	kind, fullTitle, personalData string
	filterFields                  []string
	unit, resultKey               string // e.g. "户", "households"
	maskedNote                    string // what the success message says of a masked file
}

// startExport runs a registry's export: a full export only for staff with a
// stated purpose (exportChoice), the request audited by audit(purpose) (""
// = masked) before the job starts, then write(ctx, id, purpose) as the job,
// which returns the number of records and the file or an error; the job
// ends with the count and, for a full export, a warning to keep the file
// safe.
func (s *Server) startExport(w http.ResponseWriter, r *http.Request, e registryExport, audit func(purpose string) error,
	write func(ctx context.Context, id int64, purpose string) (n int, name string, file io.Reader, err error)) {
	purpose, done := s.exportChoice(w, r, e.fullTitle, e.personalData, e.filterFields)
	if done {
		return
	}
	if err := audit(purpose); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.startJob(w, r, e.kind, "正在导出", func(ctx context.Context, id int64) jobResult {
		n, name, file, err := write(ctx, id, purpose)
		if err != nil {
			s.log.Error("export job", "kind", e.kind, "job", id, "err", err)
			return jobResult{failed: true, msg: "导出出错，请稍后重试。"}
		}
		msg := "导出完成，共 " + strconv.Itoa(n) + " " + e.unit + "。"
		if purpose != "" {
			msg += "文件含" + e.personalData + "，请妥善保管，用后删除。"
		} else {
			msg += e.maskedNote
		}
		return jobResult{msg: msg, result: map[string]int{e.resultKey: n}, fileName: name, file: file}
	})
}

// sendTable writes t as an Excel download, buffered so that an error can
// still be a page.
func (s *Server) sendTable(w http.ResponseWriter, r *http.Request, t xlsx.Table, title, filename string) {
	office, err := s.officeName(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.sendTableMeta(w, r, t, xlsx.ExportMeta{Title: title, Unit: office, Date: s.today()}, filename)
}

// sendTableMeta is sendTable with the workbook's title rows given in full
// (e.g. with Intro lines above the headings).
func (s *Server) sendTableMeta(w http.ResponseWriter, r *http.Request, t xlsx.Table, meta xlsx.ExportMeta, filename string) {
	var buf bytes.Buffer
	if err := xlsx.WriteTable(&buf, t, meta); err != nil {
		s.serveError(w, r, err)
		return
	}
	attachment(w, filename)
	_, _ = w.Write(buf.Bytes())
}
