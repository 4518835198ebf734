package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/jackc/pgx/v5"
	"golang.org/x/text/width"
)

// AuditRow is one audit event as shown on a record's page.
type AuditRow struct {
	At     time.Time       `db:"at"`
	User   string          `db:"user_name"`
	Action string          `db:"action"`
	Before json.RawMessage `db:"before"`
	After  json.RawMessage `db:"after"`
	// Names are the names of what the event's codes and ids stand for, as
	// they are now: a village code → "镇 村", "deputy:<id>" → the helper's
	// name, "measure:<id>" → the measure's content, "helper" → the helper
	// of the event's pairing or ledger entry, "entry" → the ledger entry
	// ("2026-03-01 visit").
	Names map[string]string `db:"names"`
}

// auditNamesSQL is the names column of an audit event a (AuditRow.Names).
const auditNamesSQL = `(SELECT coalesce(jsonb_object_agg(k, n), '{}'::jsonb) FROM (
			SELECT v.code AS k, coalesce(t.name || ' ', '') || v.name AS n FROM divisions v
				LEFT JOIN divisions t ON t.code = v.parent_code AND t.level = 'township'
				WHERE v.code IN (a.before->>'village_code', a.after->>'village_code')
			UNION ALL SELECT 'deputy:' || d.id, d.name FROM deputies d
				WHERE d.id IN ((a.before->>'deputy_id')::bigint, (a.after->>'deputy_id')::bigint)
			UNION ALL SELECT 'measure:' || m.id, m.content FROM measures m
				WHERE m.id IN ((a.before->>'measure_id')::bigint, (a.after->>'measure_id')::bigint)
			UNION ALL SELECT 'helper', d.name FROM pairings p JOIN deputies d ON d.id = p.deputy_id
				WHERE a.entity = 'pairing' AND p.id = a.entity_id
			UNION ALL SELECT 'helper', d.name FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
				JOIN deputies d ON d.id = p.deputy_id WHERE a.entity = 'ledger_entry' AND e.id = a.entity_id
			UNION ALL SELECT 'entry', e.entry_date::text || ' ' || e.kind FROM ledger_entries e
				WHERE a.entity = 'ledger_entry' AND e.id = a.entity_id) names) AS names`

// auditTrailSQL reads the newest 200 events of entity $1, id $2.
const auditTrailSQL = `SELECT a.at, coalesce(u.display_name, '系统') AS user_name, a.action,
		coalesce(a.before, 'null'::jsonb) AS before, coalesce(a.after, 'null'::jsonb) AS after, ` + auditNamesSQL + `
		FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.entity = $1 AND a.entity_id = $2 ORDER BY a.id DESC LIMIT 200`

// householdTrailSQL reads the newest 200 events of household $1's story:
// its own (registration, edits, status, income, exit), its pairings'
// (proposal, confirmation, pairing, end, measures, goal) and its ledger
// entries' (entry, review).
const householdTrailSQL = `WITH p AS (SELECT id FROM pairings WHERE household_id = $1)
		SELECT a.at, coalesce(u.display_name, '系统') AS user_name, a.action,
		coalesce(a.before, 'null'::jsonb) AS before, coalesce(a.after, 'null'::jsonb) AS after, ` + auditNamesSQL + `
		FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
		WHERE (a.entity = 'household' AND a.entity_id = $1)
			OR (a.entity = 'pairing' AND a.entity_id IN (SELECT id FROM p))
			OR (a.entity = 'ledger_entry' AND a.entity_id IN (SELECT e.id FROM ledger_entries e WHERE e.pairing_id IN (SELECT id FROM p)))
		ORDER BY a.id DESC LIMIT 200`

// AuditTrail returns the audit events of one record (entity "household",
// "deputy", ...), newest first, at most 200.
func (s *Store) AuditTrail(ctx context.Context, entity string, id int64) ([]AuditRow, error) {
	rows, _ := s.Pool.Query(ctx, auditTrailSQL, entity, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditRow])
	if err != nil {
		return nil, fmt.Errorf("store.AuditTrail: %w", err)
	}
	return out, nil
}

