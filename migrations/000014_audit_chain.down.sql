-- The role bangfu_app belongs to the cluster (other databases may use it):
-- only its privileges here are taken back.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'bangfu_app') THEN
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM bangfu_app;
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM bangfu_app;
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM bangfu_app;
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM bangfu_app;
    END IF;
END;
$$;
DROP FUNCTION IF EXISTS app_role_grants();
DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;
DROP TRIGGER IF EXISTS audit_events_enqueue ON audit_events;
DROP FUNCTION IF EXISTS audit_seal(integer);
DROP FUNCTION IF EXISTS audit_events_enqueue();
DROP FUNCTION IF EXISTS audit_event_content(audit_events);
DROP FUNCTION IF EXISTS audit_field(text);
DROP TABLE IF EXISTS audit_chain_head, audit_chain, audit_unsealed;
DROP INDEX IF EXISTS audit_events_user_idx;
DROP INDEX IF EXISTS audit_events_at_idx;
ALTER TABLE audit_events DROP COLUMN IF EXISTS role, DROP COLUMN IF EXISTS ip, DROP COLUMN IF EXISTS request_id;
