package demo

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// demoPovertyLines are national poverty lines in yuan per person per year:
// 2014–2020 as published (the 2010 line of 2,300 yuan uprated each year);
// 2021 onwards are plausible demo values for the monitoring line, which staff
// correct on the settings page.
var demoPovertyLines = map[int]string{
	2014: "2800", 2015: "2855", 2016: "2952", 2017: "3335", 2018: "3535", 2019: "3747", 2020: "4000",
	2021: "4200", 2022: "4350", 2023: "4500", 2024: "4650", 2025: "4800", 2026: "4950", 2027: "5100",
}

// demoAdjacency is a plausible table of neighbouring townships of 汨罗市
// (demo data, not surveyed; staff correct it on the settings page).
var demoAdjacency = [][2]string{
	{"430681101", "430681102"}, {"430681101", "430681103"}, {"430681101", "430681118"}, {"430681101", "430681403"},
	{"430681102", "430681103"}, {"430681102", "430681112"}, {"430681102", "430681121"},
	{"430681103", "430681104"}, {"430681103", "430681112"},
	{"430681104", "430681105"}, {"430681104", "430681107"},
	{"430681105", "430681107"}, {"430681105", "430681110"},
	{"430681107", "430681110"}, {"430681107", "430681111"}, {"430681107", "430681113"},
	{"430681110", "430681111"}, {"430681111", "430681113"},
	{"430681112", "430681121"}, {"430681113", "430681120"},
	{"430681118", "430681119"}, {"430681118", "430681403"}, {"430681119", "430681122"},
	{"430681119", "430681403"}, {"430681120", "430681122"}, {"430681121", "430681122"},
}

// seedPairingSetup writes the demo's poverty lines, township adjacency and
// applications (申请书), all derived without random draws: every deputy in
// office that helps households has an application covering them (offers by
// its category, its home township preferred), and one in seven deputies
// without households has volunteered for two more, so that the suggestion
// page has capacity for the unpaired households.
func seedPairingSetup(ctx context.Context, tx pgx.Tx) error {
	for year, yuan := range demoPovertyLines {
		if _, err := tx.Exec(ctx, `INSERT INTO poverty_lines (year, standard, yuan) VALUES ($1, 'national', $2) ON CONFLICT DO NOTHING`, year, yuan); err != nil {
			return fmt.Errorf("poverty lines: %w", err)
		}
	}
	for _, p := range demoAdjacency {
		if _, err := tx.Exec(ctx, `INSERT INTO township_adjacency (a, b) SELECT $1, $2 WHERE EXISTS (SELECT 1 FROM divisions WHERE code = $1)
			AND EXISTS (SELECT 1 FROM divisions WHERE code = $2) ON CONFLICT DO NOTHING`, p[0], p[1]); err != nil {
			return fmt.Errorf("adjacency: %w", err)
		}
	}
	// Statistics of the rows just copied in: without them the planner takes
	// the tables for empty and joins 20,000 deputies to 100,000 pairings by
	// nested loop (minutes at `--households 100000`).
	if _, err := tx.Exec(ctx, `ANALYZE deputies, pairings`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	_, err := tx.Exec(ctx, `
		WITH load AS (
			SELECT d.id, d.category, d.home_township_code, count(p.id)::int AS n
			FROM deputies d LEFT JOIN pairings p ON p.deputy_id = d.id AND p.status IN ('active', 'proposed')
			WHERE d.status = 'active' AND d.kind = 'deputy' GROUP BY d.id)
		INSERT INTO applications (deputy_id, preferred_townships, capacity, offers, note, created_at)
		SELECT id, ARRAY[home_township_code],
			CASE WHEN n > 0 THEN n + (id % 2)::int ELSE 2 END,
			CASE category
				WHEN 'private_sector' THEN ARRAY['employment', 'industry', 'credit']
				WHEN 'professional' THEN ARRAY['skills', 'health', 'education']
				WHEN 'cadre' THEN ARRAY['industry', 'education', 'safety_net', 'housing']
				WHEN 'frontline' THEN ARRAY['industry', 'skills', 'employment']
				ELSE ARRAY['other', 'education'] END,
			CASE WHEN n > 0 THEN '自愿参加“一对一”结对帮扶' ELSE '自愿申请，可再帮扶两户' END,
			now() - interval '200 days'
		FROM load WHERE n > 0 OR id % 7 = 0 ORDER BY id`)
	if err != nil {
		return fmt.Errorf("applications: %w", err)
	}
	return nil
}
