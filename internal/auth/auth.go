// Package auth holds Bangfu's users, roles and scopes, and password hashing
// (argon2id, via github.com/alexedwards/argon2id). It has no SQL and no HTTP.
package auth

import (
	"crypto/rand"
	"math/big"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/bangfu/bangfu/internal/codelist"
)

// Role is one of the four roles of DESIGN.md §1.
type Role string

// The roles.
const (
	Staff         Role = "staff"          // 人大办公室 / 农工委工作人员: whole county
	Leader        Role = "leader"         // 常委会领导: whole county, read-mostly
	TownshipChair Role = "township_chair" // 乡镇人大主席: own township only
	Deputy        Role = "deputy"         // 人大代表: own pairings only
)

// Roles lists the roles with their Chinese names.
var Roles = codelist.List{
	{Value: string(Staff), Label: "人大办工作人员"},
	{Value: string(Leader), Label: "常委会领导"},
	{Value: string(TownshipChair), Label: "乡镇人大主席"},
	{Value: string(Deputy), Label: "人大代表"},
}

// User is a signed-in account as read from the database on each request.
type User struct {
	ID           int64
	Username     string
	DisplayName  string
	Role         Role
	TownshipCode string // township chairs only
	DeputyID     int64  // deputies only
	// Unit is set when DeputyID is a unit (帮扶单位, deputies.kind 'unit'):
	// its account has role Deputy, so every deputy route and the own-pairing
	// scope apply to it unchanged; only names and navigation differ.
	Unit   bool
	Active bool
	// MustChangePassword is set for a new account's random initial password:
	// nothing but the change-password page is served until it is changed.
	MustChangePassword bool
	// PasswordExpired is set when staff require a change every N days and
	// the password is older: the same as MustChangePassword, another message.
	PasswordExpired bool
	// PasswordChangedAt is when the password was last set: a session signed
	// in before it is over (a changed password signs out other devices).
	PasswordChangedAt time.Time
}

// Scope limits which households (and so pairings and ledger entries) a user
// may see. The zero Scope sees the whole county.
type Scope struct {
	TownshipCode string // non-empty: only households of this township
	DeputyID     int64  // non-zero: only households actively paired with this deputy
}

// Scope returns the data scope of u per DESIGN.md §1: staff and leaders see
// the county, a township chair its township, a deputy its own pairings. An
// unknown role gets a scope that matches nothing (DeputyID -1), so a mistake
// fails closed.
func (u User) Scope() Scope {
	switch u.Role {
	case Staff, Leader:
		return Scope{}
	case TownshipChair:
		return Scope{TownshipCode: u.TownshipCode}
	case Deputy:
		return Scope{DeputyID: u.DeputyID}
	}
	return Scope{DeputyID: -1}
}

// SeesPersonalData reports whether u sees resident ID numbers and phones
// unmasked: only staff do (DESIGN.md §1).
func (u User) SeesPersonalData() bool { return u.Role == Staff }

// HashPassword returns the argon2id hash of password in PHC string format,
// with the library's recommended default parameters.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, argon2id.DefaultParams)
}

// CheckPassword reports whether password matches hash. A malformed hash is an
// error.
func CheckPassword(password, hash string) (bool, error) {
	return argon2id.ComparePasswordAndHash(password, hash)
}

// passwordAlphabet leaves out look-alike characters (0/O, 1/l/I) so that an
// initial password can be read out over the phone.
const passwordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"

// RandomPassword returns an initial password of n characters drawn uniformly
// from crypto/rand, always holding an upper-case letter, a lower-case letter
// and a digit.
func RandomPassword(n int) (string, error) {
	if n < 8 {
		n = 8
	}
	for {
		b := make([]byte, n)
		for i := range b {
			k, err := rand.Int(rand.Reader, big.NewInt(int64(len(passwordAlphabet))))
			if err != nil {
				return "", err
			}
			b[i] = passwordAlphabet[k.Int64()]
		}
		s := string(b)
		if strings.ContainsAny(s, "ABCDEFGHJKLMNPQRSTUVWXYZ") && strings.ContainsAny(s, "abcdefghijkmnpqrstuvwxyz") && strings.ContainsAny(s, "23456789") {
			return s, nil
		}
	}
}

// commonPasswords are refused whatever their character classes: the most used
// passwords of Chinese and international leaks, and this product's names.
var commonPasswords = map[string]bool{
	"12345678": true, "123456789": true, "1234567890": true, "88888888": true, "11111111": true, "00000000": true,
	"password": true, "password1": true, "passw0rd": true, "p@ssw0rd": true, "p@ssword1": true, "qwerty123": true,
	"qwertyuiop": true, "1qaz2wsx": true, "1q2w3e4r": true, "abc12345": true, "abcd1234": true, "a1234567": true,
	"woaini1314": true, "iloveyou": true, "admin123": true, "admin@123": true, "aa123456": true, "qq123456": true,
	"zxcvbnm123": true, "bangfu2017": true, "bangfu-demo-2017": true, "welcome1": true, "Aa123456": true,
}

// CheckPolicy returns a Chinese message if password breaks the password
// policy (GB/T 22239-2019 8.1.4.1 identification and authentication: at least
// 8 characters with at least three of upper case, lower case, digits and
// symbols; not a common password; not the username), or "" if it is
// acceptable.
func CheckPolicy(password, username string) string {
	if len([]rune(password)) < 8 {
		return "密码至少8位"
	}
	if len([]rune(password)) > 128 {
		return "密码最多128位"
	}
	var upper, lower, digit, symbol bool
	for _, r := range password {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		default:
			symbol = true
		}
	}
	classes := 0
	for _, b := range []bool{upper, lower, digit, symbol} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
	}
	if commonPasswords[strings.ToLower(password)] || commonPasswords[password] {
		return "这个密码太常见，请换一个"
	}
	if username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username)) {
		return "密码不能包含用户名"
	}
	return ""
}
