-- Login lockout (等保 2.0: 登录失败处理): after 5 wrong passwords in a row an
-- account is locked for 15 minutes; a successful login resets the count.
ALTER TABLE users
    ADD COLUMN failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    ADD COLUMN locked_until  timestamptz;
