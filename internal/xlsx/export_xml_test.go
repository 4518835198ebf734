package xlsx_test

import (
	"bytes"
	"testing"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/internal/xlsx/xlsxtest"
	"github.com/shopspring/decimal"
)

func TestExportsColumnsAscendAndPropertiesNameTheOffice(t *testing.T) {
	t.Parallel()
	meta := xlsx.ExportMeta{Title: "汨罗市建档立卡贫困户花名册", Unit: "汨罗市人大常委会办公室", Date: now}
	h := household.Household{VillageCode: "430681107231", GroupName: "2组", HeadName: "李建国", HeadSex: "male",
		IDNumber: "430681198001011234", PerCapitaIncome: decimal.RequireFromString("3280.50")}
	h.Head.Name, h.Head.Relation = h.HeadName, "户主"
	hs := []xlsx.ExportHousehold{{Household: h, Status: "not_exited", TownshipName: "弼时镇", VillageName: "玉池村"}}

	var households bytes.Buffer
	if err := xlsx.WriteHouseholds(&households, hs, meta); err != nil {
		t.Fatal(err)
	}
	t.Run("households", func(t *testing.T) { xlsxtest.CheckWorkbookXML(t, households.Bytes(), meta.Title, meta.Unit) })

	hw, err := xlsx.NewHouseholdWriter(meta)
	if err != nil {
		t.Fatal(err)
	}
	var streamed bytes.Buffer
	if err := hw.Add(hs[0]); err != nil {
		t.Fatal(err)
	}
	if err := hw.Finish(&streamed); err != nil {
		t.Fatal(err)
	}
	t.Run("household writer", func(t *testing.T) { xlsxtest.CheckWorkbookXML(t, streamed.Bytes(), meta.Title, meta.Unit) })

	var deputies bytes.Buffer
	dmeta := meta
	dmeta.Title = "汨罗市人大代表花名册"
	if err := xlsx.WriteDeputies(&deputies, []xlsx.ExportDeputy{{Deputy: deputy.Deputy{Name: "周建军"}, Status: "active"}}, dmeta); err != nil {
		t.Fatal(err)
	}
	t.Run("deputies", func(t *testing.T) { xlsxtest.CheckWorkbookXML(t, deputies.Bytes(), dmeta.Title, dmeta.Unit) })

	var table bytes.Buffer
	tmeta := meta
	tmeta.Title = "审计日志"
	if err := xlsx.WriteTable(&table, xlsx.Table{Sheet: "审计日志", Headings: []string{"序号", "时间", "用户"}, Widths: []float64{6, 18, 12},
		Rows: [][]any{{1, "2026-11-29 10:00", "office"}}}, tmeta); err != nil {
		t.Fatal(err)
	}
	t.Run("table", func(t *testing.T) { xlsxtest.CheckWorkbookXML(t, table.Bytes(), tmeta.Title, tmeta.Unit) })
}

// TestExportFormulaTextShownAsTyped: text that Excel would run as a formula
// is written exactly as typed, as a string cell (no <f>) whose style has
// quotePrefix="1", so Excel and WPS neither run it nor show an apostrophe.
func TestExportFormulaTextShownAsTyped(t *testing.T) {
	t.Parallel()
	typed := []string{`=HYPERLINK("x")`, "-2+3", "+1", "@SUM(A1)"}
	var rows [][]any
	for i, v := range typed {
		rows = append(rows, []any{i + 1, v})
	}
	var buf bytes.Buffer
	if err := xlsx.WriteTable(&buf, xlsx.Table{Sheet: "表", Headings: []string{"序号", "备注"}, Widths: []float64{6, 30}, Rows: rows},
		xlsx.ExportMeta{Title: "表", Unit: "办公室", Date: now}); err != nil {
		t.Fatal(err)
	}
	xlsxtest.CheckFormulaCells(t, buf.Bytes(), typed)

	h := household.Household{VillageCode: "430681107231", GroupName: "-2+3", HeadName: "李建国", HeadSex: "male",
		IDNumber: "430681198001011234", Remark: `=HYPERLINK("x")`}
	h.Head.Name, h.Head.Relation = h.HeadName, "户主"
	var households bytes.Buffer
	if err := xlsx.WriteHouseholds(&households, []xlsx.ExportHousehold{{Household: h, Status: "not_exited"}},
		xlsx.ExportMeta{Title: "花名册", Unit: "办公室", Date: now}); err != nil {
		t.Fatal(err)
	}
	xlsxtest.CheckFormulaCells(t, households.Bytes(), []string{"-2+3", `=HYPERLINK("x")`})
}
