UPDATE pairings SET end_reason = 'transferred' WHERE end_reason = 'rejected';
ALTER TABLE pairings DROP CONSTRAINT pairings_end_reason_check;
ALTER TABLE pairings ADD CONSTRAINT pairings_end_reason_check
    CHECK (end_reason IN ('household_exited', 'deputy_left_office', 'transferred'));
DROP TABLE IF EXISTS goal_checks;
ALTER TABLE goals DROP COLUMN IF EXISTS target_exit_year;
ALTER TABLE measures DROP COLUMN IF EXISTS outcome_recorded_by, DROP COLUMN IF EXISTS outcome_confirmed_on, DROP COLUMN IF EXISTS status;
DROP INDEX IF EXISTS pairings_status_idx;
DROP INDEX IF EXISTS pairings_one_proposed_per_household;
ALTER TABLE pairings DROP COLUMN IF EXISTS confirmed_at, DROP COLUMN IF EXISTS confirmed_by, DROP COLUMN IF EXISTS proposed_by,
    DROP COLUMN IF EXISTS proposal_reason, DROP COLUMN IF EXISTS application_id;
DROP TABLE IF EXISTS poverty_lines;
DROP TABLE IF EXISTS township_adjacency;
DROP TABLE IF EXISTS applications;
