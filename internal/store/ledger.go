package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/photo"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// LedgerEntryRow is a ledger entry with its pairing's household and deputy.
type LedgerEntryRow struct {
	ID            int64           `db:"id"`
	PairingID     int64           `db:"pairing_id"`
	HouseholdID   int64           `db:"household_id"`
	HeadName      string          `db:"head_name"`
	VillageName   string          `db:"village_name"`
	DeputyID      int64           `db:"deputy_id"`
	DeputyName    string          `db:"deputy_name"`
	DeputyKind    string          `db:"deputy_kind"` // deputy.KindDeputy or deputy.KindUnit
	EntryDate     time.Time       `db:"entry_date"`
	Kind          string          `db:"kind"`
	Description   string          `db:"description"`
	Amount        decimal.Decimal `db:"amount"`
	Beneficiaries string          `db:"beneficiaries"`
	Status        string          `db:"status"`
	ReviewComment string          `db:"review_comment"`
	SubmittedAt   *time.Time      `db:"submitted_at"`
	ReviewedAt    *time.Time      `db:"reviewed_at"`
	ReturnCount   int             `db:"return_count"` // times the chair returned it
}

const ledgerSelect = `SELECT e.id, e.pairing_id, h.id AS household_id, h.head_name, v.name AS village_name, p.deputy_id,
	d.name AS deputy_name, d.kind AS deputy_kind, e.entry_date, e.kind, e.description, e.amount, e.beneficiaries, e.status, e.review_comment,
	e.submitted_at, e.reviewed_at, e.return_count
FROM ledger_entries e
JOIN pairings p ON p.id = e.pairing_id
JOIN households h ON h.id = p.household_id
JOIN divisions v ON v.code = h.village_code
JOIN deputies d ON d.id = p.deputy_id`

// pairingEntriesSQL reads the entries of pairing $1, newest first, drafts
// only when $2.
const pairingEntriesSQL = ledgerSelect + ` WHERE e.pairing_id = $1 AND ($2 OR e.status <> 'draft')
	ORDER BY e.entry_date DESC, e.id DESC`

// LedgerEntries returns the entries of a pairing, newest first. Drafts are
// included only when withDrafts is set (the deputy's own view).
func (s *Store) LedgerEntries(ctx context.Context, pairingID int64, withDrafts bool) ([]LedgerEntryRow, error) {
	rows, _ := s.Pool.Query(ctx, pairingEntriesSQL, pairingID, withDrafts)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[LedgerEntryRow])
	if err != nil {
		return nil, fmt.Errorf("store.LedgerEntries: %w", err)
	}
	return out, nil
}

// LedgerEntry returns entry id if its household is in scope, else ErrNotFound.
func (s *Store) LedgerEntry(ctx context.Context, scope auth.Scope, id int64) (LedgerEntryRow, error) {
	where, args := householdScope(scope, 2)
	rows, _ := s.Pool.Query(ctx, ledgerSelect+` WHERE e.id = $1 AND `+where, append([]any{id}, args...)...)
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[LedgerEntryRow])
	if errors.Is(err, pgx.ErrNoRows) {
		return LedgerEntryRow{}, ErrNotFound
	}
	if err != nil {
		return LedgerEntryRow{}, fmt.Errorf("store.LedgerEntry %d: %w", id, err)
	}
	return e, nil
}

// ReviewFilter narrows the review queue; empty fields do not filter.
type ReviewFilter struct {
	Village    string
	Kind       string
	Deputy     string // name fragment
	MinAgeDays int    // only entries submitted at least this many days ago
	Page       int
}

