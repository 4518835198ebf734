package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestFindByWholeID: staff look a household up by its head's whole ID
// number through a POST (the number stays out of every URL): a match opens
// its page, a malformed or unknown number returns to the list with a
// message (the number masked); only staff may.
func TestFindByWholeID(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	h, err := st.Household(context.Background(), auth.Scope{}, hid)
	if err != nil {
		t.Fatal(err)
	}
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	if _, doc := a.get(t, staff, "/households"); doc.Find(`form[data-testid="find-by-id"][method="post"]`).Length() != 1 {
		t.Error("no POST form to find by ID on the list")
	}
	status, loc, _ := a.post(t, staff, "/households/find", url.Values{"id_number": {strings.ToLower(h.IDNumber)}})
	if status != http.StatusSeeOther || loc != "/households/"+strconv.FormatInt(hid, 10) {
		t.Errorf("find the household: %d %s", status, loc)
	}
	other := testutil.IDNumber()
	for _, q := range []string{other, "12345"} {
		status, loc, _ := a.post(t, staff, "/households/find", url.Values{"id_number": {q}})
		if status != http.StatusSeeOther || loc != "/households" || strings.Contains(loc, q) {
			t.Errorf("find %q: %d %s", q[:4], status, loc)
		}
		_, doc := a.get(t, staff, "/households")
		if msg := doc.Find(".flash").Text(); msg == "" || strings.Contains(msg, q) && len(q) == 18 {
			t.Errorf("find %q: message %q", q[:4], msg)
		}
	}
	chair := a.client(t, "chair.bishi", testutil.Password)
	if status, _, _ := a.post(t, chair, "/households/find", url.Values{"id_number": {h.IDNumber}}); status != http.StatusForbidden {
		t.Errorf("a chair finds by whole ID: %d", status)
	}
}
