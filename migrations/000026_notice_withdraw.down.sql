ALTER TABLE notices DROP COLUMN withdrawn_at, DROP COLUMN withdrawn_by, DROP COLUMN withdraw_reason;
