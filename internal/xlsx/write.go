package xlsx

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/household"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// headingRowExport is the row of the headings in an export (after the title
// and the 填报单位 rows); the reader finds the heading row by itself.
const headingRowExport = 3

// WriteHouseholds writes hs to w as a roster workbook with the same columns
// as the import template, so that an export imports back unchanged: a title
// row, a 填报单位/填报日期 row, the heading row, then one row per person (the
// head first). ID numbers and phones are text cells, income a number with two
// decimals written exactly (see yuanValue), text that a spreadsheet would
// take for a formula stays text (see exportStyles.text). The sheet prints on A4
// landscape, one page wide, with the heading row repeated on every page. Rows
// are streamed, so memory does not grow with the number of households.
func WriteHouseholds(w io.Writer, hs []ExportHousehold, meta ExportMeta) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeHouseholds(f, hs, meta); err != nil {
		return fmt.Errorf("xlsx.WriteHouseholds: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx.WriteHouseholds: write: %w", err)
	}
	return nil
}

// startExport names the first sheet of f sheet, sets it up to print on A4
// landscape, one page wide, with the heading row repeated on every page, and
// starts streaming it: the title row, the 填报单位/填报日期 row and the heading
// row (headings), with the columns widths wide and the panes frozen below the
// heading. The caller writes the body from row headingRowExport+1 and flushes.
func startExport(f *excelize.File, sheet string, headings []string, widths []float64, meta ExportMeta) (*excelize.StreamWriter, exportStyles, error) {
	var styles exportStyles
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, styles, err
	}
	// Sheet-level settings go in before the stream writer takes the sheet.
	a4, landscape, one, zero, fit := 9, "landscape", 1, 0, true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &a4, Orientation: &landscape,
		FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return nil, styles, err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return nil, styles, err
	}
	margin, narrow := 0.4, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &narrow, Right: &narrow,
		Top: &margin, Bottom: &margin}); err != nil {
		return nil, styles, err
	}
	if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
		RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, meta.headingRow(), meta.headingRow()), Scope: sheet}); err != nil {
		return nil, styles, err
	}
	if err := setDocProps(f, meta.Title, meta.Unit); err != nil {
		return nil, styles, err
	}
	styles, err := newExportStyles(f)
	if err != nil {
		return nil, styles, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, styles, err
	}
	// Excel wants the <col> elements ascending; the stream writer puts each
	// new width before those set earlier (and, unlike File.Write, never
	// sorts them), so the widths go in from the last column to the first.
	for i := len(widths) - 1; i >= 0; i-- {
		if err := sw.SetColWidth(i+1, i+1, widths[i]); err != nil {
			return nil, styles, err
		}
	}
	last, _ := excelize.ColumnNumberToName(len(headings))
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: meta.headingRow(), TopLeftCell: fmt.Sprintf("A%d", meta.headingRow()+1), ActivePane: "bottomLeft"}); err != nil {
		return nil, styles, err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: styles.title, Value: meta.Title + meta.Notice}}, excelize.RowOpts{Height: 28}); err != nil {
		return nil, styles, err
	}
	date := ""
	if !meta.Date.IsZero() {
		date = fmt.Sprintf("%d年%d月%d日", meta.Date.Year(), meta.Date.Month(), meta.Date.Day())
	}
	if err := sw.SetRow("A2", []any{excelize.Cell{StyleID: styles.plain,
		Value: "填报单位：" + meta.Unit + "　　　　填报日期：" + date}}); err != nil {
		return nil, styles, err
	}
	for i, line := range meta.Intro {
		row := headingRowExport + i
		if err := sw.SetRow(fmt.Sprintf("A%d", row), []any{excelize.Cell{StyleID: styles.plain, Value: line}}); err != nil {
			return nil, styles, err
		}
		if err := sw.MergeCell(fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", last, row)); err != nil {
			return nil, styles, err
		}
	}
	heading := make([]any, len(headings))
	for i, c := range headings {
		heading[i] = excelize.Cell{StyleID: styles.heading, Value: c}
	}
	if err := sw.SetRow(fmt.Sprintf("A%d", meta.headingRow()), heading, excelize.RowOpts{Height: 30}); err != nil {
		return nil, styles, err
	}
	if err := sw.MergeCell("A1", last+"1"); err != nil {
		return nil, styles, err
	}
	if err := sw.MergeCell("A2", last+"2"); err != nil {
		return nil, styles, err
	}
	return sw, styles, nil
}

func writeHouseholds(f *excelize.File, hs []ExportHousehold, meta ExportMeta) error {
	hw, err := startHouseholds(f, meta)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if err := hw.Add(h); err != nil {
			return err
		}
	}
	return hw.sw.Flush()
}

