DROP TRIGGER audit_events_fresh ON audit_events;
DROP FUNCTION audit_events_fresh();
