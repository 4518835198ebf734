package matcher

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The tiny cases live in four townships: X, Y, Z, W, with villages X1, X2,
// Y1, Z1, W1. Only Y and Z border each other.
func tinyNeighbours(a, b string) bool {
	return a == "Y" && b == "Z" || a == "Z" && b == "Y"
}

func TestCost(t *testing.T) {
	h := Household{ID: 1, Village: "Y1", Township: "Y", Causes: []string{"缺资金", "缺技术", "因病"}}
	type out struct{ Class, Distance, Fit int }
	tests := []struct {
		name string
		h    Household
		d    Deputy
		nb   func(a, b string) bool
		want out
	}{
		{"same village, main cause fits", h, Deputy{Village: "Y1", Township: "Y", Offers: []string{"credit"}}, tinyNeighbours, out{0, 0, 0}},
		{"same village wins over preferred", h, Deputy{Village: "Y1", Township: "Y", Preferred: []string{"Y"}, Offers: []string{"credit"}}, tinyNeighbours, out{0, 0, 0}},
		{"same village name in another township is not the same village", h, Deputy{Village: "Y1", Township: "X", Offers: []string{"credit"}}, tinyNeighbours, out{3, 80, 0}},
		{"same township, other cause fits", h, Deputy{Village: "Y2", Township: "Y", Offers: []string{"skills"}}, tinyNeighbours, out{1, 10, 8}},
		{"third cause fits", h, Deputy{Village: "Y2", Township: "Y", Offers: []string{"health"}}, tinyNeighbours, out{1, 10, 8}},
		{"main and other fit: main counts", h, Deputy{Village: "Y2", Township: "Y", Offers: []string{"skills", "industry"}}, tinyNeighbours, out{1, 10, 0}},
		{"preferred township counts as same township", h, Deputy{Village: "X1", Township: "X", Preferred: []string{"W", "Y"}, Offers: []string{"education"}}, tinyNeighbours, out{1, 10, 20}},
		{"neighbouring township", h, Deputy{Village: "Z1", Township: "Z", Offers: []string{"employment"}}, tinyNeighbours, out{2, 30, 0}},
		{"preferred beats neighbour", h, Deputy{Village: "Z1", Township: "Z", Preferred: []string{"Y"}}, tinyNeighbours, out{1, 10, 20}},
		{"elsewhere", h, Deputy{Village: "X1", Township: "X", Preferred: []string{"Z"}, Offers: []string{"other"}}, tinyNeighbours, out{3, 80, 20}},
		{"no adjacency given", h, Deputy{Village: "Z1", Township: "Z", Offers: []string{"credit"}}, nil, out{3, 80, 0}},
		{"no causes", Household{Village: "Y1", Township: "Y"}, Deputy{Village: "Y1", Township: "Y", Offers: []string{"other"}}, nil, out{0, 0, 20}},
		{"unknown cause fits nothing", Household{Village: "Y1", Township: "Y", Causes: []string{"懒"}}, Deputy{Village: "Y1", Township: "Y", Offers: []string{"other"}}, nil, out{0, 0, 20}},
		{"其它 fits 其他", Household{Village: "Y1", Township: "Y", Causes: []string{"因学", "其它"}}, Deputy{Village: "Y1", Township: "Y", Offers: []string{"other"}}, nil, out{0, 0, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, d, f := Cost(tt.h, tt.d, tt.nb)
			if diff := cmp.Diff(tt.want, out{c, d, f}); diff != "" {
				t.Errorf("Cost mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFittingSupport(t *testing.T) {
	if diff := cmp.Diff([]string{"credit", "industry", "employment"}, FittingSupport("缺资金")); diff != "" {
		t.Errorf("FittingSupport(缺资金) mismatch (-want +got):\n%s", diff)
	}
	if got := FittingSupport("懒"); got != nil {
		t.Errorf("FittingSupport(unknown) = %v, want nil", got)
	}
	for _, c := range causes {
		for _, s := range c.fits {
			if supportLabels[s] == "" {
				t.Errorf("cause %s: support type %q has no label", c.name, s)
			}
		}
	}
}

// TestAssignTiny holds cases small enough to solve by hand; each comment
// gives the costs and why the answer is the only optimum.
func TestAssignTiny(t *testing.T) {
	skills := []string{"skills"}
	tests := []struct {
		name string
		hs   []Household
		ds   []Deputy
		want Result
	}{
		{
			// One pair: class 0 (0) + main cause fits (0) + load 4×2 = 8.
			name: "one household, same village, existing load",
			hs:   []Household{{ID: 1, Village: "X1", Township: "X", Causes: []string{"缺技术"}}},
			ds:   []Deputy{{ID: 10, Village: "X1", Township: "X", Offers: skills, Capacity: 1, Load: 2}},
			want: Result{Proposals: []Proposal{{1, 10, 0, 0, 0, 8, 8, "同村；主要致贫原因“缺技术”对应其可提供的“技能”；已结对2户"}}, TotalCost: 8},
		},
		{
			// d10 in X1 offers skills+health, d20 in X2 offers skills, both
			// capacity 1. h1 (X1, 缺技术): d10 0, d20 10. h2 (X1, 因病):
			// d10 0, d20 10+20 = 30. h1→d10, h2→d20 costs 30 (what greedy
			// picks, see TestAssignBeatsGreedy); h1→d20, h2→d10 costs 10.
			name: "the cheapest deputy of the first household is not optimal",
			hs: []Household{
				{ID: 1, Village: "X1", Township: "X", Causes: []string{"缺技术"}},
				{ID: 2, Village: "X1", Township: "X", Causes: []string{"因病"}},
			},
			ds: []Deputy{
				{ID: 10, Village: "X1", Township: "X", Offers: []string{"skills", "health"}, Capacity: 1},
				{ID: 20, Village: "X2", Township: "X", Offers: skills, Capacity: 1},
			},
			want: Result{Proposals: []Proposal{
				{1, 20, 1, 10, 0, 0, 10, "同乡镇；主要致贫原因“缺技术”对应其可提供的“技能”；尚未结对"},
				{2, 10, 0, 0, 0, 0, 0, "同村；主要致贫原因“因病”对应其可提供的“健康”；尚未结对"},
			}, TotalCost: 10},
		},
		{
			// One deputy in X1, capacity 2; pair costs h1 0 (X1), h2 10 (X2),
			// h3 80 (Y, not bordering X). Two proposals, the cheapest two:
			// 0 + 10 plus load 0 + 4 = 14; h3 stays unassigned.
			name: "capacity 2 of three",
			hs: []Household{
				{ID: 1, Village: "X1", Township: "X", Causes: []string{"缺技术"}},
				{ID: 2, Village: "X2", Township: "X", Causes: []string{"缺技术"}},
				{ID: 3, Village: "Y1", Township: "Y", Causes: []string{"缺技术"}},
			},
			ds: []Deputy{{ID: 10, Village: "X1", Township: "X", Offers: skills, Capacity: 2}},
			want: Result{Proposals: []Proposal{
				{1, 10, 0, 0, 0, 0, 0, "同村；主要致贫原因“缺技术”对应其可提供的“技能”；尚未结对"},
				{2, 10, 1, 10, 0, 4, 14, "同乡镇；主要致贫原因“缺技术”对应其可提供的“技能”；尚未结对，本次建议中第2户"},
			}, Unassigned: []int64{3}, TotalCost: 14},
		},
		{
			// One place for three households of X1; fits against skills:
			// h1 (因病) 20, h2 (缺技术) 0, h3 (因学, 缺技术) 8. h2 gets it.
			name: "total capacity below the households",
			hs: []Household{
				{ID: 1, Village: "X1", Township: "X", Causes: []string{"因病"}},
				{ID: 2, Village: "X1", Township: "X", Causes: []string{"缺技术"}},
				{ID: 3, Village: "X1", Township: "X", Causes: []string{"因学", "缺技术"}},
			},
			ds: []Deputy{
				{ID: 10, Village: "X1", Township: "X", Offers: skills, Capacity: 1},
				{ID: 20, Village: "X1", Township: "X", Offers: skills, Capacity: 0},
			},
			want: Result{Proposals: []Proposal{
				{2, 10, 0, 0, 0, 0, 0, "同村；主要致贫原因“缺技术”对应其可提供的“技能”；尚未结对"},
			}, Unassigned: []int64{1, 3}, TotalCost: 0},
		},
		{
			// h1 in Y (缺资金, 缺技术). d10 lives in Z (borders Y), offers
			// credit: 30 + 0. d20 lives in W but prefers Y, offers skills:
			// 10 + 8 = 18. d30 lives in X, offers credit: 80 + 0.
			name: "preferred township before neighbouring township",
			hs:   []Household{{ID: 1, Village: "Y1", Township: "Y", Causes: []string{"缺资金", "缺技术"}}},
			ds: []Deputy{
				{ID: 10, Village: "Z1", Township: "Z", Offers: []string{"credit"}, Capacity: 1},
				{ID: 20, Village: "W1", Township: "W", Preferred: []string{"Y"}, Offers: skills, Capacity: 1},
				{ID: 30, Village: "X1", Township: "X", Offers: []string{"credit"}, Capacity: 1},
			},
			want: Result{Proposals: []Proposal{
				{1, 20, 1, 10, 8, 0, 18, "申请书意向乡镇；其他致贫原因“缺技术”对应其可提供的“技能”；尚未结对"},
			}, TotalCost: 18},
		},
		{
			// As above with d20 full: d10 (30) before d30 (80).
			name: "neighbouring township before elsewhere",
			hs:   []Household{{ID: 1, Village: "Y1", Township: "Y", Causes: []string{"缺资金", "缺技术"}}},
			ds: []Deputy{
				{ID: 10, Village: "Z1", Township: "Z", Offers: []string{"credit", "industry"}, Capacity: 1},
				{ID: 20, Village: "W1", Township: "W", Preferred: []string{"Y"}, Offers: skills, Capacity: 0},
				{ID: 30, Village: "X1", Township: "X", Offers: []string{"credit"}, Capacity: 1},
			},
			want: Result{Proposals: []Proposal{
				{1, 10, 2, 30, 0, 0, 30, "邻近乡镇；主要致贫原因“缺资金”对应其可提供的“金融、产业”；尚未结对"},
			}, TotalCost: 30},
		},
		{
			// Only a deputy elsewhere whose offer fits nothing:
			// 80 + 20 + load 4×1 = 104. Still proposed: any deputy beats none.
			name: "elsewhere, nothing fits",
			hs:   []Household{{ID: 1, Village: "Y1", Township: "Y", Causes: []string{"因学"}}},
			ds:   []Deputy{{ID: 10, Village: "X1", Township: "X", Offers: []string{"industry"}, Capacity: 3, Load: 1}},
			want: Result{Proposals: []Proposal{
				{1, 10, 3, 80, 20, 4, 104, "其他乡镇；其可提供的帮扶类型与致贫原因不对应；已结对1户"},
			}, TotalCost: 104},
		},
		{
			// d10 lives in the household's village but holds 3 households:
			// 0 + 4×3 = 12; d20 in the same township holds none: 10.
			name: "load outweighs the village",
			hs:   []Household{{ID: 1, Village: "X1", Township: "X", Causes: []string{"缺技术"}}},
			ds: []Deputy{
				{ID: 10, Village: "X1", Township: "X", Offers: skills, Capacity: 1, Load: 3},
				{ID: 20, Village: "X2", Township: "X", Offers: skills, Capacity: 1},
			},
			want: Result{Proposals: []Proposal{
				{1, 20, 1, 10, 0, 0, 10, "同乡镇；主要致贫原因“缺技术”对应其可提供的“技能”；尚未结对"},
			}, TotalCost: 10},
		},
		{
			name: "no deputies",
			hs:   []Household{{ID: 2, Village: "X1", Township: "X"}, {ID: 1, Village: "X1", Township: "X"}},
			want: Result{Unassigned: []int64{1, 2}},
		},
		{
			name: "nothing to do",
			ds:   []Deputy{{ID: 10, Village: "X1", Township: "X", Capacity: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Assign(tt.hs, tt.ds, tinyNeighbours)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Assign mismatch (-want +got):\n%s", diff)
			}
			check(t, tt.hs, tt.ds, tinyNeighbours, got)
		})
	}
}

// greedy gives each household in id order its cheapest deputy with room left
// (load included, ties to the lower deputy id): what Assign must beat.
func greedy(hs []Household, ds []Deputy, nb func(a, b string) bool) (assigned, total int) {
	taken := make([]int, len(ds))
	for _, h := range hs {
		best, bestCost := -1, 0
		for j, d := range ds {
			if taken[j] >= d.Capacity {
				continue
			}
			_, dist, fit := Cost(h, d, nb)
			c := dist + fit + LoadStep*(d.Load+taken[j])
			if best < 0 || c < bestCost {
				best, bestCost = j, c
			}
		}
		if best >= 0 {
			taken[best]++
			assigned++
			total += bestCost
		}
	}
	return assigned, total
}

func TestAssignBeatsGreedy(t *testing.T) {
	// The second tiny case: greedy gives h1 its village deputy d10 (0) and
	// leaves h2 (因病) to d20, who offers no health support (10 + 20).
	hs := []Household{
		{ID: 1, Village: "X1", Township: "X", Causes: []string{"缺技术"}},
		{ID: 2, Village: "X1", Township: "X", Causes: []string{"因病"}},
	}
	ds := []Deputy{
		{ID: 10, Village: "X1", Township: "X", Offers: []string{"skills", "health"}, Capacity: 1},
		{ID: 20, Village: "X2", Township: "X", Offers: []string{"skills"}, Capacity: 1},
	}
	n, g := greedy(hs, ds, tinyNeighbours)
	if n != 2 || g != 30 {
		t.Fatalf("greedy = %d households at %d, want 2 at 30", n, g)
	}
	r := Assign(hs, ds, tinyNeighbours)
	if len(r.Proposals) != 2 || r.TotalCost != 10 || r.TotalCost >= g {
		t.Errorf("Assign = %d proposals at %d, want 2 at the optimum 10 (< greedy %d)", len(r.Proposals), r.TotalCost, g)
	}
}

func TestAssignSpreadsLoad(t *testing.T) {
	// Two equal deputies with room for 4 each, four equal households: load
	// 0+4 on each deputy (8) beats 0+4+8 and 0 (12) and 0+4+8+12 (24).
	var hs []Household
	for i := range 4 {
		hs = append(hs, Household{ID: int64(i + 1), Village: "X1", Township: "X", Causes: []string{"缺技术"}})
	}
	ds := []Deputy{
		{ID: 10, Village: "X1", Township: "X", Offers: []string{"skills"}, Capacity: 4},
		{ID: 20, Village: "X1", Township: "X", Offers: []string{"skills"}, Capacity: 4},
	}
	r := Assign(hs, ds, nil)
	check(t, hs, ds, nil, r)
	per := map[int64]int{}
	for _, p := range r.Proposals {
		per[p.DeputyID]++
	}
	if diff := cmp.Diff(map[int64]int{10: 2, 20: 2}, per); diff != "" {
		t.Errorf("households per deputy mismatch (-want +got):\n%s", diff)
	}
	if r.TotalCost != 8 {
		t.Errorf("TotalCost = %d, want 8", r.TotalCost)
	}
}

func TestAssignCapacity(t *testing.T) {
	// 12 households, deputies with room for 2 + 3 + 0 = 5: exactly 5
	// proposals, no deputy over its capacity.
	c := synthetic(1, shape{households: 12, deputies: 3, townships: 2, villages: 4, maxCap: 1})
	c.ds[0].Capacity, c.ds[1].Capacity, c.ds[2].Capacity = 2, 3, 0
	r := Assign(c.hs, c.ds, c.nb)
	check(t, c.hs, c.ds, c.nb, r)
	if len(r.Proposals) != 5 || len(r.Unassigned) != 7 {
		t.Errorf("%d proposals, %d unassigned; want 5 and 7", len(r.Proposals), len(r.Unassigned))
	}
}

func TestAssignOrderIndependent(t *testing.T) {
	c := synthetic(7, shape{households: 120, deputies: 50, townships: 5, villages: 20, maxCap: 3, maxLoad: 2})
	want := Assign(c.hs, c.ds, c.nb)
	rng := rand.New(rand.NewPCG(7, 8))
	hs, ds := slices.Clone(c.hs), slices.Clone(c.ds)
	rng.Shuffle(len(hs), func(i, j int) { hs[i], hs[j] = hs[j], hs[i] })
	rng.Shuffle(len(ds), func(i, j int) { ds[i], ds[j] = ds[j], ds[i] })
	if diff := cmp.Diff(want, Assign(hs, ds, c.nb)); diff != "" {
		t.Errorf("shuffled input gives another answer (-first +shuffled):\n%s", diff)
	}
}

// bruteForce tries every assignment (each household: one of the deputies
// with room left, or none) and returns the most households that can be
// assigned and the least total cost of doing so.
func bruteForce(hs []Household, ds []Deputy, nb func(a, b string) bool) (assigned, total int) {
	pair := make([][]int, len(hs))
	for i, h := range hs {
		for _, d := range ds {
			_, dist, fit := Cost(h, d, nb)
			pair[i] = append(pair[i], dist+fit)
		}
	}
	taken := make([]int, len(ds))
	assigned, total = -1, 0
	var try func(i, n, cost int)
	try = func(i, n, cost int) {
		if i == len(hs) {
			for j, d := range ds {
				for k := 1; k <= taken[j]; k++ {
					cost += LoadStep * (d.Load + k - 1)
				}
			}
			if n > assigned || n == assigned && cost < total {
				assigned, total = n, cost
			}
			return
		}
		try(i+1, n, cost)
		for j, d := range ds {
			if taken[j] < d.Capacity {
				taken[j]++
				try(i+1, n+1, cost+pair[i][j])
				taken[j]--
			}
		}
	}
	try(0, 0, 0)
	return assigned, total
}

func TestAssignAgainstBruteForce(t *testing.T) {
	for seed := range uint64(150) {
		c := synthetic(seed, shape{households: 8, deputies: 5, townships: 3, villages: 5, maxCap: 3, maxLoad: 3, zeroCap: true})
		r, flowCost := solve(c.hs, c.ds, c.nb, false)
		check(t, c.hs, c.ds, c.nb, r)
		n, total := bruteForce(c.hs, c.ds, c.nb)
		if len(r.Proposals) != n || r.TotalCost != total || flowCost != total {
			t.Errorf("seed %d: Assign %d households at %d (flow %d); brute force %d at %d",
				seed, len(r.Proposals), r.TotalCost, flowCost, n, total)
		}
		if gn, g := greedy(c.hs, c.ds, c.nb); gn == n && g < total {
			t.Errorf("seed %d: greedy %d beats the brute-force optimum %d", seed, g, total)
		}
	}
}

// TestHubsMatchBipartite checks the network through hubs (see build)
// against every household joined to every deputy, on medium instances:
// same number of proposals, same least total cost.
func TestHubsMatchBipartite(t *testing.T) {
	shapes := []shape{
		{households: 400, deputies: 180, townships: 16, villages: 50, maxCap: 4},           // room for all
		{households: 400, deputies: 120, townships: 16, villages: 50, maxCap: 4},           // tight
		{households: 400, deputies: 90, townships: 9, villages: 30, maxCap: 3, maxLoad: 4}, // short of room
		{households: 300, deputies: 150, townships: 4, villages: 12, maxCap: 2, maxLoad: 2, zeroCap: true},
	}
	for i, s := range shapes {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			c := synthetic(uint64(100+i), s)
			hub, hubFlow := solve(c.hs, c.ds, c.nb, false)
			plain, plainFlow := solve(c.hs, c.ds, c.nb, true)
			check(t, c.hs, c.ds, c.nb, hub)
			check(t, c.hs, c.ds, c.nb, plain)
			type sum struct{ Proposals, TotalCost, FlowCost int }
			if diff := cmp.Diff(sum{len(plain.Proposals), plain.TotalCost, plainFlow},
				sum{len(hub.Proposals), hub.TotalCost, hubFlow}); diff != "" {
				t.Errorf("hubs vs plain bipartite mismatch (-plain +hubs):\n%s", diff)
			}
			t.Logf("%d households, %d deputies: %d proposals at %d", s.households, s.deputies, len(hub.Proposals), hub.TotalCost)
		})
	}
}

// TestAssignCounty runs the county-size instance of the benchmark once and
// checks the answer is consistent and within the acceptance time (2 s; it
// takes about 0.2 s).
func TestAssignCounty(t *testing.T) {
	if testing.Short() {
		t.Skip("county-size instance")
	}
	c := synthetic(2016, countyShape)
	start := time.Now()
	r := Assign(c.hs, c.ds, c.nb)
	elapsed := time.Since(start)
	check(t, c.hs, c.ds, c.nb, r)
	room := 0
	for _, d := range c.ds {
		room += d.Capacity
	}
	if want := min(room, len(c.hs)); len(r.Proposals) != want {
		t.Errorf("%d proposals, want %d (every deputy takes every household at some cost)", len(r.Proposals), want)
	}
	classes := make([]int, 4)
	for _, p := range r.Proposals {
		classes[p.Class]++
	}
	// Speed is measured by BenchmarkAssignCounty (docs/performance.md), not
	// asserted here: a loaded CI machine must not fail a correct answer.
	_, g := greedy(c.hs, c.ds, c.nb)
	t.Logf("%d households, %d deputies (room %d): %d proposals at %d (greedy %d), by class %v, in %v",
		len(c.hs), len(c.ds), room, len(r.Proposals), r.TotalCost, g, classes, elapsed)
}

// countyShape is the demo county: 16 townships, 185 villages, 1,331
// deputies, about 3,000 households, all unpaired.
var countyShape = shape{households: 3000, deputies: 1331, townships: 16, villages: 185, maxCap: 4}

func BenchmarkAssignCounty(b *testing.B) {
	c := synthetic(2016, countyShape)
	for b.Loop() {
		Assign(c.hs, c.ds, c.nb)
	}
}

// check verifies what Assign promises whatever the optimum: every household
// once, proposals sorted, no deputy over capacity, costs as published.
func check(t *testing.T, hs []Household, ds []Deputy, nb func(a, b string) bool, r Result) {
	t.Helper()
	hByID := map[int64]Household{}
	for _, h := range hs {
		hByID[h.ID] = h
	}
	dByID := map[int64]Deputy{}
	for _, d := range ds {
		dByID[d.ID] = d
	}
	seen := map[int64]bool{}
	taken := map[int64]int{}
	total := 0
	for i, p := range r.Proposals {
		if i > 0 && p.HouseholdID <= r.Proposals[i-1].HouseholdID {
			t.Errorf("proposals not sorted by household id at %d", i)
		}
		h, ok := hByID[p.HouseholdID]
		d, ok2 := dByID[p.DeputyID]
		if !ok || !ok2 || seen[p.HouseholdID] {
			t.Errorf("bad proposal %+v", p)
			continue
		}
		seen[p.HouseholdID] = true
		taken[p.DeputyID]++
		class, dist, fit := Cost(h, d, nb)
		load := LoadStep * (d.Load + taken[p.DeputyID] - 1)
		want := Proposal{h.ID, d.ID, class, dist, fit, load, dist + fit + load, p.Reason}
		if p != want || p.Reason == "" {
			t.Errorf("proposal %+v, want %+v", p, want)
		}
		total += p.Total
	}
	for id, n := range taken {
		if n > dByID[id].Capacity {
			t.Errorf("deputy %d takes %d households, capacity %d", id, n, dByID[id].Capacity)
		}
	}
	if !slices.IsSorted(r.Unassigned) {
		t.Errorf("unassigned not sorted: %v", r.Unassigned)
	}
	for _, id := range r.Unassigned {
		if _, ok := hByID[id]; !ok || seen[id] {
			t.Errorf("bad unassigned household %d", id)
		}
		seen[id] = true
	}
	if len(seen) != len(hs) {
		t.Errorf("%d households accounted for, want %d", len(seen), len(hs))
	}
	if total != r.TotalCost {
		t.Errorf("TotalCost %d, proposals add up to %d", r.TotalCost, total)
	}
}

// shape describes a synthetic county.
type shape struct {
	households, deputies int
	townships, villages  int
	maxCap               int  // capacity drawn from 1..maxCap (0..maxCap with zeroCap)
	maxLoad              int  // existing load drawn from 0..maxLoad
	zeroCap              bool //
}

type county struct {
	hs []Household
	ds []Deputy
	nb func(a, b string) bool
}

// Weights as in the demo data (internal/demo).
var (
	causeWeights = []struct {
		cause  string
		weight int
	}{{"因病", 300}, {"缺技术", 160}, {"缺劳力", 140}, {"缺资金", 130}, {"因残", 100}, {"因学", 70},
		{"自身发展动力不足", 30}, {"因灾", 20}, {"缺土地", 20}, {"交通条件落后", 10}, {"缺水", 10}, {"其它", 10}}
	supportWeights = []struct {
		cause  string
		weight int
	}{{"industry", 30}, {"employment", 15}, {"skills", 10}, {"education", 8}, {"health", 15},
		{"housing", 5}, {"credit", 7}, {"safety_net", 7}, {"other", 3}}
)

// synthetic builds a county from a fixed seed. Townships lie on a square
// grid and border the townships left, right, above, below and on one
// diagonal (as on a hexagonal map: up to six neighbours); villages are dealt
// to townships in turn; households live in random villages with a weighted
// main cause and up to two others; deputies live in random villages (one in
// ten in the county seat, T00; two in five in no village, only a township), a
// third name a preferred township (usually a neighbour), and offer 1–3
// support types.
func synthetic(seed uint64, s shape) county {
	rng := rand.New(rand.NewPCG(seed, 2016))
	side := 1
	for side*side < s.townships {
		side++
	}
	town := func(i int) string { return fmt.Sprintf("T%02d", i) }
	pos := map[string][2]int{}
	for i := range s.townships {
		pos[town(i)] = [2]int{i % side, i / side}
	}
	nb := func(a, b string) bool {
		p, q := pos[a], pos[b]
		dx, dy := q[0]-p[0], q[1]-p[1]
		return a != b && (dx == 0 && (dy == 1 || dy == -1) || dy == 0 && (dx == 1 || dx == -1) || dx == dy && (dx == 1 || dx == -1))
	}
	type village struct{ code, township string }
	vs := make([]village, s.villages)
	for i := range vs {
		t := town(i % s.townships)
		vs[i] = village{fmt.Sprintf("%s-V%03d", t, i), t}
	}
	pick := func(ws []struct {
		cause  string
		weight int
	}, not []string) string {
		for {
			sum := 0
			for _, w := range ws {
				sum += w.weight
			}
			n := rng.IntN(sum)
			for _, w := range ws {
				if n < w.weight {
					if !slices.Contains(not, w.cause) {
						return w.cause
					}
					break
				}
				n -= w.weight
			}
		}
	}
	var c county
	c.nb = nb
	for i := range s.households {
		v := vs[rng.IntN(len(vs))]
		causes := []string{pick(causeWeights, nil)}
		for range rng.IntN(3) {
			causes = append(causes, pick(causeWeights, causes))
		}
		c.hs = append(c.hs, Household{ID: int64(1000 + i), Village: v.code, Township: v.township, Causes: causes})
	}
	for i := range s.deputies {
		v := vs[rng.IntN(len(vs))]
		if rng.IntN(10) == 0 {
			v = vs[0] // a village of the county seat, T00
		}
		d := Deputy{ID: int64(1 + i), Village: v.code, Township: v.township}
		if rng.IntN(5) < 2 {
			d.Village = "" // lives or works in the township's seat, not in a village
		}
		if rng.IntN(3) == 0 {
			var near []string
			for t := range s.townships {
				if nb(v.township, town(t)) {
					near = append(near, town(t))
				}
			}
			if len(near) > 0 && rng.IntN(4) > 0 {
				d.Preferred = []string{near[rng.IntN(len(near))]}
			} else {
				d.Preferred = []string{town(rng.IntN(s.townships))}
			}
		}
		for range 1 + rng.IntN(3) {
			d.Offers = append(d.Offers, pick(supportWeights, d.Offers))
		}
		if s.zeroCap {
			d.Capacity = rng.IntN(s.maxCap + 1)
		} else {
			d.Capacity = 1 + rng.IntN(s.maxCap)
		}
		d.Load = rng.IntN(s.maxLoad + 1)
		c.ds = append(c.ds, d)
	}
	return c
}
