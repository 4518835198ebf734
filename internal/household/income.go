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

// Credit is the part of a year's income credited by payers outside the
// income form: what cooperatives paid the household (wages add to wages,
// dividends to property income), yuan for the whole household. The income
// form shows and takes the figures without it; the stored year holds both.
type Credit struct {
	Wages, Property decimal.Decimal
}

// Add returns c with a payout of kind ("wage", or "dividend") and amount
// (yuan) added.
func (c Credit) Add(kind string, amount decimal.Decimal) Credit {
	if kind == "wage" {
		c.Wages = c.Wages.Add(amount)
	} else {
		c.Property = c.Property.Add(amount)
	}
	return c
}

// Total is the credited yuan.
func (c Credit) Total() decimal.Decimal { return c.Wages.Add(c.Property) }

// WithCredit returns in with c added: the year's income as stored.
func (in Income) WithCredit(c Credit) Income {
	in.Wages, in.Property = in.Wages.Add(c.Wages), in.Property.Add(c.Property)
	return in
}

// WithoutCredit returns in less c, no source below zero: the figures the
// income form shows for a stored year.
func (in Income) WithoutCredit(c Credit) Income {
	in.Wages = decimal.Max(in.Wages.Sub(c.Wages), decimal.Zero)
	in.Property = decimal.Max(in.Property.Sub(c.Property), decimal.Zero)
	return in
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
