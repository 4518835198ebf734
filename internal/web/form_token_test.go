package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestResentFormWithOtherContentIsNotAcknowledged checks that a ledger form
// token sent again with other content is never answered with a success
// message for content that was not stored: 409 and a page showing the stored
// entry. The identical resend (a double click) stays a success; a create
// without a token, or with a malformed one, is refused.
func TestResentFormWithOtherContentIsNotAcknowledged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	pid := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "孙大勇"), dep, time.Now().AddDate(0, -1, 0))
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	a := newApp(t, st)
	d := a.client(t, "dep", testutil.Password)
	path := "/pairings/" + strconv.FormatInt(pid, 10) + "/ledger"
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	token := testToken()
	formA := url.Values{"form_token": {token}, "entry_date": {today}, "kind": {"cash"}, "description": {"慰问金，文字A"},
		"amount": {"100.00"}, "action": {"submit"}}
	if status, _, _ := a.post(t, d, path, formA); status != http.StatusSeeOther {
		t.Fatalf("first send: %d, want 303", status)
	}
	// The identical form again (a double click): a success, one entry.
	status, loc, _ := a.post(t, d, path, formA)
	if status != http.StatusSeeOther {
		t.Fatalf("identical resend: %d, want 303", status)
	}
	if _, page := a.get(t, d, loc); !strings.Contains(page.Text(), "已提交，等待乡镇人大主席审核") {
		t.Errorf("identical resend: no message that the entry is submitted")
	}

	// The same token with other content: 409, the stored entry shown.
	formB := url.Values{"form_token": {token}, "entry_date": {today}, "kind": {"cash"}, "description": {"慰问金，文字B"},
		"amount": {"250.00"}, "action": {"submit"}}
	var doc *goquery.Document
	status, loc, doc = a.post(t, d, path, formB)
	if status != http.StatusConflict {
		t.Fatalf("same token, other content: %d (to %q), want 409", status, loc)
	}
	if got := text(doc, `[data-testid="resent-stored"]`); !strings.Contains(got, "文字A") || !strings.Contains(got, "100.00") {
		t.Errorf("conflict page shows as stored %q, want entry A", got)
	}
	if strings.Contains(doc.Text(), "已提交，等待乡镇人大主席审核") {
		t.Error("conflict page claims the send was submitted")
	}
	var n int
	var desc, amount string
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) OVER (), description, amount::text FROM ledger_entries`).Scan(&n, &desc, &amount); err != nil {
		t.Fatal(err)
	}
	if n != 1 || desc != "慰问金，文字A" || amount != "100.00" {
		t.Fatalf("entries %d: %q %s, want only A 100.00", n, desc, amount)
	}

	// While the entry is the deputy's draft, the same token updates it.
	draftToken := testToken()
	draft := url.Values{"form_token": {draftToken}, "entry_date": {today}, "kind": {"visit"}, "description": {"走访"}, "action": {"draft"}}
	if status, _, _ := a.post(t, d, path, draft); status != http.StatusSeeOther {
		t.Fatalf("draft: %d", status)
	}
	draft.Set("description", "走访，了解收入")
	if status, _, _ := a.post(t, d, path, draft); status != http.StatusSeeOther {
		t.Fatalf("draft resent with other content: %d, want 303 (the draft updated)", status)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT description FROM ledger_entries WHERE form_token = $1`, draftToken).Scan(&desc); err != nil || desc != "走访，了解收入" {
		t.Fatalf("draft now %q, %v", desc, err)
	}

	// No token, or a malformed one: refused, nothing stored.
	for _, tok := range []string{"", "not-a-token"} {
		f := url.Values{"entry_date": {today}, "kind": {"visit"}, "description": {"无标识"}, "action": {"submit"}}
		if tok != "" {
			f.Set("form_token", tok)
		}
		status, _, doc := a.post(t, d, path, f)
		if status != http.StatusBadRequest || !strings.Contains(doc.Text(), "请重新打开“记录帮扶”页面填写") {
			t.Errorf("token %q: %d %q, want 400 asking to reopen the form", tok, status, text(doc, "main"))
		}
	}
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries WHERE description = '无标识'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("entries without a token stored: %d %v", n, err)
	}
}

// TestResentNoticeWithOtherContentIsNotAcknowledged checks the same for the
// publish form of notices: the same token with another notice is 409 and
// publishes nothing; the identical resend lands on the published notice.
func TestResentNoticeWithOtherContentIsNotAcknowledged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.Deputy(t, st, "周红梅", bishi)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	fields := url.Values{"form_token": {testToken()}, "title": {"关于报名的通知"}, "body": {"请报名。"}, "audience": {"all"}}
	status, loc, _ := a.publishNotice(t, staff, fields)
	if status != http.StatusSeeOther {
		t.Fatalf("publish: %d", status)
	}
	if status, again, _ := a.publishNotice(t, staff, fields); status != http.StatusSeeOther || again != loc {
		t.Errorf("identical resend: %d %s, want 303 %s", status, again, loc)
	}
	fields.Set("title", "另一条通知")
	status, _, doc := a.publishNotice(t, staff, fields)
	if status != http.StatusConflict || !strings.Contains(doc.Text(), "关于报名的通知") {
		t.Errorf("same token, other notice: %d, want 409 naming the published notice", status)
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM notices`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("notices %d, %v; want 1", n, err)
	}
	fields.Del("form_token")
	fields.Set("form_token", "x")
	if status, _, _ := a.publishNotice(t, staff, fields); status != http.StatusBadRequest {
		t.Errorf("malformed token: %d, want 400", status)
	}
}
