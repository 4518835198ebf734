package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
)

// noLockTimeout is the default limits without lock_timeout.
var noLockTimeout = store.PoolLimits{StatementTimeout: store.DefaultPoolLimits.StatementTimeout, ConnectTimeout: store.DefaultPoolLimits.ConnectTimeout}

// jobStatuses returns the status and message of every job.
func jobStatuses(t *testing.T, st *store.Store) map[int64][2]string {
	t.Helper()
	rows, err := st.Pool.Query(context.Background(), `SELECT id, status, message FROM jobs`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][2]string{}
	for rows.Next() {
		var id int64
		var status, msg string
		if err := rows.Scan(&id, &status, &msg); err != nil {
			t.Fatal(err)
		}
		out[id] = [2]string{status, msg}
	}
	return out
}

// postExports starts n household exports of 玉池村 at once as c and returns
// the job pages they lead to.
func postExports(t *testing.T, a *app, c *http.Client, n int) []string {
	t.Helper()
	cc := *c
	cc.Timeout = 30 * time.Second
	locs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			resp, err := cc.PostForm(a.srv.URL+"/households/export", url.Values{"division": {yuchi}})
			if err != nil {
				t.Errorf("export %d: no answer: %v", i, err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther {
				t.Errorf("export %d: %d, want 303", i, resp.StatusCode)
			}
			locs[i] = resp.Header.Get("Location")
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return locs
}

// TestSixteenExportsShareASmallPool: sixteen exports started at once on a
// pool of four connections all finish (none holds a connection while
// waiting for another, and at most two run at a time), and /healthz
// answers meanwhile.
func TestSixteenExportsShareASmallPool(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	// More than 500 households: the export reports its progress (a second
	// connection) every 500.
	for i := range 520 {
		testutil.Household(t, st, yuchi, testutil.Name("户", i))
	}
	lim := store.DefaultPoolLimits
	lim.MaxConns = 4
	// The default page limit (4 s): /healthz and the POSTs must answer
	// while the exports run.
	a, _ := newAppOn(t, st, testutil.AppStoreWith(t, st, lim), web.Options{})
	staff := a.client(t, "office", testutil.Password)
	locs := postExports(t, a, staff, 16)
	// Two run at a time; the others wait their turn, shown 排队中.
	queued := 0
	for _, loc := range locs {
		if _, body, _ := timedGet(t, a, staff, loc); strings.Contains(body, "排队中") {
			queued++
		}
	}
	if queued == 0 {
		t.Errorf("no job waiting for a slot is shown 排队中")
	}
	if status, _, took := timedGet(t, a, staff, "/healthz"); status != http.StatusOK || took > 5*time.Second {
		t.Errorf("healthz during the exports: %d after %v", status, took.Round(time.Millisecond))
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		jobs := jobStatuses(t, st)
		running := 0
		for id, j := range jobs {
			switch j[0] {
			case "running":
				running++
			case "failed":
				t.Fatalf("job %d failed: %s", id, j[1])
			}
		}
		if len(jobs) == 16 && running == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d exports still running after 90 s", running, len(jobs))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestShutdownFailsRunningJobs: shutting down while exports run (here held
// by a lock) and wait in the queue ends within 30 s, and
// every one of them is recorded as failed with a Chinese message asking to
// start it again.
func TestShutdownFailsRunningJobs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	for i := range 5 {
		testutil.Household(t, st, yuchi, testutil.Name("户", i))
	}
	// No lock_timeout: the jobs wait for the lock below until cancelled.
	a, h := newAppOn(t, st, testutil.AppStoreWith(t, st, noLockTimeout), web.Options{MaxJobs: 2, RequestTimeout: 30 * time.Second})
	staff := a.client(t, "office", testutil.Password)
	// Running jobs hang when they report progress: a statement trigger
	// (before any row is locked) waits for an advisory lock this test
	// holds. Recording how a job ended sets no phase and is not held.
	if _, err := st.Pool.Exec(ctx, `CREATE FUNCTION test_hold_jobs() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NULL; END $$;
		CREATE TRIGGER test_hold_jobs BEFORE UPDATE OF phase ON jobs FOR EACH STATEMENT EXECUTE FUNCTION test_hold_jobs()`); err != nil {
		t.Fatal(err)
	}
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(4242)`); err != nil {
		t.Fatal(err)
	}
	postExports(t, a, staff, 3)
	start := time.Now()
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := h.StopJobs(stopCtx); err != nil {
		t.Fatalf("StopJobs after %v: %v", time.Since(start), err)
	}
	jobs := jobStatuses(t, st)
	if len(jobs) != 3 {
		t.Errorf("%d jobs, want 3", len(jobs))
	}
	for id, j := range jobs {
		if j[0] != "failed" || !strings.Contains(j[1], "重新操作") {
			t.Errorf("job %d after shutdown: %s %q, want failed asking to start again", id, j[0], j[1])
		}
	}
}

// TestJobEndsAfterDatabaseReturns: when the database goes away while an
// export runs (a proxy closes every connection and refuses new ones, as a
// restart does), the job does not stay "running": once the database is
// back it is recorded as failed with a message to try again, within a
// minute.
func TestJobEndsAfterDatabaseReturns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	for i := range 5 {
		testutil.Household(t, st, yuchi, testutil.Name("户", i))
	}
	p := testutil.NewProxy(t)
	a, _ := newAppOn(t, st, testutil.ProxyStore(t, st, p, noLockTimeout), web.Options{RequestTimeout: 30 * time.Second})
	staff := a.client(t, "office", testutil.Password)
	// The export is held when it reports progress (see
	// TestShutdownFailsRunningJobs), then the database goes away.
	if _, err := st.Pool.Exec(ctx, `CREATE FUNCTION test_hold_jobs() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN PERFORM pg_advisory_xact_lock_shared(4242); RETURN NULL; END $$;
		CREATE TRIGGER test_hold_jobs BEFORE UPDATE OF phase ON jobs FOR EACH STATEMENT EXECUTE FUNCTION test_hold_jobs()`); err != nil {
		t.Fatal(err)
	}
	tx, err := st.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(4242)`); err != nil {
		t.Fatal(err)
	}
	loc := postExports(t, a, staff, 1)[0]
	time.Sleep(500 * time.Millisecond)
	p.Break()
	time.Sleep(3 * time.Second) // the job fails, and cannot record it
	_ = tx.Rollback(ctx)
	p.Restore()
	back := time.Now()
	for {
		jobs := jobStatuses(t, st)
		if len(jobs) != 1 {
			t.Fatalf("%d jobs, want 1", len(jobs))
		}
		var j [2]string
		for _, j = range jobs {
		}
		if j[0] != "running" {
			if j[0] != "failed" || !strings.Contains(j[1], "重试") && !strings.Contains(j[1], "重新操作") {
				t.Errorf("job ended %s %q, want failed with a message to try again", j[0], j[1])
			}
			break
		}
		if time.Since(back) > time.Minute {
			t.Fatal("job still running a minute after the database returned")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if status, body, _ := timedGet(t, a, staff, loc); status != http.StatusOK || strings.Contains(body, `http-equiv="refresh"`) {
		t.Errorf("job page: %d, refreshing %v", status, strings.Contains(body, `http-equiv="refresh"`))
	}
}

// TestStaleRunningJobStopsRefreshing: a job left "running" long past its
// time limit (its server was killed) is shown as failed with a message to
// start again, and its page stops refreshing.
func TestStaleRunningJobStopsRefreshing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	uid := testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	var id int64
	if err := st.Pool.QueryRow(ctx, `INSERT INTO jobs (kind, user_id, phase, created_at) VALUES ('household_export', $1, '正在导出', now() - interval '1 hour') RETURNING id`, uid).Scan(&id); err != nil {
		t.Fatal(err)
	}
	status, body, _ := timedGet(t, a, staff, "/jobs/"+strconv.FormatInt(id, 10))
	if status != http.StatusOK || strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "请重新操作") {
		t.Errorf("stale job page: %d, refreshing %v, asks to start again %v", status, strings.Contains(body, `http-equiv="refresh"`), strings.Contains(body, "请重新操作"))
	}
}
