// Package vault encrypts personal data at rest (resident ID numbers, phones)
// and computes the keyed hashes that let the database search and enforce
// uniqueness on values it cannot read. It uses the standard library only.
//
// Encryption is AES-256-GCM with a random 12-byte nonce. A sealed value is
//
//	key id (1 byte) | nonce (12 bytes) | ciphertext (len(plaintext)) | GCM tag (16 bytes)
//
// so an 18-character ID number seals to 47 bytes. The key id names the data
// key that sealed it, so a keyring holding the current key and older ones
// reads everything while rotation (re-sealing under the current key) runs.
// The additional authenticated data is the value's label (for example
// "households.id_number"), so a ciphertext moved to another column does not
// open.
//
// Keyed hashes are HMAC-SHA256 (32 bytes) under a separate hash key over
// label, a zero byte and the value. The hash key is not rotated with the data
// keys: hashes stay stable while rows are re-sealed.
//
// Key ids 1 to 255 are for real keys; id 0 is the development key (Dev),
// whose secret is in this file and protects nothing.
package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"
)

// Sizes of the sealed format.
const (
	KeySize   = 32 // bytes of a data key and of the hash key (AES-256)
	NonceSize = 12
	TagSize   = 16
	Overhead  = 1 + NonceSize + TagSize // sealed length minus plaintext length
	HashSize  = sha256.Size
)

// DevKeyID is the key id of the development key.
const DevKeyID = 0

// Errors of Open. Both mean the data cannot be read with this keyring; the
// caller must fail (never fall back to showing something else).
var (
	// ErrUnknownKey: the value was sealed under a key id the keyring lacks
	// (a key removed from DATA_KEYS too early, or another deployment's data).
	ErrUnknownKey = errors.New("vault: value sealed under a key id this keyring does not hold")
	// ErrDecrypt: the key id is known but authentication failed: the key is
	// wrong, or the value was altered or moved from another column.
	ErrDecrypt = errors.New("vault: value does not decrypt (wrong key, or altered data)")
	// ErrMalformed: the value is shorter than the format allows.
	ErrMalformed = errors.New("vault: malformed sealed value")
)

// Key is one data key: its id (1–255; 0 is the development key) and its
// 32-byte secret.
type Key struct {
	ID     byte
	Secret []byte
}

// Keyring holds the data keys, the current one (used to seal), and the hash
// key. It is safe for concurrent use.
type Keyring struct {
	current byte
	aeads   [256]cipher.AEAD
	ids     []byte // in the order given, current first
	hashes  sync.Pool
	dev     bool
}

// New returns a keyring whose current key is keys[0]; the other keys only
// open values sealed under them. It fails on no keys, a secret that is not
// 32 bytes, a repeated id, or a hash key that is not 32 bytes.
func New(hashKey []byte, keys ...Key) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("vault: no data key")
	}
	if len(hashKey) != KeySize {
		return nil, fmt.Errorf("vault: hash key is %d bytes, want %d", len(hashKey), KeySize)
	}
	k := &Keyring{current: keys[0].ID}
	for _, key := range keys {
		if len(key.Secret) != KeySize {
			return nil, fmt.Errorf("vault: key %d is %d bytes, want %d", key.ID, len(key.Secret), KeySize)
		}
		if k.aeads[key.ID] != nil {
			return nil, fmt.Errorf("vault: key id %d given twice", key.ID)
		}
		block, err := aes.NewCipher(key.Secret)
		if err != nil {
			return nil, fmt.Errorf("vault: key %d: %w", key.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("vault: key %d: %w", key.ID, err)
		}
		k.aeads[key.ID] = aead
		k.ids = append(k.ids, key.ID)
	}
	hk := append([]byte(nil), hashKey...)
	k.hashes.New = func() any { return hmac.New(sha256.New, hk) }
	return k, nil
}

// devSecret and devHashKey are the development keys: published here, they
// protect nothing and exist so that `make run` and the tests need no setup.
var (
	devSecret  = sha256.Sum256([]byte("bangfu development data key - NOT SECRET - never use in production"))
	devHashKey = sha256.Sum256([]byte("bangfu development hash key - NOT SECRET - never use in production"))
)

// DevKey returns the development data key (id 0).
func DevKey() Key { return Key{ID: DevKeyID, Secret: append([]byte(nil), devSecret[:]...)} }

// DevHashKey returns the development hash key.
func DevHashKey() []byte { return append([]byte(nil), devHashKey[:]...) }

// Dev returns the development keyring: DevKey as the only data key and
// DevHashKey. IsDev reports true for it.
func Dev() *Keyring {
	k, err := New(DevHashKey(), DevKey())
	if err != nil {
		panic(err) // constant input
	}
	k.dev = true
	return k
}

