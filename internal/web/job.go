package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
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

// jobRunner runs the imports and exports of one instance: at most
// cap(slots) at once (the others wait, shown as 排队中), each within
// timeout, all cancelled by stop when the server shuts down.
type jobRunner struct {
	ctx     context.Context // cancelled by stop
	cancel  context.CancelFunc
	slots   chan struct{}
	timeout time.Duration
	wg      sync.WaitGroup
}

// newJobRunner runs max jobs at once (0: 2), each for at most timeout (0:
// 10 minutes).
func newJobRunner(timeout time.Duration, max int) *jobRunner {
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	if max <= 0 {
		max = 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &jobRunner{ctx: ctx, cancel: cancel, slots: make(chan struct{}, max), timeout: timeout}
}

// stop cancels every job and waits for them to be recorded until ctx is
// done.
func (j *jobRunner) stop(ctx context.Context) error {
	j.cancel()
	done := make(chan struct{})
	go func() { j.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs still running: %w", ctx.Err())
	}
}

// Messages of jobs that did not run to their end.
const (
	jobQueuedPhase     = "排队中"
	jobInterruptedMsg  = "服务器正在重启，任务已中断，请稍后重新操作。"
	jobFinishRetryMax  = 10 * time.Second
	jobLastWordTimeout = 5 * time.Second
	// A job still running jobStaleAfter past its time limit (JOB_TIMEOUT)
	// is shown as failed with jobStaleMsg.
	jobStaleAfter = time.Minute
	jobStaleMsg   = "任务长时间没有完成，可能因服务器重启或数据库中断而停止，请重新操作。"
)

// startJob records a job of kind for the user, runs run in the background
// once a slot is free (within the runner's timeout; a panic fails the job)
// and sends the user to the job's page, which refreshes itself until the
// job is done. run may report progress with s.st.JobProgress(ctx, id, ...);
// phase is the job's first one.
func (s *Server) startJob(w http.ResponseWriter, r *http.Request, kind, phase string, run func(ctx context.Context, id int64) jobResult) {
	u, _ := userFrom(r)
	id, err := s.st.CreateJob(r.Context(), kind, u.ID, jobQueuedPhase)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.jobs.wg.Add(1)
	go func() {
		defer s.jobs.wg.Done()
		s.finishJob(id, kind, s.runJob(id, kind, phase, run))
	}()
	http.Redirect(w, r, "/jobs/"+components.ID(id), http.StatusSeeOther)
}

// runJob waits for a slot and runs the job in it.
func (s *Server) runJob(id int64, kind, phase string, run func(ctx context.Context, id int64) jobResult) (res jobResult) {
	interrupted := jobResult{failed: true, msg: jobInterruptedMsg}
	select {
	case s.jobs.slots <- struct{}{}:
		defer func() { <-s.jobs.slots }()
	case <-s.jobs.ctx.Done():
		return interrupted
	}
	ctx, cancel := context.WithTimeout(s.jobs.ctx, s.jobs.timeout)
	defer cancel()
	_ = s.st.JobProgress(ctx, id, phase, 0, 0)
	res = jobResult{failed: true, msg: "处理出错，没有写入任何数据。请稍后重试或联系管理员。"}
	func() {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("job panicked", "job", id, "kind", kind, "panic", p)
			}
		}()
		res = run(ctx, id)
	}()
	if res.failed && s.jobs.ctx.Err() != nil {
		closeJobFile(res)
		return interrupted
	}
	return res
}

// finishJob records how the job ended, trying again (every 1 s, then up to
// every 10 s) while the database is away, until it succeeds or the server
// shuts down; then it records the job as interrupted if it can (the next
// start fails it otherwise: store.FailInterruptedJobs).
func (s *Server) finishJob(id int64, kind string, res jobResult) {
	defer closeJobFile(res)
	if res.file != nil {
		if _, ok := res.file.(io.Seeker); !ok {
			// Read once, so that a retry stores the whole file again.
			data, err := io.ReadAll(res.file)
			if err != nil {
				res = jobResult{failed: true, msg: "导出出错，请稍后重试。"}
			} else {
				res.file = bytes.NewReader(data)
			}
		}
	}
	wait := time.Second
	for attempt := 1; ; attempt++ {
		if sk, ok := res.file.(io.Seeker); ok {
			if _, err := sk.Seek(0, io.SeekStart); err != nil {
				res = jobResult{failed: true, msg: "导出出错，请稍后重试。"}
			}
		}
		// Shutting down: one last try, briefly.
		stopping := s.jobs.ctx.Err() != nil
		ctx, cancel := context.WithTimeout(s.jobs.ctx, s.jobs.timeout)
		if stopping {
			ctx, cancel = context.WithTimeout(context.Background(), jobLastWordTimeout)
		}
		err := s.st.FinishJob(ctx, id, res.failed, res.msg, res.result, res.fileName, res.file)
		if err != nil && stopping && res.msg != jobInterruptedMsg {
			err = s.st.FinishJob(ctx, id, true, jobInterruptedMsg, nil, "", nil)
		}
		cancel()
		if err == nil {
			return
		}
		s.log.Error("finish job", "job", id, "kind", kind, "attempt", attempt, "err", err)
		if stopping {
			return // store.FailInterruptedJobs fails it at the next start
		}
		select {
		case <-time.After(wait):
			wait = min(2*wait, jobFinishRetryMax)
		case <-s.jobs.ctx.Done():
		}
	}
}

// closeJobFile closes (and so removes) an export's temporary file.
func closeJobFile(res jobResult) {
	if c, ok := res.file.(io.Closer); ok {
		_ = c.Close()
	}
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
// runs) or outcome; only its owner sees it. A job "running" longer than its
// time limit allows is shown as failed (jobStaleMsg).
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
	if j.Status == "running" && s.now().Sub(j.CreatedAt) > s.jobs.timeout+jobStaleAfter {
		// Past its time limit the job cannot still be running here: its
		// server stopped, or the database was away when it ended. Shown as
		// failed, so that the page stops refreshing.
		j.Status, j.Message = "failed", jobStaleMsg
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
