ALTER TABLE household_members DROP COLUMN IF EXISTS name_pinyin;
