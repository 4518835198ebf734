-- Password age (等保 2.0 身份鉴别: 定期更换): when staff require it (app_meta
-- password_max_age_days > 0), a password older than that many days must be
-- changed at the next request, like an initial one.
ALTER TABLE users ADD COLUMN password_changed_at timestamptz NOT NULL DEFAULT now();
