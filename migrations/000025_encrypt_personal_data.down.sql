-- Back to plaintext columns. SQL cannot decrypt: this succeeds only while no
-- row holds encrypted data (e.g. right after the up migration on a database
-- whose legacy rows were not yet encrypted); otherwise SET NOT NULL fails and
-- the whole step rolls back, losing nothing. Sealed job files cannot be
-- read by the older binary: they are dropped.
DELETE FROM job_file_chunks;
ALTER TABLE deputies DROP CONSTRAINT deputies_encrypted;
UPDATE deputies SET legacy_phone = '' WHERE legacy_phone IS NULL AND phone_enc IS NULL;
ALTER TABLE deputies ALTER COLUMN legacy_phone SET DEFAULT '', ALTER COLUMN legacy_phone SET NOT NULL,
    DROP COLUMN phone_enc, DROP COLUMN phone_hash;
ALTER TABLE deputies RENAME COLUMN legacy_phone TO phone;

DROP INDEX household_members_id_hash_key;
ALTER TABLE household_members DROP CONSTRAINT household_members_encrypted;
ALTER TABLE household_members ALTER COLUMN legacy_id_number SET NOT NULL, DROP COLUMN id_enc, DROP COLUMN id_hash;
ALTER TABLE household_members RENAME COLUMN legacy_id_number TO id_number;
ALTER TABLE household_members ADD CONSTRAINT household_members_id_number_key UNIQUE (id_number),
    ADD CONSTRAINT household_members_id_number_check CHECK (id_number ~ '^[0-9]{17}[0-9X]$');

DROP INDEX households_id_tail_hash_idx;
DROP INDEX households_id_hash_key;
ALTER TABLE households DROP CONSTRAINT households_encrypted;
UPDATE households SET legacy_phone = '' WHERE legacy_phone IS NULL AND phone_enc IS NULL;
ALTER TABLE households ALTER COLUMN legacy_id_number SET NOT NULL, ALTER COLUMN legacy_phone SET DEFAULT '',
    ALTER COLUMN legacy_phone SET NOT NULL, DROP COLUMN id_enc, DROP COLUMN id_hash, DROP COLUMN id_tail_hash,
    DROP COLUMN phone_enc, DROP COLUMN phone_hash;
ALTER TABLE households RENAME COLUMN legacy_id_number TO id_number;
ALTER TABLE households RENAME COLUMN legacy_phone TO phone;
ALTER TABLE households ADD CONSTRAINT households_id_number_key UNIQUE (id_number),
    ADD CONSTRAINT households_id_number_check CHECK (id_number ~ '^[0-9]{17}[0-9X]$');

CREATE INDEX households_id_tail_idx ON households (right(id_number, 4));
CREATE INDEX household_members_id_tail_idx ON household_members (right(id_number, 4));
