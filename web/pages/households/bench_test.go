package households

import (
	"context"
	"io"
	"net/url"
	"strconv"
	"testing"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/shopspring/decimal"
)

// BenchmarkRenderList renders one page (50 rows) of the household list
// with its filters (16 townships and 185 villages) with templ, without the
// database.
func BenchmarkRenderList(b *testing.B) {
	var rows []store.HouseholdRow
	for i := range 50 {
		rows = append(rows, store.HouseholdRow{ID: int64(i + 1), VillageCode: "430681107231", VillageName: "玉池村", TownshipName: "弼时镇",
			HeadName: "张三" + strconv.Itoa(i), IDNumber: "430681********010X", Attribute: "general", Standard: "national", MainCause: "因病",
			IdentificationYear: 2015, PerCapitaIncome: decimal.NewFromInt(3200), Status: "not_exited", Size: 4, PairingID: int64(i), DeputyName: "李四"})
	}
	var divs []components.Option
	for i := range 201 {
		divs = append(divs, components.Option{Value: strconv.Itoa(430681107000 + i), Label: "弼时镇 / 某村" + strconv.Itoa(i)})
	}
	p := ListProps{Rows: rows, Divisions: divs, Years: []int{2027, 2026, 2025},
		Pager: components.Pager{Page: 1, Total: 6000, PageSize: 50, Base: url.Values{"division": {"430681107"}}, Path: "/households"}}
	ctx := context.Background()
	for b.Loop() {
		if err := List(p).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
