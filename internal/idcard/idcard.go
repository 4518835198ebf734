// Package idcard validates and builds 18-digit resident identity numbers
// (公民身份号码) as defined by GB 11643-1999: a 6-digit address code
// (GB/T 2260), an 8-digit birth date YYYYMMDD, a 3-digit sequence code whose
// last digit is odd for men and even for women, and a check character computed
// with ISO 7064:1983 MOD 11-2 ("X" stands for 10).
package idcard

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by Parse. Each wraps a reason a clerk can act on.
var (
	ErrLength     = errors.New("身份证号应为18位")
	ErrCharacters = errors.New("身份证号前17位应为数字，末位为数字或大写X")
	ErrBirthDate  = errors.New("身份证号中的出生日期不是真实日期")
	ErrCheckDigit = errors.New("身份证号校验位不正确")
)

// weights are the GB 11643 weights 2^(17-i) mod 11 for positions 1..17.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// checkChars maps (sum mod 11) to the check character.
const checkChars = "10X98765432"

// CheckChar returns the GB 11643 check character ('0'..'9' or 'X') for the
// first 17 digits of an ID number. It panics if body is not 17 ASCII digits;
// callers validate first.
func CheckChar(body string) byte {
	if len(body) != 17 {
		panic("idcard: body must be 17 digits")
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := body[i]
		if c < '0' || c > '9' {
			panic("idcard: body must be 17 digits")
		}
		sum += int(c-'0') * weights[i]
	}
	return checkChars[sum%11]
}

// Number is a parsed, valid resident ID number.
type Number struct {
	Region    string    // 6-digit address code, e.g. "430681"
	BirthDate time.Time // UTC midnight of the birth date
	Male      bool      // odd sequence digit
}

// Parse validates s as an 18-character ID number. Lower-case "x" is refused:
// the standard writes the check character as upper-case X. It returns one of
// ErrLength, ErrCharacters, ErrBirthDate or ErrCheckDigit on failure.
func Parse(s string) (Number, error) {
	if len(s) != 18 {
		return Number{}, ErrLength
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return Number{}, ErrCharacters
		}
	}
	if last := s[17]; !(last >= '0' && last <= '9') && last != 'X' {
		return Number{}, ErrCharacters
	}
	birth, err := time.Parse("20060102", s[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(time.Now()) {
		return Number{}, ErrBirthDate
	}
	if CheckChar(s[:17]) != s[17] {
		return Number{}, ErrCheckDigit
	}
	return Number{Region: s[:6], BirthDate: birth, Male: (s[16]-'0')%2 == 1}, nil
}

// Build returns the full 18-character ID number for a region code (6 digits),
// a birth date and a sequence number 0..999 (its parity decides the sex; the
// caller picks odd for men and even for women). It returns an error if region
// is not 6 digits or seq is out of range.
func Build(region string, birth time.Time, seq int) (string, error) {
	if len(region) != 6 || seq < 0 || seq > 999 {
		return "", fmt.Errorf("idcard: bad region %q or sequence %d", region, seq)
	}
	for i := 0; i < 6; i++ {
		if region[i] < '0' || region[i] > '9' {
			return "", fmt.Errorf("idcard: bad region %q", region)
		}
	}
	body := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
	return body + string(CheckChar(body)), nil
}

// Mask hides the middle of an ID number for display to anyone but staff:
// the first 6 and last 4 characters stay, e.g. "430681********123X".
func Mask(s string) string {
	if len(s) != 18 {
		return "******"
	}
	return s[:6] + "********" + s[14:]
}
