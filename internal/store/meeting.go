package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/jackc/pgx/v5"
)

// MeetingRow is a joint meeting as listed and shown.
type MeetingRow struct {
	ID            int64     `db:"id"`
	Year          int       `db:"year"`
	Quarter       int       `db:"quarter"`
	Date          time.Time `db:"meeting_date"`
	Title         string    `db:"title"`
	Kind          string    `db:"kind"`
	HostTownship  string    `db:"host_township"`
	HostName      string    `db:"host_name"`
	Place         string    `db:"place"`
	TownshipCode  string    `db:"township_code"` // "" = a county meeting
	TownshipName  string    `db:"township_name"`
	Status        string    `db:"status"`
	Agenda        string    `db:"agenda"`
	Minutes       string    `db:"minutes"`
	GoodPractices string    `db:"good_practices"`
	Shortcomings  string    `db:"shortcomings"`
	Decisions     string    `db:"decisions"`
	Version       int       `db:"version"`
}

const meetingSelect = `SELECT m.id, m.year, m.quarter, m.meeting_date, m.title, m.kind, m.host_township, ht.name AS host_name,
	m.place, coalesce(m.township_code, '') AS township_code, coalesce(t.name, '') AS township_name, m.status,
	m.agenda, m.minutes, m.good_practices, m.shortcomings, m.decisions, m.version
FROM meetings m JOIN divisions ht ON ht.code = m.host_township LEFT JOIN divisions t ON t.code = m.township_code`

// MeetingScope is who is looking at meetings: staff and leaders see all
// (zero value); a chair the county's and its township's (Township); a
// deputy those it is listed at (DeputyID).
type MeetingScope struct {
	Township string
	DeputyID int64
}

func meetingVisible(sc MeetingScope, next int) (string, []any) {
	return fmt.Sprintf(`(($%d::text = '' AND $%d::bigint = 0)
		OR ($%d::text <> '' AND (m.township_code IS NULL OR m.township_code = $%d::text))
		OR ($%d::bigint <> 0 AND EXISTS (SELECT 1 FROM meeting_attendees a WHERE a.meeting_id = m.id AND a.deputy_id = $%d::bigint)))`,
			next, next+1, next, next, next+1, next+1),
		[]any{sc.Township, sc.DeputyID}
}

// Meetings returns the meetings of year (0 = every year) visible in sc,
// by date.
func (s *Store) Meetings(ctx context.Context, sc MeetingScope, year int) ([]MeetingRow, error) {
	where, args := meetingVisible(sc, 2)
	rows, _ := s.Pool.Query(ctx, meetingSelect+` WHERE ($1 = 0 OR m.year = $1) AND `+where+` ORDER BY m.meeting_date, m.id`,
		append([]any{year}, args...)...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[MeetingRow])
	if err != nil {
		return nil, fmt.Errorf("store.Meetings: %w", err)
	}
	return out, nil
}

// Meeting returns meeting id if visible in sc, else ErrNotFound.
func (s *Store) Meeting(ctx context.Context, sc MeetingScope, id int64) (MeetingRow, error) {
	where, args := meetingVisible(sc, 2)
	rows, _ := s.Pool.Query(ctx, meetingSelect+` WHERE m.id = $1 AND `+where, append([]any{id}, args...)...)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[MeetingRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("store.Meeting %d: %w", id, err)
	}
	return m, nil
}

// NextMeeting returns the first scheduled meeting on or after today visible
// in sc, or ErrNotFound. For staff and leaders (the zero scope) only county
// meetings count: a township's own meeting is not the county's next one.
func (s *Store) NextMeeting(ctx context.Context, sc MeetingScope, today time.Time) (MeetingRow, error) {
	where, args := meetingVisible(sc, 2)
	if sc == (MeetingScope{}) {
		where += ` AND m.township_code IS NULL`
	}
	rows, _ := s.Pool.Query(ctx, meetingSelect+` WHERE m.status = 'scheduled' AND m.meeting_date >= $1 AND `+where+`
		ORDER BY m.meeting_date, m.id LIMIT 1`, append([]any{today}, args...)...)
	m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[MeetingRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return m, ErrNotFound
	}
	if err != nil {
		return m, fmt.Errorf("store.NextMeeting: %w", err)
	}
	return m, nil
}