// AuditReveal records that actorID saw household id's personal data in full;
// the household must be in scope (else ErrNotFound).
func (s *Store) AuditReveal(ctx context.Context, scope auth.Scope, id int64, actorID int64) error {
	if _, err := s.Household(ctx, scope, id); err != nil {
		return err
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		return audit(ctx, tx, actorID, "household.reveal", "household", id, nil, nil)
	})
	if err != nil {
		return fmt.Errorf("store.AuditReveal: %w", err)
	}
	return nil
}

// auditQuery is a search query as the audit log keeps it: a query that
// could be a whole ID number (18 characters) keeps only its last 4, like
// every other audit record of an ID.
func auditQuery(q string) string {
	if t := strings.TrimSpace(width.Fold.String(q)); len(t) == 18 {
		return tail(t)
	}
	return q
}

// AuditExport records that actorID exported the count households matching
// f. purpose is the stated purpose of a full export (whole ID numbers and
// phones), recorded with unmasked true; "" for a masked export.
func (s *Store) AuditExport(ctx context.Context, actorID int64, f HouseholdFilter, count int, purpose string) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		after := map[string]any{
			"division": f.Division, "status": f.Status, "attribute": f.Attribute, "cause": f.Cause, "paired": f.Paired,
			"query": auditQuery(f.Query), "households": count, "unmasked": purpose != ""}
		if purpose != "" {
			after["purpose"] = purpose
		}
		return audit(ctx, tx, actorID, "household.export", "household_export", 0, nil, after)
	})
	if err != nil {
		return fmt.Errorf("store.AuditExport: %w", err)
	}
	return nil
}

// Origin is where a request came from, recorded with each audit event.
type Origin struct {
	IP        string // client address (no port)
	RequestID string // the X-Request-Id of the request, also in the logs
}

type originKey struct{}

// WithOrigin returns ctx carrying o; audit events written under it record
// its address and request id.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

func originFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}

// AuditDenied records that userID was refused (403) method on path. path
// must carry no query string (it may hold personal data).
func (s *Store) AuditDenied(ctx context.Context, userID int64, method, path string) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		return audit(ctx, tx, userID, "authz.denied", "route", 0, nil, map[string]string{"method": clip(method, 16), "path": clip(path, maxAuditText)})
	})
	if err != nil {
		return fmt.Errorf("store.AuditDenied: %w", err)
	}
	return nil
}

// AuditFilter selects audit events on the audit page; zero fields do not
// filter. From and To are whole days in Asia/Shanghai (To inclusive).
type AuditFilter struct {
	From, To time.Time
	User     string // username or display name, a fragment
	Action   string // exact action or a prefix ending in "." ("user.")
	Entity   string
	EntityID int64
	IP       string
}

// AuditEvent is one audit event as listed on the audit page and exported.
type AuditEvent struct {
	ID        int64           `db:"id"`
	At        time.Time       `db:"at"`
	UserName  string          `db:"user_name"` // display name (username), "" for the system
	Role      string          `db:"role"`
	IP        string          `db:"ip"`
	RequestID string          `db:"request_id"`
	Action    string          `db:"action"`
	Entity    string          `db:"entity"`
	EntityID  int64           `db:"entity_id"`
	Before    json.RawMessage `db:"before"`
	After     json.RawMessage `db:"after"`
}

// AuditExportLimit is the most events one export holds.
const AuditExportLimit = 50000

func (f AuditFilter) where() (string, []any) {
	conds := []string{"true"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "$?", fmt.Sprintf("$%d", len(args))))
	}
	if !f.From.IsZero() {
		add("a.at >= $?", f.From)
	}
	if !f.To.IsZero() {
		add("a.at < $?", f.To.AddDate(0, 0, 1))
	}
	if f.User != "" {
		add("(u.username ILIKE '%' || $? || '%' ESCAPE '\\' OR u.display_name ILIKE '%' || $?::text || '%' ESCAPE '\\')", escapeLike(f.User))
	}
	if f.Action != "" {
		if strings.HasSuffix(f.Action, ".") {
			add("a.action LIKE $? || '%' ESCAPE '\\'", escapeLike(f.Action))
		} else {
			add("a.action = $?", f.Action)
		}
	}
	if f.Entity != "" {
		add("a.entity = $?", f.Entity)
	}
	if f.EntityID != 0 {
		add("a.entity_id = $?", f.EntityID)
	}
	if f.IP != "" {
		add("a.ip = $?", f.IP)
	}
	return strings.Join(conds, " AND "), args
}

