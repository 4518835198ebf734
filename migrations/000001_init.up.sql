-- Bangfu initial schema: divisions, people, pairings, ledger, users, sessions, audit.
-- Money is numeric(14,2) yuan; timestamps are timestamptz; calendar days are date.

CREATE TABLE divisions (
    code                   text PRIMARY KEY CHECK (code ~ '^[0-9]{6}([0-9]{3}([0-9]{3})?)?$'),
    name                   text NOT NULL,
    level                  text NOT NULL CHECK (level IN ('county', 'township', 'village')),
    parent_code            text REFERENCES divisions (code),
    poor_village           boolean NOT NULL DEFAULT false,
    poor_village_exit_year integer CHECK (poor_village_exit_year BETWEEN 2000 AND 2100),
    relief_point           boolean NOT NULL DEFAULT false,
    CHECK ((level = 'county') = (parent_code IS NULL)),
    CHECK (level <> 'township' OR length(code) = 9),
    CHECK (level <> 'village' OR length(code) = 12)
);
CREATE INDEX divisions_parent_idx ON divisions (parent_code);

CREATE TABLE deputies (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    gender             text NOT NULL CHECK (gender IN ('male', 'female')),
    ethnicity          text NOT NULL DEFAULT '汉族',
    birth_date         date,
    levels             text[] NOT NULL CHECK (cardinality(levels) BETWEEN 1 AND 2
                           AND levels <@ ARRAY['national', 'provincial', 'prefectural', 'county', 'township']),
    category           text NOT NULL CHECK (category IN ('cadre', 'professional', 'frontline', 'private_sector', 'other')),
    term               text NOT NULL DEFAULT '',
    work_unit          text NOT NULL DEFAULT '',
    post               text NOT NULL DEFAULT '',
    phone              text NOT NULL DEFAULT '',
    home_township_code text NOT NULL REFERENCES divisions (code),
    home_village_code  text REFERENCES divisions (code),
    status             text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left_office')),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deputies_home_township_idx ON deputies (home_township_code);
CREATE INDEX deputies_name_idx ON deputies (name COLLATE "zh-Hans-x-icu");

CREATE TABLE households (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    village_code        text NOT NULL REFERENCES divisions (code),
    township_code       text NOT NULL GENERATED ALWAYS AS (substr(village_code, 1, 9)) STORED,
    group_name          text NOT NULL DEFAULT '',
    head_name           text NOT NULL CHECK (length(head_name) BETWEEN 1 AND 50),
    id_number           text NOT NULL UNIQUE CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
    phone               text NOT NULL DEFAULT '',
    attribute           text NOT NULL CHECK (attribute IN ('general', 'subsistence', 'extreme')),
    standard            text NOT NULL DEFAULT 'national' CHECK (standard IN ('national', 'provincial', 'prefectural')),
    main_cause          text NOT NULL,
    other_causes        text[] NOT NULL DEFAULT '{}' CHECK (cardinality(other_causes) <= 2),
    identification_year integer NOT NULL CHECK (identification_year BETWEEN 2000 AND 2100),
    per_capita_income   numeric(14, 2) NOT NULL DEFAULT 0 CHECK (per_capita_income >= 0),
    status              text NOT NULL DEFAULT 'not_exited' CHECK (status IN ('not_exited', 'exited', 'relapsed')),
    exited_year         integer CHECK (exited_year BETWEEN 2000 AND 2100),
    monitoring          text NOT NULL DEFAULT '' CHECK (monitoring IN ('', 'unstable', 'marginal', 'sudden_hardship')),
    planned_exit_year   integer CHECK (planned_exit_year BETWEEN 2000 AND 2100),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'exited') = (exited_year IS NOT NULL) OR status = 'relapsed')
);
CREATE INDEX households_township_idx ON households (township_code);
CREATE INDEX households_village_idx ON households (village_code);
CREATE INDEX households_head_name_idx ON households (head_name COLLATE "zh-Hans-x-icu");

CREATE TABLE household_members (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id bigint NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    sex          text NOT NULL CHECK (sex IN ('male', 'female')),
    id_number    text NOT NULL UNIQUE CHECK (id_number ~ '^[0-9]{17}[0-9X]$'),
    relation     text NOT NULL,
    health       text NOT NULL DEFAULT '健康',
    labour       text NOT NULL DEFAULT '普通劳动力'
);
CREATE INDEX household_members_household_idx ON household_members (household_id);

