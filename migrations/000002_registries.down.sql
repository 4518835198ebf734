ALTER TABLE pairings DROP COLUMN IF EXISTS needs_reassignment;
DROP TABLE IF EXISTS household_status_history;
DROP INDEX IF EXISTS household_members_id_tail_idx;
ALTER TABLE household_members
    DROP COLUMN IF EXISTS position,
    DROP COLUMN IF EXISTS migrant_work,
    DROP COLUMN IF EXISTS schooling,
    DROP COLUMN IF EXISTS education,
    DROP COLUMN IF EXISTS ethnicity;
DROP INDEX IF EXISTS households_id_tail_idx;
DROP INDEX IF EXISTS households_head_pinyin_idx;
DROP INDEX IF EXISTS households_head_stroke_idx;
ALTER TABLE households
    DROP COLUMN IF EXISTS version,
    DROP COLUMN IF EXISTS remark,
    DROP COLUMN IF EXISTS head_pinyin;
DROP INDEX IF EXISTS deputies_name_pinyin_idx;
DROP INDEX IF EXISTS deputies_name_stroke_idx;
ALTER TABLE deputies
    DROP COLUMN IF EXISTS version,
    DROP COLUMN IF EXISTS left_office_date,
    DROP COLUMN IF EXISTS name_pinyin,
    DROP COLUMN IF EXISTS credential_number;
DROP COLLATION IF EXISTS zh_pinyin;
DROP COLLATION IF EXISTS zh_stroke;
