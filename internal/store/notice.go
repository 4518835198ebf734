package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/notice"
	"github.com/jackc/pgx/v5"
)

// NoticeViewer is who is reading notices: the zero value (staff, leaders)
// sees every notice; a deputy (DeputyID) only those it is a recipient of; a
// township chair (ChairTownship) only those sent to its township's chair.
type NoticeViewer struct {
	DeputyID      int64
	ChairTownship string
}

func (v NoticeViewer) all() bool { return v.DeputyID == 0 && v.ChairTownship == "" }

// NoticeRow is a notice as listed and shown, with its figures: recipients,
// how many have read it, how many deputies answered (filed an application
// after it was published) and, for a recipient viewer, its own recipient
// id and reading time.
type NoticeRow struct {
	ID             int64      `db:"id"`
	Title          string     `db:"title"`
	Body           string     `db:"body"`
	Audience       string     `db:"audience"`
	Levels         []string   `db:"levels"`
	Townships      []string   `db:"townships"`
	CallToApply    bool       `db:"call_to_apply"`
	PublishedAt    time.Time  `db:"published_at"`
	PublishedBy    string     `db:"published_by"`
	Files          int        `db:"files"`
	Recipients     int        `db:"recipients"`
	Read           int        `db:"read"`
	Answered       int        `db:"answered"`
	DeputyAudience bool       `db:"deputy_audience"`
	RecipientID    int64      `db:"recipient_id"` // the viewer's recipient row (0 for staff and leaders)
	ReadAt         *time.Time `db:"read_at"`      // when the viewer first read it
	// WithdrawnAt is set once staff withdrew the notice (recipients no
	// longer see it), with the reason.
	WithdrawnAt    *time.Time `db:"withdrawn_at"`
	WithdrawReason string     `db:"withdraw_reason"`
}

// answeredSQL is true for recipient r of notice n when r is a deputy that
// filed a pairing application (itself or through staff) at or after the
// notice was published.
const answeredSQL = `(r.kind = 'deputy' AND EXISTS (SELECT 1 FROM applications a WHERE a.deputy_id = r.deputy_id AND a.created_at >= n.published_at))`

// noticeSelect reads notices; $1 and $2 are the viewer's deputy id and
// chair township (0 and ” for staff and leaders).
const noticeSelect = `SELECT n.id, n.title, n.body, n.audience, n.levels, n.townships, n.call_to_apply, n.published_at,
	coalesce(pu.display_name, '') AS published_by,
	(SELECT count(*) FROM notice_files f WHERE f.notice_id = n.id)::int AS files,
	(SELECT count(*) FROM notice_recipients r WHERE r.notice_id = n.id)::int AS recipients,
	(SELECT count(*) FROM notice_recipients r JOIN notice_reads rd ON rd.recipient_id = r.id WHERE r.notice_id = n.id)::int AS read,
	(SELECT count(*) FROM notice_recipients r WHERE r.notice_id = n.id AND ` + answeredSQL + `)::int AS answered,
	n.audience <> 'chairs' AS deputy_audience,
	coalesce(me.id, 0) AS recipient_id, me_read.read_at, n.withdrawn_at, n.withdraw_reason
FROM notices n LEFT JOIN users pu ON pu.id = n.published_by
LEFT JOIN notice_recipients me ON me.notice_id = n.id
	AND (($1::bigint <> 0 AND me.kind = 'deputy' AND me.deputy_id = $1::bigint)
	  OR ($2::text <> '' AND me.kind = 'chair' AND me.township_code = $2::text))
LEFT JOIN notice_reads me_read ON me_read.recipient_id = me.id
WHERE (($1::bigint = 0 AND $2::text = '') OR (me.id IS NOT NULL AND n.withdrawn_at IS NULL))`

