// Package config reads Bangfu's settings from the environment into one typed,
// validated struct.
package config

import (
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/vault"
)

// Config is every setting of the binary.
type Config struct {
	DatabaseURL   string // DATABASE_URL: PostgreSQL URL; empty lets `bangfu up` find or create one
	ListenAddr    string // LISTEN_ADDR: default ":8080"
	CountyCode    string // COUNTY_CODE: 6-digit county served; default 430681 (汨罗市)
	SecureCookies bool   // SECURE_COOKIES: set cookies Secure (behind HTTPS); default false
	// TrustedProxies (TRUSTED_PROXIES: comma-separated addresses or CIDR
	// ranges, e.g. "10.0.0.0/8") are the reverse proxies whose
	// X-Forwarded-For is believed: a request from one of them is taken to
	// come from the last address in that header that is not itself a
	// trusted proxy (for the audit log and the sign-in throttle). Empty:
	// the TCP peer is the client.
	TrustedProxies []netip.Prefix
	// DBRole (DB_ROLE) is the database role `serve` switches to after
	// connecting (SET ROLE): default bangfu_app, which cannot change or
	// remove audit events; "none" keeps the user of DATABASE_URL (when that
	// user is already restricted). Migrations and the other commands run
	// as the user of DATABASE_URL, the schema's owner.
	DBRole string
	// Keys seal and open resident ID numbers and phones (internal/vault),
	// from DATA_KEYS ("id:base64,..." of 32-byte keys, the first one
	// current) and DATA_HASH_KEY (base64 of 32 bytes). Without them the
	// development keyring (vault.Dev, published, protects nothing) is used,
	// except in production (SECURE_COOKIES=true), where that is an error.
	Keys *vault.Keyring
	// Time limits on waiting for the database (issue 9), each a Go
	// duration such as "4s" or "10m":
	//  - RequestTimeout (REQUEST_TIMEOUT, default 4s): a page's whole
	//    database work; past it the page answers 503 暂时无法服务.
	//  - JobTimeout (JOB_TIMEOUT, default 10m): one import or export job.
	//  - Pool.StatementTimeout (DB_STATEMENT_TIMEOUT, default 60s) and
	//    Pool.LockTimeout (DB_LOCK_TIMEOUT, default 3s): PostgreSQL's
	//    statement_timeout and lock_timeout on serve's connections.
	//  - Pool.ConnectTimeout (DB_CONNECT_TIMEOUT, default 3s): opening a
	//    connection.
	RequestTimeout time.Duration
	JobTimeout     time.Duration
	Pool           store.PoolLimits
	// MaxJobs (MAX_JOBS, default 2) is how many imports and exports one
	// instance runs at once; later ones wait, shown as 排队中.
	MaxJobs int
}

// durationEnv reads the duration variable name (def when unset).
func durationEnv(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("config: %s %q: want a positive duration such as 4s or 10m", name, v)
	}
	return d, nil
}

// FromEnv reads the configuration and validates it; getenv is os.Getenv in
// production.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL: getenv("DATABASE_URL"),
		ListenAddr:  getenv("LISTEN_ADDR"),
		CountyCode:  getenv("COUNTY_CODE"),
	}
	if c.ListenAddr == "" {
		c.ListenAddr = ":8080"
	}
	if c.CountyCode == "" {
		c.CountyCode = division.DefaultCounty
	}
	switch c.DBRole = getenv("DB_ROLE"); c.DBRole {
	case "":
		c.DBRole = "bangfu_app"
	case "none":
		c.DBRole = ""
	}
	if lvl, ok := division.LevelOf(c.CountyCode); !ok || lvl != division.County {
		return c, fmt.Errorf("config: COUNTY_CODE %q is not a 6-digit county code", c.CountyCode)
	}
	if v := strings.TrimSpace(getenv("TRUSTED_PROXIES")); v != "" {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			p, err := netip.ParsePrefix(f)
			if err != nil {
				a, aerr := netip.ParseAddr(f)
				if aerr != nil {
					return c, fmt.Errorf("config: TRUSTED_PROXIES %q: not an address or CIDR range", f)
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
	}
	if v := getenv("SECURE_COOKIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("config: SECURE_COOKIES %q: %w", v, err)
		}
		c.SecureCookies = b
	}
	durations := []struct {
		name string
		to   *time.Duration
		def  time.Duration
	}{
		{"REQUEST_TIMEOUT", &c.RequestTimeout, 4 * time.Second},
		{"JOB_TIMEOUT", &c.JobTimeout, 10 * time.Minute},
		{"DB_STATEMENT_TIMEOUT", &c.Pool.StatementTimeout, store.DefaultPoolLimits.StatementTimeout},
		{"DB_LOCK_TIMEOUT", &c.Pool.LockTimeout, store.DefaultPoolLimits.LockTimeout},
		{"DB_CONNECT_TIMEOUT", &c.Pool.ConnectTimeout, store.DefaultPoolLimits.ConnectTimeout},
	}
	for _, d := range durations {
		v, err := durationEnv(getenv, d.name, d.def)
		if err != nil {
			return c, err
		}
		*d.to = v
	}
	c.MaxJobs = 2
	if v := strings.TrimSpace(getenv("MAX_JOBS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("config: MAX_JOBS %q: want a whole number of at least 1", v)
		}
		c.MaxJobs = n
	}
	if c.DatabaseURL != "" {
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			return c, fmt.Errorf("config: DATABASE_URL: %w", err)
		}
	}
	keys, hashKey := getenv("DATA_KEYS"), getenv("DATA_HASH_KEY")
	switch {
	case keys != "" || hashKey != "":
		k, err := vault.Parse(keys, hashKey)
		if err != nil {
			return c, fmt.Errorf("config: DATA_KEYS / DATA_HASH_KEY: %w", err)
		}
		c.Keys = k
	case c.SecureCookies:
		return c, fmt.Errorf("config: DATA_KEYS and DATA_HASH_KEY must be set in production (SECURE_COOKIES=true); " +
			"`bangfu keys new` prints fresh keys (docs/operations.md)")
	default:
		c.Keys = vault.Dev()
	}
	return c, nil
}

// Redacted returns the configuration for the log, with the database password
// hidden.
func (c Config) Redacted() map[string]string {
	db := c.DatabaseURL
	if u, err := url.Parse(db); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		db = u.String()
	}
	keys := "development key (not secret)"
	if c.Keys != nil && !c.Keys.IsDev() {
		keys = fmt.Sprintf("key ids %v, current %d", c.Keys.IDs(), c.Keys.CurrentID())
	}
	return map[string]string{"DATABASE_URL": db, "LISTEN_ADDR": c.ListenAddr, "COUNTY_CODE": c.CountyCode,
		"SECURE_COOKIES": strconv.FormatBool(c.SecureCookies), "DB_ROLE": c.DBRole, "DATA_KEYS": keys,
		"REQUEST_TIMEOUT": c.RequestTimeout.String(), "JOB_TIMEOUT": c.JobTimeout.String(), "MAX_JOBS": strconv.Itoa(c.MaxJobs),
		"DB_STATEMENT_TIMEOUT": c.Pool.StatementTimeout.String(), "DB_LOCK_TIMEOUT": c.Pool.LockTimeout.String(),
		"DB_CONNECT_TIMEOUT": c.Pool.ConnectTimeout.String()}
}