// ReviewQueue returns the submitted entries of a township, oldest submission
// first, and their total count.
func (s *Store) ReviewQueue(ctx context.Context, townshipCode string, f ReviewFilter) ([]LedgerEntryRow, int, error) {
	conds := []string{`e.status = 'submitted'`, `h.township_code = $1`}
	args := []any{townshipCode}
	if f.Village != "" {
		args = append(args, f.Village)
		conds = append(conds, fmt.Sprintf(`h.village_code = $%d`, len(args)))
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		conds = append(conds, fmt.Sprintf(`e.kind = $%d`, len(args)))
	}
	if q := strings.TrimSpace(f.Deputy); q != "" {
		args = append(args, escapeLike(q))
		conds = append(conds, fmt.Sprintf(`d.name LIKE '%%' || $%d || '%%'`, len(args)))
	}
	if f.MinAgeDays > 0 {
		args = append(args, f.MinAgeDays)
		conds = append(conds, fmt.Sprintf(`e.submitted_at <= now() - make_interval(days => $%d)`, len(args)))
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		JOIN households h ON h.id = p.household_id JOIN deputies d ON d.id = p.deputy_id`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.ReviewQueue count: %w", err)
	}
	page := max(f.Page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	rows, _ := s.Pool.Query(ctx, ledgerSelect+where+fmt.Sprintf(` ORDER BY e.submitted_at, e.id LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[LedgerEntryRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.ReviewQueue: %w", err)
	}
	return out, total, nil
}

// TokenReusedError is returned when a form token comes back with content
// other than what its first send stored (a ledger entry no longer a draft, a
// published notice). ID is that stored record; nothing was written.
type TokenReusedError struct{ ID int64 }

func (e *TokenReusedError) Error() string {
	return fmt.Sprintf("form token already used for record %d with other content", e.ID)
}

// SaveLedgerEntry creates a new entry on an active pairing of deputyID (id 0)
// or updates the deputy's own draft or returned entry id, and submits it for
// review when submit is set; state and audit event share one transaction.
// formToken (a UUID from the form; "" for none) identifies one filled-in
// form, so that a resent create does not make a second entry: if the token
// already made an entry of this pairing, a draft takes this send's content
// and choice (as an edit would), an entry past draft with the same content
// (ledger.Entry.Same) is left as it is and its id returned, and one with
// other content is a *TokenReusedError naming it. It returns the entry id;
// ErrNotFound if the pairing or entry is not the deputy's, ErrConflict if
// the entry is no longer editable (submitted or approved) or the token made
// an entry of another pairing. photos (normalised JPEGs) are attached to a
// newly created entry or to the edited one, in the same transaction; a
// resent form does not attach them again.
func (s *Store) SaveLedgerEntry(ctx context.Context, deputyID, pairingID, id int64, e ledger.Entry, submit bool, formToken string, photos []photo.Photo, actorID int64) (int64, error) {
	status := "draft"
	if submit {
		status = "submitted"
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		if id == 0 {
			var token *string
			if formToken != "" {
				token = &formToken
			}
			err := tx.QueryRow(ctx, `INSERT INTO ledger_entries (pairing_id, entry_date, kind, description, amount, beneficiaries,
				status, form_token, created_by, submitted_at)
				SELECT p.id, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $8 = 'submitted' THEN now() END
				FROM pairings p WHERE p.id = $1 AND p.deputy_id = $2 AND p.status = 'active'
				ON CONFLICT (form_token) DO NOTHING RETURNING id`,
				pairingID, deputyID, e.EntryDate, e.Kind, e.Description, e.Amount, e.Beneficiaries, status, token, nullID(actorID)).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				if token == nil {
					return ErrNotFound
				}
				// Either the pairing is not the deputy's, or this form was
				// already sent (double click, Back and send again, a phone
				// sending again after a lost connection).
				return resendLedgerEntry(ctx, tx, &id, *token, deputyID, pairingID, e, status, actorID)
			}
			if err != nil {
				return err
			}
			if err := addPhotos(ctx, tx, id, photos, actorID); err != nil {
				return err
			}
			return audit(ctx, tx, actorID, "ledger_entry.create", "ledger_entry", id, nil, map[string]any{
				"status": status, "kind": e.Kind, "amount": e.Amount, "entry_date": e.EntryDate.Format(time.DateOnly), "photos": len(photos)})
		}
		if err := updateOwnEntry(ctx, tx, id, deputyID, e, status, actorID); err != nil {
			return err
		}
		return addPhotos(ctx, tx, id, photos, actorID)
	})
	if err != nil {
		return 0, fmt.Errorf("store.SaveLedgerEntry: %w", err)
	}
	return id, nil
}

// resendLedgerEntry handles a create whose form token already made an entry
// of deputyID (see SaveLedgerEntry) and sets *id to that entry.
func resendLedgerEntry(ctx context.Context, tx pgx.Tx, id *int64, token string, deputyID, pairingID int64, e ledger.Entry, status string, actorID int64) error {
	var onPairing int64
	var before string
	var stored ledger.Entry
	err := tx.QueryRow(ctx, `SELECT e.id, e.pairing_id, e.status, e.entry_date, e.kind, e.description, e.amount, e.beneficiaries
		FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		WHERE e.form_token = $1 AND p.deputy_id = $2 FOR UPDATE OF e`, token, deputyID).Scan(
		id, &onPairing, &before, &stored.EntryDate, &stored.Kind, &stored.Description, &stored.Amount, &stored.Beneficiaries)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	switch {
	case onPairing != pairingID:
		return ErrConflict
	case before == "draft":
		// Still the deputy's draft: this send's content and choice apply
		// to it, as an edit would.
		return updateOwnEntry(ctx, tx, *id, deputyID, e, status, actorID)
	case stored.Same(e):
		return nil // the same form again: nothing to do
	default:
		return &TokenReusedError{ID: *id}
	}
}

