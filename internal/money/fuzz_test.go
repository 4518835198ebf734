package money

import (
	"strings"
	"testing"
)

// FuzzParseYuan: any input is refused or gives a non-negative amount with at
// most two decimals that formats and parses back to itself.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"1200", "1,200.50", "１２００元", "-1", "1.005", "", "1e3", "99999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseYuan(s)
		if err != nil {
			return
		}
		if d.IsNegative() || d.Exponent() < -2 && !d.Equal(d.Round(2)) {
			t.Fatalf("ParseYuan(%q) = %s", s, d)
		}
		back, err := ParseYuan(strings.ReplaceAll(Format(d), ",", ""))
		if err != nil || !back.Equal(d) {
			t.Fatalf("ParseYuan(%q) = %s, formatted %s, back %s (%v)", s, d, Format(d), back, err)
		}
	})
}
