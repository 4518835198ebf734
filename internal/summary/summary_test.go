package summary

import (
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/period"
	"github.com/shopspring/decimal"
)

func TestParseKey(t *testing.T) {
	for s, want := range map[string]bool{"2026-Q3": true, "2026-Q5": false, "2026Q3": false, "2013-Q1": false, "2027-Q1": false, "": false} {
		p, ok := ParseKey(s, 2026)
		if ok != want || (ok && Key(p) != s) {
			t.Errorf("ParseKey(%q) = %v %v", s, p, ok)
		}
	}
}

func TestAsOf(t *testing.T) {
	q := period.Period{Year: 2026, Quarter: 3}
	d := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	if got := AsOf(q, d("2026-08-10")); !got.Equal(d("2026-08-10")) {
		t.Errorf("running quarter: %v", got)
	}
	if got := AsOf(q, d("2026-11-01")); !got.Equal(d("2026-09-30")) {
		t.Errorf("past quarter: %v", got)
	}
}

func TestDraft(t *testing.T) {
	r := Report{TownshipName: "弼时镇", Period: period.Period{Year: 2026, Quarter: 3},
		Figures: Figures{AsOf: time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC), ActivePairings: 12, Yuan: decimal.RequireFromString("1234.5"), AmberDays: 30, RedDays: 60, OverdueRed: 2},
		Cases:   []Case{{Title: "猕猴桃种出好日子", Theme: "industry", Helper: "刘建华"}},
		Items:   []Item{{Title: "修缮山塘", Owner: "弼时镇", Due: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), Status: "overdue"}}}
	got := Draft(r, func(s string) string { return s }, func(s string) string { return "产业" })
	for _, want := range []string{"有台帐", "有典型", "有效果", "在帮结对 12 对", "1,234.50 元", "猕猴桃种出好日子（产业，刘建华）", "修缮山塘", "60 天以上 2 对"} {
		if !strings.Contains(got, want) {
			t.Errorf("draft lacks %q:\n%s", want, got)
		}
	}
}
