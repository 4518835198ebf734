ALTER TABLE users DROP COLUMN password_changed_at;
DELETE FROM app_meta WHERE key = 'password_max_age_days';
