package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bangfu/bangfu/internal/vault"
	"github.com/jackc/pgx/v5"
)

// Personal data at rest (issue 8, docs/security.md). Resident ID numbers and
// phones are stored only sealed by s.Keys (vault: AES-256-GCM, the key id in
// the first byte) in the *_enc columns, with keyed hashes beside them:
//
//	households        id_enc, id_hash, id_tail_hash, phone_enc, phone_hash
//	household_members id_enc, id_hash
//	deputies          phone_enc, phone_hash
//
// id_hash (UNIQUE in both tables) serves exact search and the duplicate
// check, id_tail_hash the "last 4 characters" search, phone_hash the
// imports' "did it change" comparison. An empty phone is NULL in both.
// Values are decrypted only here in the store, when a page or an export
// needs them (masked or not: masking is the web layer's job).

// Labels: the additional data of each sealed column, so that a ciphertext
// copied into another column does not open.
const (
	labelHouseholdID    = "households.id_number"
	labelHouseholdPhone = "households.phone"
	labelMemberID       = "household_members.id_number"
	labelDeputyPhone    = "deputies.phone"
	labelJobFile        = "job_file_chunks.data" // import and export workbooks (job.go)
)

// Hash labels. Households and members share hashID so that a head's ID and
// a member's compare equal.
const (
	hashID     = "id"      // the whole ID number (18 characters, upper-case X)
	hashIDTail = "id-tail" // its last 4 characters
	hashPhone  = "phone"
)

// sealedHousehold is the stored form of a household's ID number and phone.
type sealedHousehold struct {
	idEnc, idHash, idTailHash, phoneEnc, phoneHash []byte
}

// sealHousehold seals a household's ID number and phone and hashes them.
func (s *Store) sealHousehold(idNumber, phone string) sealedHousehold {
	return sealedHousehold{
		idEnc: s.Keys.Seal(labelHouseholdID, idNumber), idHash: s.Keys.Hash(hashID, idNumber),
		idTailHash: s.Keys.Hash(hashIDTail, idTail(idNumber)),
		phoneEnc:   s.Keys.Seal(labelHouseholdPhone, phone), phoneHash: s.Keys.Hash(hashPhone, phone),
	}
}

// idTail returns the last 4 characters of an ID number (all of a shorter one).
func idTail(id string) string {
	if len(id) < 4 {
		return id
	}
	return id[len(id)-4:]
}

// legacyBatch is how many plaintext rows EncryptLegacy seals per
// transaction.
const legacyBatch = 2000

// EncryptLegacy seals every ID number and phone still stored in plaintext
// (the legacy_* columns that migration 000025 left from earlier versions),
// nulls the plaintext, and then validates the *_encrypted constraints, which
// proves that no plaintext remains. It works in batches, each one
// transaction with a 'personal_data.encrypt' audit event, locking its rows
// in id order: a concurrent run waits, then finds them sealed, so two
// instances may run it at once. It returns the number of rows sealed: 0 on a database
// without legacy rows. Migrate calls it.
func (s *Store) EncryptLegacy(ctx context.Context) (int, error) {
	total := 0
	steps := []struct {
		table string
		batch func(tx pgx.Tx) (int, error)
	}{
		{"households", func(tx pgx.Tx) (int, error) { return s.encryptLegacyHouseholds(ctx, tx) }},
		{"household_members", func(tx pgx.Tx) (int, error) { return s.encryptLegacyMembers(ctx, tx) }},
		{"deputies", func(tx pgx.Tx) (int, error) { return s.encryptLegacyDeputies(ctx, tx) }},
	}
	for _, step := range steps {
		for {
			var n int
			err := s.InTx(ctx, func(tx pgx.Tx) error {
				var err error
				if n, err = step.batch(tx); err != nil || n == 0 {
					return err
				}
				return audit(ctx, tx, 0, "personal_data.encrypt", step.table, 0, nil,
					map[string]any{"rows": n, "key_id": s.Keys.CurrentID()})
			})
			if err != nil {
				return total, fmt.Errorf("store.EncryptLegacy %s: %w", step.table, err)
			}
			total += n
			if n == 0 {
				break
			}
		}
		var valid bool
		if err := s.Pool.QueryRow(ctx, `SELECT convalidated FROM pg_constraint WHERE conname = $1`,
			step.table+"_encrypted").Scan(&valid); err != nil {
			return total, fmt.Errorf("store.EncryptLegacy %s: %w", step.table, err)
		}
		if !valid {
			if _, err := s.Pool.Exec(ctx, `ALTER TABLE `+step.table+` VALIDATE CONSTRAINT `+step.table+`_encrypted`); err != nil {
				return total, fmt.Errorf("store.EncryptLegacy %s: plaintext remains: %w", step.table, err)
			}
		}
	}
	return total, nil
}

