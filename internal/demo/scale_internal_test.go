package demo

import (
	"slices"
	"testing"
)

func TestSizesFor(t *testing.T) {
	for _, n := range []int{0, DefaultHouseholds} {
		s, err := sizesFor(Scale{Households: n})
		if err != nil {
			t.Fatal(err)
		}
		if s.deputies() != 1331 || s.otherHouseholds != 2990 || s.capacity(3) != 3 || s.nameTries != 0 {
			t.Errorf("sizesFor(%d) = %+v, want the default demo's", n, s)
		}
	}
	s, err := sizesFor(Scale{Households: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if s.deputies() != 20_000 || s.otherHouseholds != 100_000-reliefHouseholds || s.nameTries == 0 {
		t.Errorf("sizesFor(100,000) = %+v, want 20,000 deputies and repeatable names", s)
	}
	if s.villageMin*184 > s.otherHouseholds || s.villageMax*184 < s.otherHouseholds {
		t.Errorf("villages hold %d–%d households each, cannot share %d", s.villageMin, s.villageMax, s.otherHouseholds)
	}
	// Capacity keeps up with the households: about 5 a deputy.
	if c := s.capacity(2); c < 4 || c > 5 {
		t.Errorf("capacity(2) = %d at 100,000 households, want 4–5", c)
	}
	s, err = sizesFor(Scale{Households: 6000})
	if err != nil {
		t.Fatal(err)
	}
	if s.deputies() != 1331 {
		t.Errorf("deputies at 6,000 households = %d, want the default's 1,331 at least", s.deputies())
	}
	for _, n := range []int{-1, 1, DefaultHouseholds - 1, 20_000_000} {
		if _, err := sizesFor(Scale{Households: n}); err == nil {
			t.Errorf("sizesFor(%d) succeeded, want an error", n)
		}
	}
}

func TestPermute(t *testing.T) {
	xs := []string{"a", "b", "c", "d", "e", "f"}
	order := []int{3, 0, 5, 1, 2, 4}
	want := make([]string, len(xs))
	for i, k := range order {
		want[i] = xs[k]
	}
	permute(xs, slices.Clone(order))
	if !slices.Equal(xs, want) {
		t.Errorf("permute = %v, want %v", xs, want)
	}
}
