DROP INDEX IF EXISTS ledger_entries_entry_date_idx;
ALTER TABLE ledger_entries DROP COLUMN IF EXISTS return_count;
