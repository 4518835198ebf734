package idcard

import "testing"

// BenchmarkParse is the GB 11643 check of one ID number (make bench).
func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("43068119650312010X"); err != nil {
			b.Fatal(err)
		}
	}
}
