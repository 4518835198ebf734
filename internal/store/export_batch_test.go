package store_test

import (
	"context"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/google/go-cmp/cmp"
)

// TestExportHouseholdsBatchesKeepOrder: read in keyset batches (here of
// two), the export gives every household once, in the order of one query
// (village, head name in stroke order, id), members included, and the
// callback may use the database meanwhile.
func TestExportHouseholdsBatchesKeepOrder(t *testing.T) {
	// Not parallel: it changes the batch size of the package.
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	hs := []store.ImportHousehold{importHousehold(yuchi, "李建国", 2), importHousehold("430681101202", "张有才", 3),
		importHousehold(yuchi, "王大明", 1), importHousehold(yuchi, "丁一", 2), importHousehold(yuchi, "王大明", 2),
		importHousehold("430681101202", "万里", 1), importHousehold(yuchi, "李建国", 3)}
	if _, err := st.ImportHouseholds(ctx, hs, 0); err != nil {
		t.Fatal(err)
	}
	export := func() []string {
		var out []string
		if err := st.ExportHouseholds(ctx, auth.Scope{}, store.HouseholdFilter{}, func(h store.ExportHousehold) error {
			if err := st.Ping(ctx); err != nil {
				return err
			}
			out = append(out, h.VillageCode+" "+h.HeadName+" "+h.IDNumber+" "+h.Head.Name+" "+string(rune('0'+len(h.Members))))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	whole := export()
	if len(whole) != len(hs) {
		t.Fatalf("%d households exported, want %d", len(whole), len(hs))
	}
	defer store.SetExportBatch(2)()
	if diff := cmp.Diff(whole, export()); diff != "" {
		t.Errorf("batched export differs (-one query +batches of 2):\n%s", diff)
	}
}
