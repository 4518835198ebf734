-- A published notice can be withdrawn by staff (a typo, the wrong audience):
-- recipients no longer see it; staff still do, with who withdrew it, when
-- and why. Nothing is deleted.
ALTER TABLE notices
    ADD COLUMN withdrawn_at    timestamptz,
    ADD COLUMN withdrawn_by    bigint REFERENCES users (id),
    ADD COLUMN withdraw_reason text NOT NULL DEFAULT '' CHECK (length(withdraw_reason) <= 200),
    ADD CONSTRAINT notices_withdrawn_with_reason CHECK ((withdrawn_at IS NULL) = (withdraw_reason = ''));
