// Package pinyin makes the search key of a Chinese name so that users can find
// 张三 by typing "zs" (initials) or "zhangsan" (full pinyin), using
// github.com/mozillazg/go-pinyin (tones dropped, non-Han characters kept
// lower-cased).
package pinyin

import (
	"strings"
	"unicode"

	gopinyin "github.com/mozillazg/go-pinyin"
)

// Key returns "initials|full" for name, e.g. Key("张三") = "zs|zhangsan".
// Characters without pinyin (letters, digits) are kept in both parts,
// lower-cased; other characters are dropped. Key("") = "|".
func Key(name string) string {
	args := gopinyin.NewArgs()
	args.Style = gopinyin.Normal
	var initials, full strings.Builder
	for _, r := range name {
		switch {
		case unicode.Is(unicode.Han, r):
			py := gopinyin.SinglePinyin(r, args)
			if len(py) > 0 && py[0] != "" {
				initials.WriteByte(py[0][0])
				full.WriteString(py[0])
			}
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			lr := unicode.ToLower(r)
			initials.WriteRune(lr)
			full.WriteRune(lr)
		}
	}
	return initials.String() + "|" + full.String()
}

// IsQuery reports whether q looks like a pinyin query (ASCII letters only),
// so that a list search also tries the pinyin key.
func IsQuery(q string) bool {
	if q == "" {
		return false
	}
	for _, r := range q {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
