package testutil

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/shopspring/decimal"
)

// Password is the password of every user made by User.
const Password = "test-Pass-2017"

var passwordHash = func() string {
	h, err := auth.HashPassword(Password)
	if err != nil {
		panic(err)
	}
	return h
}()

// User creates an account with Password and returns its id. township is for
// township chairs, deputyID for deputies.
func User(t testing.TB, st *store.Store, username string, role auth.Role, township string, deputyID int64) int64 {
	t.Helper()
	id, err := st.CreateUser(context.Background(), store.NewUser{Username: username, DisplayName: username,
		PasswordHash: passwordHash, Role: role, TownshipCode: township, DeputyID: deputyID}, 0)
	if err != nil {
		t.Fatalf("testutil.User %s: %v", username, err)
	}
	return id
}

// Deputy registers an active county-level deputy living in township.
func Deputy(t testing.TB, st *store.Store, name, township string) int64 {
	t.Helper()
	id, err := st.CreateDeputy(context.Background(), deputy.Deputy{Name: name, Gender: "male", Ethnicity: "汉族",
		Levels: []string{"county"}, Category: "cadre", Term: "第十二届", HomeTownshipCode: township}, 0)
	if err != nil {
		t.Fatalf("testutil.Deputy %s: %v", name, err)
	}
	return id
}

// Unit registers an active unit (帮扶单位) named name, located in township.
func Unit(t testing.TB, st *store.Store, name, township string) int64 {
	t.Helper()
	id, err := st.CreateUnit(context.Background(), deputy.Unit{Name: name, ContactPerson: "李联络", Phone: "0730-5222222",
		HomeTownshipCode: township}, 0)
	if err != nil {
		t.Fatalf("testutil.Unit %s: %v", name, err)
	}
	return id
}

var idSeq atomic.Int64

// IDNumber returns a valid GB 11643 ID number of a man born in 1970 in
// 汨罗市, different on every call within the test binary.
func IDNumber() string {
	n := idSeq.Add(1)
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/500))
	id, err := idcard.Build("430681", birth, int(n%500)*2+1)
	if err != nil {
		panic(err)
	}
	return id
}

// Household registers a household in village with a male head named head.
func Household(t testing.TB, st *store.Store, village, head string) int64 {
	t.Helper()
	id, err := st.CreateHousehold(context.Background(), household.Household{VillageCode: village, GroupName: "1组",
		HeadName: head, HeadSex: "male", IDNumber: IDNumber(), Attribute: "general", Standard: "national",
		MainCause: "因病", IdentificationYear: 2015, PerCapitaIncome: decimal.RequireFromString("2600.00")}, 0)
	if err != nil {
		t.Fatalf("testutil.Household %s: %v", head, err)
	}
	return id
}

// Pairing pairs household with deputy from startDate.
func Pairing(t testing.TB, st *store.Store, householdID, deputyID int64, startDate time.Time) int64 {
	t.Helper()
	id, err := st.CreatePairing(context.Background(), householdID, deputyID, startDate, 0)
	if err != nil {
		t.Fatalf("testutil.Pairing: %v", err)
	}
	return id
}

// Name returns a distinct Chinese-looking name for fixtures: 测试 + n in
// Chinese numerals.
func Name(prefix string, n int) string {
	digits := []rune("零一二三四五六七八九")
	s := []rune(prefix)
	for _, c := range fmt.Sprint(n) {
		s = append(s, digits[c-'0'])
	}
	return string(s)
}
