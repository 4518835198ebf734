package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestApplicationsPaged: staff read the applications 50 a page with their
// count above the table and find a deputy's by name; a deputy still sees
// only its own.
func TestApplicationsPaged(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	ctx := context.Background()
	var first int64
	for i := range store.PageSize + 5 {
		id := testutil.Deputy(t, st, testutil.Name("申请代表", i), bishi)
		if i == 0 {
			first = id
		}
		if _, err := st.FileApplication(ctx, pairing.Application{DeputyID: id, Capacity: 2, Offers: []string{"skills"}}, 0); err != nil {
			t.Fatal(err)
		}
	}
	other := testutil.Deputy(t, st, "周红梅", bishi)
	if _, err := st.FileApplication(ctx, pairing.Application{DeputyID: other, Capacity: 1, Offers: []string{"health"}}, 0); err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "staff", auth.Staff, "", 0)
	testutil.User(t, st, "dep", auth.Deputy, "", first)
	a := newApp(t, st)
	staff := a.client(t, "staff", testutil.Password)

	status, doc := a.get(t, staff, "/applications")
	rows := doc.Find(`[data-testid="applications"] tbody tr`).Length()
	if status != http.StatusOK || rows != store.PageSize {
		t.Fatalf("page 1: %d with %d rows, want 200 with %d", status, rows, store.PageSize)
	}
	if got, want := text(doc, `[data-testid="count"]`), fmt.Sprintf("共 %d 份申请书", store.PageSize+6); got != want {
		t.Errorf("count = %q, want %q", got, want)
	}
	_, doc = a.get(t, staff, "/applications?page=2")
	if rows := doc.Find(`[data-testid="applications"] tbody tr`).Length(); rows != 6 {
		t.Errorf("page 2 has %d rows, want 6", rows)
	}
	_, doc = a.get(t, staff, "/applications?q=红梅")
	if got := text(doc, `[data-testid="applications"]`); !strings.Contains(got, "周红梅") || strings.Contains(got, "申请代表") {
		t.Errorf("search 红梅 shows %q", got)
	}
	_, doc = a.get(t, a.client(t, "dep", testutil.Password), "/applications")
	if rows := doc.Find(`[data-testid="applications"] tbody tr`).Length(); rows != 1 {
		t.Errorf("the deputy sees %d applications, want its own 1", rows)
	}
}