// HouseholdWriter writes a roster workbook one household at a time, for
// exports too large to hold as a slice: rows go to excelize's stream
// writer (which keeps them in a temporary file past a few MB), so memory
// does not grow with the number of households. Same layout as
// WriteHouseholds.
type HouseholdWriter struct {
	f          *excelize.File
	sw         *excelize.StreamWriter
	styles     exportStyles
	row, seq   int
	households int
	values     []any
}

// NewHouseholdWriter starts a roster workbook with meta's title rows.
func NewHouseholdWriter(meta ExportMeta) (*HouseholdWriter, error) {
	f := excelize.NewFile()
	hw, err := startHouseholds(f, meta)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("xlsx.NewHouseholdWriter: %w", err)
	}
	return hw, nil
}

func startHouseholds(f *excelize.File, meta ExportMeta) (*HouseholdWriter, error) {
	sw, styles, err := startExport(f, SheetName, Columns[:], columnWidths[:], meta)
	if err != nil {
		return nil, err
	}
	return &HouseholdWriter{f: f, sw: sw, styles: styles, row: headingRowExport, values: make([]any, numColumns)}, nil
}

// Households is the number of households added so far.
func (hw *HouseholdWriter) Households() int { return hw.households }

// Add writes h: a row for the head, then one per member.
func (hw *HouseholdWriter) Add(h ExportHousehold) error {
	styles, values := hw.styles, hw.values
	size := 1 + len(h.Members)
	people := append([]household.Member{headMember(h)}, h.Members...)
	for i, m := range people {
		hw.seq++
		hw.row++
		clear(values)
		values[colSeq] = styles.num(hw.seq)
		values[colTownship] = styles.text(h.TownshipName)
		values[colVillage] = styles.text(h.VillageName)
		values[colGroup] = styles.text(h.GroupName)
		values[colHeadName] = styles.text(h.HeadName)
		values[colName] = styles.text(m.Name)
		values[colIDNumber] = styles.text(m.IDNumber)
		values[colSize] = styles.num(size)
		values[colRelation] = styles.text(m.Relation)
		values[colSex] = styles.text(sexLabel(m.Sex))
		values[colEthnicity] = styles.text(m.Ethnicity)
		values[colEducation] = styles.text(m.Education)
		values[colSchooling] = styles.text(m.Schooling)
		values[colHealth] = styles.text(m.Health)
		values[colLabour] = styles.text(m.Labour)
		values[colMigrantWork] = styles.text(m.MigrantWork)
		if i == 0 {
			values[colAttribute] = styles.text(household.Attributes.Label(h.Attribute))
			values[colStandard] = styles.text(household.Standards.Label(h.Standard))
			values[colMainCause] = styles.text(h.MainCause)
			values[colOtherCauses] = styles.text(strings.Join(h.OtherCauses, "、"))
			values[colIdentificationYear] = styles.year(h.IdentificationYear)
			values[colIncome] = styles.yuanValue(h.PerCapitaIncome)
			values[colStatus] = styles.text(household.Statuses.Label(h.Status))
			values[colExitedYear] = styles.year(h.ExitedYear)
			values[colPlannedExitYear] = styles.year(h.PlannedExitYear)
			values[colPhone] = styles.text(h.Phone)
			values[colRemark] = styles.text(h.Remark)
		} else {
			for c := colAttribute; c < numColumns; c++ {
				values[c] = styles.empty()
			}
		}
		if err := hw.sw.SetRow(fmt.Sprintf("A%d", hw.row), values); err != nil {
			return fmt.Errorf("xlsx.HouseholdWriter: %w", err)
		}
	}
	hw.households++
	return nil
}

// Finish completes the workbook, writes it to w and releases the writer
// (also on error).
func (hw *HouseholdWriter) Finish(w io.Writer) error {
	defer hw.f.Close()
	if err := hw.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx.HouseholdWriter: %w", err)
	}
	if err := hw.f.Write(w); err != nil {
		return fmt.Errorf("xlsx.HouseholdWriter: write: %w", err)
	}
	return nil
}

// Close releases the writer without writing (after an error elsewhere).
func (hw *HouseholdWriter) Close() { _ = hw.f.Close() }

// headMember is the head's own row: the Head attributes with the name, sex,
// ID number and relation of the household.
func headMember(h ExportHousehold) household.Member {
	m := h.Head
	m.Name, m.Sex, m.IDNumber, m.Relation = h.HeadName, h.HeadSex, h.IDNumber, "户主"
	return m
}

// exportStyles are the cell styles of an export; every body cell has a thin
// border so that the printed roster is a ruled table.
type exportStyles struct {
	title, plain, heading, body, textBody, yuan, date int
	quoted                                            int // textBody with Excel's quote prefix (see text)
}

// dateFormat shows a date cell as 2026-11-29 (a real Excel date, so that
// the office can sort and filter by it).
var dateFormat = "yyyy-mm-dd"

