package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/jackc/pgx/v5"
)

const userColumns = `id, username, display_name, role, coalesce(township_code, '') AS township_code,
	coalesce(deputy_id, 0) AS deputy_id, active, must_change_password, ` + passwordExpired + ` AS password_expired,
	password_changed_at,
	coalesce((SELECT d.kind = 'unit' FROM deputies d WHERE d.id = users.deputy_id), false) AS unit`

// passwordExpired is true when staff require a password change every N days
// (app_meta password_max_age_days > 0) and the password is older than that.
const passwordExpired = `coalesce(password_changed_at < now() - make_interval(days =>
	(SELECT CASE WHEN value ~ '^[1-9][0-9]{0,3}$' THEN value::int END FROM app_meta WHERE key = 'password_max_age_days')), false)`

type userRow struct {
	ID           int64  `db:"id"`
	Username     string `db:"username"`
	DisplayName  string `db:"display_name"`
	Role         string `db:"role"`
	TownshipCode string `db:"township_code"`
	DeputyID     int64  `db:"deputy_id"`
	Active       bool   `db:"active"`
	MustChange   bool   `db:"must_change_password"`
	Expired      bool   `db:"password_expired"`
	// PasswordAt is when the password was last set.
	PasswordAt time.Time `db:"password_changed_at"`
	Unit       bool      `db:"unit"`
}

func (r userRow) user() auth.User {
	return auth.User{ID: r.ID, Username: r.Username, DisplayName: r.DisplayName, Role: auth.Role(r.Role),
		TownshipCode: r.TownshipCode, DeputyID: r.DeputyID, Unit: r.Unit, Active: r.Active, MustChangePassword: r.MustChange,
		PasswordExpired: r.Expired, PasswordChangedAt: r.PasswordAt}
}

