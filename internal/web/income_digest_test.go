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
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/shopspring/decimal"
)

func TestIncomeAndDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	pid := testutil.Pairing(t, st, hid, dep, time.Now().AddDate(0, -3, 0)) // no visit for 90 days: red
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair.xinshi", auth.TownshipChair, xinshi, 0)
	year := time.Now().Year()
	if _, err := st.Pool.Exec(ctx, `INSERT INTO poverty_lines (year, standard, yuan) VALUES ($1, 'national', 4950)`, year); err != nil {
		t.Fatal(err)
	}
	a := newApp(t, st)
	chair := a.client(t, "chair.bishi", testutil.Password)
	hpath := "/households/" + strconv.FormatInt(hid, 10)

	// Income by source: (6,000 + 500 − 1,000) ÷ 1 person = 5,500.00, above the line.
	if status, _, doc := a.post(t, chair, hpath+"/income", url.Values{"year": {strconv.Itoa(year)}, "wages": {"abc"}}); status != http.StatusUnprocessableEntity || text(doc, `[data-testid="error-wages"]`) == "" {
		t.Fatalf("bad income: %d", status)
	}
	if status, _, _ := a.post(t, chair, hpath+"/income", url.Values{"year": {strconv.Itoa(year)}, "wages": {"6000"},
		"transfers": {"500"}, "costs": {"1000"}}); status != http.StatusSeeOther {
		t.Fatalf("income: %d", status)
	}
	_, doc := a.get(t, chair, hpath)
	if got := text(doc, `[data-testid="per-capita-`+strconv.Itoa(year)+`"]`); got != "5,500.00 元" {
		t.Fatalf("per capita shown %q", got)
	}
	if !strings.Contains(text(doc, `[data-testid="incomes"]`), "高于 4,950.00 元") {
		t.Error("income not compared with the year's line")
	}
	var income string
	if err := st.Pool.QueryRow(ctx, `SELECT per_capita_income::text FROM households WHERE id = $1`, hid).Scan(&income); err != nil || income != "5500.00" {
		t.Fatalf("household income now %q %v", income, err)
	}

	// The digest lists the overdue pairing and a returned entry until it is resubmitted.
	e := ledger.Entry{EntryDate: time.Now().AddDate(0, 0, -1).UTC().Truncate(24 * time.Hour), Kind: "cash", Description: "慰问金", Amount: decimal.RequireFromString("100")}
	eid, err := st.SaveLedgerEntry(ctx, dep, pid, 0, e, true, "", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ReviewLedgerEntry(ctx, bishi, eid, false, "请附收据照片", 0); err != nil {
		t.Fatal(err)
	}
	_, doc = a.get(t, chair, "/digest")
	if doc.Find(`[data-testid="digest-overdue"] tbody tr`).Length() != 1 || !strings.Contains(text(doc, `[data-testid="digest-returned"]`), "请附收据照片") {
		t.Fatalf("digest: overdue %d, returned %q", doc.Find(`[data-testid="digest-overdue"] tbody tr`).Length(), text(doc, `[data-testid="digest-returned"]`))
	}
	if status, _ := a.getBody(t, a.client(t, "chair.xinshi", testutil.Password), "/digest?division="+bishi); status != http.StatusNotFound {
		t.Fatalf("other chair's digest: %d", status)
	}
	if _, doc := a.get(t, a.client(t, "office", testutil.Password), "/digest?division="+bishi); doc.Find(`[data-testid="digest-returned"] tbody tr`).Length() != 1 {
		t.Fatal("staff digest of 弼时镇 misses the returned entry")
	}
}

func TestMonitoringNeedsReason(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	hid := testutil.Household(t, st, yuchi, "孙大勇")
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	a := newApp(t, st)
	chair := a.client(t, "chair.bishi", testutil.Password)
	path := "/households/" + strconv.FormatInt(hid, 10) + "/status"
	if status, _, doc := a.post(t, chair, path, url.Values{"status": {"not_exited"}, "monitoring": {"sudden_hardship"}}); status != http.StatusUnprocessableEntity || text(doc, `[data-testid="error-note"]`) == "" {
		t.Fatalf("monitoring without a reason: %d", status)
	}
	if status, _, _ := a.post(t, chair, path, url.Values{"status": {"not_exited"}, "monitoring": {"sudden_hardship"}, "note": {"户主突发重病"}}); status != http.StatusSeeOther {
		t.Fatalf("monitoring with a reason: %d", status)
	}
}
