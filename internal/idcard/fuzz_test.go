package idcard

import "testing"

// FuzzParse: any string is either refused or is 18 characters whose check
// character is right (GB 11643), whose birth date is the one parsed, and
// which masks to something else. `make fuzz` runs it for a minute; `go
// test` runs the seeds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"43068119650312010X", "430681196503120101", "", "x", "43068119650230010X", "４３０６８１１９６５０３１２０１０Ｘ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s)
		if err != nil {
			return
		}
		if len(s) != 18 || CheckChar(s[:17]) != s[17] || n.Region != s[:6] || n.BirthDate.Format("20060102") != s[6:14] {
			t.Fatalf("Parse(%q) accepted: %+v", s, n)
		}
		if Mask(s) == s {
			t.Fatalf("Mask(%q) hides nothing", s)
		}
	})
}