func newExportStyles(f *excelize.File) (exportStyles, error) {
	var s exportStyles
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	center := &excelize.Alignment{Vertical: "center"}
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}}},
		{&s.plain, &excelize.Style{Alignment: center}},
		{&s.heading, headingStyle()},
		{&s.body, &excelize.Style{Border: border, Alignment: center}},
		{&s.textBody, &excelize.Style{Border: border, Alignment: center, NumFmt: numFmtText}},
		{&s.yuan, &excelize.Style{Border: border, Alignment: center, NumFmt: numFmtYuan}},
		{&s.date, &excelize.Style{Border: border, Alignment: center, CustomNumFmt: &dateFormat}},
	} {
		id, err := f.NewStyle(st.style)
		if err != nil {
			return s, err
		}
		*st.id = id
	}
	// excelize's Style has no quote prefix: the cell format is copied from
	// textBody with quotePrefix set. A copy, because NewStyle hands out one
	// ID for equal styles.
	xfs := f.Styles.CellXfs
	if xfs == nil || s.textBody >= len(xfs.Xf) {
		return s, fmt.Errorf("text style %d not in the workbook's styles", s.textBody)
	}
	quoted, yes := xfs.Xf[s.textBody], true
	quoted.QuotePrefix = &yes
	xfs.Xf = append(xfs.Xf, quoted)
	xfs.Count = len(xfs.Xf)
	s.quoted = len(xfs.Xf) - 1
	return s, nil
}

// setDocProps sets the workbook's core properties: title, creator (the
// office writing it) and created/modified now, instead of excelize's
// defaults (creator "xuri", 2006-09-16).
func setDocProps(f *excelize.File, title, creator string) error {
	now := time.Now().UTC().Format(time.RFC3339)
	return f.SetDocProps(&excelize.DocProperties{Title: title, Creator: creator, LastModifiedBy: creator,
		Created: now, Modified: now, Language: "zh-CN"})
}

// text is a text cell. Text that a spreadsheet would take for a formula
// (see isFormulaLike) gets the quoted style: Excel and WPS show it exactly
// as typed, and keep it text when a clerk edits the cell (F2, Enter) or
// copies it elsewhere, as a typed leading apostrophe would, without showing
// an apostrophe. The cell is an inline string either way, never a formula.
func (s exportStyles) text(v string) excelize.Cell {
	switch {
	case v == "":
		return s.empty()
	case isFormulaLike(v):
		return excelize.Cell{StyleID: s.quoted, Value: v}
	}
	return excelize.Cell{StyleID: s.textBody, Value: v}
}

func (s exportStyles) num(n int) excelize.Cell { return excelize.Cell{StyleID: s.body, Value: n} }

// year is a number cell, or an empty cell for 0 (not set).
func (s exportStyles) year(y int) excelize.Cell {
	if y == 0 {
		return s.empty()
	}
	return s.num(y)
}

func (s exportStyles) empty() excelize.Cell { return excelize.Cell{StyleID: s.body} }

// yuanValue is a number cell holding d exactly, shown with two decimals.
//
// SpreadsheetML keeps a number as decimal text (<v>3280.5</v>); excelize's
// stream writer takes a float64 and writes strconv.FormatFloat(v, 'f', -1, 64),
// the shortest text that reads back as the same float64. A decimal of at most
// 15 significant digits (numeric(14,2) has at most 14) goes to its nearest
// float64 and back to the same shortest text unchanged, so the <v> in the file
// is exactly the stored amount: no rounding happens, the float64 only carries
// the digits. The check below proves it for every cell and writes a text cell
// (which the reader also accepts) if it ever did not hold.
func (s exportStyles) yuanValue(d decimal.Decimal) excelize.Cell {
	exact := d.StringFixed(2)
	f, err := strconv.ParseFloat(exact, 64)
	if err == nil {
		back, err := decimal.NewFromString(strconv.FormatFloat(f, 'f', -1, 64))
		if err == nil && back.Equal(d) {
			return excelize.Cell{StyleID: s.yuan, Value: f}
		}
	}
	return excelize.Cell{StyleID: s.textBody, Value: exact}
}

// formulaStarts are the characters with which a spreadsheet program (Excel,
// WPS, LibreOffice) treats typed or pasted text as a formula; tab and carriage
// return are on OWASP's CSV-injection list too.
const formulaStarts = "=+-@\t\r"

// isFormulaLike reports whether v starts the way a formula does when typed
// or pasted into Excel, WPS or LibreOffice ("=HYPERLINK(...)", "+1",
// "-2+3", "@SUM(...)"). Only text goes through here: numbers (including
// negative ones) are written as number cells and stay numbers.
func isFormulaLike(v string) bool {
	return v != "" && strings.ContainsRune(formulaStarts, rune(v[0]))
}

// unquote removes the apostrophe that exports before the quote-prefix
// style put in front of formula-like text, so such files import back as
// the original text.
func unquote(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune(formulaStarts, rune(v[1])) {
		return v[1:]
	}
	return v
}
