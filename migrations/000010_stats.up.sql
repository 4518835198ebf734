-- Pre-aggregated dashboard figures (DESIGN.md §4), kept exact by statement
-- triggers in the same transaction as every write to households, pairings,
-- ledger entries and deputies, so that the dashboard reads a few hundred
-- summary rows instead of scanning a million entries. Every summary has a
-- row per division at each level (county, township, village), so a page
-- reads only the rows of the children it shows. stats_rebuild() recomputes
-- everything from the raw tables; a test compares both after every kind of
-- write.

-- The last visit (submitted or approved) of a pairing.
ALTER TABLE pairings ADD COLUMN last_visit date;
-- A household's pairings, all statuses (the household page).
CREATE INDEX pairings_household_idx ON pairings (household_id);

-- The township and village codes a village's figures count in. There are
-- no county rows: a county's figures are the sum of its townships', so no
-- single row is updated by every write in the county (it would serialise
-- them all).
CREATE FUNCTION stats_codes(village text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[substr(village, 1, 9), village]
$$;
-- The county, township and village codes: deputies taking part are not
-- additive (a deputy with households in two townships is one deputy of the
-- county), so they are counted at every level; those rows change only when
-- a deputy starts or stops taking part in a division.
CREATE FUNCTION stats_all_codes(village text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[substr(village, 1, 6), substr(village, 1, 9), village]
$$;

-- Per division: households by status, active pairings, approved yuan (all time).
CREATE TABLE stats_division (
    division_code text PRIMARY KEY,
    households    integer NOT NULL DEFAULT 0,
    paired        integer NOT NULL DEFAULT 0,
    exited        integer NOT NULL DEFAULT 0,
    relapsed      integer NOT NULL DEFAULT 0,
    yuan          numeric(16, 2) NOT NULL DEFAULT 0
);
-- Per division and year: households planned to exit, and exited, that year.
CREATE TABLE stats_division_year (
    division_code text NOT NULL,
    year          integer NOT NULL,
    planned       integer NOT NULL DEFAULT 0,
    exited        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (division_code, year)
);
-- Per division and main poverty cause: households.
CREATE TABLE stats_division_cause (
    division_code text NOT NULL,
    cause         text NOT NULL,
    households    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (division_code, cause)
);
-- Per division and day: active pairings whose last visit (or start, if
-- none) was that day; the follow-up (人盯人) counts sum the days before a
-- threshold.
CREATE TABLE stats_followup (
    division_code text NOT NULL,
    day           date NOT NULL,
    pairings      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (division_code, day)
);
-- Per division and entry date (day) or month (its first day): visits
-- (submitted or approved), approved entries, approved without a return,
-- returns, approved yuan.
CREATE TABLE stats_ledger_day (
    division_code text NOT NULL,
    day           date NOT NULL,
    visits        integer NOT NULL DEFAULT 0,
    approved      integer NOT NULL DEFAULT 0,
    first_pass    integer NOT NULL DEFAULT 0,
    returns       integer NOT NULL DEFAULT 0,
    yuan          numeric(16, 2) NOT NULL DEFAULT 0,
    PRIMARY KEY (division_code, day)
);
CREATE TABLE stats_ledger_month (LIKE stats_ledger_day INCLUDING ALL);
-- Per division and deputy: its active pairings with households there; and
-- per division the deputies taking part (at least one such pairing) in
-- total ('total'), by level ('level:county') and category ('category:cadre').
CREATE TABLE stats_deputy_division (
    division_code text NOT NULL,
    deputy_id     bigint NOT NULL,
    pairings      integer NOT NULL DEFAULT 0,
    last_change   integer NOT NULL DEFAULT 0, -- the last update's change, so RETURNING shows the value before it
    PRIMARY KEY (division_code, deputy_id)
);
CREATE TABLE stats_participation (
    division_code text NOT NULL,
    key           text NOT NULL,
    deputies      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (division_code, key)
);

-- ---- ledger entries --------------------------------------------------------

-- A signed contribution of one ledger entry (+1 new row, -1 old row) in
-- the village of its household.
CREATE TYPE stats_ledger_delta AS (
    sign int, village_code text, pairing_id bigint, entry_date date, kind text, status text, return_count int, amount numeric
);

-- stats_ledger_apply adds contributions to the ledger counters by day and
-- month and to the money totals and, with refresh_visits, refreshes the
-- last visit of the pairings whose visits changed. The deltas come with
-- their village, so nothing here joins an array of unknown size to a table
-- (the planner cannot estimate it, and a nested loop over a million
-- elements never ends).
CREATE FUNCTION stats_ledger_apply(d stats_ledger_delta[], refresh_visits boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH s AS (
        SELECT dv.code AS division_code, x.entry_date AS day,
            sum(x.sign * (x.kind = 'visit' AND x.status IN ('submitted', 'approved'))::int)::int AS visits,
            sum(x.sign * (x.status = 'approved')::int)::int AS approved,
            sum(x.sign * (x.status = 'approved' AND x.return_count = 0)::int)::int AS first_pass,
            sum(x.sign * x.return_count)::int AS returns,
            sum(x.sign * CASE WHEN x.status = 'approved' THEN x.amount ELSE 0 END) AS yuan
        FROM unnest(d) x CROSS JOIN LATERAL unnest(stats_codes(x.village_code)) dv(code)
        GROUP BY 1, 2
    ), nz AS (
        SELECT * FROM s WHERE visits <> 0 OR approved <> 0 OR first_pass <> 0 OR returns <> 0 OR yuan <> 0
    ), a AS (
        INSERT INTO stats_ledger_day AS t (division_code, day, visits, approved, first_pass, returns, yuan)
        SELECT * FROM nz ORDER BY 1, 2
        ON CONFLICT (division_code, day) DO UPDATE SET visits = t.visits + EXCLUDED.visits, approved = t.approved + EXCLUDED.approved,
            first_pass = t.first_pass + EXCLUDED.first_pass, returns = t.returns + EXCLUDED.returns, yuan = t.yuan + EXCLUDED.yuan
    ), b AS (
        INSERT INTO stats_ledger_month AS t (division_code, day, visits, approved, first_pass, returns, yuan)
        SELECT division_code, date_trunc('month', day)::date, sum(visits), sum(approved), sum(first_pass), sum(returns), sum(yuan)
        FROM nz GROUP BY 1, 2 ORDER BY 1, 2
        ON CONFLICT (division_code, day) DO UPDATE SET visits = t.visits + EXCLUDED.visits, approved = t.approved + EXCLUDED.approved,
            first_pass = t.first_pass + EXCLUDED.first_pass, returns = t.returns + EXCLUDED.returns, yuan = t.yuan + EXCLUDED.yuan
    )
    INSERT INTO stats_division AS t (division_code, yuan)
    SELECT division_code, sum(yuan) FROM nz GROUP BY 1 HAVING sum(yuan) <> 0 ORDER BY 1
    ON CONFLICT (division_code) DO UPDATE SET yuan = t.yuan + EXCLUDED.yuan;

    IF refresh_visits THEN
        UPDATE pairings p SET last_visit = lv.d
        FROM (SELECT x.pairing_id, (SELECT max(e.entry_date) FROM ledger_entries e WHERE e.pairing_id = x.pairing_id
                AND e.kind = 'visit' AND e.status IN ('submitted', 'approved')) AS d
              FROM (SELECT DISTINCT pairing_id FROM unnest(d) WHERE kind = 'visit') x) lv
        WHERE p.id = lv.pairing_id AND p.last_visit IS DISTINCT FROM lv.d;
    END IF;
END;
$$;

-- Statement triggers with transition tables (one per event, as PostgreSQL
-- requires), one function.
CREATE FUNCTION stats_ledger_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_ledger_apply(ARRAY(
            SELECT ROW(1, h.village_code, n.pairing_id, n.entry_date, n.kind, n.status, n.return_count, n.amount)::stats_ledger_delta
            FROM new_rows n JOIN pairings p ON p.id = n.pairing_id JOIN households h ON h.id = p.household_id), true);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stats_ledger_apply(ARRAY(
            SELECT ROW(-1, h.village_code, o.pairing_id, o.entry_date, o.kind, o.status, o.return_count, o.amount)::stats_ledger_delta
            FROM old_rows o JOIN pairings p ON p.id = o.pairing_id JOIN households h ON h.id = p.household_id), true);
    ELSE
        PERFORM stats_ledger_apply(ARRAY(
            SELECT ROW(1, h.village_code, n.pairing_id, n.entry_date, n.kind, n.status, n.return_count, n.amount)::stats_ledger_delta
            FROM new_rows n JOIN pairings p ON p.id = n.pairing_id JOIN households h ON h.id = p.household_id
            UNION ALL
            SELECT ROW(-1, h.village_code, o.pairing_id, o.entry_date, o.kind, o.status, o.return_count, o.amount)::stats_ledger_delta
            FROM old_rows o JOIN pairings p ON p.id = o.pairing_id JOIN households h ON h.id = p.household_id), true);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER stats_ledger_insert AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_ledger_trigger();
CREATE TRIGGER stats_ledger_update AFTER UPDATE ON ledger_entries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_ledger_trigger();
CREATE TRIGGER stats_ledger_delete AFTER DELETE ON ledger_entries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_ledger_trigger();

-- ---- pairings ----------------------------------------------------------------

-- An active pairing counted (+1) or uncounted (-1) in a village, at its
-- follow-up day.
CREATE TYPE stats_pairing_delta AS (sign int, village_code text, deputy_id bigint, day date);

-- stats_pairing_apply adds active pairings to the paired counts, the
-- follow-up days and the deputies taking part.
CREATE FUNCTION stats_pairing_apply(d stats_pairing_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH s AS (
        SELECT dv.code AS division_code, x.day, sum(x.sign)::int AS n
        FROM unnest(d) x CROSS JOIN LATERAL unnest(stats_codes(x.village_code)) dv(code)
        GROUP BY 1, 2 HAVING sum(x.sign) <> 0
    ), a AS (
        INSERT INTO stats_followup AS t (division_code, day, pairings)
        SELECT * FROM s ORDER BY 1, 2
        ON CONFLICT (division_code, day) DO UPDATE SET pairings = t.pairings + EXCLUDED.pairings
    )
    INSERT INTO stats_division AS t (division_code, paired)
    SELECT division_code, sum(n) FROM s GROUP BY 1 HAVING sum(n) <> 0 ORDER BY 1
    ON CONFLICT (division_code) DO UPDATE SET paired = t.paired + EXCLUDED.paired;

    -- A deputy whose active pairings in a division go from none to some (or
    -- back) joins (or leaves) that division's deputies taking part.
    WITH s AS (
        SELECT dv.code AS division_code, x.deputy_id, sum(x.sign)::int AS n
        FROM unnest(d) x CROSS JOIN LATERAL unnest(stats_all_codes(x.village_code)) dv(code)
        GROUP BY 1, 2 HAVING sum(x.sign) <> 0
    ), u AS (
        -- The upsert returns the count after this change and the change
        -- itself; a concurrent writer's change, committed while this one
        -- waited for the row, is already in the count.
        INSERT INTO stats_deputy_division AS t (division_code, deputy_id, pairings, last_change)
        SELECT division_code, deputy_id, n, n FROM s ORDER BY 1, 2
        ON CONFLICT (division_code, deputy_id) DO UPDATE SET pairings = t.pairings + EXCLUDED.pairings, last_change = EXCLUDED.pairings
        RETURNING t.division_code, t.deputy_id, t.pairings, t.last_change
    ), crossed AS (
        SELECT division_code, deputy_id, CASE WHEN pairings > 0 THEN 1 ELSE -1 END AS sign
        FROM u WHERE (pairings > 0) <> (pairings - last_change > 0)
    )
    INSERT INTO stats_participation AS t (division_code, key, deputies)
    SELECT c.division_code, k.key, sum(c.sign) FROM crossed c JOIN deputies dp ON dp.id = c.deputy_id
    CROSS JOIN LATERAL (SELECT 'total' UNION ALL SELECT 'category:' || dp.category
        UNION ALL SELECT 'level:' || l FROM unnest(dp.levels) l) k(key)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (division_code, key) DO UPDATE SET deputies = t.deputies + EXCLUDED.deputies;
END;
$$;

CREATE FUNCTION stats_pairing_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_pairing_apply(ARRAY(SELECT ROW(1, h.village_code, n.deputy_id, coalesce(n.last_visit, n.start_date))::stats_pairing_delta
            FROM new_rows n JOIN households h ON h.id = n.household_id WHERE n.status = 'active'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stats_pairing_apply(ARRAY(SELECT ROW(-1, h.village_code, o.deputy_id, coalesce(o.last_visit, o.start_date))::stats_pairing_delta
            FROM old_rows o JOIN households h ON h.id = o.household_id WHERE o.status = 'active'));
    ELSE
        PERFORM stats_pairing_apply(ARRAY(
            SELECT ROW(1, h.village_code, n.deputy_id, coalesce(n.last_visit, n.start_date))::stats_pairing_delta
            FROM new_rows n JOIN households h ON h.id = n.household_id WHERE n.status = 'active'
            UNION ALL
            SELECT ROW(-1, h.village_code, o.deputy_id, coalesce(o.last_visit, o.start_date))::stats_pairing_delta
            FROM old_rows o JOIN households h ON h.id = o.household_id WHERE o.status = 'active'));
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER stats_pairing_insert AFTER INSERT ON pairings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_pairing_trigger();
CREATE TRIGGER stats_pairing_update AFTER UPDATE ON pairings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_pairing_trigger();
CREATE TRIGGER stats_pairing_delete AFTER DELETE ON pairings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_pairing_trigger();

-- ---- deputies ----------------------------------------------------------------

-- A deputy whose levels or category change moves between the keys of the
-- divisions where it takes part.
CREATE FUNCTION stats_deputy_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_participation AS t (division_code, key, deputies)
    SELECT x.division_code, k.key, sum(k.sign) FROM (
        SELECT o.id, o.levels AS old_levels, o.category AS old_category, d.levels, d.category
        FROM (SELECT id, levels, category FROM old_rows EXCEPT SELECT id, levels, category FROM new_rows) o
        JOIN deputies d ON d.id = o.id) c
    JOIN stats_deputy_division x ON x.deputy_id = c.id AND x.pairings > 0
    CROSS JOIN LATERAL (
        SELECT 'category:' || c.old_category, -1 UNION ALL SELECT 'level:' || l, -1 FROM unnest(c.old_levels) l
        UNION ALL SELECT 'category:' || c.category, 1 UNION ALL SELECT 'level:' || l, 1 FROM unnest(c.levels) l) k(key, sign)
    GROUP BY 1, 2 HAVING sum(k.sign) <> 0 ORDER BY 1, 2
    ON CONFLICT (division_code, key) DO UPDATE SET deputies = t.deputies + EXCLUDED.deputies;
    RETURN NULL;
END;
$$;

CREATE TRIGGER stats_deputy_update AFTER UPDATE ON deputies
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_deputy_trigger();

-- ---- households --------------------------------------------------------------

-- A signed household (+1 new row, -1 old row) as the summaries count it.
CREATE TYPE stats_household_delta AS (
    sign int, village_code text, status text, exited_year int, planned_exit_year int, main_cause text
);

-- stats_household_apply adds households to the counts by status, exit year
-- and plan, and main cause. Rows that did not change what is counted cancel.
CREATE FUNCTION stats_household_apply(d stats_household_delta[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH x AS (
        SELECT x.sign, dv.code AS division_code, x.status, x.exited_year, x.planned_exit_year, x.main_cause
        FROM unnest(d) x CROSS JOIN LATERAL unnest(stats_codes(x.village_code)) dv(code)
    ), a AS (
        INSERT INTO stats_division AS t (division_code, households, exited, relapsed)
        SELECT division_code, sum(sign), sum(sign * (status = 'exited')::int), sum(sign * (status = 'relapsed')::int)
        FROM x GROUP BY 1
        HAVING sum(sign) <> 0 OR sum(sign * (status = 'exited')::int) <> 0 OR sum(sign * (status = 'relapsed')::int) <> 0 ORDER BY 1
        ON CONFLICT (division_code) DO UPDATE SET households = t.households + EXCLUDED.households,
            exited = t.exited + EXCLUDED.exited, relapsed = t.relapsed + EXCLUDED.relapsed
    ), b AS (
        INSERT INTO stats_division_year AS t (division_code, year, planned, exited)
        SELECT division_code, year, sum(planned), sum(exited) FROM (
            SELECT division_code, planned_exit_year AS year, sign AS planned, 0 AS exited FROM x WHERE planned_exit_year IS NOT NULL
            UNION ALL
            SELECT division_code, exited_year, 0, sign FROM x WHERE status = 'exited' AND exited_year IS NOT NULL) y
        GROUP BY 1, 2 HAVING sum(planned) <> 0 OR sum(exited) <> 0 ORDER BY 1, 2
        ON CONFLICT (division_code, year) DO UPDATE SET planned = t.planned + EXCLUDED.planned, exited = t.exited + EXCLUDED.exited
    )
    INSERT INTO stats_division_cause AS t (division_code, cause, households)
    SELECT division_code, main_cause, sum(sign) FROM x GROUP BY 1, 2 HAVING sum(sign) <> 0 ORDER BY 1, 2
    ON CONFLICT (division_code, cause) DO UPDATE SET households = t.households + EXCLUDED.households;
END;
$$;

CREATE FUNCTION stats_household_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_household_apply(ARRAY(SELECT ROW(1, village_code, status, exited_year, planned_exit_year, main_cause)::stats_household_delta FROM new_rows));
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stats_household_apply(ARRAY(SELECT ROW(-1, village_code, status, exited_year, planned_exit_year, main_cause)::stats_household_delta FROM old_rows));
        RETURN NULL;
    END IF;
    PERFORM stats_household_apply(ARRAY(
        SELECT ROW(1, village_code, status, exited_year, planned_exit_year, main_cause)::stats_household_delta FROM new_rows
        UNION ALL
        SELECT ROW(-1, village_code, status, exited_year, planned_exit_year, main_cause)::stats_household_delta FROM old_rows));
    -- A household that moved to another village takes the counts of its
    -- active pairing and of its ledger entries with it. (Moves are found
    -- with EXCEPT, which hashes, not by joining the transition tables,
    -- which the planner does in a nested loop.)
    IF EXISTS (SELECT id, village_code FROM old_rows EXCEPT SELECT id, village_code FROM new_rows) THEN
        PERFORM stats_pairing_apply(ARRAY(
            SELECT ROW(v.sign, v.village_code, p.deputy_id, coalesce(p.last_visit, p.start_date))::stats_pairing_delta
            FROM (SELECT id, village_code FROM old_rows EXCEPT SELECT id, village_code FROM new_rows) o
            JOIN households h ON h.id = o.id
            JOIN pairings p ON p.household_id = o.id AND p.status = 'active'
            CROSS JOIN LATERAL (VALUES (-1, o.village_code), (1, h.village_code)) v(sign, village_code)));
        PERFORM stats_ledger_apply(ARRAY(
            SELECT ROW(v.sign, v.village_code, e.pairing_id, e.entry_date, e.kind, e.status, e.return_count, e.amount)::stats_ledger_delta
            FROM (SELECT id, village_code FROM old_rows EXCEPT SELECT id, village_code FROM new_rows) o
            JOIN households h ON h.id = o.id
            JOIN pairings p ON p.household_id = o.id JOIN ledger_entries e ON e.pairing_id = p.id
            CROSS JOIN LATERAL (VALUES (-1, o.village_code), (1, h.village_code)) v(sign, village_code)), false);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER stats_household_insert AFTER INSERT ON households
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_household_trigger();
CREATE TRIGGER stats_household_update AFTER UPDATE ON households
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_household_trigger();
CREATE TRIGGER stats_household_delete AFTER DELETE ON households
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_household_trigger();

-- ---- rebuild -----------------------------------------------------------------

-- stats_rebuild recomputes every summary table (and pairings.last_visit)
-- from the raw tables, after refreshing the planner's statistics of them.
CREATE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- After a bulk load the planner must know the tables' sizes.
    ANALYZE households, pairings, ledger_entries, deputies;
    UPDATE pairings p SET last_visit = v.d
    FROM (SELECT p2.id, (SELECT max(e.entry_date) FROM ledger_entries e WHERE e.pairing_id = p2.id
            AND e.kind = 'visit' AND e.status IN ('submitted', 'approved')) AS d FROM pairings p2) v
    WHERE v.id = p.id AND p.last_visit IS DISTINCT FROM v.d;
    DELETE FROM stats_division;
    DELETE FROM stats_division_year;
    DELETE FROM stats_division_cause;
    DELETE FROM stats_followup;
    DELETE FROM stats_ledger_day;
    DELETE FROM stats_ledger_month;
    DELETE FROM stats_deputy_division;
    DELETE FROM stats_participation;

    INSERT INTO stats_division (division_code, households, paired, exited, relapsed, yuan)
    SELECT dv.code, count(*), count(p.id), count(*) FILTER (WHERE h.status = 'exited'),
        count(*) FILTER (WHERE h.status = 'relapsed'), coalesce(sum(y.yuan), 0)
    FROM households h LEFT JOIN pairings p ON p.household_id = h.id AND p.status = 'active'
    LEFT JOIN (SELECT p.household_id, sum(e.amount) AS yuan FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
        WHERE e.status = 'approved' GROUP BY 1) y ON y.household_id = h.id
    CROSS JOIN LATERAL unnest(stats_codes(h.village_code)) dv(code)
    GROUP BY 1;
    INSERT INTO stats_division_year (division_code, year, planned, exited)
    SELECT dv.code, year, sum(planned), sum(exited) FROM (
        SELECT village_code, planned_exit_year AS year, 1 AS planned, 0 AS exited FROM households WHERE planned_exit_year IS NOT NULL
        UNION ALL SELECT village_code, exited_year, 0, 1 FROM households WHERE status = 'exited' AND exited_year IS NOT NULL) x
    CROSS JOIN LATERAL unnest(stats_codes(x.village_code)) dv(code)
    GROUP BY 1, 2;
    INSERT INTO stats_division_cause (division_code, cause, households)
    SELECT dv.code, main_cause, count(*) FROM households CROSS JOIN LATERAL unnest(stats_codes(village_code)) dv(code) GROUP BY 1, 2;
    INSERT INTO stats_followup (division_code, day, pairings)
    SELECT dv.code, coalesce(p.last_visit, p.start_date), count(*) FROM pairings p JOIN households h ON h.id = p.household_id
    CROSS JOIN LATERAL unnest(stats_codes(h.village_code)) dv(code)
    WHERE p.status = 'active' GROUP BY 1, 2;
    INSERT INTO stats_ledger_day (division_code, day, visits, approved, first_pass, returns, yuan)
    SELECT dv.code, x.day, sum(visits), sum(approved), sum(first_pass), sum(returns), sum(yuan) FROM (
        SELECT h.village_code, e.entry_date AS day,
            count(*) FILTER (WHERE e.kind = 'visit' AND e.status IN ('submitted', 'approved'))::int AS visits,
            count(*) FILTER (WHERE e.status = 'approved')::int AS approved,
            count(*) FILTER (WHERE e.status = 'approved' AND e.return_count = 0)::int AS first_pass,
            coalesce(sum(e.return_count), 0)::int AS returns,
            coalesce(sum(e.amount) FILTER (WHERE e.status = 'approved'), 0) AS yuan
        FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id
        GROUP BY 1, 2) x
    CROSS JOIN LATERAL unnest(stats_codes(x.village_code)) dv(code)
    WHERE visits <> 0 OR approved <> 0 OR first_pass <> 0 OR returns <> 0 OR yuan <> 0
    GROUP BY 1, 2;
    INSERT INTO stats_ledger_month (division_code, day, visits, approved, first_pass, returns, yuan)
    SELECT division_code, date_trunc('month', day)::date, sum(visits), sum(approved), sum(first_pass), sum(returns), sum(yuan)
    FROM stats_ledger_day GROUP BY 1, 2;
    INSERT INTO stats_deputy_division (division_code, deputy_id, pairings)
    SELECT dv.code, p.deputy_id, count(*) FROM pairings p JOIN households h ON h.id = p.household_id
    CROSS JOIN LATERAL unnest(stats_all_codes(h.village_code)) dv(code)
    WHERE p.status = 'active' GROUP BY 1, 2;
    INSERT INTO stats_participation (division_code, key, deputies)
    SELECT x.division_code, k.key, count(*) FROM stats_deputy_division x JOIN deputies dp ON dp.id = x.deputy_id
    CROSS JOIN LATERAL (SELECT 'total' UNION ALL SELECT 'category:' || dp.category
        UNION ALL SELECT 'level:' || l FROM unnest(dp.levels) l) k(key)
    WHERE x.pairings > 0 GROUP BY 1, 2;
    ANALYZE stats_division, stats_division_year, stats_division_cause, stats_followup, stats_ledger_day,
        stats_ledger_month, stats_deputy_division, stats_participation;
END;
$$;

SELECT stats_rebuild();
