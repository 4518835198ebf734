package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// sealBatch is how many events one call of audit_seal chains.
const sealBatch = 5000

// SealAudit chains every committed audit event not yet chained (SQL
// function audit_seal, migration 000024) and returns how many it chained.
// serve calls it every few seconds; VerifyAudit calls it first.
func (s *Store) SealAudit(ctx context.Context) (int, error) {
	total := 0
	for {
		var n int
		if err := s.Pool.QueryRow(ctx, `SELECT audit_seal($1)`, sealBatch).Scan(&n); err != nil {
			return total, fmt.Errorf("store.SealAudit: %w", err)
		}
		total += n
		if n < sealBatch {
			return total, nil
		}
	}
}

// AuditVerdict is the result of VerifyAudit.
type AuditVerdict struct {
	Checked  int    // chain links checked
	Pending  int    // events queued, not yet chained (committed after the seal)
	HeadSeq  int64  // the chain's last position
	HeadHash string // its hash (hex); note it down to detect a cut-off tail later
	OK       bool
	Seq      int64  // first broken position (0: none or not in the chain)
	EventID  int64  // the event concerned, when known
	Problem  string // what is wrong, in English
}

// VerifyAudit seals pending events, then walks the whole chain in order
// and recomputes every hash from the events' stored columns (in Go,
// independently of the SQL that built it). It stops at the first break:
// an edited event (hash differs), a removed event (its link points to no
// event), a removed, inserted or reordered link (position or previous hash
// do not follow), a chain head that does not match the last link, or
// events that are in neither the chain nor the queue. An error is returned
// only when the database cannot be read.
func (s *Store) VerifyAudit(ctx context.Context) (AuditVerdict, error) {
	var v AuditVerdict
	if _, err := s.SealAudit(ctx); err != nil {
		return v, fmt.Errorf("store.VerifyAudit: %w", err)
	}
	// One snapshot for all the reads.
	tx, err := s.Pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return v, fmt.Errorf("store.VerifyAudit: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }()

	rows, err := tx.Query(ctx, `SELECT c.seq, c.event_id, c.prev_hash, c.hash, e.id IS NOT NULL,
			e.at, e.user_id, e.role, e.ip, e.request_id, coalesce(e.action, ''), coalesce(e.entity, ''), e.entity_id,
			e.before::text, e.after::text
		FROM audit_chain c LEFT JOIN audit_events e ON e.id = c.event_id ORDER BY c.seq`)
	if err != nil {
		return v, fmt.Errorf("store.VerifyAudit: %w", err)
	}
	prev := make([]byte, sha256.Size)
	var lastSeq int64
	broken := func(seq, event int64, format string, a ...any) {
		if v.Problem == "" {
			v.Seq, v.EventID, v.Problem = seq, event, fmt.Sprintf(format, a...)
		}
	}
	for rows.Next() {
		var (
			seq, eventID     int64
			prevHash, hash   []byte
			exists           bool
			at               *time.Time
			userID, entityID *int64
			role, ip, reqID  *string
			action, entity   string
			before, after    *string
		)
		if err := rows.Scan(&seq, &eventID, &prevHash, &hash, &exists, &at, &userID, &role, &ip, &reqID,
			&action, &entity, &entityID, &before, &after); err != nil {
			rows.Close()
			return v, fmt.Errorf("store.VerifyAudit: %w", err)
		}
		if v.Problem != "" {
			continue
		}
		switch {
		case seq != lastSeq+1:
			broken(seq, eventID, "chain position %d follows %d: links removed or reordered", seq, lastSeq)
		case !bytes.Equal(prevHash, prev):
			broken(seq, eventID, "link %d does not continue the hash of link %d: a link was removed, inserted or altered", seq, lastSeq)
		case !exists:
			broken(seq, eventID, "audit event %d (chain position %d) was removed", eventID, seq)
		default:
			want := AuditEventHash(prev, seq, eventID, *at, userID, role, ip, reqID, action, entity, entityID, before, after)
			if !bytes.Equal(want, hash) {
				broken(seq, eventID, "audit event %d (chain position %d) was edited: its content no longer matches its hash", eventID, seq)
			}
		}
		prev, lastSeq = hash, seq
		if v.Problem == "" {
			v.Checked++
		}
	}
	if err := rows.Err(); err != nil {
		return v, fmt.Errorf("store.VerifyAudit: %w", err)
	}
	var headHash []byte
	if err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_chain_head`).Scan(&v.HeadSeq, &headHash); err != nil {
		return v, fmt.Errorf("store.VerifyAudit: head: %w", err)
	}
	v.HeadHash = hex.EncodeToString(headHash)
	if v.Problem == "" && (v.HeadSeq != lastSeq || !bytes.Equal(headHash, prev)) {
		broken(v.HeadSeq, 0, "chain head (position %d) does not match the last link (position %d): links were removed from the end", v.HeadSeq, lastSeq)
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_unsealed`).Scan(&v.Pending); err != nil {
		return v, fmt.Errorf("store.VerifyAudit: queue: %w", err)
	}
	if v.Problem == "" {
		var gone int64
		err := tx.QueryRow(ctx, `SELECT u.event_id FROM audit_unsealed u WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.id = u.event_id) ORDER BY 1 LIMIT 1`).Scan(&gone)
		if err == nil {
			broken(0, gone, "audit event %d was removed before it was chained", gone)
		} else if err != pgx.ErrNoRows {
			return v, fmt.Errorf("store.VerifyAudit: queue: %w", err)
		}
	}
	if v.Problem == "" {
		var stray int64
		err := tx.QueryRow(ctx, `SELECT e.id FROM audit_events e WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM audit_unsealed u WHERE u.event_id = e.id) ORDER BY 1 LIMIT 1`).Scan(&stray)
		if err == nil {
			broken(0, stray, "audit event %d is in neither the chain nor its queue: written around the application", stray)
		} else if err != pgx.ErrNoRows {
			return v, fmt.Errorf("store.VerifyAudit: stray: %w", err)
		}
	}
	v.OK = v.Problem == ""
	return v, nil
}

// AuditEventHash is the hash of one link: SHA-256 over prev, the position
// seq and every column of the event, each encoded as in SQL's audit_field
// (NULL as ff ff ff ff, else a 4-byte big-endian length and the UTF-8
// text; the time in microseconds since 1970; jsonb in PostgreSQL's text).
func AuditEventHash(prev []byte, seq, id int64, at time.Time, userID *int64, role, ip, requestID *string,
	action, entity string, entityID *int64, before, after *string) []byte {
	h := sha256.New()
	h.Write(prev)
	field := func(s *string) {
		var n [4]byte
		if s == nil {
			h.Write([]byte{0xff, 0xff, 0xff, 0xff})
			return
		}
		binary.BigEndian.PutUint32(n[:], uint32(len(*s)))
		h.Write(n[:])
		h.Write([]byte(*s))
	}
	str := func(s string) *string { return &s }
	num := func(p *int64) *string {
		if p == nil {
			return nil
		}
		return str(strconv.FormatInt(*p, 10))
	}
	field(str(strconv.FormatInt(seq, 10)))
	field(str(strconv.FormatInt(id, 10)))
	field(str(strconv.FormatInt(at.UnixMicro(), 10)))
	field(num(userID))
	field(role)
	field(ip)
	field(requestID)
	field(str(action))
	field(str(entity))
	field(num(entityID))
	field(before)
	field(after)
	return h.Sum(nil)
}
