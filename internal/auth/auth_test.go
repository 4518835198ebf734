package auth

import "testing"

func TestPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	h, err := HashPassword("bangfu-demo-2017")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := CheckPassword("bangfu-demo-2017", h); err != nil || !ok {
		t.Fatalf("CheckPassword(right) = %v, %v", ok, err)
	}
	if ok, _ := CheckPassword("bangfu-demo-2018", h); ok {
		t.Fatal("CheckPassword(wrong) = true")
	}
}

func TestScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		u    User
		want Scope
	}{
		{User{Role: Staff}, Scope{}},
		{User{Role: Leader}, Scope{}},
		{User{Role: TownshipChair, TownshipCode: "430681107"}, Scope{TownshipCode: "430681107"}},
		{User{Role: Deputy, DeputyID: 7}, Scope{DeputyID: 7}},
		{User{Role: "nobody"}, Scope{DeputyID: -1}},
	}
	for _, tt := range tests {
		if got := tt.u.Scope(); got != tt.want {
			t.Errorf("%s: Scope() = %+v, want %+v", tt.u.Role, got, tt.want)
		}
	}
}

func TestRandomPassword(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		p, err := RandomPassword(12)
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 12 || seen[p] {
			t.Fatalf("RandomPassword = %q (repeat %v)", p, seen[p])
		}
		seen[p] = true
	}
}

func TestCheckPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pw, user string
		ok       bool
	}{
		{"Short1!", "", false},          // 7 characters
		{"alllowercase", "", false},     // one class
		{"lowerUPPER", "", false},       // two classes
		{"lowerUPPER1", "", true},       // three classes
		{"lower1!symbol", "", true},     // lower, digit, symbol
		{"P@ssw0rd", "", false},         // common
		{"Bangfu-demo-2017", "", false}, // the demo password, any case
		{"zhangsan.12Ab", "zhangsan.12", false},
		{"中文密码Ab12", "", true}, // CJK counts as a symbol class
	}
	for _, tt := range tests {
		if got := CheckPolicy(tt.pw, tt.user); (got == "") != tt.ok {
			t.Errorf("CheckPolicy(%q) = %q, want ok=%v", tt.pw, got, tt.ok)
		}
	}
}