// User returns the active user with id, or ErrNotFound (also for a disabled
// user, so that disabling ends its sessions at the next request).
func (s *Store) User(ctx context.Context, id int64) (auth.User, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 AND active`, id)
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[userRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.User{}, ErrNotFound
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("store.User %d: %w", id, err)
	}
	return r.user(), nil
}

// UserForLogin returns the active user named username and its password hash,
// or ErrNotFound.
func (s *Store) UserForLogin(ctx context.Context, username string) (auth.User, string, error) {
	var r userRow
	var hash string
	err := s.Pool.QueryRow(ctx, `SELECT id, username, display_name, role, coalesce(township_code, ''), coalesce(deputy_id, 0), active,
		must_change_password, password_changed_at, coalesce((SELECT d.kind = 'unit' FROM deputies d WHERE d.id = users.deputy_id), false),
		password_hash FROM users WHERE username = $1 AND active`, username).
		Scan(&r.ID, &r.Username, &r.DisplayName, &r.Role, &r.TownshipCode, &r.DeputyID, &r.Active, &r.MustChange, &r.PasswordAt, &r.Unit, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.User{}, "", ErrNotFound
	}
	if err != nil {
		return auth.User{}, "", fmt.Errorf("store.UserForLogin: %w", err)
	}
	return r.user(), hash, nil
}

// NewUser is an account to create. PasswordHash is an argon2id PHC string.
type NewUser struct {
	Username     string
	DisplayName  string
	PasswordHash string
	Role         auth.Role
	TownshipCode string
	DeputyID     int64
	// MustChangePassword: the password is a random initial one.
	MustChangePassword bool
}

// CreateUser inserts u and audits it as done by actorID (0 = system). A taken
// username returns ErrConflict.
func (s *Store) CreateUser(ctx context.Context, u NewUser, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, err = insertUser(ctx, tx, u)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "user.create", "user", id, nil, map[string]any{"username": u.Username, "role": u.Role})
	})
	if isUniqueViolation(err, "users_username_key") {
		return 0, ErrConflict
	}
	if err != nil {
		return 0, fmt.Errorf("store.CreateUser: %w", err)
	}
	return id, nil
}

func insertUser(ctx context.Context, tx pgx.Tx, u NewUser) (int64, error) {
	var township *string
	if u.TownshipCode != "" {
		township = &u.TownshipCode
	}
	var deputy *int64
	if u.DeputyID != 0 {
		deputy = &u.DeputyID
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, role, township_code, deputy_id, must_change_password)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.Username, u.DisplayName, u.PasswordHash, string(u.Role), township, deputy, u.MustChangePassword).Scan(&id)
	return id, err
}

// AuditLogin records a successful or failed sign-in (userID 0 when the name is
// unknown).
// Lockout rule (等保 2.0 登录失败处理): LockoutFailures wrong passwords in a
// row lock an account for LockoutDuration.
const (
	LockoutFailures = 5
	LockoutDuration = 15 * time.Minute
)

// LockedUntil returns when the lock of account username ends, or the zero
// time when it is not locked at now (or does not exist).
func (s *Store) LockedUntil(ctx context.Context, username string, now time.Time) (time.Time, error) {
	var until *time.Time
	err := s.Pool.QueryRow(ctx, `SELECT locked_until FROM users WHERE username = $1`, username).Scan(&until)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && (until == nil || !until.After(now))) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store.LockedUntil: %w", err)
	}
	return *until, nil
}

// LoginFailed records a wrong password for username at now (an audit event
// user.login_failed, and for an existing account one more failure in a
// row); the LockoutFailures-th locks the account until now+LockoutDuration
// (audited user.locked) and returns that time, else the zero time.
func (s *Store) LoginFailed(ctx context.Context, userID int64, username string, now time.Time) (time.Time, error) {
	var locked time.Time
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := audit(ctx, tx, userID, "user.login_failed", "user", userID, nil, map[string]string{"username": typedUsername(username)}); err != nil {
			return err
		}
		if userID == 0 {
			return nil
		}
		var n int
		if err := tx.QueryRow(ctx, `UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins`, userID).Scan(&n); err != nil {
			return err
		}
		if n < LockoutFailures {
			return nil
		}
		locked = now.Add(LockoutDuration)
		if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = $2 WHERE id = $1`, userID, locked); err != nil {
			return err
		}
		return audit(ctx, tx, userID, "user.locked", "user", userID, nil,
			map[string]string{"username": typedUsername(username), "locked_until": locked.Format(time.RFC3339)})
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store.LoginFailed: %w", err)
	}
	return locked, nil
}

