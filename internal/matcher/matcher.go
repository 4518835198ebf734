// Package matcher proposes a deputy (人大代表) for each unpaired poor household
// (贫困户): the "assignment suggestions" of the pairing programme. It is pure:
// no SQL, no HTTP; the caller loads the households, the deputies with their
// applications (申请书) and the township adjacency, and shows the proposals
// for staff to accept.
//
// # The published cost
//
// Giving household h to deputy d costs, in points (all integers; less is
// better):
//
//	cost = distance + fit + load
//
// distance, by class (就近原则):
//
//	class 0  same village as the deputy's home (同村)                    0
//	class 1  same township (同乡镇), or a township the deputy
//	         named as preferred in its application (意向乡镇)            10
//	class 2  a township bordering the deputy's home township (邻近乡镇)  30
//	class 3  elsewhere in the county (其他乡镇)                          80
//
// fit, between the household's poverty causes (致贫原因: the main cause,
// then up to two others) and the support types the deputy offers in its
// application:
//
//	0   the deputy offers a type that fits the main cause
//	8   otherwise, it offers a type that fits one of the other causes
//	20  nothing it offers fits
//
// where a cause is fitted by these types (see [FittingSupport]):
//
//	因病              健康、兜底
//	因残              健康、兜底、就业
//	因学              助学
//	因灾              住房、兜底、金融
//	缺土地            产业、就业
//	缺水              产业、其他
//	缺技术            技能、就业
//	缺劳力            就业、产业、兜底
//	缺资金            金融、产业、就业
//	交通条件落后      其他、产业
//	自身发展动力不足  技能、就业
//	其它              其他
//
// load: the k-th household (k = 1, 2, ...) proposed to one deputy in a run
// costs 4 × (its active pairings + k − 1). The step grows with every
// household a deputy holds, so spreading households over deputies is
// preferred to piling them on one.
//
// [Assign] proposes as many pairings as the deputies' capacities allow and,
// among those, the set of least total cost: an assignment problem solved
// exactly as a minimum-cost flow, not greedily (taking each household's
// cheapest deputy in turn can cost more in total).
package matcher

import (
	"fmt"
	"slices"
	"strings"
)

// Distance classes; see the package comment.
const (
	ClassSameVillage  = 0 // 同村
	ClassSameTownship = 1 // 同乡镇, or a township the deputy prefers
	ClassNeighbour    = 2 // 邻近乡镇
	ClassElsewhere    = 3 // 其他乡镇
)

// Fit costs and the load step, in points; see the package comment.
const (
	FitMain  = 0  // an offered support type fits the main cause
	FitOther = 8  // only one of the other causes is fitted
	FitNone  = 20 // nothing offered fits
	LoadStep = 4  // cost per household the deputy already holds
)

var distanceCost = [...]int{0, 10, 30, 80}

// DistanceCost is the distance cost, in points, of a distance class
// (ClassSameVillage … ClassElsewhere).
func DistanceCost(class int) int { return distanceCost[class] }

// causes are the poverty causes (致贫原因) of the national registration form
// and, for each, the support types (values of pairing.SupportTypes) that fit
// it, in the order they are named in reasons.
var causes = []struct {
	name string
	fits []string
}{
	{"因病", []string{"health", "safety_net"}},
	{"因残", []string{"health", "safety_net", "employment"}},
	{"因学", []string{"education"}},
	{"因灾", []string{"housing", "safety_net", "credit"}},
	{"缺土地", []string{"industry", "employment"}},
	{"缺水", []string{"industry", "other"}},
	{"缺技术", []string{"skills", "employment"}},
	{"缺劳力", []string{"employment", "industry", "safety_net"}},
	{"缺资金", []string{"credit", "industry", "employment"}},
	{"交通条件落后", []string{"other", "industry"}},
	{"自身发展动力不足", []string{"skills", "employment"}},
	{"其它", []string{"other"}},
}

// supportLabels are the Chinese names of the support types, as in
// pairing.SupportTypes (this package imports nothing of ours).
var supportLabels = map[string]string{
	"industry": "产业", "employment": "就业", "skills": "技能", "education": "助学", "health": "健康",
	"housing": "住房", "credit": "金融", "safety_net": "兜底", "other": "其他",
}

