-- 脱贫退出 as a workflow on the household: proposal with the checklist →
-- village appraisal (民主评议) → public notice (公示, at least 7 days) →
-- township review → county sign-off by a leader. Each step records who and
-- when; any step can send the case back with a reason.
CREATE TABLE household_exits (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    household_id        bigint NOT NULL REFERENCES households (id),
    status              text NOT NULL DEFAULT 'proposed'
                            CHECK (status IN ('proposed', 'appraised', 'notice', 'reviewed', 'approved', 'returned')),
    exit_year           integer NOT NULL CHECK (exit_year BETWEEN 2014 AND 2100),
    proposed_by         bigint REFERENCES users (id),
    proposed_at         timestamptz NOT NULL DEFAULT now(),
    appraisal_date      date,
    appraisal_by        bigint REFERENCES users (id),
    notice_start        date,
    notice_by           bigint REFERENCES users (id),
    reviewed_by         bigint REFERENCES users (id),
    reviewed_at         timestamptz,
    approved_by         bigint REFERENCES users (id),
    approved_at         timestamptz,
    returned_reason     text NOT NULL DEFAULT '',
    returned_by         bigint REFERENCES users (id),
    returned_at         timestamptz,
    CHECK (status <> 'returned' OR returned_reason <> '')
);
-- One open case per household.
CREATE UNIQUE INDEX household_exits_one_open ON household_exits (household_id)
    WHERE status IN ('proposed', 'appraised', 'notice', 'reviewed');
