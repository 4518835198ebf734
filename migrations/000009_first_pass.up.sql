-- How often the township chair returned an entry: an entry approved with
-- return_count = 0 was approved on first submission (一次通过), a term of the
-- township ranking; returns count against the deputy's evaluation.
ALTER TABLE ledger_entries ADD COLUMN return_count integer NOT NULL DEFAULT 0 CHECK (return_count >= 0);

-- Backfill from the audit log; approved entries are guarded, so the guard
-- is lifted for this one statement.
ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_guard_approved;
UPDATE ledger_entries e SET return_count = r.n
FROM (SELECT entity_id, count(*)::int AS n FROM audit_events
      WHERE action = 'ledger_entry.return' AND entity = 'ledger_entry' GROUP BY entity_id) r
WHERE r.entity_id = e.id;
UPDATE ledger_entries SET return_count = 1 WHERE status = 'returned' AND return_count = 0;
ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_guard_approved;

CREATE INDEX ledger_entries_entry_date_idx ON ledger_entries (entry_date);