// CreateMeeting schedules a meeting: a county meeting (township "") or a
// township's own, with its audit event; it returns the id. The same meeting
// (date, title, scope) sent again returns the existing one's id and writes
// nothing.
func (s *Store) CreateMeeting(ctx context.Context, m meeting.Schedule, township string, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO meetings (year, quarter, meeting_date, title, kind, host_township, place, township_code, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), $9) ON CONFLICT DO NOTHING RETURNING id`,
			m.Year, m.Quarter, m.Date, m.Title, m.Kind, m.HostTownship, m.Place, township, nullID(actorID)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			// The same meeting again (a resent form): the one already there.
			return tx.QueryRow(ctx, `SELECT id FROM meetings WHERE meeting_date = $1 AND title = $2 AND coalesce(township_code, '') = $3`,
				m.Date, m.Title, township).Scan(&id)
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "meeting.schedule", "meeting", id, nil, m)
	})
	if err != nil {
		return 0, fmt.Errorf("store.CreateMeeting: %w", err)
	}
	return id, nil
}

// RecordMeeting writes the agenda, minutes, practices, shortcomings and
// decisions of meeting id at version (and marks it held if r.Held), with
// its audit event. A stale version returns ErrVersionConflict.
func (s *Store) RecordMeeting(ctx context.Context, id int64, version int, r meeting.Record, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var before MeetingRow
		rows, _ := tx.Query(ctx, meetingSelect+` WHERE m.id = $1 FOR UPDATE OF m`, id)
		before, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[MeetingRow])
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if before.Version != version {
			return ErrVersionConflict
		}
		status := before.Status
		if r.Held {
			status = "held"
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET agenda = $2, minutes = $3, good_practices = $4, shortcomings = $5,
			decisions = $6, status = $7, version = version + 1, updated_at = now() WHERE id = $1`,
			id, r.Agenda, r.Minutes, r.GoodPractices, r.Shortcomings, r.Decisions, status); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "meeting.record", "meeting", id,
			map[string]string{"status": before.Status, "minutes": before.Minutes, "decisions": before.Decisions},
			map[string]string{"status": status, "minutes": r.Minutes, "decisions": r.Decisions})
	})
	if err != nil {
		return fmt.Errorf("store.RecordMeeting %d: %w", id, err)
	}
	return nil
}

// AttendeeRow is one person at a meeting: an account or a deputy.
type AttendeeRow struct {
	ID       int64  `db:"id"`
	UserID   int64  `db:"user_id"`
	DeputyID int64  `db:"deputy_id"`
	Name     string `db:"name"`
	Role     string `db:"role"` // the account's role, or "deputy"
	Present  bool   `db:"present"`
	Township string `db:"township_code"` // a chair's township
}

