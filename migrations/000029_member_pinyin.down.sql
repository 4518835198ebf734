ALTER TABLE household_members DROP COLUMN name_pinyin;
