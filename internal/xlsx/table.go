package xlsx

import (
	"fmt"
	"io"
	"time"

	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// Table is a report sheet: a title, the 填报单位/填报日期 row, headings and
// rows of cells, each a string (text), an int (a count), a decimal.Decimal
// (points or yuan, written exactly with two decimals as #,##0.00) or a
// time.Time (a date, written as an Excel date shown yyyy-mm-dd).
type Table struct {
	Sheet    string
	Headings []string
	Widths   []float64 // column widths in characters, one per heading
	Rows     [][]any
}

// WriteTable writes t to w as a workbook laid out like the registry
// exports (A4 landscape, one page wide, headings repeated on every page,
// formula-like text neutralised). A cell of another type is an error.
func WriteTable(w io.Writer, t Table, meta ExportMeta) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, styles, err := startExport(f, t.Sheet, t.Headings, t.Widths, meta)
	if err != nil {
		return fmt.Errorf("xlsx.WriteTable: %w", err)
	}
	values := make([]any, len(t.Headings))
	for i, row := range t.Rows {
		if len(row) != len(t.Headings) {
			return fmt.Errorf("xlsx.WriteTable: row %d has %d cells for %d headings", i+1, len(row), len(t.Headings))
		}
		for j, c := range row {
			switch v := c.(type) {
			case string:
				values[j] = styles.text(v)
			case int:
				values[j] = styles.num(v)
			case decimal.Decimal:
				values[j] = styles.yuanValue(v)
			case time.Time:
				values[j] = excelize.Cell{StyleID: styles.date, Value: time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC)}
			default:
				return fmt.Errorf("xlsx.WriteTable: row %d cell %d is a %T", i+1, j+1, c)
			}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", meta.headingRow()+1+i), values); err != nil {
			return fmt.Errorf("xlsx.WriteTable: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx.WriteTable: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx.WriteTable: write: %w", err)
	}
	return nil
}