// Attendees returns the people listed at meeting id: accounts first, then
// deputies, by name.
func (s *Store) Attendees(ctx context.Context, meetingID int64) ([]AttendeeRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT a.id, coalesce(a.user_id, 0) AS user_id, coalesce(a.deputy_id, 0) AS deputy_id,
		coalesce(u.display_name, d.name) AS name, coalesce(u.role, 'deputy') AS role, a.present,
		coalesce(u.township_code, '') AS township_code
		FROM meeting_attendees a LEFT JOIN users u ON u.id = a.user_id LEFT JOIN deputies d ON d.id = a.deputy_id
		WHERE a.meeting_id = $1 ORDER BY a.deputy_id IS NOT NULL, coalesce(u.display_name, d.name) COLLATE zh_pinyin, a.id`, meetingID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AttendeeRow])
	if err != nil {
		return nil, fmt.Errorf("store.Attendees: %w", err)
	}
	return out, nil
}

// AddAttendee lists an account (userID) or a deputy (deputyID) at meeting
// id as present or absent, audited. Listing someone twice returns
// ErrConflict; an unknown account or deputy ErrNotFound.
func (s *Store) AddAttendee(ctx context.Context, meetingID, userID, deputyID int64, present bool, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO meeting_attendees (meeting_id, user_id, deputy_id, present)
			SELECT $1, nullif($2, 0), nullif($3, 0), $4
			WHERE ($2 = 0 OR EXISTS (SELECT 1 FROM users WHERE id = $2)) AND ($3 = 0 OR EXISTS (SELECT 1 FROM deputies WHERE id = $3))
			ON CONFLICT DO NOTHING RETURNING id`, meetingID, userID, deputyID, present).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_attendees WHERE meeting_id = $1
				AND (user_id = $2 OR deputy_id = $3))`, meetingID, userID, deputyID).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return ErrConflict
			}
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "meeting.attendee_add", "meeting", meetingID, nil,
			map[string]any{"user_id": userID, "deputy_id": deputyID, "present": present})
	})
	if err != nil {
		return fmt.Errorf("store.AddAttendee: %w", err)
	}
	return nil
}

// SetAttendance marks attendee id of meeting present or absent, or removes
// it (remove), audited. Another meeting's attendee is ErrNotFound.
func (s *Store) SetAttendance(ctx context.Context, meetingID, id int64, present, remove bool, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var tag interface{ RowsAffected() int64 }
		var err error
		if remove {
			tag, err = tx.Exec(ctx, `DELETE FROM meeting_attendees WHERE id = $1 AND meeting_id = $2`, id, meetingID)
		} else {
			tag, err = tx.Exec(ctx, `UPDATE meeting_attendees SET present = $3 WHERE id = $1 AND meeting_id = $2`, id, meetingID, present)
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return audit(ctx, tx, actorID, "meeting.attendance", "meeting", meetingID, nil,
			map[string]any{"attendee": id, "present": present, "removed": remove})
	})
	if err != nil {
		return fmt.Errorf("store.SetAttendance: %w", err)
	}
	return nil
}

// ModelCaseRow is a model case named at a meeting, with the household it
// concerns (for a link) when the reference still resolves.
type ModelCaseRow struct {
	ID          int64  `db:"id"`
	Kind        string `db:"kind"`
	RefID       int64  `db:"ref_id"`
	Note        string `db:"note"`
	HouseholdID int64  `db:"household_id"`
	HeadName    string `db:"head_name"`
	VillageName string `db:"village_name"`
}

// ModelCases returns the model cases of meeting id in the order named.
func (s *Store) ModelCases(ctx context.Context, meetingID int64) ([]ModelCaseRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT c.id, c.kind, c.ref_id, c.note, coalesce(h.id, 0) AS household_id,
		coalesce(h.head_name, '') AS head_name, coalesce(v.name, '') AS village_name
		FROM meeting_model_cases c
		LEFT JOIN ledger_entries e ON c.kind = 'ledger_entry' AND e.id = c.ref_id
		LEFT JOIN pairings p ON p.id = CASE c.kind WHEN 'pairing' THEN c.ref_id WHEN 'ledger_entry' THEN e.pairing_id END
		LEFT JOIN households h ON h.id = CASE c.kind WHEN 'household' THEN c.ref_id ELSE p.household_id END
		LEFT JOIN divisions v ON v.code = h.village_code
		WHERE c.meeting_id = $1 ORDER BY c.id`, meetingID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ModelCaseRow])
	if err != nil {
		return nil, fmt.Errorf("store.ModelCases: %w", err)
	}
	return out, nil
}

