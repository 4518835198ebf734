package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

const (
	bishi    = "430681107"
	yuchi    = "430681107231"
	xinshi   = "430681102"
	xinshiV1 = "430681102003"
)

type progress struct {
	Code             string     `json:"code"`
	Name             string     `json:"name"`
	Households       int        `json:"households"`
	Paired           int        `json:"paired"`
	Exited           int        `json:"exited"`
	LedgerEntries30d int        `json:"ledger_entries_30d"`
	Children         []progress `json:"children"`
}

func (a *app) progress(t *testing.T, c *http.Client, code string) (int, progress) {
	t.Helper()
	status, body := a.getBody(t, c, "/api/v1/progress?division="+code)
	if status == http.StatusOK && !strings.Contains(body, `"children":`) {
		t.Errorf("progress %s has no children field: %s", code, body)
	}
	var p progress
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			t.Fatalf("progress %s: %v in %s", code, err, body)
		}
	}
	return status, p
}

func idFromLocation(t *testing.T, loc, prefix string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(strings.TrimPrefix(loc, prefix), 10, 64)
	if err != nil {
		t.Fatalf("location %q does not start with %s<id>", loc, prefix)
	}
	return id
}

// TestWholePath walks the programme end to end: staff registers a household
// and pairs it, the deputy submits a ledger entry, the chair approves it, and
// the progress figures move accordingly.
func TestWholePath(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	ctx := context.Background()
	depID := testutil.Deputy(t, st, "李建国", bishi)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "dep", auth.Deputy, "", depID)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	leader := a.client(t, "leader", testutil.Password)
	chair := a.client(t, "chair.bishi", testutil.Password)
	dep := a.client(t, "dep", testutil.Password)

	_, before := a.progress(t, leader, yuchi)

	// Staff registers a household.
	status, loc, _ := a.post(t, staff, "/households", url.Values{
		"village_code": {yuchi}, "group_name": {"3组"}, "head_name": {"王秋菊"}, "head_sex": {"female"},
		"id_number": {"43068119650312010X"}, "phone": {"13807301234"}, "attribute": {"general"},
		"standard": {"national"}, "main_cause": {"因病"}, "other_causes": {"缺劳力"},
		"identification_year": {"2015"}, "per_capita_income": {"2,680.50"}, "planned_exit_year": {"2026"},
	})
	if status != http.StatusSeeOther {
		t.Fatalf("create household: status %d", status)
	}
	hid := idFromLocation(t, loc, "/households/")
	var income string
	if err := st.Pool.QueryRow(ctx, `SELECT per_capita_income::text FROM households WHERE id = $1`, hid).Scan(&income); err != nil || income != "2680.50" {
		t.Fatalf("stored income = %q, %v; want 2680.50 exactly", income, err)
	}

	// The household page shows it unpaired; staff pairs it with the deputy.
	_, doc := a.get(t, staff, loc)
	if doc.Find(`[data-testid="no-pairing"]`).Length() != 1 {
		t.Fatal("new household page does not say it is unpaired")
	}
	_, doc = a.get(t, staff, loc+"/pair")
	if doc.Find(`[data-testid="pair-`+strconv.FormatInt(depID, 10)+`"]`).Length() != 1 {
		t.Fatal("the deputy of the same township is not offered on the pairing page")
	}
	status, _, _ = a.post(t, staff, loc+"/pairings", url.Values{"deputy_id": {strconv.FormatInt(depID, 10)}})
	if status != http.StatusSeeOther {
		t.Fatalf("pair: status %d", status)
	}
	var pid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM pairings WHERE household_id = $1 AND status = 'active'`, hid).Scan(&pid); err != nil {
		t.Fatalf("active pairing: %v", err)
	}
	// Pairing again is refused: one active pairing per household.
	if status, _, _ = a.post(t, staff, loc+"/pairings", url.Values{"deputy_id": {strconv.FormatInt(depID, 10)}}); status != http.StatusConflict {
		t.Fatalf("second pairing: status %d, want 409", status)
	}

	// The deputy records a visit with a gift of goods and submits it.
	_, doc = a.get(t, dep, "/my")
	if !strings.Contains(doc.Text(), "王秋菊") {
		t.Fatal("deputy home does not list the new pairing")
	}
	_, doc = a.get(t, dep, "/pairings/"+strconv.FormatInt(pid, 10)+"/ledger/new")
	token, _ := doc.Find(`input[name="form_token"]`).Attr("value")
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	status, _, _ = a.post(t, dep, "/pairings/"+strconv.FormatInt(pid, 10)+"/ledger", url.Values{
		"form_token": {token}, "entry_date": {today}, "kind": {"goods"}, "description": {"送去大米两袋、食用油一桶"},
		"amount": {"180.50"}, "beneficiaries": {"王秋菊"}, "action": {"submit"},
	})
	if status != http.StatusSeeOther {
		t.Fatalf("submit entry: status %d", status)
	}
	var eid int64
	var estatus string
	if err := st.Pool.QueryRow(ctx, `SELECT id, status FROM ledger_entries WHERE pairing_id = $1`, pid).Scan(&eid, &estatus); err != nil || estatus != "submitted" {
		t.Fatalf("entry: %v %q", err, estatus)
	}

	// The chair sees it in the queue and approves it.
	_, doc = a.get(t, chair, "/review")
	if doc.Find(`[data-testid="review-`+strconv.FormatInt(eid, 10)+`"]`).Length() != 1 {
		t.Fatal("submitted entry is not in the chair's queue")
	}
	if status, _, _ = a.post(t, chair, "/ledger/"+strconv.FormatInt(eid, 10)+"/approve", nil); status != http.StatusSeeOther {
		t.Fatalf("approve: status %d", status)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT status FROM ledger_entries WHERE id = $1`, eid).Scan(&estatus); err != nil || estatus != "approved" {
		t.Fatalf("entry after approval: %v %q", err, estatus)
	}
	var audits int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('household.create', 'pairing.create', 'ledger_entry.create', 'ledger_entry.approve')`).Scan(&audits); err != nil || audits != 4 {
		t.Fatalf("audit events = %d, %v; want 4", audits, err)
	}

	// The figures moved: one more household, paired, one more approved entry.
	_, after := a.progress(t, leader, yuchi)
	if after.Households != before.Households+1 || after.Paired != before.Paired+1 || after.LedgerEntries30d != before.LedgerEntries30d+1 {
		t.Fatalf("progress before %+v after %+v", before, after)
	}
	_, doc = a.get(t, leader, "/dashboard?division="+bishi)
	if got := text(doc, `[data-testid="fig-yuan"]`); got != "180.50 元" {
		t.Fatalf("approved money on the township dashboard = %q, want 180.50 元", got)
	}
	// The leader sees the ID number masked, staff sees it whole.
	_, doc = a.get(t, leader, loc)
	if got := text(doc, `[data-testid="id-number"]`); got != "430681********010X" {
		t.Fatalf("leader sees ID %q", got)
	}
	// Staff sees it masked too, until it asks to see it in full (audited).
	_, doc = a.get(t, staff, loc)
	if got := text(doc, `[data-testid="id-number"]`); got != "430681********010X" {
		t.Fatalf("staff sees ID %q before unmasking", got)
	}
	_, _, doc = a.post(t, staff, loc+"/reveal", nil)
	if got := text(doc, `[data-testid="id-number"]`); got != "43068119650312010X" {
		t.Fatalf("staff sees ID %q after unmasking", got)
	}
	var reveals int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'household.reveal' AND entity_id = $1`, hid).Scan(&reveals); err != nil || reveals != 1 {
		t.Fatalf("reveal audit events = %d, %v", reveals, err)
	}
	if status, _, _ := a.post(t, leader, loc+"/reveal", nil); status != http.StatusForbidden {
		t.Fatalf("leader unmasking: %d, want 403", status)
	}
}
