// Package money parses and formats amounts of yuan (元) exactly. Amounts are
// github.com/shopspring/decimal values stored as PostgreSQL numeric(14,2);
// float64 never carries money.
package money

import (
	"errors"
	"strings"

	"github.com/shopspring/decimal"
)

// Max is the largest amount numeric(14,2) holds: 999,999,999,999.99 yuan.
var Max = decimal.RequireFromString("999999999999.99")

// Errors returned by ParseYuan.
var (
	ErrFormat    = errors.New("请输入金额，如 1200 或 1200.50")
	ErrNegative  = errors.New("金额不能为负数")
	ErrPrecision = errors.New("金额最多保留两位小数（分）")
	ErrTooLarge  = errors.New("金额过大")
)

// ParseYuan reads a user-typed amount in yuan: digits with an optional
// decimal point and at most two decimals; thousands separators (",", "，")
// and a trailing "元" are accepted. An empty string is zero. It returns
// ErrFormat, ErrNegative, ErrPrecision or ErrTooLarge.
func ParseYuan(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "元")
	s = strings.NewReplacer(",", "", "，", "", " ", "").Replace(s)
	if s == "" {
		return decimal.Zero, nil
	}
	if strings.HasPrefix(s, "-") {
		return decimal.Zero, ErrNegative
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return decimal.Zero, ErrFormat
		}
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, ErrFormat
	}
	if d.Exponent() < -2 && !d.Equal(d.Truncate(2)) {
		return decimal.Zero, ErrPrecision
	}
	if d.GreaterThan(Max) {
		return decimal.Zero, ErrTooLarge
	}
	return d.Truncate(2), nil
}

// Format renders yuan with two decimals and thousands separators, e.g.
// "1,234,567.80". It does not append "元"; templates add the unit.
func Format(d decimal.Decimal) string {
	s := d.StringFixed(2)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String() + "." + frac
	if neg {
		return "-" + out
	}
	return out
}
