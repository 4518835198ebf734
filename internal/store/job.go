package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

// FinishJob ends a job as done or failed with a message for the user, a
// result (marshalled to JSON) and optionally a file to download.
func (s *Store) FinishJob(ctx context.Context, id int64, failed bool, message string, result any, fileName string, file []byte) error {
	status := "done"
	if failed {
		status = "failed"
	}
	res, err := json.Marshal(result)
	if err != nil {
		return fmt.Errorf("store.FinishJob: %w", err)
	}
	if _, err := s.Pool.Exec(ctx, `UPDATE jobs SET status = $2, message = $3, result = $4, file_name = $5, file = $6,
		done = CASE WHEN $2 = 'done' THEN total ELSE done END, finished_at = now() WHERE id = $1`,
		id, status, message, res, fileName, file); err != nil {
		return fmt.Errorf("store.FinishJob: %w", err)
	}
	return nil
}

// Job returns job id if it belongs to userID, else ErrNotFound.
func (s *Store) Job(ctx context.Context, id, userID int64) (JobRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, kind, user_id, status, phase, done, total, message,
		coalesce(result, 'null'::jsonb) AS result, file_name, file IS NOT NULL AS has_file, created_at, finished_at
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

// JobFile returns the file of a finished job of userID, or ErrNotFound.
func (s *Store) JobFile(ctx context.Context, id, userID int64) (string, []byte, error) {
	var name string
	var file []byte
	err := s.Pool.QueryRow(ctx, `SELECT file_name, file FROM jobs WHERE id = $1 AND user_id = $2 AND status = 'done' AND file IS NOT NULL`, id, userID).Scan(&name, &file)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, fmt.Errorf("store.JobFile: %w", err)
	}
	return name, file, nil
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
