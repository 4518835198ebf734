package config

import (
	"strings"
	"testing"
	"time"

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

// TestDatabaseTimeLimits: the time limits on waiting for the database
// default to values under the 5 s a page may take, read Go durations, and
// refuse anything else with the variable's name.
func TestDatabaseTimeLimits(t *testing.T) {
	vars := map[string]string{}
	get := env(vars)
	c, err := FromEnv(get)
	if err != nil {
		t.Fatal(err)
	}
	if c.RequestTimeout != 4*time.Second || c.Pool.LockTimeout != 3*time.Second || c.Pool.ConnectTimeout != 3*time.Second ||
		c.Pool.StatementTimeout != time.Minute || c.JobTimeout != 10*time.Minute || c.MaxJobs != 2 {
		t.Errorf("defaults: %+v %+v %v %d", c.RequestTimeout, c.Pool, c.JobTimeout, c.MaxJobs)
	}
	vars["REQUEST_TIMEOUT"], vars["DB_LOCK_TIMEOUT"], vars["MAX_JOBS"] = "2500ms", "1s", "3"
	if c, err = FromEnv(get); err != nil || c.RequestTimeout != 2500*time.Millisecond || c.Pool.LockTimeout != time.Second || c.MaxJobs != 3 {
		t.Errorf("set: %v %v %d, %v", c.RequestTimeout, c.Pool.LockTimeout, c.MaxJobs, err)
	}
	for k, v := range map[string]string{"DB_STATEMENT_TIMEOUT": "60", "JOB_TIMEOUT": "-1m", "MAX_JOBS": "0"} {
		if _, err := FromEnv(env(map[string]string{k: v})); err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
}
