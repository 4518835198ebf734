package testutil

import (
	"context"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/store"
)

// NewStoreWithDemo is NewStoreWithDivisions plus the full demo data set
// (demo.Load) generated for today (its date in Asia/Shanghai is used).
// Loading takes one to two seconds; use it for tests that need realistic
// volumes or the demo accounts (demo.Accounts, password demo.Password).
func NewStoreWithDemo(t testing.TB, today time.Time) *store.Store {
	t.Helper()
	st := NewStoreWithDivisions(t)
	if _, err := demo.Load(context.Background(), st, today); err != nil {
		t.Fatalf("testutil.NewStoreWithDemo: %v", err)
	}
	return st
}
