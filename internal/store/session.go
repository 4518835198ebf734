package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SessionFind returns the data of the unexpired session token (table
// sessions, scs's layout); found is false when there is none.
func (s *Store) SessionFind(ctx context.Context, token string) (data []byte, found bool, err error) {
	err = s.Pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`, token).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("store.SessionFind: %w", err)
	}
	return data, true, nil
}

// SessionCommit saves session token's data, kept until expiry.
func (s *Store) SessionCommit(ctx context.Context, token string, data []byte, expiry time.Time) error {
	if _, err := s.Pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, data, expiry); err != nil {
		return fmt.Errorf("store.SessionCommit: %w", err)
	}
	return nil
}

// SessionDelete removes session token.
func (s *Store) SessionDelete(ctx context.Context, token string) error {
	if _, err := s.Pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
		return fmt.Errorf("store.SessionDelete: %w", err)
	}
	return nil
}
