package vault

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

const id = "43068119650312010X"

func key(t testing.TB, id byte, fill byte) Key {
	t.Helper()
	return Key{ID: id, Secret: bytes.Repeat([]byte{fill}, KeySize)}
}

func TestSealOpen(t *testing.T) {
	k := Dev()
	a, b := k.Seal("households.id_number", id), k.Seal("households.id_number", id)
	if len(a) != len(id)+Overhead || a[0] != DevKeyID {
		t.Fatalf("sealed %d bytes, key id %d", len(a), a[0])
	}
	if bytes.Equal(a, b) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	if bytes.Contains(a, []byte(id)) || bytes.Contains(a, []byte(id[len(id)-4:])) {
		t.Fatal("sealed value holds the plaintext")
	}
	got, err := k.Open("households.id_number", a)
	if err != nil || got != id {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if s := k.Seal("households.phone", ""); s != nil {
		t.Fatalf("empty seals to %x", s)
	}
	if got, err := k.Open("households.phone", nil); got != "" || err != nil {
		t.Fatalf("Open(nil) = %q, %v", got, err)
	}
}

// TestOpenFailsLoudly: a wrong key, a missing key, another column's label, a
// flipped bit or a truncated value each give an error, never a value.
func TestOpenFailsLoudly(t *testing.T) {
	right, err := New(DevHashKey(), key(t, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	wrong, _ := New(DevHashKey(), key(t, 1, 2))
	other, _ := New(DevHashKey(), key(t, 2, 1))
	sealed := right.Seal("households.id_number", id)
	flipped := append([]byte(nil), sealed...)
	flipped[len(flipped)-20] ^= 1
	for _, tt := range []struct {
		name   string
		k      *Keyring
		label  string
		sealed []byte
		want   error
	}{
		{"wrong key", wrong, "households.id_number", sealed, ErrDecrypt},
		{"key id missing", other, "households.id_number", sealed, ErrUnknownKey},
		{"moved to another column", right, "household_members.id_number", sealed, ErrDecrypt},
		{"altered", right, "households.id_number", flipped, ErrDecrypt},
		{"truncated", right, "households.id_number", sealed[:10], ErrMalformed},
	} {
		got, err := tt.k.Open(tt.label, tt.sealed)
		if !errors.Is(err, tt.want) || got != "" {
			t.Errorf("%s: Open = %q, %v; want error %v", tt.name, got, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), id[10:]) {
			t.Errorf("%s: error %q holds the plaintext", tt.name, err)
		}
	}
}

// TestRotationKeyring: a keyring with a new current key and the old one
// opens values of both and seals under the new one.
func TestRotationKeyring(t *testing.T) {
	old, _ := New(DevHashKey(), key(t, 1, 1))
	both, err := New(DevHashKey(), key(t, 2, 9), key(t, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	sealedOld := old.Seal("deputies.phone", "13907301234")
	if got, err := both.Open("deputies.phone", sealedOld); err != nil || got != "13907301234" {
		t.Fatalf("old value under the new keyring: %q, %v", got, err)
	}
	if KeyID(both.Seal("deputies.phone", "x")) != 2 || both.CurrentID() != 2 {
		t.Fatal("new keyring does not seal under its first key")
	}
	if !bytes.Equal(old.Hash("id", id), both.Hash("id", id)) {
		t.Fatal("the hash changed with the data keys")
	}
}

func TestHash(t *testing.T) {
	k := Dev()
	if h := k.Hash("id", id); len(h) != HashSize || !bytes.Equal(h, k.Hash("id", id)) {
		t.Fatalf("hash %x is not stable or not %d bytes", h, HashSize)
	}
	if bytes.Equal(k.Hash("id", id), k.Hash("id-tail", id)) {
		t.Fatal("labels do not separate hashes")
	}
	other, _ := New(bytes.Repeat([]byte{7}, KeySize), DevKey())
	if bytes.Equal(k.Hash("id", id), other.Hash("id", id)) {
		t.Fatal("the hash does not depend on the hash key")
	}
	if k.Hash("phone", "") != nil {
		t.Fatal("empty value hashes to non-nil")
	}
}

func TestParse(t *testing.T) {
	k32 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, KeySize))
	k16 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 16))
	k, err := Parse("2:"+NewSecret()+", 1:"+k32, k32)
	if err != nil || k.CurrentID() != 2 || len(k.IDs()) != 2 || k.IsDev() {
		t.Fatalf("Parse: %v %v", k, err)
	}
	if k, err := Parse("1:"+k32+",0:dev", k32); err != nil || len(k.IDs()) != 2 {
		t.Fatalf("Parse with the development key as an old key: %v", err)
	}
	for _, tt := range []struct{ keys, hash, want string }{
		{"", k32, "not id:base64"},
		{"0:" + k32, k32, "not 1 to 255"},
		{"256:" + k32, k32, "not 1 to 255"},
		{"1:" + k16, k32, "16 bytes"},
		{"1:" + k32 + ",1:" + k32, k32, "twice"},
		{"1:not base64!", k32, "not base64"},
		{"1:" + k32, "", "hash key is 0 bytes"},
		{"0:dev", k32, "not 1 to 255"}, // the development key cannot be current
	} {
		_, err := Parse(tt.keys, tt.hash)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%.12q…) error %v, want %q", tt.keys, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), k32) {
			t.Errorf("error echoes the secret: %v", err)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	k := Dev()
	b.ReportAllocs()
	for b.Loop() {
		k.Seal("households.id_number", id)
	}
}

func BenchmarkOpen(b *testing.B) {
	k := Dev()
	sealed := k.Seal("households.id_number", id)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open("households.id_number", sealed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	k := Dev()
	b.ReportAllocs()
	for b.Loop() {
		k.Hash("id", id)
	}
}
