package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestUnitFilesNoApplication: a unit's account is told, not shown a form
// it cannot send, that units file no application; a model-case form does
// not lead off the site through a "/\\host" back link.
func TestUnitFilesNoApplication(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "unit.a", auth.Deputy, "", testutil.Unit(t, st, "农业农村工作委员会", bishi))
	testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	a := newApp(t, st)
	unit := a.client(t, "unit.a", testutil.Password)
	for _, path := range []string{"/applications", "/applications/new"} {
		if status, doc := a.get(t, unit, path); status != http.StatusForbidden || !strings.Contains(doc.Text(), "无需填写申请书") {
			t.Errorf("unit GET %s: %d", path, status)
		}
	}
	if status, _, doc := a.post(t, unit, "/applications", url.Values{"capacity": {"2"}}); status != http.StatusForbidden || !strings.Contains(doc.Text(), "无需填写申请书") {
		t.Errorf("unit POST /applications: %d", status)
	}
	hh := testutil.Household(t, st, "430681107231", "孙大勇")
	pid := testutil.Pairing(t, st, hh, testutil.Deputy(t, st, "刘建华", bishi), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	chair := a.client(t, "chair", testutil.Password)
	ref := strconv.FormatInt(pid, 10)
	status, body := a.getBody(t, chair, "/model-cases/new?kind=pairing&ref="+ref+"&back=/%5Cevil.example")
	if status != http.StatusOK || strings.Contains(body, `\evil.example`) {
		t.Errorf("model-case form with a /\\host back link: %d, link kept: %v", status, strings.Contains(body, `\evil.example`))
	}
	if _, good := a.getBody(t, chair, "/model-cases/new?kind=pairing&ref="+ref+"&back=/households"); !strings.Contains(good, `href="/households"`) {
		t.Error("a same-site back link was dropped")
	}

	// Two units in use may not share a name: a resent registration lands
	// on a message beside the name, not on a second unit.
	testutil.User(t, st, "office", auth.Staff, "", 0)
	staff := a.client(t, "office", testutil.Password)
	form := url.Values{"name": {"汨罗市人大常委会办公室"}, "contact_person": {"周立新"}, "post": {"主任"},
		"phone": {"0730-5231101"}, "home_township_code": {"430681119"}}
	if status, _, _ := a.post(t, staff, "/units", form); status != http.StatusSeeOther {
		t.Fatalf("register a unit: %d", status)
	}
	status, _, doc := a.post(t, staff, "/units", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(text(doc, `[data-testid="error-name"]`), "同名") {
		t.Errorf("the same name again: %d %q", status, text(doc, `[data-testid="error-name"]`))
	}
	var n int
	if err := st.Pool.QueryRow(context.Background(), `SELECT count(*) FROM deputies WHERE kind = 'unit' AND name = '汨罗市人大常委会办公室'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d units of that name (%v)", n, err)
	}
}
