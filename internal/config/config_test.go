package config

import (
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/vault"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestDataKeys: without DATA_KEYS the development keyring is used, except in
// production (SECURE_COOKIES=true), where starting is refused; given keys are
// parsed, the first one current, and never shown in the redacted dump.
func TestDataKeys(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil || !c.Keys.IsDev() {
		t.Fatalf("no keys in development: %v, dev %v", err, c.Keys != nil && c.Keys.IsDev())
	}
	if _, err := FromEnv(env(map[string]string{"SECURE_COOKIES": "true"})); err == nil || !strings.Contains(err.Error(), "DATA_KEYS") {
		t.Fatalf("no keys in production: %v", err)
	}
	secret, hash := vault.NewSecret(), vault.NewSecret()
	c, err = FromEnv(env(map[string]string{"SECURE_COOKIES": "true", "DATA_KEYS": "3:" + secret + ",1:" + vault.NewSecret(), "DATA_HASH_KEY": hash}))
	if err != nil || c.Keys.IsDev() || c.Keys.CurrentID() != 3 {
		t.Fatalf("keys in production: %v", err)
	}
	for k, v := range c.Redacted() {
		if strings.Contains(v, secret) || strings.Contains(v, hash) {
			t.Errorf("redacted %s shows a key", k)
		}
	}
	if _, err := FromEnv(env(map[string]string{"DATA_KEYS": "1:" + secret})); err == nil {
		t.Error("DATA_KEYS without DATA_HASH_KEY accepted")
	}
}