// causeIndex is the position of a cause in causes, or -1 for an unknown one
// (which no support type fits).
func causeIndex(c string) int {
	for i := range causes {
		if causes[i].name == c {
			return i
		}
	}
	return -1
}

// FittingSupport returns the support types (values of pairing.SupportTypes)
// that fit a poverty cause, or nil for an unknown cause. The slice is a copy.
func FittingSupport(cause string) []string {
	if i := causeIndex(cause); i >= 0 {
		return slices.Clone(causes[i].fits)
	}
	return nil
}

// Household is an unpaired household as the matcher sees it.
type Household struct {
	ID       int64
	Village  string   // village code (12 digits)
	Township string   // township code (9 digits)
	Causes   []string // 致贫原因: Causes[0] is the main cause, then up to two others
}

// Deputy is a deputy willing to take households, from its application.
type Deputy struct {
	ID        int64
	Village   string   // home village code
	Township  string   // home township code
	Preferred []string // township codes named in the application (意向乡镇)
	Offers    []string // support types it can offer (values of pairing.SupportTypes)
	Capacity  int      // how many more households it takes in this run; <= 0: none
	Load      int      // households it already holds (active pairings)
}

// Proposal is one suggested pairing with its cost broken down as published.
type Proposal struct {
	HouseholdID int64
	DeputyID    int64
	Class       int    // distance class, ClassSameVillage … ClassElsewhere
	Distance    int    // DistanceCost(Class)
	Fit         int    // FitMain, FitOther or FitNone
	LoadCost    int    // LoadStep × (Load + k − 1) for the deputy's k-th proposal
	Total       int    // Distance + Fit + LoadCost
	Reason      string // why, in Chinese, e.g. "同村；主要致贫原因“缺技术”对应其可提供的“技能”；已结对2户"
}

// Result is the answer of Assign.
type Result struct {
	Proposals  []Proposal // sorted by household id
	Unassigned []int64    // households left without a deputy (capacity ran out), ascending
	TotalCost  int        // sum of the proposals' Total: the least possible for this many proposals
}

// Cost returns the distance class, the distance cost and the fit cost of
// giving h to d, without the load term (which depends on the rest of the
// run). neighbours reports whether two townships border each other; it is
// called as neighbours(deputy's township, household's township) and may be
// nil (no township borders another).
func Cost(h Household, d Deputy, neighbours func(a, b string) bool) (class, distance, fit int) {
	class = townshipClass(h.Township, d, neighbours)
	if class == ClassSameTownship && sameVillage(h, d) {
		class = ClassSameVillage
	}
	return class, distanceCost[class], fitCost(h.Causes, fitMask(d.Offers))
}

// sameVillage: villages are compared within the township, so that a
// village name, not only a code, cannot match across townships.
func sameVillage(h Household, d Deputy) bool {
	return h.Village != "" && h.Village == d.Village && h.Township == d.Township
}

// townshipClass is the class of any household of township t for d,
// leaving out the village (so never ClassSameVillage).
func townshipClass(t string, d Deputy, neighbours func(a, b string) bool) int {
	switch {
	case t == d.Township || slices.Contains(d.Preferred, t):
		return ClassSameTownship
	case neighbours != nil && neighbours(d.Township, t):
		return ClassNeighbour
	}
	return ClassElsewhere
}

// fitMask is the set of causes (bit i: causes[i]) fitted by the offers.
func fitMask(offers []string) uint16 {
	var m uint16
	for i, c := range causes {
		for _, f := range c.fits {
			if slices.Contains(offers, f) {
				m |= 1 << i
				break
			}
		}
	}
	return m
}

func fits(mask uint16, cause string) bool {
	i := causeIndex(cause)
	return i >= 0 && mask&(1<<i) != 0
}

func fitCost(hc []string, mask uint16) int {
	switch {
	case len(hc) > 0 && fits(mask, hc[0]):
		return FitMain
	case slices.ContainsFunc(hc[min(1, len(hc)):], func(c string) bool { return fits(mask, c) }):
		return FitOther
	}
	return FitNone
}

