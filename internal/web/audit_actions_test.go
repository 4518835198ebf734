package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestAuditedActions: signing out, exporting the deputies' roster and each
// download of an export file are audit events of the user who did them.
func TestAuditedActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	uid := testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.Deputy(t, st, "刘建华", bishi)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	count := func(action string) int {
		t.Helper()
		var n int
		if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = $1 AND user_id = $2`, action, uid).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	status, loc, _ := a.post(t, staff, "/deputies/export", url.Values{})
	if status != http.StatusSeeOther || count("deputy.export") != 1 {
		t.Fatalf("deputy export: %d, %d events", status, count("deputy.export"))
	}
	if jstatus, page := a.waitJob(t, staff, loc); jstatus != "done" {
		t.Fatalf("export job: %s %q", jstatus, page)
	}
	for i := 1; i <= 2; i++ {
		resp, err := staff.Get(a.srv.URL + loc + "/file")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || count("job.download") != i {
			t.Errorf("download %d: %d, %d events", i, resp.StatusCode, count("job.download"))
		}
	}
	if status, _, _ := a.post(t, staff, "/logout", nil); status != http.StatusSeeOther || count("user.logout") != 1 {
		t.Errorf("logout: %d, %d events", status, count("user.logout"))
	}
}
