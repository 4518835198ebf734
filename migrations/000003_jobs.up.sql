-- Long-running work a user starts from a page (Excel import and export): its
-- progress, its outcome and (for exports) the file, so the user can leave the
-- page and come back.
CREATE TABLE jobs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('household_import', 'household_export')),
    user_id     bigint NOT NULL REFERENCES users (id),
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    phase       text NOT NULL DEFAULT '',
    done        integer NOT NULL DEFAULT 0,
    total       integer NOT NULL DEFAULT 0,
    message     text NOT NULL DEFAULT '',
    result      jsonb,
    file_name   text NOT NULL DEFAULT '',
    file        bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX jobs_user_idx ON jobs (user_id, id DESC);