// reason explains a proposal in Chinese: distance class, fit, load.
func reason(h Household, d Deputy, class, fit, k int) string {
	var b strings.Builder
	switch class {
	case ClassSameVillage:
		b.WriteString("同村")
	case ClassSameTownship:
		if h.Township == d.Township {
			b.WriteString("同乡镇")
		} else {
			b.WriteString("申请书意向乡镇")
		}
	case ClassNeighbour:
		b.WriteString("邻近乡镇")
	default:
		b.WriteString("其他乡镇")
	}
	b.WriteString("；")
	fitted := func(cause string) string {
		var ls []string
		for _, s := range FittingSupport(cause) {
			if slices.Contains(d.Offers, s) {
				ls = append(ls, supportLabels[s])
			}
		}
		return strings.Join(ls, "、")
	}
	switch fit {
	case FitMain:
		fmt.Fprintf(&b, "主要致贫原因“%s”对应其可提供的“%s”", h.Causes[0], fitted(h.Causes[0]))
	case FitOther:
		for _, c := range h.Causes[1:] {
			if s := fitted(c); s != "" {
				fmt.Fprintf(&b, "其他致贫原因“%s”对应其可提供的“%s”", c, s)
				break
			}
		}
	default:
		b.WriteString("其可提供的帮扶类型与致贫原因不对应")
	}
	b.WriteString("；")
	if d.Load <= 0 {
		b.WriteString("尚未结对")
	} else {
		fmt.Fprintf(&b, "已结对%d户", d.Load)
	}
	if k > 1 {
		fmt.Fprintf(&b, "，本次建议中第%d户", k)
	}
	return b.String()
}

// Assign proposes at most one deputy per household and at most Capacity
// households per deputy: as many proposals as the capacities allow and,
// among those, the least TotalCost (by the published cost, load included).
// IDs must be distinct within hs and within ds. neighbours is as for Cost.
// Assign does not modify hs or ds.
//
// The answer does not depend on the order of hs and ds: both are sorted by
// id first, and among equally cheap answers the search settles on the same
// one every time. Within one deputy, the k-th proposal (the one whose load
// cost counts k − 1 households of this run) goes to its k-th smallest
// household id.
func Assign(hs []Household, ds []Deputy, neighbours func(a, b string) bool) Result {
	r, _ := solve(hs, ds, neighbours, false)
	return r
}

// solve builds the flow network and returns the result and the cost of the
// optimal flow (equal to r.TotalCost; kept apart for the tests). With direct,
// every household is joined to every deputy by its own arc (the plain
// bipartite graph, for tests); otherwise through hubs, see build.
func solve(hs []Household, ds []Deputy, neighbours func(a, b string) bool, direct bool) (Result, int) {
	hs = slices.Clone(hs)
	ds = slices.Clone(ds)
	slices.SortFunc(hs, func(a, b Household) int { return cmpID(a.ID, b.ID) })
	slices.SortFunc(ds, func(a, b Deputy) int { return cmpID(a.ID, b.ID) })
	if neighbours != nil {
		neighbours = memo(neighbours)
	}

	nw := build(hs, ds, neighbours, direct)
	_, flowCost := nw.g.minCostMaxFlow(nw.s, nw.t)

	// Read the flow back as household → deputy. A household reaches a deputy
	// either by a direct arc or through a hub; a hub's households are handed
	// its outgoing units in id order (any pairing is valid, see build).
	deputyOf := make([]int, len(hs)) // index into ds, or -1
	hubIn := make(map[int][]int)     // hub node → household indexes
	for i := range hs {
		deputyOf[i] = -1
		for _, a := range nw.out[i] {
			if nw.g.flow(a) == 0 {
				continue
			}
			v := int(nw.g.to[a])
			if j, ok := nw.deputyAt(v); ok {
				deputyOf[i] = j
			} else {
				hubIn[v] = append(hubIn[v], i)
			}
		}
	}
	for _, hub := range nw.hubs {
		in := hubIn[hub.node]
		for _, a := range hub.out {
			for f := nw.g.flow(a); f > 0; f-- {
				j, _ := nw.deputyAt(int(nw.g.to[a]))
				deputyOf[in[0]] = j
				in = in[1:]
			}
		}
	}

	var r Result
	taken := make([]int, len(ds))
	for i, h := range hs {
		j := deputyOf[i]
		if j < 0 {
			r.Unassigned = append(r.Unassigned, h.ID)
			continue
		}
		d := ds[j]
		taken[j]++
		k := taken[j]
		class, dist, fit := Cost(h, d, neighbours)
		load := LoadStep * (max(d.Load, 0) + k - 1)
		p := Proposal{
			HouseholdID: h.ID, DeputyID: d.ID,
			Class: class, Distance: dist, Fit: fit, LoadCost: load, Total: dist + fit + load,
			Reason: reason(h, d, class, fit, k),
		}
		r.Proposals = append(r.Proposals, p)
		r.TotalCost += p.Total
	}
	return r, flowCost
}

