-- Personal data encrypted at rest (issue 8): resident ID numbers and phones
-- are stored only as AES-256-GCM ciphertext (*_enc, format in
-- internal/vault) with keyed HMAC-SHA256 hashes (*_hash) for exact search,
-- the "last 4 characters" search (id_tail_hash) and uniqueness.
--
-- SQL cannot encrypt, so the plaintext columns are renamed legacy_* and left
-- nullable: the binary encrypts any legacy row right after migrating
-- (store.EncryptLegacy, run by `up`, `migrate` and `serve`), nulls the
-- plaintext, then validates the *_encrypted constraints, which were added
-- NOT VALID so that they bind every new or changed row at once and, once
-- validated, prove that no plaintext remains. On a new database there are
-- no legacy rows.

DROP INDEX households_id_tail_idx;
DROP INDEX household_members_id_tail_idx;

ALTER TABLE households DROP CONSTRAINT households_id_number_key;
ALTER TABLE households DROP CONSTRAINT households_id_number_check;
ALTER TABLE households RENAME COLUMN id_number TO legacy_id_number;
ALTER TABLE households RENAME COLUMN phone TO legacy_phone;
ALTER TABLE households
    ALTER COLUMN legacy_id_number DROP NOT NULL,
    ALTER COLUMN legacy_phone DROP NOT NULL,
    ALTER COLUMN legacy_phone DROP DEFAULT,
    ADD COLUMN id_enc       bytea CHECK (octet_length(id_enc) = 47),
    ADD COLUMN id_hash      bytea CHECK (octet_length(id_hash) = 32),
    ADD COLUMN id_tail_hash bytea CHECK (octet_length(id_tail_hash) = 32),
    ADD COLUMN phone_enc    bytea CHECK (octet_length(phone_enc) > 29),
    ADD COLUMN phone_hash   bytea CHECK (octet_length(phone_hash) = 32),
    ADD CONSTRAINT households_encrypted CHECK (legacy_id_number IS NULL AND legacy_phone IS NULL
        AND id_enc IS NOT NULL AND id_hash IS NOT NULL AND id_tail_hash IS NOT NULL
        AND (phone_enc IS NULL) = (phone_hash IS NULL)) NOT VALID;
CREATE UNIQUE INDEX households_id_hash_key ON households (id_hash);
CREATE INDEX households_id_tail_hash_idx ON households (id_tail_hash);

ALTER TABLE household_members DROP CONSTRAINT household_members_id_number_key;
ALTER TABLE household_members DROP CONSTRAINT household_members_id_number_check;
ALTER TABLE household_members RENAME COLUMN id_number TO legacy_id_number;
ALTER TABLE household_members
    ALTER COLUMN legacy_id_number DROP NOT NULL,
    ADD COLUMN id_enc  bytea CHECK (octet_length(id_enc) = 47),
    ADD COLUMN id_hash bytea CHECK (octet_length(id_hash) = 32),
    ADD CONSTRAINT household_members_encrypted CHECK (legacy_id_number IS NULL
        AND id_enc IS NOT NULL AND id_hash IS NOT NULL) NOT VALID;
CREATE UNIQUE INDEX household_members_id_hash_key ON household_members (id_hash);

ALTER TABLE deputies RENAME COLUMN phone TO legacy_phone;
ALTER TABLE deputies
    ALTER COLUMN legacy_phone DROP NOT NULL,
    ALTER COLUMN legacy_phone DROP DEFAULT,
    ADD COLUMN phone_enc  bytea CHECK (octet_length(phone_enc) > 29),
    ADD COLUMN phone_hash bytea CHECK (octet_length(phone_hash) = 32),
    ADD CONSTRAINT deputies_encrypted CHECK (legacy_phone IS NULL
        AND (phone_enc IS NULL) = (phone_hash IS NULL)) NOT VALID;

-- Job files (import and export workbooks: a staff export holds every ID
-- number in full) are sealed by the binary from now on, chunk by chunk; the
-- files stored in plaintext until now are dropped (exporting again makes a
-- new one).
DELETE FROM job_file_chunks;
