package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/jobs"
)

// jobResult is how a background job ends: failed or not, a message for the
// user, a result to store (JSON) and, for exports, a file.
type jobResult struct {
	failed   bool
	msg      string
	result   any
	fileName string
	file     io.Reader // nil: no file
}

// jobTitles names each kind of job on its page.
var jobTitles = map[string]string{
	"household_import": "Excel导入贫困户", "household_export": "导出贫困户花名册",
	"deputy_import": "Excel导入人大代表", "deputy_export": "导出人大代表花名册",
}

// jobBack is where a finished job's page leads back to.
var jobBack = map[string]string{
	"household_import": "/households", "household_export": "/households",
	"deputy_import": "/deputies", "deputy_export": "/deputies",
}

// startJob records a job of kind for the user, runs run in the background
// (at most 10 minutes; a panic fails the job) and sends the user to the
// job's page, which refreshes itself until the job is done. run may report
// progress with s.st.JobProgress(ctx, id, ...).
func (s *Server) startJob(w http.ResponseWriter, r *http.Request, kind, phase string, run func(ctx context.Context, id int64) jobResult) {
	u, _ := userFrom(r)
	id, err := s.st.CreateJob(r.Context(), kind, u.ID, phase)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		res := jobResult{failed: true, msg: "处理出错，没有写入任何数据。请稍后重试或联系管理员。"}
		func() {
			defer func() {
				if p := recover(); p != nil {
					s.log.Error("job panicked", "job", id, "kind", kind, "panic", p)
				}
			}()
			res = run(ctx, id)
		}()
		if err := s.st.FinishJob(ctx, id, res.failed, res.msg, res.result, res.fileName, res.file); err != nil {
			s.log.Error("finish job", "job", id, "err", err)
		}
		if c, ok := res.file.(io.Closer); ok {
			_ = c.Close()
		}
	}()
	http.Redirect(w, r, "/jobs/"+components.ID(id), http.StatusSeeOther)
}

// uploadedWorkbook reads the multipart field "file" within lim; on failure it
// returns a Chinese message for the upload page.
func uploadedWorkbook(w http.ResponseWriter, r *http.Request, lim xlsx.Limits) ([]byte, string) {
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxFileBytes+1<<20)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return nil, "文件过大或上传不完整（不超过20MB）。"
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, "请选择要导入的Excel文件（.xlsx）。"
	}
	defer f.Close()
	if hdr.Size > lim.MaxFileBytes {
		return nil, "文件超过20MB，请分乡镇导入。"
	}
	data, err := io.ReadAll(io.LimitReader(f, lim.MaxFileBytes+1))
	if err != nil || int64(len(data)) > lim.MaxFileBytes {
		return nil, "文件无法读取或超过20MB。"
	}
	return data, ""
}

// rowProblems turns an import's row errors into the outcome listed on the
// job page (at most maxListedProblems rows, the rest counted).
func rowProblems(errs []xlsx.RowError) jobs.ImportOutcome {
	out := jobs.ImportOutcome{}
	for i, e := range errs {
		if i >= maxListedProblems {
			out.More = len(errs) - maxListedProblems
			break
		}
		out.Problems = append(out.Problems, jobs.RowProblem{Row: e.Row, Column: e.Column, Reason: e.Reason})
	}
	return out
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
	p := jobs.Props{Job: j, Back: jobBack[j.Kind]}
	if (j.Kind == "household_import" || j.Kind == "deputy_import") && j.Status != "running" && len(j.Result) > 0 {
		var out jobs.ImportOutcome
		if json.Unmarshal(j.Result, &out) == nil {
			p.Outcome = &out
		}
		if j.Status == "failed" {
			p.Back += "/import"
		}
	}
	p.Layout = s.layoutProps(r, jobTitles[j.Kind], jobBack[j.Kind])
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
	err = s.st.JobFile(r.Context(), id, u.ID, func(name string, size int64) {
		// Every download of an export (a staff roster holds ID numbers in
		// full) is recorded, not only the export itself.
		if err := s.st.AuditAction(r.Context(), u.ID, "job.download", "job", id, map[string]any{"file": name, "bytes": size}); err != nil {
			s.log.Error("audit job.download", "job", id, "err", err)
		}
		attachment(w, name)
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	}, w)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.serveError(w, r, err)
	case err != nil:
		// Part of the file is sent: the download breaks off, and is logged.
		s.log.Error("job file", "job", id, "err", err)
	}
}

// importUpload handles the POST of a roster upload page: it reads the file
// (size-capped) and starts kind's import job with it, or shows page again
// with the reason the file was refused (422).
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, page jobs.ImportProps, kind string,
	run func(ctx context.Context, id int64, u auth.User, data []byte, lim xlsx.Limits) jobResult) {
	u, _ := userFrom(r)
	lim := xlsx.DefaultLimits
	data, msg := uploadedWorkbook(w, r, lim)
	if msg != "" {
		page.Layout, page.Error = s.layoutProps(r, jobTitles[kind], jobBack[kind]), msg
		s.render(w, r, http.StatusUnprocessableEntity, jobs.Import(page))
		return
	}
	s.startJob(w, r, kind, "正在读取文件", func(ctx context.Context, id int64) jobResult {
		return run(ctx, id, u, data, lim)
	})
}

// importPage renders a roster upload page.
func (s *Server) importPage(w http.ResponseWriter, r *http.Request, page jobs.ImportProps, kind string) {
	page.Layout = s.layoutProps(r, jobTitles[kind], jobBack[kind])
	s.render(w, r, http.StatusOK, jobs.Import(page))
}

// tempFile is a file in the system's temporary directory that Close also
// removes.
type tempFile struct{ *os.File }

func newTempFile() (*tempFile, error) {
	f, err := os.CreateTemp("", "bangfu-export-*.xlsx")
	if err != nil {
		return nil, err
	}
	return &tempFile{f}, nil
}

// Close closes and removes the file.
func (t *tempFile) Close() error {
	err := t.File.Close()
	if rerr := os.Remove(t.Name()); err == nil {
		err = rerr
	}
	return err
}