// updateOwnEntry applies e and status to entry id of deputyID if it is still
// editable (draft or returned), else returns ErrConflict.
func updateOwnEntry(ctx context.Context, tx pgx.Tx, id, deputyID int64, e ledger.Entry, status string, actorID int64) error {
	var before string
	err := tx.QueryRow(ctx, `SELECT e.status FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
			WHERE e.id = $1 AND p.deputy_id = $2 AND p.status = 'active' FOR UPDATE OF e`, id, deputyID).Scan(&before)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	if !ledger.Editable(before) {
		return ErrConflict
	}
	if _, err := tx.Exec(ctx, `UPDATE ledger_entries SET entry_date = $2, kind = $3, description = $4, amount = $5,
			beneficiaries = $6, status = $7, submitted_at = CASE WHEN $7 = 'submitted' THEN now() ELSE submitted_at END,
			updated_at = now() WHERE id = $1`, id, e.EntryDate, e.Kind, e.Description, e.Amount, e.Beneficiaries, status); err != nil {
		return err
	}
	return audit(ctx, tx, actorID, "ledger_entry.update", "ledger_entry", id, map[string]string{"status": before},
		map[string]any{"status": status, "kind": e.Kind, "amount": e.Amount})
}

// ReviewLedgerEntry approves (approve) or returns with comment a submitted
// entry whose household lies in townshipCode, by reviewerID, with its audit
// event. An entry outside the township returns ErrNotFound; one that is not
// (or no longer) submitted returns ErrConflict. Returning needs a comment.
func (s *Store) ReviewLedgerEntry(ctx context.Context, townshipCode string, id int64, approve bool, comment string, reviewerID int64) error {
	status := "returned"
	if approve {
		status = "approved"
	}
	if !approve && strings.TrimSpace(comment) == "" {
		return fmt.Errorf("store.ReviewLedgerEntry: a return needs a comment")
	}
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var before string
		err := tx.QueryRow(ctx, `SELECT e.status FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
			JOIN households h ON h.id = p.household_id
			WHERE e.id = $1 AND h.township_code = $2 AND e.status <> 'draft' FOR UPDATE OF e`, id, townshipCode).Scan(&before)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !ledger.Reviewable(before) {
			return ErrConflict
		}
		if _, err := tx.Exec(ctx, `UPDATE ledger_entries SET status = $2, review_comment = $3, reviewed_by = $4,
			reviewed_at = now(), updated_at = now(), return_count = return_count + CASE WHEN $2 = 'returned' THEN 1 ELSE 0 END
			WHERE id = $1`, id, status, strings.TrimSpace(comment), nullID(reviewerID)); err != nil {
			return err
		}
		return audit(ctx, tx, reviewerID, "ledger_entry."+map[bool]string{true: "approve", false: "return"}[approve],
			"ledger_entry", id, map[string]string{"status": before}, map[string]string{"status": status, "comment": comment})
	})
	if err != nil {
		return fmt.Errorf("store.ReviewLedgerEntry %d: %w", id, err)
	}
	return nil
}