CREATE TABLE pairings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id bigint NOT NULL REFERENCES households (id),
    deputy_id    bigint NOT NULL REFERENCES deputies (id),
    start_date   date NOT NULL,
    end_date     date,
    status       text NOT NULL DEFAULT 'active' CHECK (status IN ('proposed', 'active', 'ended')),
    end_reason   text CHECK (end_reason IN ('household_exited', 'deputy_left_office', 'transferred')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'ended') = (end_date IS NOT NULL AND end_reason IS NOT NULL)),
    CHECK (end_date IS NULL OR end_date >= start_date)
);
-- 一户一代表: a household has at most one active pairing, whatever the Go code does.
CREATE UNIQUE INDEX pairings_one_active_per_household ON pairings (household_id) WHERE status = 'active';
CREATE INDEX pairings_deputy_idx ON pairings (deputy_id) WHERE status = 'active';

CREATE TABLE measures (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pairing_id        bigint NOT NULL REFERENCES pairings (id),
    support_type      text NOT NULL CHECK (support_type IN ('industry', 'employment', 'skills', 'education', 'health', 'housing', 'credit', 'safety_net', 'other')),
    content           text NOT NULL,
    scale             text NOT NULL DEFAULT '',
    funds             numeric(14, 2) NOT NULL DEFAULT 0 CHECK (funds >= 0),
    deadline          date,
    outcome           text NOT NULL DEFAULT '',
    outcome_confirmed boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX measures_pairing_idx ON measures (pairing_id);

CREATE TABLE goals (
    pairing_id           bigint PRIMARY KEY REFERENCES pairings (id),
    target_income        numeric(14, 2) NOT NULL CHECK (target_income >= 0),
    target_exit_date     date NOT NULL,
    income_above_line    boolean NOT NULL DEFAULT false,
    food_clothing        boolean NOT NULL DEFAULT false,
    compulsory_education boolean NOT NULL DEFAULT false,
    basic_medical        boolean NOT NULL DEFAULT false,
    safe_housing         boolean NOT NULL DEFAULT false,
    safe_water           boolean NOT NULL DEFAULT false,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username             text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
    display_name         text NOT NULL,
    password_hash        text NOT NULL,
    role                 text NOT NULL CHECK (role IN ('staff', 'leader', 'township_chair', 'deputy')),
    township_code        text REFERENCES divisions (code),
    deputy_id            bigint UNIQUE REFERENCES deputies (id),
    active               boolean NOT NULL DEFAULT true,
    must_change_password boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CHECK ((role = 'township_chair') = (township_code IS NOT NULL)),
    CHECK ((role = 'deputy') = (deputy_id IS NOT NULL))
);

CREATE TABLE ledger_entries (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    pairing_id     bigint NOT NULL REFERENCES pairings (id),
    entry_date     date NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('visit', 'cash', 'goods', 'job', 'training', 'school_aid', 'project', 'policy', 'other')),
    description    text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    amount         numeric(14, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
    beneficiaries  text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'returned')),
    review_comment text NOT NULL DEFAULT '',
    -- form_token makes a resent form (double click, two tabs) create one entry.
    form_token     uuid UNIQUE,
    created_by     bigint REFERENCES users (id),
    reviewed_by    bigint REFERENCES users (id),
    submitted_at   timestamptz,
    reviewed_at    timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'returned' OR review_comment <> '')
);
CREATE INDEX ledger_entries_pairing_idx ON ledger_entries (pairing_id, entry_date DESC);
CREATE INDEX ledger_entries_status_idx ON ledger_entries (status, entry_date);

-- Approved ledger entries are immutable: the database refuses to change or delete them.
CREATE FUNCTION ledger_entries_guard_approved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'approved' THEN
        RAISE EXCEPTION 'ledger entry % is approved and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER ledger_entries_guard_approved
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_guard_approved();

CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     bigint REFERENCES users (id),
    action      text NOT NULL,
    entity      text NOT NULL,
    entity_id   bigint,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id);

-- Audit events are append-only.
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Session store of github.com/alexedwards/scs/pgxstore.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Key/value facts about this installation (e.g. when demo data was loaded).
CREATE TABLE app_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
