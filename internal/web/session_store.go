package web

import (
	"github.com/alexedwards/scs/pgxstore"
	"github.com/bangfu/bangfu/internal/store"
)

// newPgxStore keeps sessions in the PostgreSQL table sessions
// (migrations/000001), expired rows deleted every 5 minutes.
func newPgxStore(st *store.Store) *pgxstore.PostgresStore {
	return pgxstore.New(st.Pool)
}
