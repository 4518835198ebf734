-- Deputy roster imports and exports run as jobs too.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
    CHECK (kind IN ('household_import', 'household_export', 'deputy_import', 'deputy_export'));
