package idcard

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want error
	}{
		// 11010519491231002X is the worked example printed in GB 11643-1999.
		{"standard example", "11010519491231002X", nil},
		{"lower-case x refused", "11010519491231002x", ErrCharacters},
		{"wrong check digit", "110105194912310021", ErrCheckDigit},
		{"17 digits", "11010519491231002", ErrLength},
		{"letters in body", "1101051949123100AX", ErrCharacters},
		{"30 February", "430681198802300011", ErrBirthDate},
		{"born in the future", "430681209901010011", ErrBirthDate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.want)
			}
		})
	}
}

func TestBuildRoundTrip(t *testing.T) {
	t.Parallel()
	birth := time.Date(1962, 7, 15, 0, 0, 0, 0, time.UTC)
	for seq := 0; seq < 1000; seq += 37 {
		id, err := Build("430681", birth, seq)
		if err != nil {
			t.Fatal(err)
		}
		n, err := Parse(id)
		if err != nil {
			t.Fatalf("Parse(Build(seq %d)) = %q: %v", seq, id, err)
		}
		if !n.BirthDate.Equal(birth) || n.Region != "430681" || n.Male != (seq%2 == 1) {
			t.Fatalf("Parse(%q) = %+v", id, n)
		}
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	if got, want := Mask("11010519491231002X"), "110105********002X"; got != want {
		t.Fatalf("Mask = %q, want %q", got, want)
	}
	if got := Mask("short"); got != "******" {
		t.Fatalf("Mask(short) = %q", got)
	}
}