const auditEventColumns = `a.id, a.at, coalesce(u.display_name || '（' || u.username || '）', '') AS user_name,
	coalesce(a.role, '') AS role, coalesce(a.ip, '') AS ip, coalesce(a.request_id, '') AS request_id,
	a.action, a.entity, coalesce(a.entity_id, 0) AS entity_id,
	coalesce(a.before, 'null'::jsonb) AS before, coalesce(a.after, 'null'::jsonb) AS after`

// AuditEvents returns one page (1-based, PageSize rows) of the events
// matching f, newest first, and how many match.
func (s *Store) AuditEvents(ctx context.Context, f AuditFilter, page int) ([]AuditEvent, int, error) {
	where, args := f.where()
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events a LEFT JOIN users u ON u.id = a.user_id WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.AuditEvents: count: %w", err)
	}
	n := len(args)
	args = append(args, PageSize, (page-1)*PageSize)
	rows, _ := s.Pool.Query(ctx, `SELECT `+auditEventColumns+` FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
		WHERE `+where+fmt.Sprintf(` ORDER BY a.id DESC LIMIT $%d OFFSET $%d`, n+1, n+2), args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditEvent])
	if err != nil {
		return nil, 0, fmt.Errorf("store.AuditEvents: %w", err)
	}
	return out, total, nil
}

// AuditEventsForExport returns the events matching f, newest first, at most
// AuditExportLimit, and records the export itself (audit.export, by
// actorID) in the same transaction.
func (s *Store) AuditEventsForExport(ctx context.Context, f AuditFilter, actorID int64) ([]AuditEvent, error) {
	where, args := f.where()
	args = append(args, AuditExportLimit)
	var out []AuditEvent
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+auditEventColumns+` FROM audit_events a LEFT JOIN users u ON u.id = a.user_id
			WHERE `+where+fmt.Sprintf(` ORDER BY a.id DESC LIMIT $%d`, len(args)), args...)
		var err error
		if out, err = pgx.CollectRows(rows, pgx.RowToStructByName[AuditEvent]); err != nil {
			return err
		}
		filter := map[string]any{"user": f.User, "action": f.Action, "entity": f.Entity, "entity_id": f.EntityID, "ip": f.IP, "events": len(out)}
		if !f.From.IsZero() {
			filter["from"] = f.From.Format(time.DateOnly)
		}
		if !f.To.IsZero() {
			filter["to"] = f.To.Format(time.DateOnly)
		}
		return audit(ctx, tx, actorID, "audit.export", "audit_export", 0, nil, filter)
	})
	if err != nil {
		return nil, fmt.Errorf("store.AuditEventsForExport: %w", err)
	}
	return out, nil
}

// maxAuditText is the longest text (bytes) an audit event keeps from what a
// request sent (a path, a name typed at sign-in): audit events can never be
// removed, so a request must not be able to fill the log.
const maxAuditText = 200

// clip cuts s to at most n bytes at a character boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// AuditAction records a state change or access with no write of its own
// (signing out, an export, a file downloaded) by userID: action (e.g.
// "user.logout", "deputy.export", "job.download") on entity id, with after
// as its details (nil for none), in its own transaction.
func (s *Store) AuditAction(ctx context.Context, userID int64, action, entity string, id int64, after any) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		return audit(ctx, tx, userID, action, entity, id, nil, after)
	})
	if err != nil {
		return fmt.Errorf("store.AuditAction %s: %w", action, err)
	}
	return nil
}
