package store

import (
	"context"
	"fmt"

	"github.com/bangfu/bangfu/internal/pinyin"
	"github.com/jackc/pgx/v5"
)

// FillMemberPinyin sets the pinyin search key (pinyin.Key) of every household
// member that has none yet, in tx: the members written by this transaction
// (form, Excel import, demo) and, once, those stored before migration 000029.
// It returns the number of members filled.
func FillMemberPinyin(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, _ := tx.Query(ctx, `SELECT id, name FROM household_members WHERE name_pinyin IS NULL ORDER BY id FOR UPDATE`)
	var (
		ids  []int64
		keys []string
	)
	var id int64
	var name string
	_, err := pgx.ForEachRow(rows, []any{&id, &name}, func() error {
		ids = append(ids, id)
		keys = append(keys, pinyin.Key(name))
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	if _, err := tx.Exec(ctx, `UPDATE household_members m SET name_pinyin = u.key
		FROM unnest($1::bigint[], $2::text[]) AS u(id, key) WHERE m.id = u.id`, ids, keys); err != nil {
		return 0, fmt.Errorf("store.FillMemberPinyin: %w", err)
	}
	return len(ids), nil
}