// addPhotos stores photos of entry id.
func addPhotos(ctx context.Context, tx pgx.Tx, id int64, photos []photo.Photo, actorID int64) error {
	for _, p := range photos {
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_photos (entry_id, content_type, data, width, height, created_by)
			VALUES ($1, 'image/jpeg', $2, $3, $4, $5)`, id, p.Data, p.Width, p.Height, nullID(actorID)); err != nil {
			return fmt.Errorf("photo: %w", err)
		}
	}
	return nil
}

// PhotoRef is a photo of a ledger entry, without its bytes.
type PhotoRef struct {
	ID      int64 `db:"id"`
	EntryID int64 `db:"entry_id"`
	Width   int   `db:"width"`
	Height  int   `db:"height"`
}

// EntryPhotos returns the photos of the given entries, keyed by entry id.
// The caller has checked the entries' scope.
func (s *Store) EntryPhotos(ctx context.Context, entryIDs []int64) (map[int64][]PhotoRef, error) {
	rows, _ := s.Pool.Query(ctx, `SELECT id, entry_id, width, height FROM ledger_photos WHERE entry_id = ANY ($1) ORDER BY id`, entryIDs)
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[PhotoRef])
	if err != nil {
		return nil, fmt.Errorf("store.EntryPhotos: %w", err)
	}
	out := map[int64][]PhotoRef{}
	for _, p := range list {
		out[p.EntryID] = append(out[p.EntryID], p)
	}
	return out, nil
}

// Photo returns the JPEG of photo id if its entry's household is in scope;
// a draft's photos only to the deputy who owns the pairing. Else ErrNotFound.
func (s *Store) Photo(ctx context.Context, scope auth.Scope, id int64) ([]byte, error) {
	where, args := householdScope(scope, 2)
	var data []byte
	err := s.Pool.QueryRow(ctx, `SELECT ph.data FROM ledger_photos ph JOIN ledger_entries e ON e.id = ph.entry_id
		JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id
		WHERE ph.id = $1 AND (e.status <> 'draft' OR $3::bigint <> 0) AND `+where, append([]any{id}, args...)...).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store.Photo: %w", err)
	}
	return data, nil
}

// ApproveMany approves the submitted entries ids of township in one
// transaction (one audit event each) and returns how many it approved;
// entries of other townships or no longer submitted are skipped.
func (s *Store) ApproveMany(ctx context.Context, township string, ids []int64, reviewerID int64) (int, error) {
	n := 0
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `UPDATE ledger_entries e SET status = 'approved', reviewed_by = $3, reviewed_at = now(), updated_at = now()
			FROM pairings p, households h WHERE p.id = e.pairing_id AND h.id = p.household_id
			AND e.id = ANY ($1) AND h.township_code = $2 AND e.status = 'submitted' RETURNING e.id`, ids, township, nullID(reviewerID))
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range done {
			if err := audit(ctx, tx, reviewerID, "ledger_entry.approve", "ledger_entry", id,
				map[string]string{"status": "submitted"}, map[string]string{"status": "approved", "bulk": "true"}); err != nil {
				return err
			}
		}
		n = len(done)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store.ApproveMany: %w", err)
	}
	return n, nil
}

// SpotCheck returns a sample of share (0–1) of the township's entries
// approved in month (any day of it), at least one when there are any. The
// sample is fixed for a township and month (ordered by a hash of id and
// month), so a second look finds the same entries; total is the month's count.
func (s *Store) SpotCheck(ctx context.Context, township string, month time.Time, share float64) ([]LedgerEntryRow, int, error) {
	start := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		JOIN households h ON h.id = p.household_id WHERE h.township_code = $1 AND e.status = 'approved'
		AND e.reviewed_at >= $2 AND e.reviewed_at < $3`, township, start, end).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.SpotCheck: %w", err)
	}
	n := int(math.Ceil(float64(total) * share))
	rows, _ := s.Pool.Query(ctx, ledgerSelect+` WHERE h.township_code = $1 AND e.status = 'approved'
		AND e.reviewed_at >= $2 AND e.reviewed_at < $3 ORDER BY md5(e.id::text || $4) LIMIT $5`,
		township, start, end, start.Format("2006-01"), n)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[LedgerEntryRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.SpotCheck: %w", err)
	}
	return out, total, nil
}

// ReturnedEntries returns the entries of a township (or the county when
// township is "") that the chair returned and the deputy has not resubmitted
// yet, the oldest return first.
func (s *Store) ReturnedEntries(ctx context.Context, township string) ([]LedgerEntryRow, error) {
	rows, _ := s.Pool.Query(ctx, ledgerSelect+` WHERE e.status = 'returned' AND ($1 = '' OR h.township_code = $1)
		ORDER BY e.reviewed_at, e.id`, township)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[LedgerEntryRow])
	if err != nil {
		return nil, fmt.Errorf("store.ReturnedEntries: %w", err)
	}
	return out, nil
}

// LedgerFilter selects submitted, approved and returned entries (never
// drafts) for the ledger list, e.g. the rows behind a ranking term.
type LedgerFilter struct {
	Division string    // county, township or village code (a prefix); "" = all in scope
	From, To time.Time // entry dates, inclusive; zero = open
	Kind     string    // "" = any, "help" = every kind but visits, or a ledger kind
	Status   string    // "" = any but draft, "counted" = submitted or approved, or a status
	Returned string    // "" = any, "never" = never returned, "yes" = returned at least once
	DeputyID int64     // 0 = any
	// PairingID narrows to one pairing's ledger (a household's export); 0 = any.
	PairingID int64
	Page      int // 1-based
}

