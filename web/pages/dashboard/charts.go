package dashboard

import (
	"fmt"
	"strconv"

	"github.com/bangfu/bangfu/internal/store"
)

// Chart is the data of one chart as web/static/charts.js reads it (JSON in
// a <script type="application/json"> beside the chart's element): Type is
// "hbar" (horizontal bars, one per category), "line" (months; a series with
// Axis 1 uses a right-hand axis), "pie" or "stack" (one stacked bar).
// Values are plain numbers: the exact figures are in the table beside it.
type Chart struct {
	Type       string        `json:"type"`
	Categories []string      `json:"categories,omitempty"`
	Series     []ChartSeries `json:"series"`
	Max        float64       `json:"max,omitempty"` // value axis maximum (e.g. 100 for percent); 0 = automatic
	Unit       string        `json:"unit,omitempty"`
}

// ChartSeries is one named row of values.
type ChartSeries struct {
	Name string    `json:"name"`
	Data []float64 `json:"data"`
	Axis int       `json:"axis,omitempty"`
	Unit string    `json:"unit,omitempty"`
}

// percent is part/whole in percent with one decimal (0 when whole is 0).
func percent(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(fmt.Sprintf("%.1f", float64(part)*100/float64(whole)), 64)
	return v
}

// ShareChart is the paired and exited share of each child division.
func ShareChart(kids []store.Figures) Chart {
	c := Chart{Type: "hbar", Max: 100, Unit: "%"}
	paired := ChartSeries{Name: "结对率"}
	exited := ChartSeries{Name: "脱贫率"}
	for _, k := range kids {
		c.Categories = append(c.Categories, k.Name)
		paired.Data = append(paired.Data, percent(k.Paired, k.Households))
		exited.Data = append(exited.Data, percent(k.Exited, k.Households))
	}
	c.Series = []ChartSeries{paired, exited}
	return c
}

// MonthlyChart is visits (left axis) and help delivered in yuan (right axis)
// per month.
func MonthlyChart(months []store.MonthFigures) Chart {
	c := Chart{Type: "line"}
	visits := ChartSeries{Name: "走访次数", Unit: "次"}
	yuan := ChartSeries{Name: "帮扶金额（元）", Axis: 1, Unit: "元"}
	for _, m := range months {
		c.Categories = append(c.Categories, m.Month.Format("2006-01"))
		visits.Data = append(visits.Data, float64(m.Visits))
		y, _ := m.Yuan.Float64()
		yuan.Data = append(yuan.Data, y)
	}
	c.Series = []ChartSeries{visits, yuan}
	return c
}

// CauseChart is the households per main poverty cause.
func CauseChart(causes []store.CauseCount, label func(string) string) Chart {
	c := Chart{Type: "pie", Unit: "户"}
	s := ChartSeries{Name: "贫困户"}
	for _, x := range causes {
		c.Categories = append(c.Categories, label(x.Cause))
		s.Data = append(s.Data, float64(x.Count))
	}
	c.Series = []ChartSeries{s}
	return c
}

// ReliefChart is the relief point's households: exited, exit under way, not
// yet exited, as one stacked bar towards the goal (all registered households).
func ReliefChart(r store.ReliefPoint) Chart {
	rest := max(0, r.Households-r.Exited-r.InProcess)
	return Chart{Type: "stack", Categories: []string{r.Name}, Unit: "户", Max: float64(r.Households),
		Series: []ChartSeries{
			{Name: "已脱贫", Data: []float64{float64(r.Exited)}},
			{Name: "退出程序中", Data: []float64{float64(r.InProcess)}},
			{Name: "未脱贫", Data: []float64{float64(rest)}},
		}}
}