// Notices returns a page (1-based, PageSize rows) of the notices v sees and
// how many there are: for staff and leaders every notice, newest first; for
// a recipient its own, unread first, then newest first.
func (s *Store) Notices(ctx context.Context, v NoticeViewer, page int) ([]NoticeRow, int, error) {
	order := ` ORDER BY n.published_at DESC, n.id DESC`
	if !v.all() {
		order = ` ORDER BY (me_read.read_at IS NULL) DESC, n.published_at DESC, n.id DESC`
	}
	rows, _ := s.Pool.Query(ctx, noticeSelect+order+` LIMIT $3 OFFSET $4`, v.DeputyID, v.ChairTownship, PageSize, (max(page, 1)-1)*PageSize)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[NoticeRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.Notices: %w", err)
	}
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM (`+noticeSelect+`) x`, v.DeputyID, v.ChairTownship).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.Notices: count: %w", err)
	}
	return out, total, nil
}

// UnreadNotices returns the notices recipient v has not read yet, newest
// first (at most limit), and how many there are. Staff and leaders (the
// zero viewer) have none.
func (s *Store) UnreadNotices(ctx context.Context, v NoticeViewer, limit int) ([]NoticeRow, int, error) {
	if v.all() {
		return nil, 0, nil
	}
	rows, _ := s.Pool.Query(ctx, noticeSelect+` AND me_read.read_at IS NULL ORDER BY n.published_at DESC, n.id DESC LIMIT $3`,
		v.DeputyID, v.ChairTownship, limit)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[NoticeRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.UnreadNotices: %w", err)
	}
	var n int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM (`+noticeSelect+` AND me_read.read_at IS NULL) x`, v.DeputyID, v.ChairTownship).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("store.UnreadNotices: count: %w", err)
	}
	return out, n, nil
}

// Notice returns notice id if v sees it, else ErrNotFound.
func (s *Store) Notice(ctx context.Context, v NoticeViewer, id int64) (NoticeRow, error) {
	rows, _ := s.Pool.Query(ctx, noticeSelect+` AND n.id = $3`, v.DeputyID, v.ChairTownship, id)
	n, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[NoticeRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return n, ErrNotFound
	}
	if err != nil {
		return n, fmt.Errorf("store.Notice %d: %w", id, err)
	}
	return n, nil
}

// NoticeFile is an attachment; Data is only filled by NoticeFileData.
type NoticeFile struct {
	ID          int64  `db:"id"`
	Name        string `db:"file_name"`
	ContentType string `db:"content_type"`
	Size        int    `db:"size_bytes"`
	Data        []byte `db:"data"`
}

// NoticeFiles returns the attachments of notice id (without their bytes),
// in upload order.
func (s *Store) NoticeFiles(ctx context.Context, id int64) ([]NoticeFile, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, file_name, content_type, size_bytes, NULL::bytea AS data
		FROM notice_files WHERE notice_id = $1 ORDER BY id`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[NoticeFile])
	if err != nil {
		return nil, fmt.Errorf("store.NoticeFiles: %w", err)
	}
	return out, nil
}

// NoticeFileData returns attachment fileID of notice noticeID with its
// bytes, or ErrNotFound. The caller checks that the viewer sees the notice.
func (s *Store) NoticeFileData(ctx context.Context, noticeID, fileID int64) (NoticeFile, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, file_name, content_type, size_bytes, data
		FROM notice_files WHERE notice_id = $1 AND id = $2`, noticeID, fileID)
	f, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[NoticeFile])
	if errors.Is(err, pgx.ErrNoRows) {
		return f, ErrNotFound
	}
	if err != nil {
		return f, fmt.Errorf("store.NoticeFileData: %w", err)
	}
	return f, nil
}

