-- An audit event is written now and takes the next id of its identity: the
-- application's role (bangfu_app) may INSERT events but must not back-date
-- one or choose its id with OVERRIDING SYSTEM VALUE (which would also make
-- every later audited write fail once the sequence reached that id).
-- Restores are unaffected: pg_restore creates triggers after loading data.
CREATE FUNCTION audit_events_fresh() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    next bigint;
BEGIN
    BEGIN
        next := currval(pg_get_serial_sequence('audit_events', 'id'));
    EXCEPTION WHEN object_not_in_prerequisite_state THEN
        next := NULL; -- no id drawn in this session: the id was chosen
    END;
    IF next IS DISTINCT FROM NEW.id THEN
        RAISE EXCEPTION 'audit event ids come from their sequence' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    NEW.at := now();
    RETURN NEW;
END;
$$;
CREATE TRIGGER audit_events_fresh
    BEFORE INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_fresh();
