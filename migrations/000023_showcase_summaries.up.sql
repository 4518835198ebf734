-- Model cases (典型) shown on the showcase (代表风采展示), and the township
-- chairs' quarterly summaries (乡镇季度总结).
--
-- meeting_model_cases (000011) stay what a meeting named in its minutes; a
-- model case here is marked by staff or a chair on a pairing, an approved
-- ledger entry or a meeting's action item, with a title, a short story, a
-- theme and an optional photo, and is what the showcase and the summaries
-- list. The township is copied from the reference when marked, so that the
-- showcase filters without joining through every kind.
CREATE TABLE model_cases (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('pairing', 'ledger_entry', 'action_item')),
    ref_id        bigint NOT NULL,
    township_code text NOT NULL REFERENCES divisions (code),
    theme         text NOT NULL CHECK (theme IN ('industry', 'employment', 'skills', 'education', 'health', 'housing',
                      'credit', 'safety_net', 'consumption', 'other')),
    title         text NOT NULL CHECK (length(title) BETWEEN 1 AND 60),
    story         text NOT NULL CHECK (length(story) BETWEEN 1 AND 1000),
    -- The photo, normalised by internal/photo (JPEG, at most 1600 px, no EXIF).
    photo         bytea,
    photo_width   integer CHECK (photo_width > 0),
    photo_height  integer CHECK (photo_height > 0),
    version       integer NOT NULL DEFAULT 1,
    marked_by     bigint REFERENCES users (id),
    marked_at     timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, ref_id),
    CHECK ((photo IS NULL) = (photo_width IS NULL) AND (photo IS NULL) = (photo_height IS NULL))
);
CREATE INDEX model_cases_township_idx ON model_cases (township_code, marked_at DESC);
CREATE INDEX model_cases_marked_idx ON model_cases (marked_at DESC, id DESC);

-- A township's summary of a quarter: the chair's prose, a draft until
-- submitted. On submit the generated report (figures, model cases,
-- shortcomings, action items) is frozen in snapshot, so that later data
-- changes do not alter what was submitted; staff may return it (reason),
-- the chair edits and submits again (a new snapshot).
CREATE TABLE township_summaries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    township_code   text NOT NULL REFERENCES divisions (code),
    year            integer NOT NULL CHECK (year BETWEEN 2014 AND 2100),
    quarter         integer NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    status          text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'returned')),
    prose           text NOT NULL DEFAULT '' CHECK (length(prose) <= 20000),
    snapshot        jsonb,
    version         integer NOT NULL DEFAULT 1,
    submitted_by    bigint REFERENCES users (id),
    submitted_at    timestamptz,
    returned_reason text NOT NULL DEFAULT '',
    returned_by     bigint REFERENCES users (id),
    returned_at     timestamptz,
    updated_by      bigint REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (township_code, year, quarter),
    CHECK (status <> 'submitted' OR (snapshot IS NOT NULL AND submitted_at IS NOT NULL)),
    CHECK (status <> 'returned' OR returned_reason <> '')
);

-- A submitted summary is frozen: its prose and snapshot never change, and
-- it can only be returned for revision (not deleted).
CREATE FUNCTION township_summaries_guard_submitted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'submitted' AND (TG_OP = 'DELETE' OR NEW.prose IS DISTINCT FROM OLD.prose
        OR NEW.snapshot IS DISTINCT FROM OLD.snapshot OR NEW.status NOT IN ('submitted', 'returned')) THEN
        RAISE EXCEPTION 'township summary % is submitted and cannot be changed', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER township_summaries_guard_submitted
    BEFORE UPDATE OR DELETE ON township_summaries
    FOR EACH ROW EXECUTE FUNCTION township_summaries_guard_submitted();