func (s *Store) encryptLegacyHouseholds(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT id, coalesce(legacy_id_number, ''), coalesce(legacy_phone, '') FROM households
		WHERE legacy_id_number IS NOT NULL OR legacy_phone IS NOT NULL ORDER BY id LIMIT $1 FOR UPDATE`, legacyBatch)
	var (
		ids                                  []int64
		idEnc, idHash, tailHash, pEnc, pHash [][]byte
		id                                   int64
		number, phone                        string
	)
	_, err := pgx.ForEachRow(rows, []any{&id, &number, &phone}, func() error {
		p := s.sealHousehold(number, phone)
		ids = append(ids, id)
		idEnc, idHash, tailHash = append(idEnc, p.idEnc), append(idHash, p.idHash), append(tailHash, p.idTailHash)
		pEnc, pHash = append(pEnc, p.phoneEnc), append(pHash, p.phoneHash)
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	_, err = tx.Exec(ctx, `UPDATE households h SET id_enc = u.id_enc, id_hash = u.id_hash, id_tail_hash = u.id_tail_hash,
			phone_enc = u.phone_enc, phone_hash = u.phone_hash, legacy_id_number = NULL, legacy_phone = NULL
		FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[])
			AS u(id, id_enc, id_hash, id_tail_hash, phone_enc, phone_hash)
		WHERE h.id = u.id`, ids, idEnc, idHash, tailHash, pEnc, pHash)
	return len(ids), err
}

func (s *Store) encryptLegacyMembers(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT id, legacy_id_number FROM household_members
		WHERE legacy_id_number IS NOT NULL ORDER BY id LIMIT $1 FOR UPDATE`, legacyBatch)
	var (
		ids           []int64
		idEnc, idHash [][]byte
		id            int64
		number        string
	)
	_, err := pgx.ForEachRow(rows, []any{&id, &number}, func() error {
		ids = append(ids, id)
		idEnc, idHash = append(idEnc, s.Keys.Seal(labelMemberID, number)), append(idHash, s.Keys.Hash(hashID, number))
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	_, err = tx.Exec(ctx, `UPDATE household_members m SET id_enc = u.id_enc, id_hash = u.id_hash, legacy_id_number = NULL
		FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) AS u(id, id_enc, id_hash) WHERE m.id = u.id`, ids, idEnc, idHash)
	return len(ids), err
}

func (s *Store) encryptLegacyDeputies(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT id, legacy_phone FROM deputies
		WHERE legacy_phone IS NOT NULL ORDER BY id LIMIT $1 FOR UPDATE`, legacyBatch)
	var (
		ids         []int64
		pEnc, pHash [][]byte
		id          int64
		phone       string
	)
	_, err := pgx.ForEachRow(rows, []any{&id, &phone}, func() error {
		ids = append(ids, id)
		pEnc, pHash = append(pEnc, s.Keys.Seal(labelDeputyPhone, phone)), append(pHash, s.Keys.Hash(hashPhone, phone))
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	_, err = tx.Exec(ctx, `UPDATE deputies d SET phone_enc = u.phone_enc, phone_hash = u.phone_hash, legacy_phone = NULL
		FROM unnest($1::bigint[], $2::bytea[], $3::bytea[]) AS u(id, phone_enc, phone_hash) WHERE d.id = u.id`, ids, pEnc, pHash)
	return len(ids), err
}

// sealedTable lists a table's sealed columns with their labels and the
// keyed hashes computed from each.
type sealedTable struct {
	table   string
	columns []string // *_enc columns
	labels  []string // their labels, in the same order
	hashes  [][]hashColumn
}

// hashColumn is a keyed hash column: label and what of the value it hashes.
type hashColumn struct {
	column, label string
	of            func(string) string
}

func whole(v string) string { return v }

var sealedTables = []sealedTable{
	{"households", []string{"id_enc", "phone_enc"}, []string{labelHouseholdID, labelHouseholdPhone},
		[][]hashColumn{{{"id_hash", hashID, whole}, {"id_tail_hash", hashIDTail, idTail}}, {{"phone_hash", hashPhone, whole}}}},
	{"household_members", []string{"id_enc"}, []string{labelMemberID}, [][]hashColumn{{{"id_hash", hashID, whole}}}},
	{"deputies", []string{"phone_enc"}, []string{labelDeputyPhone}, [][]hashColumn{{{"phone_hash", hashPhone, whole}}}},
}

// RotateResult counts the rows RotateKeys re-sealed, per table.
type RotateResult struct {
	Table string
	Rows  int
}

// RotateOptions tune RotateKeys.
type RotateOptions struct {
	Batch int // rows per transaction (at least 1)
	// Rehash recomputes every keyed hash with the current hash key (after
	// DATA_HASH_KEY changed), visiting every row, not only those under an
	// old data key. Until it finishes, searches and the duplicate check miss
	// the rows not yet visited: run it before serving.
	Rehash bool
}

// RotateKeys re-seals under the current key (s.Keys.CurrentID()) every
// sealed value that another key sealed (the job files' chunks last),
// table by table, o.Batch rows at a
// time, each batch one transaction with a 'keys.rotate' audit event;
// progress, if not nil, is called after each batch. The keyring must hold
// every key still in use (else vault.ErrUnknownKey, nothing of that batch
// written). Hashes do not change unless o.Rehash. Running it again finds
// nothing to do, so it is safe to repeat after an interruption. Every
// instance must already seal with the new current key, or rows written
// meanwhile stay under the old one (a second run catches them).
func (s *Store) RotateKeys(ctx context.Context, o RotateOptions, progress func(RotateResult)) ([]RotateResult, error) {
	batch := max(o.Batch, 1)
	current := int(s.Keys.CurrentID())
	var out []RotateResult
	for _, t := range sealedTables {
		res := RotateResult{Table: t.table}
		var conds, sets, unnest, as []string
		for i, c := range t.columns {
			conds = append(conds, fmt.Sprintf(`(%s IS NOT NULL AND get_byte(%s, 0) <> $1)`, c, c))
			cols := []string{c}
			if o.Rehash {
				for _, h := range t.hashes[i] {
					cols = append(cols, h.column)
				}
			}
			for _, col := range cols {
				sets = append(sets, fmt.Sprintf("%s = u.%s", col, col))
				unnest = append(unnest, fmt.Sprintf("$%d::bytea[]", len(unnest)+2))
				as = append(as, col)
			}
		}
		where := `(` + strings.Join(conds, " OR ") + `)`
		if o.Rehash {
			where = `$1 >= 0`
		}
		sel := `SELECT id, ` + strings.Join(t.columns, ", ") + ` FROM ` + t.table + ` WHERE id > $2 AND ` + where +
			` ORDER BY id LIMIT $3 FOR UPDATE`
		upd := `UPDATE ` + t.table + ` t SET ` + strings.Join(sets, ", ") + ` FROM unnest($1::bigint[], ` +
			strings.Join(unnest, ", ") + `) AS u(id, ` + strings.Join(as, ", ") + `) WHERE t.id = u.id`
		var last int64
		for {
			n := 0
			err := s.InTx(ctx, func(tx pgx.Tx) error {
				rows, err := tx.Query(ctx, sel, current, last, batch)
				if err != nil {
					return err
				}
				ids := []int64{}
				cols := make([][][]byte, len(as))
				for rows.Next() {
					var id int64
					vals := make([][]byte, len(t.columns))
					dst := []any{&id}
					for i := range vals {
						dst = append(dst, &vals[i])
					}
					if err := rows.Scan(dst...); err != nil {
						return err
					}
					k := 0
					for i, v := range vals {
						var plain string
						if v != nil && (o.Rehash || int(vault.KeyID(v)) != current) {
							if plain, err = s.Keys.Open(t.labels[i], v); err != nil {
								return fmt.Errorf("row %d: %w", id, err)
							}
							if int(vault.KeyID(v)) != current {
								v = s.Keys.Seal(t.labels[i], plain)
							}
						}
						cols[k] = append(cols[k], v)
						k++
						if o.Rehash {
							for _, h := range t.hashes[i] {
								cols[k] = append(cols[k], s.Keys.Hash(h.label, h.of(plain)))
								k++
							}
						}
					}
					ids = append(ids, id)
				}
				if err := rows.Err(); err != nil || len(ids) == 0 {
					return err
				}
				args := []any{ids}
				for _, c := range cols {
					args = append(args, c)
				}
				if _, err := tx.Exec(ctx, upd, args...); err != nil {
					return err
				}
				n, last = len(ids), ids[len(ids)-1]
				return audit(ctx, tx, 0, "keys.rotate", t.table, 0, nil,
					map[string]any{"rows": n, "key_id": current, "through_id": last, "rehash": o.Rehash})
			})
			if err != nil {
				return out, fmt.Errorf("store.RotateKeys %s: %w", t.table, err)
			}
			if n == 0 {
				break
			}
			res.Rows += n
			if progress != nil {
				progress(res)
			}
		}
		out = append(out, res)
	}
	res, err := s.rotateJobFiles(ctx, current, progress)
	out = append(out, res)
	return out, err
}

// rotateJobFiles re-seals the chunks of the job files (up to 1 MiB each)
// that another key sealed, 8 chunks per transaction.
func (s *Store) rotateJobFiles(ctx context.Context, current int, progress func(RotateResult)) (RotateResult, error) {
	res := RotateResult{Table: "job_file_chunks"}
	var lastJob int64
	lastSeq := -1
	for {
		n := 0
		err := s.InTx(ctx, func(tx pgx.Tx) error {
			rows, _ := tx.Query(ctx, `SELECT job_id, seq, data FROM job_file_chunks
				WHERE (job_id, seq) > ($2, $3) AND get_byte(data, 0) <> $1 ORDER BY job_id, seq LIMIT 8 FOR UPDATE`,
				current, lastJob, lastSeq)
			type chunk struct {
				job  int64
				seq  int
				data []byte
			}
			chunks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (chunk, error) {
				var c chunk
				err := r.Scan(&c.job, &c.seq, &c.data)
				return c, err
			})
			if err != nil || len(chunks) == 0 {
				return err
			}
			for _, c := range chunks {
				plain, err := s.Keys.OpenBytes(labelJobFile, c.data)
				if err != nil {
					return fmt.Errorf("job %d chunk %d: %w", c.job, c.seq, err)
				}
				if _, err := tx.Exec(ctx, `UPDATE job_file_chunks SET data = $3 WHERE job_id = $1 AND seq = $2`,
					c.job, c.seq, s.Keys.SealBytes(labelJobFile, plain)); err != nil {
					return err
				}
			}
			last := chunks[len(chunks)-1]
			n, lastJob, lastSeq = len(chunks), last.job, last.seq
			return audit(ctx, tx, 0, "keys.rotate", "job_file_chunks", 0, nil,
				map[string]any{"rows": n, "key_id": current, "through_job_id": lastJob})
		})
		if err != nil {
			return res, fmt.Errorf("store.RotateKeys job_file_chunks: %w", err)
		}
		if n == 0 {
			return res, nil
		}
		res.Rows += n
		if progress != nil {
			progress(res)
		}
	}
}

// KeyUsage returns, per table, how many rows hold a value sealed under each
// key id (a row with two sealed columns under one key counts once per
// column).
func (s *Store) KeyUsage(ctx context.Context) (map[string]map[int]int, error) {
	out := map[string]map[int]int{}
	for _, t := range sealedTables {
		out[t.table] = map[int]int{}
		for _, c := range t.columns {
			rows, _ := s.Pool.Query(ctx, `SELECT get_byte(`+c+`, 0), count(*)::int FROM `+t.table+` WHERE `+c+` IS NOT NULL GROUP BY 1`)
			var id, n int
			if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[t.table][id] += n; return nil }); err != nil {
				return nil, fmt.Errorf("store.KeyUsage: %w", err)
			}
		}
	}
	return out, nil
}

// ErrKeys is wrapped by CheckKeys when the keyring cannot read the
// database's personal data.
var ErrKeys = errors.New("the data keys do not match the database")

// CheckKeys opens one stored value per table, column and key id in use, and
// checks one household's ID hash, so that a server started with the wrong
// DATA_KEYS or DATA_HASH_KEY stops at once (an error wrapping ErrKeys and
// the vault error) instead of failing page by page. A database without
// personal data passes.
func (s *Store) CheckKeys(ctx context.Context) error {
	for _, t := range sealedTables {
		for i, c := range t.columns {
			rows, _ := s.Pool.Query(ctx, `SELECT DISTINCT get_byte(`+c+`, 0) FROM `+t.table+` WHERE `+c+` IS NOT NULL`)
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
			if err != nil {
				return fmt.Errorf("store.CheckKeys: %w", err)
			}
			for _, id := range ids {
				var sealed []byte
				if err := s.Pool.QueryRow(ctx, `SELECT `+c+` FROM `+t.table+` WHERE get_byte(`+c+`, 0) = $1 LIMIT 1`, id).Scan(&sealed); err != nil {
					return fmt.Errorf("store.CheckKeys: %w", err)
				}
				if _, err := s.Keys.Open(t.labels[i], sealed); err != nil {
					return fmt.Errorf("store.CheckKeys: %w: %s.%s under key id %d: %w", ErrKeys, t.table, c, id, err)
				}
			}
		}
	}
	var sealed, hash []byte
	err := s.Pool.QueryRow(ctx, `SELECT id_enc, id_hash FROM households WHERE id_enc IS NOT NULL LIMIT 1`).Scan(&sealed, &hash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store.CheckKeys: %w", err)
	}
	id, err := s.Keys.Open(labelHouseholdID, sealed)
	if err != nil {
		return fmt.Errorf("store.CheckKeys: %w: %w", ErrKeys, err)
	}
	if !bytes.Equal(s.Keys.Hash(hashID, id), hash) {
		return fmt.Errorf("store.CheckKeys: %w: DATA_HASH_KEY does not give the stored hashes", ErrKeys)
	}
	return nil
}

// HouseholdPersonalColumns are the households columns of HouseholdPersonal's
// values, for bulk writers (the demo's COPY).
func HouseholdPersonalColumns() []string {
	return []string{"id_enc", "id_hash", "id_tail_hash", "phone_enc", "phone_hash"}
}

// HouseholdPersonal returns a household's ID number and phone as stored, in
// the order of HouseholdPersonalColumns.
func (s *Store) HouseholdPersonal(idNumber, phone string) []any {
	p := s.sealHousehold(idNumber, phone)
	return []any{p.idEnc, p.idHash, p.idTailHash, p.phoneEnc, p.phoneHash}
}

// MemberPersonalColumns are the household_members columns of
// MemberPersonal's values.
func MemberPersonalColumns() []string { return []string{"id_enc", "id_hash"} }

// MemberPersonal returns a member's ID number as stored, in the order of
// MemberPersonalColumns.
func (s *Store) MemberPersonal(idNumber string) []any {
	return []any{s.Keys.Seal(labelMemberID, idNumber), s.Keys.Hash(hashID, idNumber)}
}

// DeputyPersonalColumns are the deputies columns of DeputyPersonal's values.
func DeputyPersonalColumns() []string { return []string{"phone_enc", "phone_hash"} }

// DeputyPersonal returns a deputy's phone as stored, in the order of
// DeputyPersonalColumns.
func (s *Store) DeputyPersonal(phone string) []any {
	return []any{s.Keys.Seal(labelDeputyPhone, phone), s.Keys.Hash(hashPhone, phone)}
}

// IDNumbers returns every resident ID number stored (heads and members),
// decrypted, read in tx: the demo generator must not repeat them.
func (s *Store) IDNumbers(ctx context.Context, tx pgx.Tx) ([]string, error) {
	rows, _ := tx.Query(ctx, `SELECT id_enc FROM household_members`)
	var out []string
	var sealed []byte
	_, err := pgx.ForEachRow(rows, []any{&sealed}, func() error {
		id, err := s.Keys.Open(labelMemberID, sealed)
		out = append(out, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store.IDNumbers: %w", err)
	}
	return out, nil
}

// IDHash returns the keyed hash stored in id_hash for an ID number, for
// queries that look a number up (tests, tools).
func (s *Store) IDHash(idNumber string) []byte { return s.Keys.Hash(hashID, idNumber) }
