-- Pairing (一对一): applications, township adjacency, poverty lines, proposals
-- confirmed by the township chair, measures with their status and outcome,
-- goal checklist with who checked what and when.

-- 申请书: a deputy volunteers for up to capacity households.
CREATE TABLE applications (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    deputy_id           bigint NOT NULL REFERENCES deputies (id),
    preferred_townships text[] NOT NULL DEFAULT '{}',
    capacity            integer NOT NULL CHECK (capacity BETWEEN 1 AND 20),
    offers              text[] NOT NULL CHECK (cardinality(offers) >= 1
                            AND offers <@ ARRAY['industry', 'employment', 'skills', 'education', 'health', 'housing', 'credit', 'safety_net', 'other']),
    note                text NOT NULL DEFAULT '',
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn')),
    created_by          bigint REFERENCES users (id),
    created_at          timestamptz NOT NULL DEFAULT now()
);
-- One open application per deputy: a new one replaces (withdraws) the old.
CREATE UNIQUE INDEX applications_one_open_per_deputy ON applications (deputy_id) WHERE status = 'open';

-- 相邻乡镇, entered once by staff; stored once per pair with a < b.
CREATE TABLE township_adjacency (
    a text NOT NULL REFERENCES divisions (code),
    b text NOT NULL REFERENCES divisions (code),
    PRIMARY KEY (a, b),
    CHECK (a < b)
);

-- 扶贫标准: yuan per person per year, per year and identification standard.
CREATE TABLE poverty_lines (
    year     integer NOT NULL CHECK (year BETWEEN 2010 AND 2100),
    standard text NOT NULL CHECK (standard IN ('national', 'provincial', 'prefectural')),
    yuan     numeric(14, 2) NOT NULL CHECK (yuan > 0),
    PRIMARY KEY (year, standard)
);

ALTER TABLE pairings
    ADD COLUMN application_id bigint REFERENCES applications (id),
    ADD COLUMN proposal_reason text NOT NULL DEFAULT '',
    ADD COLUMN proposed_by bigint REFERENCES users (id),
    ADD COLUMN confirmed_by bigint REFERENCES users (id),
    ADD COLUMN confirmed_at timestamptz;
-- A household has at most one proposal waiting for the chair at a time.
CREATE UNIQUE INDEX pairings_one_proposed_per_household ON pairings (household_id) WHERE status = 'proposed';
CREATE INDEX pairings_status_idx ON pairings (status);

ALTER TABLE measures
    ADD COLUMN status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done')),
    ADD COLUMN outcome_confirmed_on date,
    ADD COLUMN outcome_recorded_by bigint REFERENCES users (id);

ALTER TABLE goals ADD COLUMN target_exit_year integer CHECK (target_exit_year BETWEEN 2014 AND 2100);
UPDATE goals SET target_exit_year = extract(year FROM target_exit_date)::int;

-- Who ticked each item of the 一超两不愁三保障 checklist, and when.
CREATE TABLE goal_checks (
    pairing_id bigint NOT NULL REFERENCES pairings (id),
    item       text NOT NULL CHECK (item IN ('income_above_line', 'food_clothing', 'compulsory_education', 'basic_medical', 'safe_housing', 'safe_water')),
    checked_by bigint REFERENCES users (id),
    checked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (pairing_id, item)
);
INSERT INTO goal_checks (pairing_id, item, checked_at)
SELECT g.pairing_id, c.item, g.updated_at FROM goals g
CROSS JOIN LATERAL (VALUES ('income_above_line', g.income_above_line), ('food_clothing', g.food_clothing),
    ('compulsory_education', g.compulsory_education), ('basic_medical', g.basic_medical),
    ('safe_housing', g.safe_housing), ('safe_water', g.safe_water)) AS c(item, on_)
WHERE c.on_;

-- A chair may turn a proposal down: it ends with reason rejected.
ALTER TABLE pairings DROP CONSTRAINT pairings_end_reason_check;
ALTER TABLE pairings ADD CONSTRAINT pairings_end_reason_check
    CHECK (end_reason IN ('household_exited', 'deputy_left_office', 'transferred', 'rejected'));
