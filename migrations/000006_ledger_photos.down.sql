DROP TABLE IF EXISTS ledger_photos;
DROP FUNCTION IF EXISTS ledger_photos_guard_approved();
