package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/jackc/pgx/v5"
)

// TestDatabaseOutage: when PostgreSQL terminates the application's
// connections mid-use, pages answer 503 with a Chinese message (never a
// bare 500) and the application recovers by itself; when the database is
// gone for good, pages and /healthz answer 503.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	for i := range 5 {
		testutil.Household(t, st, yuchi, testutil.Name("户", i))
	}
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	if status, _ := a.get(t, staff, "/households"); status != http.StatusOK {
		t.Fatalf("before: %d", status)
	}
	cfg := testutil.Config()
	admin, err := pgx.Connect(ctx, fmt.Sprintf("postgres://%s@%s:%s/postgres?sslmode=disable", cfg.User, cfg.Host, cfg.Port))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	db := st.Pool.Config().ConnConfig.Database
	// Terminate every connection of the application, three times over,
	// with requests in between.
	recovered := false
	for round := range 3 {
		var n int
		if err := admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1`, db).Scan(&n); err != nil {
			t.Fatal(err)
		}
		for attempt := range 5 {
			status, body := a.getBody(t, staff, "/households")
			switch status {
			case http.StatusOK:
				recovered = true
			case http.StatusServiceUnavailable:
				if !strings.Contains(body, "数据库暂时无法连接") {
					t.Errorf("round %d attempt %d: 503 without the Chinese message", round, attempt)
				}
			default:
				t.Errorf("round %d attempt %d (%d connections terminated): status %d, want 200 or 503", round, attempt, n, status)
			}
			if status == http.StatusOK {
				break
			}
		}
	}
	if !recovered {
		t.Fatal("the application did not recover after its connections were terminated")
	}
	// The database gone for good.
	a.closeDB()
	if status, body := a.getBody(t, staff, "/households"); status != http.StatusServiceUnavailable || !strings.Contains(body, "数据库暂时无法连接") {
		t.Errorf("page without a database: %d", status)
	}
	if status, _ := a.getBody(t, staff, "/healthz"); status != http.StatusServiceUnavailable {
		t.Errorf("healthz without a database: %d", status)
	}
}
