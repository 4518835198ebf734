-- Photos as evidence of ledger entries, kept in the database so that a
-- backup of the database keeps them. Re-encoded as JPEG by the server (EXIF,
-- including the phone's GPS position, is dropped).
CREATE TABLE ledger_photos (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id     bigint NOT NULL REFERENCES ledger_entries (id),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg')),
    data         bytea NOT NULL,
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_photos_entry_idx ON ledger_photos (entry_id);

-- The photos of an approved entry are as immutable as the entry.
CREATE FUNCTION ledger_photos_guard_approved() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    st text;
BEGIN
    SELECT status INTO st FROM ledger_entries WHERE id = coalesce(NEW.entry_id, OLD.entry_id);
    IF st = 'approved' THEN
        RAISE EXCEPTION 'ledger entry % is approved: its photos cannot change', coalesce(NEW.entry_id, OLD.entry_id)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ledger_photos_guard_approved
    BEFORE INSERT OR UPDATE OR DELETE ON ledger_photos
    FOR EACH ROW EXECUTE FUNCTION ledger_photos_guard_approved();
