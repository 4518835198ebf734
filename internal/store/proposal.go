package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/matcher"
	"github.com/jackc/pgx/v5"
)

// MatchHousehold is an unpaired household as the matcher sees it.
type MatchHousehold struct {
	ID       int64
	Village  string
	Township string
	Causes   []string // main cause first
}

// MatchDeputy is a deputy with an open application and room left.
type MatchDeputy struct {
	ID            int64
	ApplicationID int64
	Village       string
	Township      string
	Preferred     []string
	Offers        []string
	Capacity      int // households it can still take
	Load          int // active pairings now
}

// MatchInput returns the households of division (a township, a village, or
// the county when it is the county code) that have neither an active nor a
// proposed pairing, and the in-office deputies with an open application and
// capacity left.
func (s *Store) MatchInput(ctx context.Context, division string) ([]MatchHousehold, []MatchDeputy, error) {
	rows, err := s.Pool.Query(ctx, `SELECT h.id, h.village_code, h.township_code, array_prepend(h.main_cause, h.other_causes)
		FROM households h WHERE h.village_code LIKE $1 || '%' AND h.status <> 'exited'
		AND NOT EXISTS (SELECT 1 FROM pairings p WHERE p.household_id = h.id AND p.status IN ('active', 'proposed'))
		ORDER BY h.id`, division)
	if err != nil {
		return nil, nil, fmt.Errorf("store.MatchInput households: %w", err)
	}
	var hs []MatchHousehold
	var h MatchHousehold
	if _, err := pgx.ForEachRow(rows, []any{&h.ID, &h.Village, &h.Township, &h.Causes}, func() error {
		hs = append(hs, h)
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("store.MatchInput households: %w", err)
	}
	rows, err = s.Pool.Query(ctx, `SELECT d.id, a.id, coalesce(d.home_village_code, ''), d.home_township_code, a.preferred_townships, a.offers,
		a.capacity - (SELECT count(*) FROM pairings p WHERE p.deputy_id = d.id AND p.status IN ('active', 'proposed'))::int,
		(SELECT count(*) FROM pairings p WHERE p.deputy_id = d.id AND p.status = 'active')::int
		FROM applications a JOIN deputies d ON d.id = a.deputy_id
		WHERE a.status = 'open' AND d.status = 'active' AND d.kind = 'deputy' ORDER BY d.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("store.MatchInput deputies: %w", err)
	}
	var ds []MatchDeputy
	var d MatchDeputy
	if _, err := pgx.ForEachRow(rows, []any{&d.ID, &d.ApplicationID, &d.Village, &d.Township, &d.Preferred, &d.Offers, &d.Capacity, &d.Load}, func() error {
		if d.Capacity > 0 {
			ds = append(ds, d)
		}
		return nil
	}); err != nil {
		return nil, nil, fmt.Errorf("store.MatchInput deputies: %w", err)
	}
	return hs, ds, nil
}

// Proposal is a suggested pairing that staff accept.
type Proposal struct {
	HouseholdID int64
	DeputyID    int64
	Reason      string
}

// ProposePairings records accepted proposals as `proposed` pairings (dated
// startDate) waiting for the township chair, in one transaction with one
// audit event each. A household that is not in division (a county, township
// or village code), does not exist, has exited, or meanwhile got an active or
// proposed pairing, and a deputy whose application is full or gone, are
// skipped and returned in skipped.
func (s *Store) ProposePairings(ctx context.Context, division string, ps []Proposal, startDate time.Time, actorID int64) (created int, skipped []int64, err error) {
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		for _, p := range ps {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO pairings (household_id, deputy_id, start_date, status, application_id, proposal_reason, proposed_by)
				SELECT $1, a.deputy_id, $3, 'proposed', a.id, $4, $5 FROM applications a JOIN deputies d ON d.id = a.deputy_id
				WHERE a.deputy_id = $2 AND a.status = 'open' AND d.status = 'active'
				AND a.capacity > (SELECT count(*) FROM pairings x WHERE x.deputy_id = $2 AND x.status IN ('active', 'proposed'))
				AND NOT EXISTS (SELECT 1 FROM pairings x WHERE x.household_id = $1 AND x.status IN ('active', 'proposed'))
				AND EXISTS (SELECT 1 FROM households hh WHERE hh.id = $1 AND hh.status <> 'exited' AND hh.village_code LIKE $6 || '%')
				ON CONFLICT DO NOTHING RETURNING id`, p.HouseholdID, p.DeputyID, startDate, p.Reason, nullID(actorID), division).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				skipped = append(skipped, p.HouseholdID)
				continue
			}
			if err != nil {
				return err
			}
			created++
			if err := audit(ctx, tx, actorID, "pairing.propose", "pairing", id, nil,
				map[string]any{"household_id": p.HouseholdID, "deputy_id": p.DeputyID, "status": "proposed", "reason": p.Reason}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("store.ProposePairings: %w", err)
	}
	return created, skipped, nil
}

