// Package auth holds Bangfu's users, roles and scopes, and password hashing
// (argon2id, via github.com/alexedwards/argon2id). It has no SQL and no HTTP.
package auth

import (
	"crypto/rand"
	"math/big"
	"strings"

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
	Active       bool
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