func cmpID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// memo caches neighbours: Assign asks about the same pair of townships for
// every deputy.
func memo(f func(a, b string) bool) func(a, b string) bool {
	seen := map[[2]string]bool{}
	return func(a, b string) bool {
		k := [2]string{a, b}
		v, ok := seen[k]
		if !ok {
			v = f(a, b)
			seen[k] = v
		}
		return v
	}
}

// flowNet is the network of one run and where its parts are.
type flowNet struct {
	g        network
	s, t     int
	firstDep int       // deputy j is node firstDep+j; household i is node 2+i
	nDep     int       // number of deputies
	out      [][]int   // out[i]: arcs leaving household i
	hubs     []hubNode // in creation order
}

type hubNode struct {
	node int
	out  []int // arcs hub → deputy
}

func (nw *flowNet) deputyAt(v int) (int, bool) {
	j := v - nw.firstDep
	return j, j >= 0 && j < nw.nDep
}

// build lays out the network: source → household (capacity 1, cost 0) →
// deputy → sink, where deputy d has Capacity arcs to the sink of cost
// LoadStep × (Load + k − 1), k = 1 … Capacity; these costs increase, so a
// minimum-cost flow uses them in order and a deputy's load cost is exactly
// the published one.
//
// Joining every household to every deputy would take 3,000 × 1,331 = 4
// million arcs in the demo county. Instead, the household → deputy arcs go
// through hubs, and this loses nothing, because the cost of a pair depends
// on the household only through its township, its village and its causes:
//
//   - Leaving the village out, the class of deputy d for any household of
//     township T is the same (townshipClass), 1, 2 or 3. Hub (T, k, c) is
//     joined, at no cost and without a capacity limit of its own, to every
//     deputy of class k for T whose offers fit cause c; hub (T, k, *) to
//     every deputy of class k for T.
//   - A household of T with main cause m and other causes o is joined to
//     hub (T, k, m) at DistanceCost(k) + FitMain, to each (T, k, o) at
//     DistanceCost(k) + FitOther and to (T, k, *) at DistanceCost(k) + FitNone,
//     for k = 1, 2, 3; and directly, at its exact cost, to the deputies who
//     live in its village (class 0).
//
// Every route household → hub → deputy joins a pair that may be paired and
// costs at least that pair's true cost (a deputy in hub (T, k, o) may also
// fit the main cause, one in (T, 1, ·) may live in the village), and the
// cheapest route of every pair costs exactly its true cost (the fit
// levels are tried from the best down). So the cheapest flow of each size
// costs the same in both networks, and an optimal flow here never uses an
// overpriced route (re-routing it would be cheaper): reading the hub flow
// back as pairs, in any order, gives an optimal assignment at the same total.
// In the demo county this is about 60,000 household arcs and 150,000 hub
// arcs in place of 4 million; TestHubsMatchBipartite checks it against the
// plain graph.
func build(hs []Household, ds []Deputy, neighbours func(a, b string) bool, direct bool) *flowNet {
	nw := &flowNet{nDep: len(ds)}
	g := &nw.g
	nw.s, nw.t = g.addNode(), g.addNode()
	for range hs {
		g.addNode()
	}
	nw.firstDep = g.n
	for range ds {
		g.addNode()
	}
	nw.out = make([][]int, len(hs))
	for i := range hs {
		g.addArc(nw.s, 2+i, 1, 0)
	}
	masks := make([]uint16, len(ds))
	for j, d := range ds {
		masks[j] = fitMask(d.Offers)
		for k := 1; k <= min(d.Capacity, len(hs)); k++ { // more room than households is of no use
			g.addArc(nw.firstDep+j, nw.t, 1, LoadStep*(max(d.Load, 0)+k-1))
		}
	}
	if direct {
		for i, h := range hs {
			for j, d := range ds {
				if d.Capacity <= 0 {
					continue
				}
				_, dist, fit := Cost(h, d, neighbours)
				nw.out[i] = append(nw.out[i], g.addArc(2+i, nw.firstDep+j, 1, dist+fit))
			}
		}
		return nw
	}

	// Class 0: direct arcs to the deputies of the household's village.
	type place struct{ township, village string }
	home := map[place][]int{}
	for j, d := range ds {
		if d.Capacity > 0 && d.Village != "" {
			p := place{d.Township, d.Village}
			home[p] = append(home[p], j)
		}
	}
	for i, h := range hs {
		for _, j := range home[place{h.Township, h.Village}] {
			fit := fitCost(h.Causes, masks[j])
			nw.out[i] = append(nw.out[i], g.addArc(2+i, nw.firstDep+j, 1, DistanceCost(ClassSameVillage)+fit))
		}
	}

	// Hubs, per household township, created only where a household of the
	// township can use them. all stands for the cause "*".
	const all = -1
	type hubKey struct{ township, class, cause int }
	var townships []string
	townIdx := map[string]int{}
	var wanted []uint16 // per township: causes named by its households
	for _, h := range hs {
		ti, ok := townIdx[h.Township]
		if !ok {
			ti = len(townships)
			townIdx[h.Township] = ti
			townships = append(townships, h.Township)
			wanted = append(wanted, 0)
		}
		for _, c := range h.Causes {
			if ci := causeIndex(c); ci >= 0 {
				wanted[ti] |= 1 << ci
			}
		}
	}
	hubAt := map[hubKey]int{} // → index in nw.hubs
	join := func(key hubKey, j int) {
		x, ok := hubAt[key]
		if !ok {
			x = len(nw.hubs)
			hubAt[key] = x
			nw.hubs = append(nw.hubs, hubNode{node: g.addNode()})
		}
		nw.hubs[x].out = append(nw.hubs[x].out, g.addArc(nw.hubs[x].node, nw.firstDep+j, ds[j].Capacity, 0))
	}
	for ti, t := range townships {
		for j, d := range ds {
			if d.Capacity <= 0 {
				continue
			}
			k := townshipClass(t, d, neighbours)
			for ci := range causes {
				if m := uint16(1) << ci; wanted[ti]&masks[j]&m != 0 {
					join(hubKey{ti, k, ci}, j)
				}
			}
			join(hubKey{ti, k, all}, j)
		}
	}
	for i, h := range hs {
		ti := townIdx[h.Township]
		for k := ClassSameTownship; k <= ClassElsewhere; k++ {
			link := func(cause, cost int) {
				if x, ok := hubAt[hubKey{ti, k, cause}]; ok {
					nw.out[i] = append(nw.out[i], g.addArc(2+i, nw.hubs[x].node, 1, cost))
				}
			}
			var seen uint16
			for n, c := range h.Causes {
				ci := causeIndex(c)
				if ci < 0 || seen&(1<<ci) != 0 {
					continue
				}
				seen |= 1 << ci
				if n == 0 {
					link(ci, DistanceCost(k)+FitMain)
				} else {
					link(ci, DistanceCost(k)+FitOther)
				}
			}
			link(all, DistanceCost(k)+FitNone)
		}
	}
	return nw
}