// AddModelCase names a household, a pairing (active or ended) or an
// approved ledger entry (kind, refID) as a model case of meeting id with a
// note, audited. With township set (a township's own meeting) the case must
// concern a household of that township. A reference that does not qualify
// returns ErrNotFound; one named already ErrConflict.
func (s *Store) AddModelCase(ctx context.Context, meetingID int64, township, kind string, refID int64, note string, actorID int64) error {
	find := map[string]string{
		"household":    `SELECT h.township_code FROM households h WHERE h.id = $1`,
		"pairing":      `SELECT h.township_code FROM pairings p JOIN households h ON h.id = p.household_id WHERE p.id = $1 AND p.status IN ('active', 'ended') AND p.end_reason IS DISTINCT FROM 'rejected'`,
		"ledger_entry": `SELECT h.township_code FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id WHERE e.id = $1 AND e.status = 'approved'`,
	}[kind]
	if find == "" {
		return fmt.Errorf("store.AddModelCase: kind %q: %w", kind, ErrNotFound)
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var tw string
		err := tx.QueryRow(ctx, find, refID).Scan(&tw)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && township != "" && tw != township) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var id int64
		err = tx.QueryRow(ctx, `INSERT INTO meeting_model_cases (meeting_id, kind, ref_id, note) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING RETURNING id`, meetingID, kind, refID, note).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "meeting.model_case", "meeting", meetingID, nil, map[string]any{"kind": kind, "ref_id": refID, "note": note})
	})
	if err != nil {
		return fmt.Errorf("store.AddModelCase: %w", err)
	}
	return nil
}

// ActionItemRow is an action item with its meeting and owner's name.
type ActionItemRow struct {
	ID            int64      `db:"id"`
	MeetingID     int64      `db:"meeting_id"`
	MeetingTitle  string     `db:"meeting_title"`
	MeetingDate   time.Time  `db:"meeting_date"`
	Title         string     `db:"title"`
	OwnerUserID   int64      `db:"owner_user_id"`
	OwnerTownship string     `db:"owner_township"`
	OwnerName     string     `db:"owner_name"`
	Due           time.Time  `db:"due_date"`
	Status        string     `db:"status"` // stored: open or done (see meeting.ItemStatus)
	ClosedOn      *time.Time `db:"closed_on"`
	ClosingNote   string     `db:"closing_note"`
}

// ItemFilter selects action items. Zero fields do not filter.
type ItemFilter struct {
	MeetingID     int64
	OwnerUserID   int64  // items of this account, or
	OwnerTownship string // (with OwnerUserID: or) of this township
	OpenOnly      bool
	Before        time.Time // of meetings held before this day (carried into a later meeting)
	CountyOnly    bool      // of county meetings only
	OfTownship    string    // of this township's own meetings only
}

// ActionItems returns the items matching f, by due date.
func (s *Store) ActionItems(ctx context.Context, f ItemFilter) ([]ActionItemRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT i.id, i.meeting_id, m.title AS meeting_title, m.meeting_date, i.title,
		coalesce(i.owner_user_id, 0) AS owner_user_id, coalesce(i.owner_township, '') AS owner_township,
		coalesce(u.display_name, t.name) AS owner_name, i.due_date, i.status, i.closed_on, i.closing_note
		FROM action_items i JOIN meetings m ON m.id = i.meeting_id
		LEFT JOIN users u ON u.id = i.owner_user_id LEFT JOIN divisions t ON t.code = i.owner_township
		WHERE ($1 = 0 OR i.meeting_id = $1)
		AND (($2 = 0 AND $3 = '') OR i.owner_user_id = $2 OR i.owner_township = $3)
		AND (NOT $4 OR i.status = 'open')
		AND ($5::date IS NULL OR m.meeting_date < $5)
		AND (NOT $6 OR m.township_code IS NULL)
		AND ($7 = '' OR m.township_code = $7)
		ORDER BY i.due_date, i.id`, f.MeetingID, f.OwnerUserID, f.OwnerTownship, f.OpenOnly, nullDate(f.Before), f.CountyOnly, f.OfTownship)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[ActionItemRow])
	if err != nil {
		return nil, fmt.Errorf("store.ActionItems: %w", err)
	}
	return out, nil
}

func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// CreateActionItem adds an action item to meeting id, audited; it returns
// the item's id. The same item sent again returns the existing one.
func (s *Store) CreateActionItem(ctx context.Context, meetingID int64, it meeting.Item, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO action_items (meeting_id, title, owner_user_id, owner_township, due_date, created_by)
			VALUES ($1, $2, nullif($3, 0), nullif($4, ''), $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
			meetingID, it.Title, it.OwnerUserID, it.OwnerTownship, it.Due, nullID(actorID)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			// The same item again (a resent form): the one already there.
			return tx.QueryRow(ctx, `SELECT id FROM action_items WHERE meeting_id = $1 AND title = $2
				AND coalesce(owner_user_id, 0) = $3 AND coalesce(owner_township, '') = $4 AND due_date = $5`,
				meetingID, it.Title, it.OwnerUserID, it.OwnerTownship, it.Due).Scan(&id)
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "action_item.create", "action_item", id, nil, it)
	})
	if err != nil {
		return 0, fmt.Errorf("store.CreateActionItem: %w", err)
	}
	return id, nil
}

// ActionItem returns item id.
func (s *Store) ActionItem(ctx context.Context, id int64) (ActionItemRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT i.id, i.meeting_id, m.title AS meeting_title, m.meeting_date, i.title,
		coalesce(i.owner_user_id, 0) AS owner_user_id, coalesce(i.owner_township, '') AS owner_township,
		coalesce(u.display_name, t.name) AS owner_name, i.due_date, i.status, i.closed_on, i.closing_note
		FROM action_items i JOIN meetings m ON m.id = i.meeting_id
		LEFT JOIN users u ON u.id = i.owner_user_id LEFT JOIN divisions t ON t.code = i.owner_township
		WHERE i.id = $1`, id)
	it, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[ActionItemRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return it, ErrNotFound
	}
	if err != nil {
		return it, fmt.Errorf("store.ActionItem: %w", err)
	}
	return it, nil
}

