-- Audit (issue 8): who (role), from where (client address, request id),
-- a hash chain over every event that `bangfu audit verify` walks, and a
-- database role for the application that can add audit events but never
-- change or remove them. See docs/security.md.

ALTER TABLE audit_events
    ADD COLUMN role       text,
    ADD COLUMN ip         text,
    ADD COLUMN request_id text;
CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_user_idx ON audit_events (user_id, id);

-- The chain is built after commit by audit_seal(), in the order events are
-- sealed (not identity order, which is not commit order), so that writers
-- never wait on one another: an AFTER INSERT trigger queues each new event
-- in audit_unsealed; audit_seal() takes the queued committed events under
-- the lock of the chain head, links each to the previous hash and removes
-- it from the queue.
CREATE TABLE audit_unsealed (
    event_id bigint PRIMARY KEY
);
CREATE TABLE audit_chain (
    seq       bigint PRIMARY KEY CHECK (seq > 0),
    event_id  bigint NOT NULL UNIQUE,
    prev_hash bytea NOT NULL,
    hash      bytea NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE audit_chain_head (
    id   boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq  bigint NOT NULL,
    hash bytea NOT NULL
);
INSERT INTO audit_chain_head (seq, hash) VALUES (0, decode(repeat('00', 32), 'hex'));
INSERT INTO audit_unsealed (event_id) SELECT id FROM audit_events;

-- audit_field encodes one value of the hashed message: NULL as ff ff ff ff,
-- else its length in bytes (4 bytes, big-endian) and its UTF-8 text.
-- store.VerifyAudit builds the same message in Go.
CREATE FUNCTION audit_field(v text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN '\xffffffff'::bytea
                ELSE int4send(octet_length(v)) || convert_to(v, 'UTF8') END
$$;

-- audit_event_content is every column of an event, each as audit_field
-- (time in microseconds since 1970, jsonb in PostgreSQL's canonical text).
-- A link's hash is SHA-256 over the previous link's hash, its position
-- (audit_field of seq) and this content.
CREATE FUNCTION audit_event_content(e audit_events) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT audit_field(e.id::text)
        || audit_field(((extract(epoch FROM e.at) * 1000000)::bigint)::text)
        || audit_field(e.user_id::text) || audit_field(e.role) || audit_field(e.ip)
        || audit_field(e.request_id) || audit_field(e.action) || audit_field(e.entity)
        || audit_field(e.entity_id::text) || audit_field(e.before::text) || audit_field(e.after::text)
$$;

CREATE FUNCTION audit_events_enqueue() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO audit_unsealed (event_id) VALUES (NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER audit_events_enqueue
    AFTER INSERT ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_enqueue();

-- audit_seal chains at most batch queued, committed events and returns how
-- many. Concurrent callers (several instances) wait on the head's lock.
-- A queued id whose event is gone stays queued (verify reports it).
CREATE FUNCTION audit_seal(batch integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    h      audit_chain_head%ROWTYPE;
    r      record;
    seqs   bigint[] := '{}';
    ids    bigint[] := '{}';
    prevs  bytea[] := '{}';
    hashes bytea[] := '{}';
BEGIN
    SELECT * INTO h FROM audit_chain_head FOR UPDATE;
    FOR r IN
        WITH picked AS (
            SELECT event_id FROM audit_unsealed ORDER BY event_id LIMIT batch),
        taken AS (
            DELETE FROM audit_unsealed u USING picked p, audit_events a
            WHERE u.event_id = p.event_id AND a.id = p.event_id
            RETURNING u.event_id)
        SELECT a.id, audit_event_content(a) AS content
        FROM taken t JOIN audit_events a ON a.id = t.event_id ORDER BY a.id
    LOOP
        h.seq := h.seq + 1;
        seqs := seqs || h.seq;
        ids := ids || r.id;
        prevs := prevs || h.hash;
        h.hash := sha256(h.hash || audit_field(h.seq::text) || r.content);
        hashes := hashes || h.hash;
    END LOOP;
    IF cardinality(seqs) > 0 THEN
        INSERT INTO audit_chain (seq, event_id, prev_hash, hash)
            SELECT * FROM unnest(seqs, ids, prevs, hashes);
        UPDATE audit_chain_head SET seq = h.seq, hash = h.hash;
    END IF;
    RETURN cardinality(seqs);
END;
$$;

-- The chain is append-only too, and neither table can be truncated.
CREATE TRIGGER audit_chain_append_only
    BEFORE UPDATE OR DELETE ON audit_chain
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_chain_no_truncate
    BEFORE TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The application's role. Roles belong to the cluster, so it may exist
-- already (another database, or tests creating databases at once).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bangfu_app') THEN
        BEGIN
            CREATE ROLE bangfu_app NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'role bangfu_app is missing and % may not create it; as a superuser run: CREATE ROLE bangfu_app NOLOGIN', current_user;
        END;
    END IF;
END;
$$;

-- app_role_grants gives bangfu_app what the application needs: every
-- table and sequence, except changing or removing audit events and writing
-- the chain (only audit_seal, running as the owner, does). `bangfu restore`
-- calls it again, since backups carry no privileges.
CREATE FUNCTION app_role_grants() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO bangfu_app;
    GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO bangfu_app;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM bangfu_app;
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit_chain, audit_chain_head, audit_unsealed FROM bangfu_app;
    IF to_regclass('schema_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM bangfu_app;
    END IF;
    -- Tables of later migrations, created by the same owner.
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO bangfu_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO bangfu_app;
END;
$$;
SELECT app_role_grants();
