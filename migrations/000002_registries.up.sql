-- Registries fit for office work: every field of DESIGN.md §3, pinyin search
-- keys, official ordering collations, optimistic locking and status history.

-- 按姓氏笔画 (official roster order) and pinyin order, via ICU.
CREATE COLLATION IF NOT EXISTS zh_stroke (provider = icu, locale = 'zh-u-co-stroke');
CREATE COLLATION IF NOT EXISTS zh_pinyin (provider = icu, locale = 'zh-u-co-pinyin');

ALTER TABLE deputies
    ADD COLUMN credential_number text NOT NULL DEFAULT '',
    ADD COLUMN name_pinyin       text NOT NULL DEFAULT '',
    ADD COLUMN left_office_date  date,
    ADD COLUMN version           integer NOT NULL DEFAULT 1;
CREATE INDEX deputies_name_stroke_idx ON deputies (name COLLATE zh_stroke, id);
CREATE INDEX deputies_name_pinyin_idx ON deputies (name_pinyin text_pattern_ops);

ALTER TABLE households
    ADD COLUMN head_pinyin text NOT NULL DEFAULT '',
    ADD COLUMN remark      text NOT NULL DEFAULT '',
    ADD COLUMN version     integer NOT NULL DEFAULT 1;
CREATE INDEX households_head_stroke_idx ON households (head_name COLLATE zh_stroke, id);
CREATE INDEX households_head_pinyin_idx ON households (head_pinyin text_pattern_ops);
CREATE INDEX households_id_tail_idx ON households (right(id_number, 4));

ALTER TABLE household_members
    ADD COLUMN ethnicity    text NOT NULL DEFAULT '汉族',
    ADD COLUMN education    text NOT NULL DEFAULT '',
    ADD COLUMN schooling    text NOT NULL DEFAULT '',
    ADD COLUMN migrant_work text NOT NULL DEFAULT '',
    ADD COLUMN position     integer NOT NULL DEFAULT 0;

-- A member's ID number may not also be another household's head ID: the
-- head is a member of its own household, so ID numbers are unique across
-- members; the head's member row carries the household's ID number.
CREATE INDEX household_members_id_tail_idx ON household_members (right(id_number, 4));

-- 脱贫状态 and 防返贫监测 history: one row per change, newest last.
CREATE TABLE household_status_history (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id bigint NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    status       text NOT NULL CHECK (status IN ('not_exited', 'exited', 'relapsed')),
    exited_year  integer,
    monitoring   text NOT NULL DEFAULT '',
    note         text NOT NULL DEFAULT '',
    changed_by   bigint REFERENCES users (id),
    changed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX household_status_history_household_idx ON household_status_history (household_id, id);

-- Pairings of a deputy who left office are flagged for reassignment.
ALTER TABLE pairings ADD COLUMN needs_reassignment boolean NOT NULL DEFAULT false;