// Parse reads the keyring from its environment form. dataKeys is
// comma-separated "id:base64" entries (standard base64 of 32 bytes, id 1 to
// 255), the first one current; "0:dev", the development key, may follow
// (not lead), to rotate a database away from it. hashKey is the base64 of
// 32 bytes. Errors name the entry at fault but never echo a secret.
func Parse(dataKeys, hashKey string) (*Keyring, error) {
	var keys []Key
	for i, entry := range strings.Split(dataKeys, ",") {
		entry = strings.TrimSpace(entry)
		idText, b64, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("vault: DATA_KEYS entry %d is not id:base64", i+1)
		}
		if strings.TrimSpace(idText) == "0" && strings.TrimSpace(b64) == "dev" && i > 0 {
			keys = append(keys, DevKey())
			continue
		}
		id, err := strconv.Atoi(strings.TrimSpace(idText))
		if err != nil || id < 1 || id > 255 {
			return nil, fmt.Errorf("vault: DATA_KEYS entry %d: key id %q is not 1 to 255", i+1, idText)
		}
		secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		if err != nil {
			return nil, fmt.Errorf("vault: DATA_KEYS entry %d (key %d) is not base64", i+1, id)
		}
		keys = append(keys, Key{ID: byte(id), Secret: secret})
	}
	hk, err := base64.StdEncoding.DecodeString(strings.TrimSpace(hashKey))
	if err != nil {
		return nil, errors.New("vault: DATA_HASH_KEY is not base64")
	}
	return New(hk, keys...)
}

// NewSecret returns a random 32-byte key in base64, for DATA_KEYS or
// DATA_HASH_KEY.
func NewSecret() string {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.StdEncoding.EncodeToString(b)
}

// IsDev reports whether k is the development keyring of Dev.
func (k *Keyring) IsDev() bool { return k.dev }

// CurrentID returns the id of the key Seal uses.
func (k *Keyring) CurrentID() byte { return k.current }

// IDs returns the ids of the keys held, current first.
func (k *Keyring) IDs() []byte { return append([]byte(nil), k.ids...) }

// Seal encrypts plaintext under the current key with label as additional
// data and returns the sealed value (format in the package comment). An
// empty plaintext seals to nil (stored as NULL: "no phone").
func (k *Keyring) Seal(label, plaintext string) []byte {
	if plaintext == "" {
		return nil
	}
	return k.SealBytes(label, []byte(plaintext))
}

// SealBytes is Seal for binary data (a stored file); an empty plaintext
// seals to nil.
func (k *Keyring) SealBytes(label string, plaintext []byte) []byte {
	if len(plaintext) == 0 {
		return nil
	}
	out := make([]byte, 1+NonceSize, Overhead+len(plaintext))
	out[0] = k.current
	if _, err := rand.Read(out[1:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return k.aeads[k.current].Seal(out, out[1:1+NonceSize], plaintext, []byte(label))
}

// Open decrypts a value sealed by Seal under label. nil opens to "". It
// returns ErrMalformed, ErrUnknownKey or ErrDecrypt (wrapped, with the key
// id), never a partial value.
func (k *Keyring) Open(label string, sealed []byte) (string, error) {
	plain, err := k.OpenBytes(label, sealed)
	return string(plain), err
}

// OpenBytes is Open for binary data: nil opens to nil; the errors are
// Open's.
func (k *Keyring) OpenBytes(label string, sealed []byte) ([]byte, error) {
	if sealed == nil {
		return nil, nil
	}
	if len(sealed) < Overhead {
		return nil, ErrMalformed
	}
	aead := k.aeads[sealed[0]]
	if aead == nil {
		return nil, fmt.Errorf("%w (key id %d)", ErrUnknownKey, sealed[0])
	}
	plain, err := aead.Open(nil, sealed[1:1+NonceSize], sealed[1+NonceSize:], []byte(label))
	if err != nil {
		return nil, fmt.Errorf("%w (key id %d, %s)", ErrDecrypt, sealed[0], label)
	}
	return plain, nil
}

// KeyID returns the id of the key that sealed a value (0 for nil).
func KeyID(sealed []byte) byte {
	if len(sealed) == 0 {
		return 0
	}
	return sealed[0]
}

// Hash returns HMAC-SHA256(hash key, label || 0 || value), 32 bytes; an
// empty value hashes to nil. Equal values under one label give equal
// hashes, which is what exact search and UNIQUE constraints need.
func (k *Keyring) Hash(label, value string) []byte {
	if value == "" {
		return nil
	}
	h := k.hashes.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(label))
	h.Write([]byte{0})
	h.Write([]byte(value))
	out := h.Sum(make([]byte, 0, HashSize))
	k.hashes.Put(h)
	return out
}