// PublishNotice publishes n with its attachments (their Name, ContentType
// and Data) in one transaction: it resolves the recipients of n's audience
// in county now (a snapshot kept with the notice) and writes the audit
// event. Deputies: those in office; by township, those living in one of
// the townships or actively paired with a household there. Chairs: one
// recipient per township (of n.Townships, or every township of county),
// whether or not the township has a chair account yet. A form token sent
// again with the same notice (notice.Notice.Same) returns the notice it
// already published and writes nothing; with another notice it is a
// *TokenReusedError naming the published one. It returns the notice id.
func (s *Store) PublishNotice(ctx context.Context, n notice.Notice, files []NoticeFile, county, token string, actorID int64) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		levels, townships := n.Levels, n.Townships
		if levels == nil {
			levels = []string{}
		}
		if townships == nil {
			townships = []string{}
		}
		err := tx.QueryRow(ctx, `INSERT INTO notices (title, body, audience, levels, townships, call_to_apply, form_token, published_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7::uuid, $8) ON CONFLICT (form_token) DO NOTHING RETURNING id`,
			n.Title, n.Body, n.Audience, levels, townships, n.CallToApply, nullText(token), nullID(actorID)).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			// The form was sent before: the notice it published, if this
			// send holds the same notice.
			var stored notice.Notice
			if err := tx.QueryRow(ctx, `SELECT id, title, body, audience, levels, townships, call_to_apply FROM notices WHERE form_token = $1::uuid`,
				token).Scan(&id, &stored.Title, &stored.Body, &stored.Audience, &stored.Levels, &stored.Townships, &stored.CallToApply); err != nil {
				return err
			}
			if !stored.Same(n) {
				return &TokenReusedError{ID: id}
			}
			return nil
		}
		if err != nil {
			return err
		}
		for _, f := range files {
			if _, err := tx.Exec(ctx, `INSERT INTO notice_files (notice_id, file_name, content_type, size_bytes, data) VALUES ($1, $2, $3, $4, $5)`,
				id, f.Name, f.ContentType, len(f.Data), f.Data); err != nil {
				return err
			}
		}
		var tag int64
		if n.Audience == "chairs" {
			ct, err := tx.Exec(ctx, `INSERT INTO notice_recipients (notice_id, kind, township_code, had_account)
				SELECT $1, 'chair', t.code, EXISTS (SELECT 1 FROM users u WHERE u.role = 'township_chair' AND u.township_code = t.code AND u.active)
				FROM divisions t WHERE t.level = 'township' AND t.parent_code = $2 AND (cardinality($3::text[]) = 0 OR t.code = ANY($3::text[]))
				ORDER BY t.code`, id, county, townships)
			if err != nil {
				return err
			}
			tag = ct.RowsAffected()
		} else {
			ct, err := tx.Exec(ctx, `INSERT INTO notice_recipients (notice_id, kind, deputy_id, township_code, had_account)
				SELECT $1, 'deputy', d.id, d.home_township_code, EXISTS (SELECT 1 FROM users u WHERE u.deputy_id = d.id AND u.active)
				FROM deputies d
				WHERE d.status = 'active' AND (
					($2 = 'all' AND d.kind = 'deputy')
					OR ($2 = 'level' AND d.kind = 'deputy' AND d.levels && $3::text[])
					-- a township's helpers: its deputies and the deputies and units paired there
					OR ($2 = 'township' AND ((d.kind = 'deputy' AND d.home_township_code = ANY($4::text[])) OR EXISTS (
						SELECT 1 FROM pairings p JOIN households h ON h.id = p.household_id
						WHERE p.deputy_id = d.id AND p.status = 'active' AND h.township_code = ANY($4::text[]))))
				)
				ORDER BY d.id`, id, n.Audience, levels, townships)
			if err != nil {
				return err
			}
			tag = ct.RowsAffected()
		}
		if tag == 0 {
			return ErrNoRecipients
		}
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = f.Name
		}
		return audit(ctx, tx, actorID, "notice.publish", "notice", id, nil, map[string]any{
			"title": n.Title, "audience": n.Audience, "levels": levels, "townships": townships,
			"call_to_apply": n.CallToApply, "files": names, "recipients": tag})
	})
	if err != nil {
		return 0, fmt.Errorf("store.PublishNotice: %w", err)
	}
	return id, nil
}

// ErrNoRecipients is returned by PublishNotice when nobody is in the
// audience (nothing is published).
var ErrNoRecipients = errors.New("no recipient in the audience")

// WithdrawNotice withdraws notice id (reason: 1–200 characters, checked by
// the caller) with an audit event, in one transaction: its recipients no
// longer see it. ErrNotFound if there is no such notice or it is already
// withdrawn.
func (s *Store) WithdrawNotice(ctx context.Context, id int64, reason string, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var title string
		err := tx.QueryRow(ctx, `UPDATE notices SET withdrawn_at = now(), withdrawn_by = $2, withdraw_reason = $3
			WHERE id = $1 AND withdrawn_at IS NULL RETURNING title`, id, nullID(actorID), reason).Scan(&title)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "notice.withdraw", "notice", id, map[string]string{"title": title}, map[string]string{"reason": reason})
	})
	if err != nil {
		return fmt.Errorf("store.WithdrawNotice: %w", err)
	}
	return nil
}

// MarkNoticeRead records that userID read the notice for recipient
// recipientID; only the first reading is kept (a read receipt, not an
// audit event).
func (s *Store) MarkNoticeRead(ctx context.Context, recipientID, userID int64) error {
	if _, err := s.Pool.Exec(ctx, `INSERT INTO notice_reads (recipient_id, user_id) VALUES ($1, $2) ON CONFLICT (recipient_id) DO NOTHING`,
		recipientID, nullID(userID)); err != nil {
		return fmt.Errorf("store.MarkNoticeRead: %w", err)
	}
	return nil
}

// NoticeTownship is one township's figures for a notice.
type NoticeTownship struct {
	Code       string `db:"code"`
	Name       string `db:"name"`
	Recipients int    `db:"recipients"`
	NoAccount  int    `db:"no_account"` // recipients without an account at publishing
	Read       int    `db:"read"`
	Answered   int    `db:"answered"`
}

