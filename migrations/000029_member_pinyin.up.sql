-- The pinyin key of every member's name ("initials|full", pinyin.Key), so
-- that the household search finds a household by any member (a spouse, a
-- child), not only by its head. NULL until the application has filled it
-- (store.FillMemberPinyin, run by Migrate and after every member write).
ALTER TABLE household_members ADD COLUMN IF NOT EXISTS name_pinyin text;
