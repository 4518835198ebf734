// Package period is the reporting period of the dashboard, the ranking and
// the evaluation: a calendar year or one quarter of it (季度), in China's
// calendar days.
package period

import (
	"fmt"
	"strconv"
	"time"
)

// Period is a calendar year (Quarter 0) or quarter 1–4 of it.
type Period struct {
	Year    int `json:"year"`
	Quarter int `json:"quarter"` // 0 = the whole year
}

// MinYear is the first year the programme can report (精准扶贫 began in 2014).
const MinYear = 2014

// Of returns the year of day (a quarter of 0).
func Of(day time.Time) Period { return Period{Year: day.Year()} }

// Parse reads ?year= and ?quarter= ("" or "0" = whole year). An empty year
// means the year of today. It returns an error with a Chinese message for a
// year outside MinYear..today's year or a quarter outside 0–4.
func Parse(year, quarter string, today time.Time) (Period, error) {
	p := Period{Year: today.Year()}
	if year != "" {
		y, err := strconv.Atoi(year)
		if err != nil || y < MinYear || y > today.Year() {
			return Period{}, fmt.Errorf("年份应在 %d–%d 之间", MinYear, today.Year())
		}
		p.Year = y
	}
	if quarter != "" {
		q, err := strconv.Atoi(quarter)
		if err != nil || q < 0 || q > 4 {
			return Period{}, fmt.Errorf("季度应为 1–4（或全年）")
		}
		p.Quarter = q
	}
	return p, nil
}

// Start is the first day of the period (UTC midnight).
func (p Period) Start() time.Time {
	if p.Quarter == 0 {
		return time.Date(p.Year, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(p.Year, time.Month(3*p.Quarter-2), 1, 0, 0, 0, 0, time.UTC)
}

// End is the day after the period's last day (UTC midnight): the period is
// [Start, End).
func (p Period) End() time.Time {
	if p.Quarter == 0 {
		return p.Start().AddDate(1, 0, 0)
	}
	return p.Start().AddDate(0, 3, 0)
}

// Last is the period's last day.
func (p Period) Last() time.Time { return p.End().AddDate(0, 0, -1) }

// Months is the number of months of the period that have begun by today
// (at least 1, at most 12 or 3): the denominator of "visits per pairing per
// month".
func (p Period) Months(today time.Time) int {
	total := 12
	if p.Quarter > 0 {
		total = 3
	}
	s := p.Start()
	n := (today.Year()-s.Year())*12 + int(today.Month()) - int(s.Month()) + 1
	return max(1, min(total, n))
}

// Label is the period in Chinese: "2026年" or "2026年第3季度".
func (p Period) Label() string {
	if p.Quarter == 0 {
		return strconv.Itoa(p.Year) + "年"
	}
	return fmt.Sprintf("%d年第%d季度", p.Year, p.Quarter)
}

// Query is the period as URL query parameters ("year=2026&quarter=3").
func (p Period) Query() string {
	return fmt.Sprintf("year=%d&quarter=%d", p.Year, p.Quarter)
}
