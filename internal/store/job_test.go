package store_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestJobFileInChunks: a file of 2.5 chunks is stored in 3 rows and comes
// back byte for byte with its size; another user's job and an unfinished one
// have no file.
func TestJobFileInChunks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	owner := testutil.User(t, st, "office", auth.Staff, "", 0)
	other := testutil.User(t, st, "office2", auth.Staff, "", 0)
	id, err := st.CreateJob(ctx, "household_export", owner, "正在导出")
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	start := func(_ string, n int64) { size = n }
	if err := st.JobFile(ctx, id, owner, start, &bytes.Buffer{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("running job's file: %v, want ErrNotFound", err)
	}
	want := make([]byte, store.FileChunk*5/2)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range want {
		want[i] = byte(r.UintN(256))
	}
	if err := st.FinishJob(ctx, id, false, "导出完成", nil, "花名册.xlsx", bytes.NewReader(want)); err != nil {
		t.Fatal(err)
	}
	var chunks int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM job_file_chunks WHERE job_id = $1`, id).Scan(&chunks); err != nil || chunks != 3 {
		t.Errorf("%d chunks (%v), want 3", chunks, err)
	}
	var got bytes.Buffer
	var name string
	if err := st.JobFile(ctx, id, owner, func(n string, s int64) { name, size = n, s }, &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) || size != int64(len(want)) || name != "花名册.xlsx" {
		t.Errorf("file back: %d bytes (size %d, name %q), want %d identical bytes", got.Len(), size, name, len(want))
	}
	if err := st.JobFile(ctx, id, other, start, &bytes.Buffer{}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another user's job file: %v, want ErrNotFound", err)
	}
}
