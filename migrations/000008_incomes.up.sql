-- 人均纯收入 per year with its sources, yuan per household per year:
-- per capita = (wages + production + property + transfers − costs) ÷ size.
CREATE TABLE household_incomes (
    household_id bigint NOT NULL REFERENCES households (id),
    year         integer NOT NULL CHECK (year BETWEEN 2014 AND 2100),
    wages        numeric(14, 2) NOT NULL DEFAULT 0 CHECK (wages >= 0),
    production   numeric(14, 2) NOT NULL DEFAULT 0 CHECK (production >= 0),
    property     numeric(14, 2) NOT NULL DEFAULT 0 CHECK (property >= 0),
    transfers    numeric(14, 2) NOT NULL DEFAULT 0 CHECK (transfers >= 0),
    costs        numeric(14, 2) NOT NULL DEFAULT 0 CHECK (costs >= 0),
    size         integer NOT NULL CHECK (size BETWEEN 1 AND 50),
    per_capita   numeric(14, 2) NOT NULL,
    recorded_by  bigint REFERENCES users (id),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (household_id, year)
);