// AuditLogin records a login (ok) or a refused one; a successful login also
// clears the account's failure count and lock.
func (s *Store) AuditLogin(ctx context.Context, userID int64, username string, ok bool) error {
	action := "user.login"
	if !ok {
		action = "user.login_failed"
	}
	return s.InTx(ctx, func(tx pgx.Tx) error {
		if ok {
			if _, err := tx.Exec(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1`, userID); err != nil {
				return err
			}
		}
		return audit(ctx, tx, userID, action, "user", userID, nil, map[string]string{"username": typedUsername(username)})
	})
}

// PasswordHash returns the argon2id hash of active user id.
func (s *Store) PasswordHash(ctx context.Context, id int64) (string, error) {
	var hash string
	err := s.Pool.QueryRow(ctx, `SELECT password_hash FROM users WHERE id = $1 AND active`, id).Scan(&hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store.PasswordHash: %w", err)
	}
	return hash, nil
}

// ChangePassword stores a new argon2id hash for user id, clears the
// must-change flag, restarts the password's age (returned: sessions signed in
// before it end, see web's loadUser) and writes the audit event, in one transaction.
func (s *Store) ChangePassword(ctx context.Context, id int64, hash string) (time.Time, error) {
	var at time.Time
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `UPDATE users SET password_hash = $2, must_change_password = false, password_changed_at = clock_timestamp()
			WHERE id = $1 RETURNING password_changed_at`, id, hash).Scan(&at); err != nil {
			return err
		}
		return audit(ctx, tx, id, "user.password", "user", id, nil, nil)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("store.ChangePassword: %w", err)
	}
	return at, nil
}

// PasswordMaxAgeDays is the number of days after which a password must be
// changed (app_meta password_max_age_days); 0 means no such rule.
func (s *Store) PasswordMaxAgeDays(ctx context.Context) (int, error) {
	var v string
	err := s.Pool.QueryRow(ctx, `SELECT value FROM app_meta WHERE key = 'password_max_age_days'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store.PasswordMaxAgeDays: %w", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, nil
	}
	return n, nil
}

// SetPasswordMaxAgeDays stores the password age rule (0: off; else 30–365
// days), with an audit event, in one transaction.
func (s *Store) SetPasswordMaxAgeDays(ctx context.Context, days int, actorID int64) error {
	if days != 0 && (days < 30 || days > 365) {
		return fmt.Errorf("store.SetPasswordMaxAgeDays: %d out of 30–365", days)
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var before *string
		_ = tx.QueryRow(ctx, `SELECT value FROM app_meta WHERE key = 'password_max_age_days' FOR UPDATE`).Scan(&before)
		if _, err := tx.Exec(ctx, `INSERT INTO app_meta (key, value) VALUES ('password_max_age_days', $1)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, strconv.Itoa(days)); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "settings.password_age", "settings", 0, map[string]any{"days": before}, map[string]int{"days": days})
	})
	if err != nil {
		return fmt.Errorf("store.SetPasswordMaxAgeDays: %w", err)
	}
	return nil
}

// usernamePattern is what an account name may be (users.username's CHECK).
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

// typedUsername is what a sign-in's audit event keeps of the name typed: the
// name when it could be an account's, else only that it could not (a
// password typed into the wrong box, or junk, is not kept for good).
func typedUsername(s string) string {
	if usernamePattern.MatchString(s) {
		return s
	}
	return fmt.Sprintf("（不是有效的用户名，%d个字符）", utf8.RuneCountInString(s))
}

// UserAdmin is a change an administrator makes to an account from the
// command line (bangfu user …).
type UserAdmin string

// The account changes of `bangfu user`: disable (its sessions end at their
// next request), enable, unlock (clears a lockout) and reset (a new
// password, to be changed at the next sign-in; other sessions end).
const (
	UserDisable UserAdmin = "disable"
	UserEnable  UserAdmin = "enable"
	UserUnlock  UserAdmin = "unlock"
	UserReset   UserAdmin = "reset"
)

// AdministerUser applies op to the account named username, with an audit
// event "user.<op>" (actor: the system, via the command line), in one
// transaction. hash is the new argon2id hash for UserReset (ignored
// otherwise). ErrNotFound if there is no such account.
func (s *Store) AdministerUser(ctx context.Context, username string, op UserAdmin, hash string) error {
	var sql string
	var args []any
	switch op {
	case UserDisable:
		sql, args = `UPDATE users SET active = false WHERE username = $1 RETURNING id`, []any{username}
	case UserEnable:
		sql, args = `UPDATE users SET active = true WHERE username = $1 RETURNING id`, []any{username}
	case UserUnlock:
		sql, args = `UPDATE users SET failed_logins = 0, locked_until = NULL WHERE username = $1 RETURNING id`, []any{username}
	case UserReset:
		if hash == "" {
			return fmt.Errorf("store.AdministerUser: reset needs a password hash")
		}
		sql, args = `UPDATE users SET password_hash = $2, must_change_password = true, password_changed_at = clock_timestamp(),
			failed_logins = 0, locked_until = NULL WHERE username = $1 RETURNING id`, []any{username, hash}
	default:
		return fmt.Errorf("store.AdministerUser: unknown change %q", op)
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		return audit(ctx, tx, 0, "user."+string(op), "user", id, nil, map[string]string{"username": username, "via": "bangfu user"})
	})
	if errors.Is(err, ErrNotFound) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("store.AdministerUser %s: %w", op, err)
	}
	return nil
}