// ProposedPairings returns the proposals waiting for confirmation in a
// township (or the county when township is ""), oldest first.
func (s *Store) ProposedPairings(ctx context.Context, township string) ([]PairingRow, error) {
	rows, _ := s.Pool.Query(ctx, pairingSelect+` WHERE p.status = 'proposed' AND ($1 = '' OR h.township_code = $1) ORDER BY p.id`, township)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PairingRow])
	if err != nil {
		return nil, fmt.Errorf("store.ProposedPairings: %w", err)
	}
	return out, nil
}

// lockProposal locks proposal id of a household in township ("" = any) and
// returns its household and start date; ErrNotFound outside the township,
// ErrConflict when it is no longer a proposal.
func lockProposal(ctx context.Context, tx pgx.Tx, township string, id int64) (householdID int64, start time.Time, err error) {
	var status, deputyStatus string
	err = tx.QueryRow(ctx, `SELECT p.status, p.household_id, p.start_date, d.status FROM pairings p JOIN households h ON h.id = p.household_id
		JOIN deputies d ON d.id = p.deputy_id
		WHERE p.id = $1 AND ($2 = '' OR h.township_code = $2) FOR UPDATE OF p`, id, township).Scan(&status, &householdID, &start, &deputyStatus)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, start, ErrNotFound
	}
	if err != nil {
		return 0, start, err
	}
	if status != "proposed" {
		return 0, start, ErrConflict
	}
	if deputyStatus != "active" {
		return householdID, start, ErrDeputyLeft
	}
	return householdID, start, nil
}

// ErrDeputyLeft is returned by ConfirmPairing when the proposed deputy is no
// longer in office.
var ErrDeputyLeft = errors.New("deputy left office")

// ErrAlreadyPaired is returned by ConfirmPairing when the household got an
// active pairing first (another confirmation won the race).
var ErrAlreadyPaired = errors.New("household already has an active pairing")

