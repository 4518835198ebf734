package period

import (
	"testing"
	"time"
)

// FuzzParse: any year and quarter typed into a URL are refused or give a
// period inside 2014..today's year whose bounds are in order.
func FuzzParse(f *testing.F) {
	for _, c := range [][2]string{{"2026", "3"}, {"", ""}, {"abc", "9"}, {"99999999999999999999", "-1"}, {"２０２６", "１"}} {
		f.Add(c[0], c[1])
	}
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, year, quarter string) {
		p, err := Parse(year, quarter, today)
		if err != nil {
			return
		}
		if p.Year < MinYear || p.Year > today.Year() || p.Quarter < 0 || p.Quarter > 4 || !p.Start().Before(p.End()) || p.Months(today) < 1 {
			t.Fatalf("Parse(%q, %q) = %+v", year, quarter, p)
		}
	})
}
