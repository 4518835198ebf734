-- Helpers that are units (帮扶单位): a committee office of the standing
-- committee (委办, e.g. 农业农村工作委员会) or another organisation can help
-- a household next to the deputies. A unit is a row of deputies with kind
-- 'unit', so that pairings, measures, goal, ledger, review and follow-up
-- (all keyed by deputy_id) work unchanged; what only a person has (gender,
-- levels, category, birth date, credential number) is NULL for a unit and
-- required for a deputy. A helper's kind never changes (the statistics
-- count the two apart).
ALTER TABLE deputies
    ADD COLUMN kind           text NOT NULL DEFAULT 'deputy' CHECK (kind IN ('deputy', 'unit')),
    ADD COLUMN contact_person text NOT NULL DEFAULT '' CHECK (length(contact_person) <= 20);
ALTER TABLE deputies
    ALTER COLUMN gender DROP NOT NULL,
    ALTER COLUMN levels DROP NOT NULL,
    ALTER COLUMN category DROP NOT NULL;
ALTER TABLE deputies ADD CONSTRAINT deputies_kind_fields CHECK (CASE kind
    WHEN 'deputy' THEN gender IS NOT NULL AND levels IS NOT NULL AND category IS NOT NULL AND contact_person = ''
    ELSE gender IS NULL AND levels IS NULL AND category IS NULL AND birth_date IS NULL AND credential_number = '' END);
CREATE INDEX deputies_kind_idx ON deputies (kind);

CREATE FUNCTION deputies_kind_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind <> OLD.kind THEN
        RAISE EXCEPTION 'helper % is a %: its kind cannot change', OLD.id, OLD.kind
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER deputies_kind_fixed BEFORE UPDATE OF kind ON deputies
    FOR EACH ROW EXECUTE FUNCTION deputies_kind_fixed();

-- The keys a helper taking part counts under in stats_participation: a
-- deputy under 'total', its category and its levels (as before); a unit
-- only under 'units', so that "deputies taking part" never counts a unit.
CREATE FUNCTION stats_helper_keys(kind text, category text, levels text[]) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'units' WHERE kind = 'unit'
    UNION ALL SELECT 'total' WHERE kind = 'deputy'
    UNION ALL SELECT 'category:' || category WHERE kind = 'deputy'
    UNION ALL SELECT 'level:' || l FROM unnest(levels) l WHERE kind = 'deputy'
$$;

-- As in 000010, with the participation keys of stats_helper_keys.
-- stats_pairing_apply adds active pairings to the paired counts, the
-- follow-up days and the deputies taking part.
CREATE OR REPLACE FUNCTION stats_pairing_apply(d stats_pairing_delta[]) RETURNS void LANGUAGE plpgsql AS $$
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
    CROSS JOIN LATERAL stats_helper_keys(dp.kind, dp.category, dp.levels) k(key)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (division_code, key) DO UPDATE SET deputies = t.deputies + EXCLUDED.deputies;
END;
$$;

-- As in 000010; a unit has no levels or category to move between.
CREATE OR REPLACE FUNCTION stats_deputy_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stats_participation AS t (division_code, key, deputies)
    SELECT x.division_code, k.key, sum(k.sign) FROM (
        SELECT o.id, o.levels AS old_levels, o.category AS old_category, d.levels, d.category
        FROM (SELECT id, levels, category FROM old_rows EXCEPT SELECT id, levels, category FROM new_rows) o
        JOIN deputies d ON d.id = o.id WHERE d.kind = 'deputy') c
    JOIN stats_deputy_division x ON x.deputy_id = c.id AND x.pairings > 0
    CROSS JOIN LATERAL (
        SELECT 'category:' || c.old_category, -1 UNION ALL SELECT 'level:' || l, -1 FROM unnest(c.old_levels) l
        UNION ALL SELECT 'category:' || c.category, 1 UNION ALL SELECT 'level:' || l, 1 FROM unnest(c.levels) l) k(key, sign)
    GROUP BY 1, 2 HAVING sum(k.sign) <> 0 ORDER BY 1, 2
    ON CONFLICT (division_code, key) DO UPDATE SET deputies = t.deputies + EXCLUDED.deputies;
    RETURN NULL;
END;
$$;

-- As in 000010, with the participation keys of stats_helper_keys.
-- stats_rebuild recomputes every summary table (and pairings.last_visit)
-- from the raw tables, after refreshing the planner's statistics of them.
CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
    CROSS JOIN LATERAL stats_helper_keys(dp.kind, dp.category, dp.levels) k(key)
    WHERE x.pairings > 0 GROUP BY 1, 2;
    ANALYZE stats_division, stats_division_year, stats_division_cause, stats_followup, stats_ledger_day,
        stats_ledger_month, stats_deputy_division, stats_participation;
END;
$$;

SELECT stats_rebuild();
