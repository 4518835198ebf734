package meeting

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestItemStatus(t *testing.T) {
	due := day("2026-06-30")
	for _, c := range []struct {
		stored, today, want string
	}{
		{"open", "2026-06-30", "open"}, // due today: not yet overdue
		{"open", "2026-07-01", "overdue"},
		{"done", "2026-09-01", "done"},
	} {
		if got := ItemStatus(c.stored, due, day(c.today)); got != c.want {
			t.Errorf("ItemStatus(%s, due %s, today %s) = %s, want %s", c.stored, due.Format(time.DateOnly), c.today, got, c.want)
		}
	}
	if !ClosedOnTime(due, day("2026-06-30")) || ClosedOnTime(due, day("2026-07-01")) {
		t.Error("ClosedOnTime: the due date itself is on time, the day after is late")
	}
}

func TestParseSchedule(t *testing.T) {
	ok := func(c string) bool { return c == "430681107" }
	s, errs := ParseSchedule(ScheduleInput{Date: "2026-08-15", Title: " 第三季度联席会议 ", Kind: "on_site", HostTownship: "430681107"}, day("2026-11-29"), ok)
	if errs != nil || s.Quarter != 3 || s.Year != 2026 || s.Title != "第三季度联席会议" {
		t.Fatalf("ParseSchedule: %+v %v", s, errs)
	}
	_, errs = ParseSchedule(ScheduleInput{Date: "2026-02-30", Kind: "party", HostTownship: "999"}, day("2026-11-29"), ok)
	for _, f := range []string{"date", "title", "kind", "host_township"} {
		if !errs.Has(f) {
			t.Errorf("no error for %s: %v", f, errs)
		}
	}
}

func TestParseItem(t *testing.T) {
	owners := func(u int64, tw string) bool { return u == 7 || tw == "430681107" }
	it, errs := ParseItem(ItemInput{Title: "修缮山塘", Owner: "t:430681107", Due: "2026-09-30"}, day("2026-08-15"), owners)
	if errs != nil || it.OwnerTownship != "430681107" || !it.Due.Equal(day("2026-09-30")) {
		t.Fatalf("ParseItem township: %+v %v", it, errs)
	}
	it, errs = ParseItem(ItemInput{Title: "争取资金", Owner: "u:7", Due: "2026-08-15"}, day("2026-08-15"), owners)
	if errs != nil || it.OwnerUserID != 7 {
		t.Fatalf("ParseItem user: %+v %v", it, errs)
	}
	_, errs = ParseItem(ItemInput{Title: "", Owner: "u:8x", Due: "2026-08-14"}, day("2026-08-15"), owners)
	for _, f := range []string{"title", "owner", "due"} {
		if !errs.Has(f) {
			t.Errorf("no error for %s: %v", f, errs)
		}
	}
	if _, errs := ParseRecord(Record{Held: true}); !errs.Has("minutes") {
		t.Error("a held meeting without minutes was accepted")
	}
}
