package demo

import "fmt"

// DefaultHouseholds is the number of poor households of the default demo
// (Load): 78 in 玉池村 and 2,990 in the other villages.
const DefaultHouseholds = reliefHouseholds + otherHouseholds

// Scale sizes a larger county for performance work (LoadScaled). The zero
// Scale is the default demo.
type Scale struct {
	// Households is the number of poor households, 0 (the default demo) or
	// at least DefaultHouseholds. 玉池村 keeps its 78; the rest spread over
	// the other villages in proportion to the default's. Deputies scale at
	// one per five households (20,000 for 100,000) but never fall below the
	// default's 1,331; members, pairings, measures and goals keep the
	// default's proportions, and the ledger grows to about ten entries a
	// household (1,000,000 for 100,000).
	Households int
}

// Validate reports whether sc is a size LoadScaled accepts.
func (sc Scale) Validate() error {
	_, err := sizesFor(sc)
	return err
}

// sizes are the counts and knobs the generator works with. defaultSizes
// are the constants of the default demo; sizes for a Scale of
// DefaultHouseholds equal them, so such a load is the default demo.
type sizes struct {
	otherHouseholds          int // households outside 玉池村
	villageMin, villageMax   int // households per other village, before nudging to otherHouseholds
	prefectural, county      int // deputies by primary level
	township                 int
	twoLevel, leftOffice     int // county deputies also at township level; deputies who left office
	transfers                int // attempts to hand a household over to another deputy (调整帮扶人)
	capacityNum, capacityDen int // deputies' capacities are multiplied by Num/Den, rounded up
	nameTries                int // draws of a deputy name before a repeat is accepted; 0 = never
	entriesPerMonth          []int
}

var defaultSizes = sizes{
	otherHouseholds: otherHouseholds,
	villageMin:      8,
	villageMax:      25,
	prefectural:     prefecturalDeputies,
	county:          countyDeputies,
	township:        townshipDeputies,
	twoLevel:        twoLevelDeputies,
	leftOffice:      leftOfficeDeputies,
	transfers:       25,
	capacityNum:     1,
	capacityDen:     1,
	// weights of 0, 1, 2 and 3 ledger entries per 30 days of a pairing
	entriesPerMonth: []int{10, 58, 30, 2},
}

// deputies is the number of deputies of all levels.
func (s sizes) deputies() int { return s.prefectural + s.county + s.township }

// capacity scales the number of households a deputy offers to take.
func (s sizes) capacity(n int) int { return (n*s.capacityNum + s.capacityDen - 1) / s.capacityDen }

// sizesFor returns the sizes of sc.
func sizesFor(sc Scale) (sizes, error) {
	n := sc.Households
	switch {
	case n == 0 || n == DefaultHouseholds:
		return defaultSizes, nil
	case n < DefaultHouseholds:
		return sizes{}, fmt.Errorf("demo: %d households is fewer than the default demo's %d (0 = the default)", n, DefaultHouseholds)
	case n > 10_000_000:
		return sizes{}, fmt.Errorf("demo: %d households is more than 10,000,000", n)
	}
	s := defaultSizes
	s.otherHouseholds = n - reliefHouseholds
	s.villageMin = defaultSizes.villageMin * s.otherHouseholds / otherHouseholds
	s.villageMax = defaultSizes.villageMax * s.otherHouseholds / otherHouseholds
	all := max(defaultSizes.deputies(), n/5)
	s.prefectural = prefecturalDeputies * all / defaultSizes.deputies()
	s.county = countyDeputies * all / defaultSizes.deputies()
	s.township = all - s.prefectural - s.county
	s.twoLevel = twoLevelDeputies * s.county / countyDeputies
	s.leftOffice = leftOfficeDeputies * all / defaultSizes.deputies()
	s.transfers = defaultSizes.transfers * n / DefaultHouseholds
	// Fewer deputies per household than the default: each takes more, so
	// that they can still take about as many households as the default's.
	s.capacityNum, s.capacityDen = n*defaultSizes.deputies(), DefaultHouseholds*all
	if all > defaultSizes.deputies() {
		// About 9,000 given names per sex and generation cannot name 20,000
		// deputies uniquely.
		s.nameTries = 20
	}
	// The default has about 8.6 entries a household; a scaled county has 10.
	s.entriesPerMonth = []int{6, 50, 36, 8}
	return s, nil
}
