package household

import (
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/shopspring/decimal"
)

// Income is a household's net income of one year by source, yuan per year
// for the whole household.
type Income struct {
	Year                                          int
	Wages, Production, Property, Transfers, Costs decimal.Decimal
}

// PerCapita is (wages + production + property + transfers − costs) ÷ size,
// rounded to the fen (half away from zero), never below zero: the national
// definition of 人均纯收入.
func (in Income) PerCapita(size int) decimal.Decimal {
	if size < 1 {
		size = 1
	}
	net := in.Wages.Add(in.Production).Add(in.Property).Add(in.Transfers).Sub(in.Costs)
	if net.IsNegative() {
		return decimal.Zero
	}
	return net.Div(decimal.NewFromInt(int64(size))).Round(2)
}

// ParseIncome validates the income form: a year between the household's
// identification year and thisYear, and each source an exact yuan amount ≥ 0.
func ParseIncome(year, wages, production, property, transfers, costs string, identificationYear, thisYear int) (Income, validation.Errors) {
	errs := validation.Errors{}
	var in Income
	y, err := strconv.Atoi(strings.TrimSpace(year))
	if err != nil || y < identificationYear || y > thisYear {
		errs["year"] = "年度应在识别年度（" + strconv.Itoa(identificationYear) + "）至今年之间"
	}
	in.Year = y
	for _, f := range []struct {
		name string
		s    string
		dst  *decimal.Decimal
	}{{"wages", wages, &in.Wages}, {"production", production, &in.Production}, {"property", property, &in.Property},
		{"transfers", transfers, &in.Transfers}, {"costs", costs, &in.Costs}} {
		d, err := money.ParseYuan(f.s)
		if err != nil {
			errs[f.name] = err.Error()
		}
		*f.dst = d
	}
	if len(errs) > 0 {
		return Income{}, errs
	}
	return in, nil
}