// NoticeTownships returns the figures of notice id per township of its
// recipients (the deputy's home township, or the chair's), by code.
func (s *Store) NoticeTownships(ctx context.Context, id int64) ([]NoticeTownship, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT t.code, t.name, count(*)::int AS recipients,
		count(*) FILTER (WHERE NOT r.had_account)::int AS no_account,
		count(rd.recipient_id)::int AS read,
		count(*) FILTER (WHERE `+answeredSQL+`)::int AS answered
		FROM notice_recipients r JOIN notices n ON n.id = r.notice_id JOIN divisions t ON t.code = r.township_code
		LEFT JOIN notice_reads rd ON rd.recipient_id = r.id
		WHERE r.notice_id = $1 GROUP BY t.code, t.name ORDER BY t.code`, id)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[NoticeTownship])
	if err != nil {
		return nil, fmt.Errorf("store.NoticeTownships: %w", err)
	}
	return out, nil
}

// NoticeRecipient is one recipient of a notice as staff see it.
type NoticeRecipient struct {
	ID           int64      `db:"id"`
	Kind         string     `db:"kind"`
	DeputyID     int64      `db:"deputy_id"`
	Name         string     `db:"name"` // the deputy, or "<township>人大主席"
	TownshipName string     `db:"township_name"`
	Phone        string     `db:"-"` // the deputy's, decrypted; "" for a chair
	HadAccount   bool       `db:"had_account"`
	HasAccount   bool       `db:"has_account"`
	ReadAt       *time.Time `db:"read_at"`
	ReadBy       string     `db:"read_by"`
	AnsweredAt   *time.Time `db:"answered_at"`
}

// NoticeRecipientFilters are the lists staff can ask for: everyone, those
// who have not read the notice, those (deputies) who have not answered it.
var NoticeRecipientFilters = []string{"", "unread", "unanswered"}

// NoticeRecipients returns a page of the recipients of notice id, by
// township and name, and how many there are; filter is "" (all), "unread"
// or "unanswered" (deputies without an application since publishing).
func (s *Store) NoticeRecipients(ctx context.Context, id int64, filter string, township string, page int) ([]NoticeRecipient, int, error) {
	where := ` WHERE r.notice_id = $1 AND ($2::text = '' OR r.township_code = $2::text)`
	switch filter {
	case "unread":
		where += ` AND rd.recipient_id IS NULL`
	case "unanswered":
		where += ` AND r.kind = 'deputy' AND NOT ` + answeredSQL
	}
	from := ` FROM notice_recipients r JOIN notices n ON n.id = r.notice_id JOIN divisions t ON t.code = r.township_code
		LEFT JOIN deputies d ON d.id = r.deputy_id
		LEFT JOIN notice_reads rd ON rd.recipient_id = r.id LEFT JOIN users ru ON ru.id = rd.user_id`
	rows, _ := s.Pool.Query(ctx, `SELECT r.id, r.kind, coalesce(r.deputy_id, 0) AS deputy_id,
		coalesce(d.name, t.name || '人大主席') AS name, t.name AS township_name, d.phone_enc,
		r.had_account,
		CASE WHEN r.kind = 'deputy' THEN EXISTS (SELECT 1 FROM users u WHERE u.deputy_id = r.deputy_id AND u.active)
		     ELSE EXISTS (SELECT 1 FROM users u WHERE u.role = 'township_chair' AND u.township_code = r.township_code AND u.active) END AS has_account,
		rd.read_at, coalesce(ru.display_name, '') AS read_by,
		(SELECT min(a.created_at) FROM applications a WHERE r.kind = 'deputy' AND a.deputy_id = r.deputy_id AND a.created_at >= n.published_at) AS answered_at`+
		from+where+` ORDER BY r.township_code, coalesce(d.name, '') COLLATE "zh-Hans-x-icu", r.id LIMIT $3 OFFSET $4`,
		id, township, PageSize, (max(page, 1)-1)*PageSize)
	type recipientScan struct {
		NoticeRecipient
		PhoneEnc []byte `db:"phone_enc"`
	}
	scanned, err := pgx.CollectRows(rows, pgx.RowToStructByName[recipientScan])
	if err != nil {
		return nil, 0, fmt.Errorf("store.NoticeRecipients: %w", err)
	}
	out := make([]NoticeRecipient, len(scanned))
	for i, r := range scanned {
		out[i] = r.NoticeRecipient
		if out[i].Phone, err = s.Keys.Open(labelDeputyPhone, r.PhoneEnc); err != nil {
			return nil, 0, fmt.Errorf("store.NoticeRecipients: recipient %d: %w", r.ID, err)
		}
	}
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*)`+from+where, id, township).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.NoticeRecipients: count: %w", err)
	}
	return out, total, nil
}
