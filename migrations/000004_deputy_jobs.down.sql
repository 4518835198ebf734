DELETE FROM jobs WHERE kind IN ('deputy_import', 'deputy_export');
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check CHECK (kind IN ('household_import', 'household_export'));
