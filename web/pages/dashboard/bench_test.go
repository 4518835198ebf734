package dashboard

import (
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/shopspring/decimal"
)

// BenchmarkRenderCounty renders the county dashboard (16 townships, 12
// months, 12 causes, the relief point) with templ, without the database.
func BenchmarkRenderCounty(b *testing.B) {
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f := store.Figures{Code: "430681", Name: "汨罗市", Households: 100000, Paired: 92000, ApprovedYuan: decimal.NewFromInt(161086145), PeriodYuan: decimal.NewFromInt(12345678)}
	for i := range 16 {
		f.Children = append(f.Children, store.Figures{Code: strconv.Itoa(430681100 + i), Name: "某镇" + strconv.Itoa(i), Households: 6000 + i,
			Paired: 5500 + i, Exited: 300, ExitPlanned: 900, ExitedInYear: 40, NoVisit30d: i, NoVisit60d: 2 * i,
			ApprovedYuan: decimal.NewFromInt(int64(1000000 + i)), PeriodYuan: decimal.NewFromInt(int64(90000 + i))})
	}
	var months []store.MonthFigures
	for i := range 12 {
		months = append(months, store.MonthFigures{Month: today.AddDate(0, i-11, 0), Visits: 3000 + i, Yuan: decimal.NewFromInt(int64(700000 + i))})
	}
	var causes []store.CauseCount
	for _, c := range []string{"因病", "因残", "缺技术", "缺劳力", "缺资金", "因学", "因灾", "缺土地", "交通条件落后", "自身发展动力不足", "缺水", "其他"} {
		causes = append(causes, store.CauseCount{Cause: c, Count: 5000})
	}
	p := Props{Figures: f, Period: period.Of(today), Today: today, Years: []int{2026, 2025}, ChildLabel: "乡镇", Monthly: months,
		Causes: causes, CauseLabel: func(s string) string { return s }, Amber: 30, Red: 60,
		ReliefPoint:   &store.ReliefPoint{Code: "430681107231", Name: "玉池村", TownshipName: "弼时镇", Households: 78, Exited: 8},
		Participation: &store.Participation{Total: 15000, ByLevel: map[string]int{}, ByCategory: map[string]int{}}}
	ctx := context.Background()
	for b.Loop() {
		if err := Dashboard(p).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
