package period

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseAndBounds(t *testing.T) {
	today := day("2026-11-29")
	for _, c := range []struct {
		year, quarter      string
		start, last, label string
		months             int
	}{
		{"", "", "2026-01-01", "2026-12-31", "2026年", 11},
		{"2026", "4", "2026-10-01", "2026-12-31", "2026年第4季度", 2},
		{"2026", "1", "2026-01-01", "2026-03-31", "2026年第1季度", 3},
		{"2025", "0", "2025-01-01", "2025-12-31", "2025年", 12},
		{"2024", "2", "2024-04-01", "2024-06-30", "2024年第2季度", 3},
	} {
		p, err := Parse(c.year, c.quarter, today)
		if err != nil {
			t.Fatalf("Parse(%q, %q): %v", c.year, c.quarter, err)
		}
		if got := p.Start().Format(time.DateOnly); got != c.start {
			t.Errorf("%v start %s, want %s", p, got, c.start)
		}
		if got := p.Last().Format(time.DateOnly); got != c.last {
			t.Errorf("%v last %s, want %s", p, got, c.last)
		}
		if p.Label() != c.label {
			t.Errorf("%v label %s, want %s", p, p.Label(), c.label)
		}
		if got := p.Months(today); got != c.months {
			t.Errorf("%v months %d, want %d", p, got, c.months)
		}
	}
	for _, bad := range [][2]string{{"2013", ""}, {"2027", ""}, {"x", ""}, {"2026", "5"}, {"2026", "-1"}} {
		if _, err := Parse(bad[0], bad[1], today); err == nil {
			t.Errorf("Parse(%q, %q) accepted", bad[0], bad[1])
		}
	}
}
