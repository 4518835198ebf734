package demo

import (
	"math/rand/v2"
	"time"

	"github.com/shopspring/decimal"
)

// seed is the fixed PCG seed of every generator stream; each stage of the
// generation has its own stream (seed, stage), so that changing how one stage
// draws does not reshuffle the others.
const seed = 20170601

// The stages of generation, one random stream each.
const (
	stageDeputies uint64 = iota + 1
	stageVillages
	stageHouseholds
	stagePairings
	stageMeasures
	stageLedger
)

// rng is a deterministic random source with the few helpers the generator
// needs. Probabilities are in per mille (‰) so no float enters the data.
type rng struct{ r *rand.Rand }

func newRNG(stage uint64) *rng { return &rng{rand.New(rand.NewPCG(seed, stage))} }

// intn returns a number in [0, n).
func (g *rng) intn(n int) int { return g.r.IntN(n) }

// between returns a number in [lo, hi], both included.
func (g *rng) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// permille reports true with probability n/1000.
func (g *rng) permille(n int) bool { return g.r.IntN(1000) < n }

// weighted returns an index of weights, drawn in proportion to the weights.
func (g *rng) weighted(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := g.r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// pick returns a random element of xs (which must not be empty).
func pick[T any](g *rng, xs []T) T { return xs[g.r.IntN(len(xs))] }

// choice is a value with a weight, for weighted code lists.
type choice struct {
	value  string
	weight int
}

// choose draws one value of cs in proportion to the weights.
func (g *rng) choose(cs []choice) string {
	ws := make([]int, len(cs))
	for i, c := range cs {
		ws[i] = c.weight
	}
	return cs[g.weighted(ws)].value
}

// yuan returns an exact amount of cents/100 yuan.
func yuan(cents int64) decimal.Decimal { return decimal.New(cents, -2) }

// addDays returns the calendar day n days after d (n may be negative).
func addDays(d time.Time, n int) time.Time { return d.AddDate(0, 0, n) }

// daysBetween returns the number of calendar days from a to b (dates at UTC
// midnight).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// at returns day d at hour:minute China time.
func at(d time.Time, hour, minute int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, shanghai)
}

// civilDay returns the date of moment t in China (Asia/Shanghai) as UTC
// midnight, the form the generator computes dates in.
func civilDay(t time.Time) time.Time {
	t = t.In(shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ageOn returns the age in whole years on day of someone born on birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}
