package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/bangfu/bangfu/internal/vault"
	"github.com/jackc/pgx/v5"
)

// JobRow is a long-running import or export: its progress (Done of Total
// rows, Phase in Chinese), outcome and, for exports, the file.
type JobRow struct {
	ID         int64           `db:"id"`
	Kind       string          `db:"kind"`
	UserID     int64           `db:"user_id"`
	Status     string          `db:"status"` // running, done, failed
	Phase      string          `db:"phase"`
	Done       int             `db:"done"`
	Total      int             `db:"total"`
	Message    string          `db:"message"`
	Result     json.RawMessage `db:"result"`
	FileName   string          `db:"file_name"`
	HasFile    bool            `db:"has_file"`
	CreatedAt  time.Time       `db:"created_at"`
	FinishedAt *time.Time      `db:"finished_at"`
}

// CreateJob starts a job of kind for userID and returns its id.
func (s *Store) CreateJob(ctx context.Context, kind string, userID int64, phase string) (int64, error) {
	var id int64
	if err := s.Pool.QueryRow(ctx, `INSERT INTO jobs (kind, user_id, phase) VALUES ($1, $2, $3) RETURNING id`, kind, userID, phase).Scan(&id); err != nil {
		return 0, fmt.Errorf("store.CreateJob: %w", err)
	}
	return id, nil
}

// JobProgress records a running job's phase and rows done of total.
func (s *Store) JobProgress(ctx context.Context, id int64, phase string, done, total int) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE jobs SET phase = $2, done = $3, total = $4 WHERE id = $1 AND status = 'running'`, id, phase, done, total); err != nil {
		return fmt.Errorf("store.JobProgress: %w", err)
	}
	return nil
}

// FileChunk is the largest piece of an export's file stored in one row
// (job_file_chunks), so that neither storing nor sending a file holds it
// whole in memory.
const FileChunk = 1 << 20

// FinishJob ends a job as done or failed with a message for the user, a
// result (marshalled to JSON) and optionally a file to download (file nil:
// none), read to its end and stored in FileChunk pieces, all in one
// transaction.
func (s *Store) FinishJob(ctx context.Context, id int64, failed bool, message string, result any, fileName string, file io.Reader) error {
	status := "done"
	if failed {
		status = "failed"
	}
	res, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("store.FinishJob: %w", err)
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		if file != nil {
			buf := make([]byte, FileChunk)
			for seq := 0; ; seq++ {
				n, err := io.ReadFull(file, buf)
				if n > 0 {
					// Sealed: an export may hold every ID number in full.
					if _, err := tx.Exec(ctx, `INSERT INTO job_file_chunks (job_id, seq, data) VALUES ($1, $2, $3)`,
						id, seq, s.Keys.SealBytes(labelJobFile, buf[:n])); err != nil {
						return err
					}
				}
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					break
				}
				if err != nil {
					return fmt.Errorf("read file: %w", err)
				}
			}
		}
		_, err := tx.Exec(ctx, `UPDATE jobs SET status = $2, message = $3, result = $4, file_name = $5,
			done = CASE WHEN $2 = 'done' THEN total ELSE done END, finished_at = now() WHERE id = $1`,
			id, status, message, res, fileName)
		return err
	})
	if err != nil {
		return fmt.Errorf("store.FinishJob: %w", err)
	}
	return nil
}

// Job returns job id if it belongs to userID, else ErrNotFound.
func (s *Store) Job(ctx context.Context, id, userID int64) (JobRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, kind, user_id, status, phase, done, total, message,
		coalesce(result, 'null'::jsonb) AS result, file_name, EXISTS (SELECT 1 FROM job_file_chunks c WHERE c.job_id = jobs.id) AS has_file, created_at, finished_at
		FROM jobs WHERE id = $1 AND user_id = $2`, id, userID)
	j, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[JobRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return JobRow{}, ErrNotFound
	}
	if err != nil {
		return JobRow{}, fmt.Errorf("store.Job %d: %w", id, err)
	}
	return j, nil
}

// JobFile writes the file of a finished job of userID to w, chunk by chunk,
// after calling start with its name and size in bytes (before anything is
// written); ErrNotFound if there is none (nothing is written then).
func (s *Store) JobFile(ctx context.Context, id, userID int64, start func(name string, size int64), w io.Writer) error {
	var name string
	var size int64
	err := s.Pool.QueryRow(ctx, `SELECT j.file_name, sum(length(c.data) - `+strconv.Itoa(vault.Overhead)+`)
		FROM jobs j JOIN job_file_chunks c ON c.job_id = j.id
		WHERE j.id = $1 AND j.user_id = $2 AND j.status = 'done' GROUP BY j.id`, id, userID).Scan(&name, &size)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store.JobFile: %w", err)
	}
	start(name, size)
	var seq int
	for {
		// One chunk per query: a query's rows are read whole by pgx only
		// one at a time, but this keeps each round trip to FileChunk bytes.
		var data []byte
		err := s.Pool.QueryRow(ctx, `SELECT data FROM job_file_chunks WHERE job_id = $1 AND seq = $2`, id, seq).Scan(&data)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("store.JobFile: %w", err)
		}
		plain, err := s.Keys.OpenBytes(labelJobFile, data)
		if err != nil {
			return fmt.Errorf("store.JobFile: chunk %d: %w", seq, err)
		}
		if _, err := w.Write(plain); err != nil {
			return fmt.Errorf("store.JobFile: write: %w", err)
		}
		seq++
	}
}

// FailInterruptedJobs marks jobs still running when the server starts as
// failed: the process that ran them is gone.
func (s *Store) FailInterruptedJobs(ctx context.Context) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE jobs SET status = 'failed', message = '服务器重启，任务已中断，请重新操作。', finished_at = now()
		WHERE status = 'running'`); err != nil {
		return fmt.Errorf("store.FailInterruptedJobs: %w", err)
	}
	return nil
}
