package project

import (
	"testing"
	"time"
)

func TestParseProject(t *testing.T) {
	isVillage := func(c string) bool { return c == "430681107231" }
	p, errs := Parse(Input{VillageCode: "430681107231", Name: " 光伏发电扩容 ", Kind: "solar", Status: "in_progress",
		Budget: "1,100,000", FundsReceived: "600000.50", FundsSpent: "450000", AppliedOn: "2017-03-31", StartedOn: "2017-05-01"}, isVillage)
	if errs != nil || p.Name != "光伏发电扩容" || p.Budget.String() != "1100000" || p.FundsReceived.String() != "600000.5" {
		t.Fatalf("Parse: %+v %v", p, errs)
	}
	for _, c := range []struct {
		in    Input
		field string
	}{
		{Input{VillageCode: "x", Name: "a", Kind: "solar", Status: "applied"}, "village"},
		{Input{VillageCode: "430681107231", Name: "", Kind: "solar", Status: "applied"}, "name"},
		{Input{VillageCode: "430681107231", Name: "a", Kind: "mine", Status: "applied"}, "kind"},
		{Input{VillageCode: "430681107231", Name: "a", Kind: "solar", Status: "applied", Budget: "-5"}, "budget"},
		{Input{VillageCode: "430681107231", Name: "a", Kind: "solar", Status: "applied", Budget: "1.005"}, "budget"},
		{Input{VillageCode: "430681107231", Name: "a", Kind: "solar", Status: "applied", FundsReceived: "100", FundsSpent: "100.01"}, "funds_spent"},
		{Input{VillageCode: "430681107231", Name: "a", Kind: "solar", Status: "completed"}, "completed_on"},
		{Input{VillageCode: "430681107231", Name: "a", Kind: "solar", Status: "approving", AppliedOn: "2017-05-01", ApprovedOn: "2017-04-01"}, "approved_on"},
	} {
		if _, errs := Parse(c.in, isVillage); !errs.Has(c.field) {
			t.Errorf("Parse(%+v): no error for %s (%v)", c.in, c.field, errs)
		}
	}
}

func TestParsePayout(t *testing.T) {
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	p, errs := ParsePayout("12", "dividend", "1,200.00", "2026-06-30", today)
	if errs != nil || p.Year != 2026 || p.Amount.String() != "1200" || p.HouseholdID != 12 {
		t.Fatalf("ParsePayout: %+v %v", p, errs)
	}
	_, errs = ParsePayout("", "gift", "0", "2026-12-01", today)
	for _, f := range []string{"household", "kind", "amount", "paid_on"} {
		if !errs.Has(f) {
			t.Errorf("no error for %s: %v", f, errs)
		}
	}
}