// CloseActionItem closes open item id on day closedOn with a note, audited.
// An item already closed returns ErrConflict.
func (s *Store) CloseActionItem(ctx context.Context, id int64, note string, closedOn time.Time, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE action_items SET status = 'done', closed_on = $2, closing_note = $3, closed_by = $4
			WHERE id = $1 AND status = 'open'`, id, closedOn, note, nullID(actorID))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrConflict
		}
		return audit(ctx, tx, actorID, "action_item.close", "action_item", id,
			map[string]string{"status": "open"}, map[string]string{"status": "done", "closing_note": note})
	})
	if err != nil {
		return fmt.Errorf("store.CloseActionItem %d: %w", id, err)
	}
	return nil
}

// ActionItemCounts returns, by township code, the action items due in
// period p up to today and, of those, the ones closed by their due date:
// the ranking's "action items closed on time" term. An item counts for the
// township that owns it, or for the township of the chair who owns it.
func (s *Store) ActionItemCounts(ctx context.Context, p period.Period, today time.Time) (map[string]ItemCount, error) {
	end := p.End()
	if today.Before(end) {
		end = today.AddDate(0, 0, 1)
	}
	rows, err := s.Pool.Query(ctx, `SELECT coalesce(i.owner_township, u.township_code) AS township,
		count(*)::int, count(*) FILTER (WHERE i.status = 'done' AND i.closed_on <= i.due_date)::int
		FROM action_items i LEFT JOIN users u ON u.id = i.owner_user_id
		WHERE i.due_date >= $1 AND i.due_date < $2 AND coalesce(i.owner_township, u.township_code) IS NOT NULL
		GROUP BY 1`, p.Start(), end)
	if err != nil {
		return nil, fmt.Errorf("store.ActionItemCounts: %w", err)
	}
	out := map[string]ItemCount{}
	var code string
	var c ItemCount
	if _, err := pgx.ForEachRow(rows, []any{&code, &c.Due, &c.OnTime}, func() error { out[code] = c; return nil }); err != nil {
		return nil, fmt.Errorf("store.ActionItemCounts: %w", err)
	}
	return out, nil
}

// MeetingUserOptions lists the accounts that can attend or own items (not
// deputies' logins), by role and name: id, display name, role.
func (s *Store) MeetingUserOptions(ctx context.Context) ([]AttendeeRow, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT 0::bigint AS id, id AS user_id, 0::bigint AS deputy_id, display_name AS name, role, true AS present,
		coalesce(township_code, '') AS township_code FROM users WHERE active AND role <> 'deputy' ORDER BY role, display_name COLLATE zh_pinyin, id`)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AttendeeRow])
	if err != nil {
		return nil, fmt.Errorf("store.MeetingUserOptions: %w", err)
	}
	return out, nil
}