// SearchLedger returns one page (PageSize rows) of the entries in scope
// matching f, newest first, and their total count.
func (s *Store) SearchLedger(ctx context.Context, scope auth.Scope, f LedgerFilter) ([]LedgerEntryRow, int, error) {
	w, args := ledgerSearchWhere(scope, f)
	var total int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		JOIN households h ON h.id = p.household_id`+w, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store.SearchLedger count: %w", err)
	}
	page := max(f.Page, 1)
	args = append(args, PageSize, (page-1)*PageSize)
	rows, _ := s.Pool.Query(ctx, ledgerSelect+w+fmt.Sprintf(` ORDER BY e.entry_date DESC, e.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[LedgerEntryRow])
	if err != nil {
		return nil, 0, fmt.Errorf("store.SearchLedger: %w", err)
	}
	return out, total, nil
}

// ledgerSearchWhere is the WHERE clause (and its arguments) of the entries
// in scope matching f; drafts are never included.
func ledgerSearchWhere(scope auth.Scope, f LedgerFilter) (string, []any) {
	where, args := householdScope(scope, 1)
	conds := []string{where, `e.status <> 'draft'`}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Division != "" {
		add(`h.village_code LIKE $%d || '%%'`, f.Division)
	}
	if !f.From.IsZero() {
		add(`e.entry_date >= $%d`, f.From)
	}
	if !f.To.IsZero() {
		add(`e.entry_date <= $%d`, f.To)
	}
	switch f.Kind {
	case "":
	case "help":
		conds = append(conds, `e.kind <> 'visit'`)
	default:
		add(`e.kind = $%d`, f.Kind)
	}
	switch f.Status {
	case "":
	case "counted":
		conds = append(conds, `e.status IN ('submitted', 'approved')`)
	default:
		add(`e.status = $%d`, f.Status)
	}
	switch f.Returned {
	case "never":
		conds = append(conds, `e.return_count = 0`)
	case "yes":
		conds = append(conds, `e.return_count > 0`)
	}
	if f.DeputyID != 0 {
		add(`p.deputy_id = $%d`, f.DeputyID)
	}
	if f.PairingID != 0 {
		add(`e.pairing_id = $%d`, f.PairingID)
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// LedgerExportRow is an entry as exported: the listed entry and the name
// of the chair who last reviewed it ("" while none has).
type LedgerExportRow struct {
	LedgerEntryRow
	ReviewerName string `db:"reviewer_name"`
}

// MaxLedgerExport is the most entries one ledger export holds.
const MaxLedgerExport = 100000

// ErrTooManyEntries is returned by LedgerExport when more than
// MaxLedgerExport entries match.
var ErrTooManyEntries = errors.New("too many ledger entries for one export")

// LedgerExport returns every entry in scope matching f (f.Page is ignored),
// oldest first, with its reviewer; more than MaxLedgerExport is
// ErrTooManyEntries.
func (s *Store) LedgerExport(ctx context.Context, scope auth.Scope, f LedgerFilter) ([]LedgerExportRow, error) {
	w, args := ledgerSearchWhere(scope, f)
	sel := strings.Replace(ledgerSelect, "e.return_count\n", "e.return_count, coalesce(rv.display_name, '') AS reviewer_name\n", 1) +
		` LEFT JOIN users rv ON rv.id = e.reviewed_by`
	rows, _ := s.Pool.Query(ctx, sel+w+fmt.Sprintf(` ORDER BY e.entry_date, e.id LIMIT %d`, MaxLedgerExport+1), args...)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[LedgerExportRow])
	if err != nil {
		return nil, fmt.Errorf("store.LedgerExport: %w", err)
	}
	if len(out) > MaxLedgerExport {
		return nil, ErrTooManyEntries
	}
	return out, nil
}

// DeputyReturnedEntries returns the entries of deputyID's active pairings
// that the chair returned and the deputy has not resubmitted, oldest first.
func (s *Store) DeputyReturnedEntries(ctx context.Context, deputyID int64) ([]LedgerEntryRow, error) {
	rows, _ := s.Pool.Query(ctx, ledgerSelect+` WHERE e.status = 'returned' AND p.deputy_id = $1 AND p.status = 'active'
		ORDER BY e.entry_date, e.id`, deputyID)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[LedgerEntryRow])
	if err != nil {
		return nil, fmt.Errorf("store.DeputyReturnedEntries: %w", err)
	}
	return out, nil
}
