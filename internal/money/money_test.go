package money

import (
	"errors"
	"testing"

	"github.com/shopspring/decimal"
)

func TestParseYuan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"", "0", nil},
		{"1200", "1200", nil},
		{"1,200.50元", "1200.5", nil},
		{" 0.10 ", "0.1", nil},
		{"0.105", "", ErrPrecision},
		{"1.230", "1.23", nil},
		{"-5", "", ErrNegative},
		{"12a", "", ErrFormat},
		{"1e5", "", ErrFormat},
		{"1000000000000", "", ErrTooLarge},
	}
	for _, tt := range tests {
		got, err := ParseYuan(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("ParseYuan(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && !got.Equal(decimal.RequireFromString(tt.want)) {
			t.Errorf("ParseYuan(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"0": "0.00", "1234567.8": "1,234,567.80", "999.99": "999.99", "-1000": "-1,000.00", "100000": "100,000.00"} {
		if got := Format(decimal.RequireFromString(in)); got != want {
			t.Errorf("Format(%s) = %q, want %q", in, got, want)
		}
	}
	// 0.1 + 0.2 must be exactly 0.30, which float64 cannot promise.
	sum := decimal.RequireFromString("0.1").Add(decimal.RequireFromString("0.2"))
	if got := Format(sum); got != "0.30" {
		t.Errorf("Format(0.1+0.2) = %q", got)
	}
}
