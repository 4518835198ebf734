package web

import (
	"context"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/bangfu/bangfu/internal/store"
)

// sessionStore keeps sessions in the PostgreSQL table sessions
// (migrations/000001) through scs's pgxstore. Reads and writes take the
// request's context (scs.CtxStore), so that they end with the request's
// deadline (withDeadline) when the database hangs; pgxstore's own use
// none. It starts no clean-up goroutine (a server in a test, or one whose
// pool is gone, must not run one for ever): `bangfu serve` runs
// SweepSessions.
type sessionStore struct {
	*pgxstore.PostgresStore
	st *store.Store
}

func newPgxStore(st *store.Store) *sessionStore {
	return &sessionStore{PostgresStore: pgxstore.NewWithCleanupInterval(st.Pool, 0), st: st}
}

// SweepSessions deletes expired sessions every interval (scs's pgxstore
// clean-up) until ctx ends; `bangfu serve` runs it, one per instance.
func SweepSessions(ctx context.Context, st *store.Store, interval time.Duration) {
	sweeper := pgxstore.NewWithCleanupInterval(st.Pool, interval)
	<-ctx.Done()
	sweeper.StopCleanup()
}

// FindCtx implements scs.CtxStore.
func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return s.st.SessionFind(ctx, token)
}

// CommitCtx implements scs.CtxStore.
func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	return s.st.SessionCommit(ctx, token, b, expiry)
}

// DeleteCtx implements scs.CtxStore.
func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	return s.st.SessionDelete(ctx, token)
}
