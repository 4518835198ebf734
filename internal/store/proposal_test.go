package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/pairing"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestOneActivePairingUnderConcurrency races confirmations of a household's
// proposal against staff pairing the same household directly with other
// deputies: exactly one wins, every other attempt gets a clear error, and
// the household ends with exactly one active pairing.
func TestOneActivePairingUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	hh := testutil.Household(t, st, "430681107231", "孙大勇")
	proposer := testutil.Deputy(t, st, "周红梅", "430681107")
	if _, err := st.FileApplication(ctx, pairing.Application{DeputyID: proposer, Capacity: 3, Offers: []string{"health"}}, 0); err != nil {
		t.Fatal(err)
	}
	n, skipped, err := st.ProposePairings(ctx, "430681", []store.Proposal{{HouseholdID: hh, DeputyID: proposer, Reason: "同镇"}}, time.Now(), 0)
	if err != nil || n != 1 || len(skipped) != 0 {
		t.Fatalf("propose: %d %v %v", n, skipped, err)
	}
	props, err := st.ProposedPairings(ctx, "430681107")
	if err != nil || len(props) != 1 {
		t.Fatalf("proposals: %v %v", props, err)
	}
	others := make([]int64, 6)
	for i := range others {
		others[i] = testutil.Deputy(t, st, testutil.Name("代表", i), "430681107")
	}
	const confirmers = 8
	var wg sync.WaitGroup
	results := make(chan error, confirmers+len(others))
	start := make(chan struct{})
	for i := 0; i < confirmers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results <- st.ConfirmPairing(ctx, "430681107", props[0].ID, time.Now(), 0)
		}()
	}
	for _, d := range others {
		wg.Add(1)
		go func(d int64) {
			defer wg.Done()
			<-start
			_, err := st.CreatePairing(ctx, hh, d, time.Now(), 0)
			results <- err
		}(d)
	}
	close(start)
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrAlreadyPaired):
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d attempts succeeded, want exactly 1", ok)
	}
	var active int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM pairings WHERE household_id = $1 AND status = 'active'`, hh).Scan(&active); err != nil || active != 1 {
		t.Fatalf("active pairings = %d, %v", active, err)
	}
}

func TestProposalsRespectScopeAndCapacity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	d := testutil.Deputy(t, st, "周红梅", "430681107")
	if _, err := st.FileApplication(ctx, pairing.Application{DeputyID: d, Capacity: 1, Offers: []string{"health"}}, 0); err != nil {
		t.Fatal(err)
	}
	h1 := testutil.Household(t, st, "430681107231", "孙大勇")
	h2 := testutil.Household(t, st, "430681107231", "郑小平")
	n, skipped, err := st.ProposePairings(ctx, "430681", []store.Proposal{{HouseholdID: h1, DeputyID: d}, {HouseholdID: h2, DeputyID: d}}, time.Now(), 0)
	if err != nil || n != 1 || len(skipped) != 1 || skipped[0] != h2 {
		t.Fatalf("capacity 1: created %d skipped %v %v", n, skipped, err)
	}
	props, _ := st.ProposedPairings(ctx, "430681107")
	if err := st.ConfirmPairing(ctx, "430681102", props[0].ID, time.Now(), 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other township confirms: %v", err)
	}
	if err := st.RejectProposal(ctx, "430681102", props[0].ID, time.Now(), 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other township rejects: %v", err)
	}
	if got, _ := st.ProposedPairings(ctx, "430681102"); len(got) != 0 {
		t.Fatalf("other township sees %d proposals", len(got))
	}
	if err := st.RejectProposal(ctx, "430681107", props[0].ID, time.Now(), 0); err != nil {
		t.Fatal(err)
	}
	// The rejection frees the deputy's capacity and the household.
	hs, ds, err := st.MatchInput(ctx, "430681107")
	if err != nil || len(hs) != 2 || len(ds) != 1 || ds[0].Capacity != 1 {
		t.Fatalf("match input after rejection: %d households, %+v, %v", len(hs), ds, err)
	}
}