// ConfirmPairing makes proposal id of a household in township active from
// today, with its audit event. Out of the township (or no such proposal):
// ErrNotFound; no longer proposed: ErrConflict; the household already has an
// active pairing: ErrAlreadyPaired (the partial unique index decides races).
func (s *Store) ConfirmPairing(ctx context.Context, township string, id int64, today time.Time, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		householdID, _, err := lockProposal(ctx, tx, township, id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE pairings SET status = 'active', start_date = greatest(start_date, $2::date),
			confirmed_by = $3, confirmed_at = now() WHERE id = $1`, id, today, nullID(actorID))
		if isUniqueViolation(err, "pairings_one_active_per_household") {
			return ErrAlreadyPaired
		}
		if err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "pairing.confirm", "pairing", id, map[string]string{"status": "proposed"},
			map[string]any{"status": "active", "household_id": householdID})
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict), errors.Is(err, ErrAlreadyPaired), errors.Is(err, ErrDeputyLeft):
		return err
	case err != nil:
		return fmt.Errorf("store.ConfirmPairing %d: %w", id, err)
	}
	return nil
}

// RejectProposal ends proposal id of a household in township with reason
// rejected (the row stays as history), with its audit event.
func (s *Store) RejectProposal(ctx context.Context, township string, id int64, today time.Time, actorID int64) error {
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		_, start, err := lockProposal(ctx, tx, township, id)
		if err != nil && !errors.Is(err, ErrDeputyLeft) {
			return err
		}
		end := today
		if end.Before(start) {
			end = start
		}
		if _, err := tx.Exec(ctx, `UPDATE pairings SET status = 'ended', end_reason = 'rejected', end_date = $2 WHERE id = $1`, id, end); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "pairing.reject", "pairing", id, map[string]string{"status": "proposed"}, map[string]string{"status": "ended", "end_reason": "rejected"})
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		return err
	case err != nil:
		return fmt.Errorf("store.RejectProposal %d: %w", id, err)
	}
	return nil
}

// NeedsNewDeputy returns the active pairings of a township (or the county
// when township is "") whose deputy left office, so that staff and the chair
// pair those households anew.
func (s *Store) NeedsNewDeputy(ctx context.Context, township string) ([]PairingRow, error) {
	rows, _ := s.Pool.Query(ctx, pairingSelect+` WHERE p.status = 'active' AND p.needs_reassignment AND ($1 = '' OR h.township_code = $1) ORDER BY h.village_code, p.id`, township)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[PairingRow])
	if err != nil {
		return nil, fmt.Errorf("store.NeedsNewDeputy: %w", err)
	}
	return out, nil
}

// TransferPairing hands household of active pairing id to another in-office
// deputy from today: the old pairing ends with reason transferred and a new
// active one starts, in one transaction with audit events. The pairing not
// active: ErrConflict; unknown pairing or deputy not in office: ErrNotFound.
func (s *Store) TransferPairing(ctx context.Context, id, deputyID int64, today time.Time, actorID int64) (int64, error) {
	var newID int64
	err := s.InTx(ctx, func(tx pgx.Tx) error {
		var status string
		var householdID, oldDeputy int64
		var start time.Time
		err := tx.QueryRow(ctx, `SELECT status, household_id, deputy_id, start_date FROM pairings WHERE id = $1 FOR UPDATE`, id).Scan(&status, &householdID, &oldDeputy, &start)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if status != "active" {
			return ErrConflict
		}
		if oldDeputy == deputyID {
			return ErrConflict
		}
		var dstatus string
		if err := tx.QueryRow(ctx, `SELECT status FROM deputies WHERE id = $1`, deputyID).Scan(&dstatus); err != nil || dstatus != "active" {
			return ErrNotFound
		}
		end := today
		if end.Before(start) {
			end = start
		}
		if _, err := tx.Exec(ctx, `UPDATE pairings SET status = 'ended', end_reason = 'transferred', end_date = $2 WHERE id = $1`, id, end); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO pairings (household_id, deputy_id, start_date, status, confirmed_by, confirmed_at)
			VALUES ($1, $2, $3, 'active', $4, now()) RETURNING id`, householdID, deputyID, end, nullID(actorID)).Scan(&newID); err != nil {
			return err
		}
		if err := audit(ctx, tx, actorID, "pairing.end", "pairing", id, map[string]string{"status": "active"},
			map[string]string{"status": "ended", "end_reason": "transferred"}); err != nil {
			return err
		}
		return audit(ctx, tx, actorID, "pairing.create", "pairing", newID, nil,
			map[string]any{"household_id": householdID, "deputy_id": deputyID, "status": "active", "transferred_from": id})
	})
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		return 0, err
	case err != nil:
		return 0, fmt.Errorf("store.TransferPairing %d: %w", id, err)
	}
	return newID, nil
}

// SuggestionName is what a proposal shows of its household and deputy.
type SuggestionName struct {
	HeadName, VillageName, DeputyName, DeputyTownship string
}

// SuggestionNames returns, in the order of ps, the names a suggestion page
// shows, in two queries.
func (s *Store) SuggestionNames(ctx context.Context, ps []matcher.Proposal) ([]SuggestionName, error) {
	hids := make([]int64, len(ps))
	dids := make([]int64, len(ps))
	for i, p := range ps {
		hids[i], dids[i] = p.HouseholdID, p.DeputyID
	}
	hh := map[int64][2]string{}
	rows, err := s.Pool.Query(ctx, `SELECT h.id, h.head_name, v.name FROM households h JOIN divisions v ON v.code = h.village_code WHERE h.id = ANY ($1)`, hids)
	if err != nil {
		return nil, fmt.Errorf("store.SuggestionNames: %w", err)
	}
	var id int64
	var a, b string
	if _, err := pgx.ForEachRow(rows, []any{&id, &a, &b}, func() error { hh[id] = [2]string{a, b}; return nil }); err != nil {
		return nil, fmt.Errorf("store.SuggestionNames: %w", err)
	}
	dd := map[int64][2]string{}
	rows, err = s.Pool.Query(ctx, `SELECT d.id, d.name, t.name FROM deputies d JOIN divisions t ON t.code = d.home_township_code WHERE d.id = ANY ($1)`, dids)
	if err != nil {
		return nil, fmt.Errorf("store.SuggestionNames: %w", err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&id, &a, &b}, func() error { dd[id] = [2]string{a, b}; return nil }); err != nil {
		return nil, fmt.Errorf("store.SuggestionNames: %w", err)
	}
	out := make([]SuggestionName, len(ps))
	for i, p := range ps {
		out[i] = SuggestionName{HeadName: hh[p.HouseholdID][0], VillageName: hh[p.HouseholdID][1], DeputyName: dd[p.DeputyID][0], DeputyTownship: dd[p.DeputyID][1]}
	}
	return out, nil
}
