-- Notices (通知公告): staff publish a notice (e.g. the prefecture's 倡议书
-- and the county's 活动方案) to an audience; the recipients are resolved
-- when it is published and kept (a snapshot: later changes to deputies,
-- accounts or townships do not rewrite who was sent what); each recipient's
-- first reading is recorded. Attachments live in the database, like ledger
-- photos, so that a backup keeps them.

CREATE TABLE notices (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    -- all: every deputy in office; level: deputies of one of levels;
    -- township: deputies living in, or paired with a household in, one of
    -- townships; chairs: the township chairs (of townships, or all when empty).
    audience      text NOT NULL CHECK (audience IN ('all', 'level', 'township', 'chairs')),
    levels        text[] NOT NULL DEFAULT '{}'
                      CHECK (levels <@ ARRAY['national', 'provincial', 'prefectural', 'county', 'township']),
    townships     text[] NOT NULL DEFAULT '{}',
    -- A button to the application form (申请书) on the notice.
    call_to_apply boolean NOT NULL DEFAULT false,
    -- form_token makes a resent form (double click, two tabs) publish once.
    form_token    uuid UNIQUE,
    published_by  bigint REFERENCES users (id),
    published_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (audience <> 'level' OR cardinality(levels) >= 1),
    CHECK (audience <> 'township' OR cardinality(townships) >= 1)
);
CREATE INDEX notices_published_idx ON notices (published_at DESC, id DESC);

-- Attachments: PDF or Word (.doc, .docx), type checked from the bytes and
-- the name.
CREATE TABLE notice_files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id    bigint NOT NULL REFERENCES notices (id),
    file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'application/msword',
                     'application/vnd.openxmlformats-officedocument.wordprocessingml.document')),
    size_bytes   integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
    data         bytea NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notice_files_notice_idx ON notice_files (notice_id);

-- Recipients as resolved at publishing: a deputy (whether or not it has an
-- account; it reads with the account it has or gets later) or a township's
-- chair office (any chair account of that township reads for it).
-- township_code is the deputy's home township, or the chair's township, at
-- publishing time: the per-township counts group by it.
CREATE TABLE notice_recipients (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id     bigint NOT NULL REFERENCES notices (id),
    kind          text NOT NULL CHECK (kind IN ('deputy', 'chair')),
    deputy_id     bigint REFERENCES deputies (id),
    township_code text NOT NULL REFERENCES divisions (code),
    had_account   boolean NOT NULL,
    CHECK ((kind = 'deputy') = (deputy_id IS NOT NULL))
);
CREATE UNIQUE INDEX notice_recipients_deputy_idx ON notice_recipients (notice_id, deputy_id) WHERE kind = 'deputy';
CREATE UNIQUE INDEX notice_recipients_chair_idx ON notice_recipients (notice_id, township_code) WHERE kind = 'chair';
CREATE INDEX notice_recipients_of_deputy_idx ON notice_recipients (deputy_id) WHERE kind = 'deputy';
CREATE INDEX notice_recipients_of_chair_idx ON notice_recipients (township_code) WHERE kind = 'chair';

-- The first reading of each recipient (once: the primary key), by whom.
CREATE TABLE notice_reads (
    recipient_id bigint PRIMARY KEY REFERENCES notice_recipients (id),
    user_id      bigint REFERENCES users (id),
    read_at      timestamptz NOT NULL DEFAULT now()
);
