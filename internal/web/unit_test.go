package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
)

// TestUnitHelperLikeADeputy checks issue 11's acceptance line 2: a unit
// (帮扶单位, a 委办) is registered, gets a login, is paired with a household
// in extreme difficulty; its account files a ledger entry (forged fields
// ignored) that the township chair approves; after 30 days without a
// visit the follow-up (人盯人) lists it with its kind; in the evaluation it
// appears in the units' table, not among the deputies; the dashboard does
// not count it as a deputy taking part. Its account sees only its own
// household (404 elsewhere).
func TestUnitHelperLikeADeputy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	var now atomic.Value
	setDay := func(d string) {
		day, _ := time.ParseInLocation(time.DateOnly, d, web.Shanghai)
		now.Store(day.Add(10 * time.Hour))
	}
	setDay("2026-03-02")
	a := newAppAt(t, st, func() time.Time { return now.Load().(time.Time) })
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	staff := a.client(t, "office", testutil.Password)
	leader := a.client(t, "leader", testutil.Password)
	chair := a.client(t, "chair", testutil.Password)

	// A deputy with a household of its own, for comparison.
	dep := testutil.Deputy(t, st, "刘建华", bishi)
	depHousehold := testutil.Household(t, st, yuchi, "孙大勇")
	testutil.Pairing(t, st, depHousehold, dep, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))

	// Bad input: a message beside each field, what was typed kept.
	status, _, doc := a.post(t, staff, "/units", url.Values{"name": {"农工委"}, "contact_person": {"周"}, "phone": {"12345"},
		"home_township_code": {"430681119"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad unit: %d, want 422", status)
	}
	if v, _ := doc.Find(`input[name="name"]`).Attr("value"); v != "农工委" {
		t.Errorf("typed name not kept: %q", v)
	}
	for _, want := range []string{"联系人姓名", "11位手机号"} {
		if !strings.Contains(doc.Find(".error, [role=alert], small").Text(), want) {
			t.Errorf("bad unit form does not say %q", want)
		}
	}

	// Staff registers the unit; forged person fields are ignored.
	status, loc, _ := a.post(t, staff, "/units", url.Values{"name": {"汨罗市人大常委会农业农村工作委员会"}, "contact_person": {"周立新"},
		"post": {"主任"}, "phone": {"0730-5231101"}, "home_township_code": {"430681119"},
		"kind": {"deputy"}, "gender": {"male"}, "levels": {"county"}, "category": {"cadre"}})
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/units/") {
		t.Fatalf("create unit: %d %s", status, loc)
	}
	unitID := idFromLocation(t, loc, "/units/")
	var kind string
	var gender *string
	if err := st.Pool.QueryRow(ctx, `SELECT kind, gender FROM deputies WHERE id = $1`, unitID).Scan(&kind, &gender); err != nil || kind != "unit" || gender != nil {
		t.Fatalf("stored unit kind %q gender %v (%v), want unit without gender", kind, gender, err)
	}
	// Units and deputies are listed apart.
	_, doc = a.get(t, staff, "/units")
	if !strings.Contains(text(doc, `table[data-testid="units"]`), "农业农村工作委员会") || strings.Contains(text(doc, `table[data-testid="units"]`), "刘建华") {
		t.Errorf("units list: %q", text(doc, `table[data-testid="units"]`))
	}
	_, doc = a.get(t, staff, "/deputies")
	if strings.Contains(text(doc, `table[data-testid="deputies"]`), "农业农村工作委员会") || !strings.Contains(text(doc, `table[data-testid="deputies"]`), "刘建华") {
		t.Errorf("deputies list: %q", text(doc, `table[data-testid="deputies"]`))
	}
	// A unit's id is not a deputy's page, and back.
	if status, _ := a.getBody(t, staff, "/deputies/"+strconv.FormatInt(unitID, 10)+"/edit"); status != http.StatusNotFound {
		t.Errorf("deputy edit of a unit: %d, want 404", status)
	}
	if status, _ := a.getBody(t, staff, "/units/"+strconv.FormatInt(dep, 10)); status != http.StatusNotFound {
		t.Errorf("unit page of a deputy: %d, want 404", status)
	}
	if status, _, _ := a.post(t, staff, "/deputies/"+strconv.FormatInt(unitID, 10)+"/account", nil); status != http.StatusNotFound {
		t.Errorf("deputy account for a unit: %d, want 404", status)
	}

	// Staff opens its login; the initial password is shown once.
	status, _, doc = a.post(t, staff, loc+"/account", nil)
	password := text(doc, `[data-testid="new-password"]`)
	if status != http.StatusOK || password == "" {
		t.Fatalf("open login: %d, password %q", status, password)
	}
	username := "unit." + strconv.FormatInt(unitID, 10)
	var role string
	if err := st.Pool.QueryRow(ctx, `SELECT role FROM users WHERE username = $1 AND deputy_id = $2`, username, unitID).Scan(&role); err != nil || role != "deputy" {
		t.Fatalf("unit account role %q (%v)", role, err)
	}
	unit := a.client(t, username, password)
	if status, _, _ := a.post(t, unit, "/password", url.Values{"current": {password}, "new": {"Weiban-2026-ok"}, "confirm": {"Weiban-2026-ok"}}); status != http.StatusSeeOther {
		t.Fatalf("unit changes its password: %d", status)
	}

	// Staff pairs a household in extreme difficulty with the unit.
	hh := testutil.Household(t, st, yuchi, "王秋菊")
	if _, err := st.Pool.Exec(ctx, `UPDATE households SET attribute = 'extreme' WHERE id = $1`, hh); err != nil {
		t.Fatal(err)
	}
	hpath := "/households/" + strconv.FormatInt(hh, 10)
	_, doc = a.get(t, staff, hpath+"/pair?kind=unit")
	if doc.Find(`[data-testid="pair-`+strconv.FormatInt(unitID, 10)+`"]`).Length() != 1 || doc.Find(`[data-testid="pair-`+strconv.FormatInt(dep, 10)+`"]`).Length() != 0 {
		t.Fatal("the units tab of the pairing page does not offer the unit (alone)")
	}
	_, doc = a.get(t, staff, hpath+"/pair")
	if doc.Find(`[data-testid="pair-`+strconv.FormatInt(unitID, 10)+`"]`).Length() != 0 {
		t.Error("the deputies tab of the pairing page offers the unit")
	}
	if status, _, _ := a.post(t, staff, hpath+"/pairings", url.Values{"deputy_id": {strconv.FormatInt(unitID, 10)}, "start_date": {"2026-03-01"}}); status != http.StatusSeeOther {
		t.Fatalf("pair with unit: %d", status)
	}
	var pid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM pairings WHERE household_id = $1 AND status = 'active' AND deputy_id = $2`, hh, unitID).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	_, doc = a.get(t, staff, hpath)
	if got := text(doc, `[data-testid="helper-label"]`); got != "帮扶单位" {
		t.Errorf("household page labels the helper %q, want 帮扶单位", got)
	}
	_, doc = a.get(t, staff, "/households/"+strconv.FormatInt(depHousehold, 10))
	if got := text(doc, `[data-testid="helper-label"]`); got != "帮扶代表" {
		t.Errorf("a deputy's household labels the helper %q, want 帮扶代表", got)
	}

	// The unit's account: its own household, not another helper's (404).
	_, doc = a.get(t, unit, "/my")
	if !strings.Contains(doc.Text(), "王秋菊") || strings.Contains(doc.Text(), "孙大勇") {
		t.Fatal("unit home does not list exactly its own household")
	}
	if !strings.Contains(text(doc, `[data-testid="viewer"]`), "帮扶单位") || doc.Find(`nav a[href="/applications"]`).Length() != 0 {
		t.Errorf("unit account shown as %q, or offered an application", text(doc, `[data-testid="viewer"]`))
	}
	if status, _ := a.getBody(t, unit, "/households/"+strconv.FormatInt(depHousehold, 10)); status != http.StatusNotFound {
		t.Errorf("unit sees another helper's household: %d, want 404", status)
	}
	var depPairing int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM pairings WHERE household_id = $1`, depHousehold).Scan(&depPairing); err != nil {
		t.Fatal(err)
	}
	if status, _ := a.getBody(t, unit, "/pairings/"+strconv.FormatInt(depPairing, 10)+"/ledger/new"); status != http.StatusNotFound {
		t.Errorf("unit opens a ledger form on another helper's pairing: %d, want 404", status)
	}
	if status, _ := a.getBody(t, unit, "/deputies"); status != http.StatusForbidden {
		t.Errorf("unit lists deputies: %d, want 403", status)
	}

	// It files a visit; forged status, reviewer and pairing are ignored.
	_, doc = a.get(t, unit, "/pairings/"+strconv.FormatInt(pid, 10)+"/ledger/new")
	token, _ := doc.Find(`input[name="form_token"]`).Attr("value")
	if status, _, _ := a.post(t, unit, "/pairings/"+strconv.FormatInt(pid, 10)+"/ledger", url.Values{
		"form_token": {token}, "entry_date": {"2026-03-02"}, "kind": {"visit"}, "description": {"委办主任带队入户走访"},
		"action": {"submit"}, "status": {"approved"}, "reviewed_by": {"1"}, "pairing_id": {strconv.FormatInt(depPairing, 10)},
		"deputy_id": {strconv.FormatInt(dep, 10)},
	}); status != http.StatusSeeOther {
		t.Fatalf("unit submits an entry: %d", status)
	}
	var eid, onPairing int64
	var est string
	if err := st.Pool.QueryRow(ctx, `SELECT id, pairing_id, status FROM ledger_entries WHERE description = '委办主任带队入户走访'`).Scan(&eid, &onPairing, &est); err != nil {
		t.Fatal(err)
	}
	if onPairing != pid || est != "submitted" {
		t.Fatalf("entry on pairing %d with status %s, want %d submitted", onPairing, est, pid)
	}
	// An entry posted to another helper's pairing is refused.
	if status, _, _ := a.post(t, unit, "/pairings/"+strconv.FormatInt(depPairing, 10)+"/ledger", url.Values{
		"entry_date": {"2026-03-02"}, "kind": {"visit"}, "description": {"冒充"}, "action": {"submit"}}); status != http.StatusNotFound {
		t.Errorf("unit posts on another helper's pairing: %d, want 404", status)
	}

	// The chair sees it in the review queue, as a unit's, and approves it.
	_, doc = a.get(t, chair, "/review")
	if !strings.Contains(doc.Text(), "帮扶单位 汨罗市人大常委会农业农村工作委员会") {
		t.Error("review queue does not name the unit as the helper")
	}
	if status, _, _ := a.post(t, chair, "/ledger/"+strconv.FormatInt(eid, 10)+"/approve", nil); status != http.StatusSeeOther {
		t.Fatalf("approve: %d", status)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT status FROM ledger_entries WHERE id = $1`, eid).Scan(&est); err != nil || est != "approved" {
		t.Fatalf("entry status %s (%v), want approved", est, err)
	}

	// Within 30 days it is not overdue; after 31 days without a visit the
	// follow-up lists it, as a unit.
	followUnit := func() *goquery.Selection {
		_, doc := a.get(t, chair, "/followup")
		return doc.Find(`table[data-testid="followups"] tbody tr`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return strings.Contains(s.Text(), "王秋菊")
		})
	}
	setDay("2026-03-20")
	if followUnit().Length() != 0 {
		t.Error("a unit visited 18 days ago is on the follow-up list")
	}
	setDay("2026-04-02")
	row := followUnit()
	if row.Length() != 1 {
		t.Fatal("a unit without a visit for 31 days is not on the follow-up list")
	}
	if got := strings.TrimSpace(row.Find(`[data-testid="helper-kind"]`).Text()); got != "帮扶单位" {
		t.Errorf("follow-up kind %q, want 帮扶单位", got)
	}

	// Evaluation: the unit is in the units' table, not among the deputies.
	_, doc = a.get(t, leader, "/evaluation?year=2026")
	deputies, units := text(doc, `table[data-testid="evaluation"]`), text(doc, `table[data-testid="evaluation-units"]`)
	if strings.Contains(deputies, "农业农村工作委员会") || !strings.Contains(deputies, "刘建华") {
		t.Errorf("deputies' evaluation table: %q", deputies)
	}
	if !strings.Contains(units, "农业农村工作委员会") || strings.Contains(units, "刘建华") {
		t.Errorf("units' evaluation table: %q", units)
	}
	_, doc = a.get(t, leader, "/evaluation/"+strconv.FormatInt(unitID, 10)+"?year=2026")
	if got := text(doc, `[data-testid="evaluation-rank"]`); !strings.Contains(got, "帮扶单位中第 1 名") {
		t.Errorf("unit's evaluation rank %q", got)
	}
	if status, _ := a.getBody(t, unit, "/evaluation/"+strconv.FormatInt(unitID, 10)+"?year=2026"); status != http.StatusOK {
		t.Errorf("unit reads its own evaluation: %d", status)
	}
	// 评先评优 candidates are deputies only, whatever the unit scores.
	_, doc = a.get(t, leader, "/evaluation?year=2026&level=county&candidates=1")
	if strings.Contains(text(doc, `table[data-testid="evaluation"]`), "农业农村工作委员会") {
		t.Error("a unit is a 评先评优 candidate")
	}

	// The dashboard counts one deputy taking part and, apart, one unit.
	_, doc = a.get(t, leader, "/dashboard?division="+bishi)
	if got := doc.Find(`[data-testid="participation"] strong`).First().Text(); count(got) != 1 {
		t.Errorf("deputies taking part in 弼时镇 = %s, want 1 (the unit is not a deputy)", got)
	}
	if got := doc.Find(`[data-testid="participation-units"] strong`).Text(); count(got) != 1 {
		t.Errorf("units taking part in 弼时镇 = %s, want 1", got)
	}

	// Staff deactivates the unit: its household waits for a new helper and
	// its account stops working.
	if status, _, _ := a.post(t, staff, loc+"/deactivate", url.Values{"date": {"2026-04-01"}}); status != http.StatusSeeOther {
		t.Fatalf("deactivate: %d", status)
	}
	var flagged, active bool
	if err := st.Pool.QueryRow(ctx, `SELECT p.needs_reassignment, u.active FROM pairings p JOIN users u ON u.deputy_id = p.deputy_id
		WHERE p.id = $1`, pid).Scan(&flagged, &active); err != nil || !flagged || active {
		t.Errorf("after deactivation: pairing flagged %v, account active %v (%v)", flagged, active, err)
	}
	if status, _ := a.getBody(t, unit, "/my"); status != http.StatusSeeOther {
		t.Errorf("deactivated unit's session: %d, want 303 to the login", status)
	}
}

// TestUnitsInTheSchema checks that the database, not only Go, keeps units
// and deputies apart: a unit has no person fields, a deputy must have them,
// and a helper's kind never changes.
func TestUnitsInTheSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	unit := testutil.Unit(t, st, "汨罗市人大常委会教科文卫工作委员会", "430681119")
	dep := testutil.Deputy(t, st, "何春兰", bishi)
	for what, q := range map[string]string{
		"a unit with a gender":     `UPDATE deputies SET gender = 'male' WHERE id = ` + strconv.FormatInt(unit, 10),
		"a deputy without levels":  `UPDATE deputies SET levels = NULL WHERE id = ` + strconv.FormatInt(dep, 10),
		"a unit becoming a deputy": `UPDATE deputies SET kind = 'deputy', gender = 'male', levels = '{county}', category = 'cadre' WHERE id = ` + strconv.FormatInt(unit, 10),
		"a deputy becoming a unit": `UPDATE deputies SET kind = 'unit', gender = NULL, levels = NULL, category = NULL WHERE id = ` + strconv.FormatInt(dep, 10),
	} {
		if _, err := st.Pool.Exec(ctx, q); err == nil {
			t.Errorf("the database accepted %s", what)
		}
	}
}
