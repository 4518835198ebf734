-- Quarterly joint meetings (联席会议) with attendees, model cases and action
-- items; the relief point's projects (项目) and cooperatives (合作组织).
-- (The table is `meetings`: `sessions` belongs to the session store.)

CREATE TABLE meetings (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    year           integer NOT NULL CHECK (year BETWEEN 2014 AND 2100),
    quarter        integer NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    meeting_date   date NOT NULL,
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind           text NOT NULL CHECK (kind IN ('on_site', 'research')),
    host_township  text NOT NULL REFERENCES divisions (code),
    place          text NOT NULL DEFAULT '',
    -- NULL: a county meeting (staff record it); else a township's own
    -- meeting, recorded by its chair.
    township_code  text REFERENCES divisions (code),
    status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held')),
    agenda         text NOT NULL DEFAULT '',
    minutes        text NOT NULL DEFAULT '',
    good_practices text NOT NULL DEFAULT '',
    shortcomings   text NOT NULL DEFAULT '',
    decisions      text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (extract(year FROM meeting_date) = year)
);
CREATE INDEX meetings_date_idx ON meetings (meeting_date);
-- A form sent twice (double click, two tabs) schedules one meeting.
CREATE UNIQUE INDEX meetings_once ON meetings (meeting_date, title, coalesce(township_code, ''));

-- Attendees: an account or a deputy, present or absent.
CREATE TABLE meeting_attendees (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id    bigint REFERENCES users (id),
    deputy_id  bigint REFERENCES deputies (id),
    present    boolean NOT NULL DEFAULT true,
    CHECK ((user_id IS NULL) <> (deputy_id IS NULL))
);
CREATE UNIQUE INDEX meeting_attendees_user_idx ON meeting_attendees (meeting_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX meeting_attendees_deputy_idx ON meeting_attendees (meeting_id, deputy_id) WHERE deputy_id IS NOT NULL;
CREATE INDEX meeting_attendees_deputy_only_idx ON meeting_attendees (deputy_id) WHERE deputy_id IS NOT NULL;

-- Model cases (典型) named at a meeting: a household, a pairing or a ledger entry.
CREATE TABLE meeting_model_cases (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('household', 'pairing', 'ledger_entry')),
    ref_id     bigint NOT NULL,
    note       text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    UNIQUE (meeting_id, kind, ref_id)
);

-- Action items (会议事项): an owner (an account or a township), a due date;
-- open until closed with a note. Overdue = open after its due date.
CREATE TABLE action_items (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id     bigint NOT NULL REFERENCES meetings (id),
    title          text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    owner_user_id  bigint REFERENCES users (id),
    owner_township text REFERENCES divisions (code),
    due_date       date NOT NULL,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    closed_on      date,
    closing_note   text NOT NULL DEFAULT '',
    closed_by      bigint REFERENCES users (id),
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((owner_user_id IS NULL) <> (owner_township IS NULL)),
    CHECK ((status = 'done') = (closed_on IS NOT NULL)),
    CHECK (status = 'open' OR closing_note <> '')
);
CREATE INDEX action_items_meeting_idx ON action_items (meeting_id);
-- A form sent twice creates one item.
CREATE UNIQUE INDEX action_items_once ON action_items (meeting_id, title, coalesce(owner_user_id, 0), coalesce(owner_township, ''), due_date);
CREATE INDEX action_items_open_idx ON action_items (due_date) WHERE status = 'open';

-- Projects (项目) of a village.
CREATE TABLE projects (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    village_code   text NOT NULL REFERENCES divisions (code),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind           text NOT NULL CHECK (kind IN ('solar', 'road', 'water', 'village_centre', 'greening', 'industry', 'other')),
    budget         numeric(14, 2) NOT NULL DEFAULT 0 CHECK (budget >= 0),
    funds_received numeric(14, 2) NOT NULL DEFAULT 0 CHECK (funds_received >= 0),
    funds_spent    numeric(14, 2) NOT NULL DEFAULT 0 CHECK (funds_spent >= 0),
    status         text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'approving', 'in_progress', 'completed')),
    applied_on     date,
    approved_on    date,
    started_on     date,
    completed_on   date,
    department     text NOT NULL DEFAULT '',
    note           text NOT NULL DEFAULT '',
    version        integer NOT NULL DEFAULT 1,
    created_by     bigint REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX projects_village_idx ON projects (village_code);
CREATE TABLE project_beneficiaries (
    project_id   bigint NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    household_id bigint NOT NULL REFERENCES households (id),
    PRIMARY KEY (project_id, household_id)
);

-- Cooperatives (合作组织) and their member households; what a cooperative
-- pays a member is also recorded as the household's income of that year.
CREATE TABLE cooperatives (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    village_code text NOT NULL REFERENCES divisions (code),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    product      text NOT NULL DEFAULT '',
    founded_on   date,
    note         text NOT NULL DEFAULT '',
    created_by   bigint REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cooperatives_village_idx ON cooperatives (village_code);
CREATE TABLE cooperative_members (
    cooperative_id bigint NOT NULL REFERENCES cooperatives (id) ON DELETE CASCADE,
    household_id   bigint NOT NULL REFERENCES households (id),
    joined_on      date NOT NULL,
    PRIMARY KEY (cooperative_id, household_id)
);
CREATE TABLE cooperative_payouts (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cooperative_id bigint NOT NULL REFERENCES cooperatives (id),
    household_id   bigint NOT NULL REFERENCES households (id),
    year           integer NOT NULL CHECK (year BETWEEN 2014 AND 2100),
    kind           text NOT NULL CHECK (kind IN ('dividend', 'wage')),
    amount         numeric(14, 2) NOT NULL CHECK (amount > 0),
    paid_on        date NOT NULL,
    recorded_by    bigint REFERENCES users (id),
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (cooperative_id, household_id) REFERENCES cooperative_members (cooperative_id, household_id)
);
CREATE INDEX cooperative_payouts_household_idx ON cooperative_payouts (household_id, year);
