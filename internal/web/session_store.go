package web

import (
	"context"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/bangfu/bangfu/internal/store"
)

// sessionStore keeps sessions in the PostgreSQL table sessions
// (migrations/000001), expired rows deleted every 5 minutes by scs's
// pgxstore. Reads and writes take the request's context (scs.CtxStore),
// so that they end with the request's deadline (withDeadline) when the
// database hangs; pgxstore's own use none.
type sessionStore struct {
	*pgxstore.PostgresStore
	st *store.Store
}

func newPgxStore(st *store.Store) *sessionStore {
	return &sessionStore{PostgresStore: pgxstore.New(st.Pool), st: st}
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
