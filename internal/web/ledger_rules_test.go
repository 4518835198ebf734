package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

// TestLedgerTransitionsByRole tries each lifecycle transition as each role:
// only the entry's deputy saves and submits, only its township's chair
// approves or returns, and nobody changes an approved entry, not by editing
// the form, replaying an old POST or forging hidden fields.
func TestLedgerTransitionsByRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	otherDep := testutil.Deputy(t, st, "吴国强", bishi)
	pid := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "孙大勇"), dep, time.Now().AddDate(0, -1, 0))
	for _, u := range []struct {
		name string
		role auth.Role
		town string
		dep  int64
	}{{"office", auth.Staff, "", 0}, {"leader", auth.Leader, "", 0}, {"chair.bishi", auth.TownshipChair, bishi, 0},
		{"chair.xinshi", auth.TownshipChair, xinshi, 0}, {"dep", auth.Deputy, "", dep}, {"other", auth.Deputy, "", otherDep}} {
		testutil.User(t, st, u.name, u.role, u.town, u.dep)
	}
	a := newApp(t, st)
	c := map[string]*http.Client{}
	for _, n := range []string{"office", "leader", "chair.bishi", "chair.xinshi", "dep", "other"} {
		c[n] = a.client(t, n, testutil.Password)
	}
	today := time.Now().Format(time.DateOnly)
	form := url.Values{"form_token": {"3d1e6a52-8c0f-4b7e-9a41-2f5c6d7e8f90"}, "entry_date": {today}, "kind": {"cash"}, "description": {"慰问金"}, "amount": {"200"}, "action": {"draft"}}
	newPath := "/pairings/" + strconv.FormatInt(pid, 10) + "/ledger"

	// Create: only the pairing's deputy.
	for who, want := range map[string]int{"office": 403, "leader": 403, "chair.bishi": 403, "other": 404} {
		if status, _, _ := a.post(t, c[who], newPath, form); status != want {
			t.Errorf("%s creates: %d, want %d", who, status, want)
		}
	}
	if status, _, _ := a.post(t, c["dep"], newPath, form); status != http.StatusSeeOther {
		t.Fatalf("deputy creates: %d", status)
	}
	var eid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM ledger_entries`).Scan(&eid); err != nil {
		t.Fatal(err)
	}
	entry := "/ledger/" + strconv.FormatInt(eid, 10)
	// A draft cannot be reviewed, not even by its township's chair.
	if status, _, _ := a.post(t, c["chair.bishi"], entry+"/approve", nil); status != http.StatusNotFound {
		t.Errorf("chair approves a draft: %d, want 404", status)
	}
	// Submit: only the deputy.
	form.Set("action", "submit")
	if status, _, _ := a.post(t, c["other"], entry, form); status != http.StatusNotFound {
		t.Errorf("another deputy submits: %d", status)
	}
	if status, _, _ := a.post(t, c["dep"], entry, form); status != http.StatusSeeOther {
		t.Fatalf("deputy submits: %d", status)
	}
	// Review: only the township's chair.
	for who, want := range map[string]int{"dep": 403, "office": 403, "leader": 403, "chair.xinshi": 404} {
		if status, _, _ := a.post(t, c[who], entry+"/approve", nil); status != want {
			t.Errorf("%s approves: %d, want %d", who, status, want)
		}
	}
	if status, _, _ := a.post(t, c["chair.bishi"], entry+"/approve", nil); status != http.StatusSeeOther {
		t.Fatalf("chair approves: %d", status)
	}
	// Nobody changes it now: the edit form, a replayed update, a replayed
	// create with the entry's id forged in, a return after approval.
	if status, _ := a.getBody(t, c["dep"], entry+"/edit"); status != http.StatusConflict {
		t.Errorf("edit approved: %d, want 409", status)
	}
	form.Set("amount", "20000")
	if status, _, _ := a.post(t, c["dep"], entry, form); status != http.StatusConflict {
		t.Errorf("replayed update: %d, want 409", status)
	}
	forged := url.Values{"form_token": {"3d1e6a52-8c0f-4b7e-9a41-2f5c6d7e8f91"}, "entry_date": {today}, "kind": {"cash"}, "description": {"改"}, "amount": {"1"}, "action": {"submit"},
		"id": {strconv.FormatInt(eid, 10)}, "status": {"approved"}, "pairing_id": {"1"}}
	if status, _, _ := a.post(t, c["dep"], newPath, forged); status != http.StatusSeeOther {
		t.Errorf("forged create: %d", status)
	}
	if status, _, _ := a.post(t, c["chair.bishi"], entry+"/return", url.Values{"comment": {"再看看"}}); status != http.StatusSeeOther {
		t.Errorf("return after approval: %d, want 303 with a notice", status)
	}
	var amount, status string
	if err := st.Pool.QueryRow(ctx, `SELECT amount::text, status FROM ledger_entries WHERE id = $1`, eid).Scan(&amount, &status); err != nil || amount != "200.00" || status != "approved" {
		t.Fatalf("approved entry now %s %s, %v", amount, status, err)
	}
	var forgedStatus string
	if err := st.Pool.QueryRow(ctx, `SELECT status FROM ledger_entries WHERE id <> $1`, eid).Scan(&forgedStatus); err != nil || forgedStatus != "submitted" {
		t.Fatalf("the forged create made %q, want a new submitted entry (hidden fields ignored): %v", forgedStatus, err)
	}
}

// TestMoneyIsExact records 1,000 approved entries of 0.10 yuan and checks
// that every total shown is exactly 100.00.
func TestMoneyIsExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	pid := testutil.Pairing(t, st, hid, dep, time.Now().AddDate(0, -1, 0))
	dime := decimal.RequireFromString("0.10")
	e := ledger.Entry{EntryDate: time.Now().AddDate(0, 0, -1).UTC().Truncate(24 * time.Hour), Kind: "cash", Description: "一角", Amount: dime}
	var ids []int64
	for i := 0; i < 1000; i++ {
		id, err := st.SaveLedgerEntry(ctx, dep, pid, 0, e, true, "", nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if n, err := st.ApproveMany(ctx, bishi, ids, 0); err != nil || n != 1000 {
		t.Fatalf("approve: %d %v", n, err)
	}
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	a := newApp(t, st)
	leader := a.client(t, "leader", testutil.Password)
	_, doc := a.get(t, leader, "/households/"+strconv.FormatInt(hid, 10)+"/file")
	if got := text(doc, `[data-testid="dossier-total"]`); got != "100.00 元" {
		t.Errorf("一户一档 total = %q", got)
	}
	for _, div := range []string{"", yuchi} {
		path := "/dashboard"
		if div != "" {
			path += "?division=" + div
		}
		_, doc = a.get(t, leader, path)
		if got := text(doc, `[data-testid="fig-yuan"]`); got != "100.00 元" {
			t.Errorf("%s money = %q", path, got)
		}
	}
	_, body := a.getBody(t, leader, "/api/v1/progress?division="+bishi)
	var p struct {
		ApprovedYuan string `json:"approved_yuan"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil || p.ApprovedYuan != "100" {
		t.Errorf("API approved_yuan = %q, %v", p.ApprovedYuan, err)
	}
}
