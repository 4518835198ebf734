package xlsx

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// LegacyXLS is the message for an Excel 97–2003 .xls upload.
const LegacyXLS = "这是旧版 Excel（.xls）文件，本系统只读取 .xlsx：请在 Excel 或 WPS 中打开它，点“另存为”，文件类型选“Excel 工作簿（*.xlsx）”，再上传另存的文件"

// headingSynonyms maps headings that rosters use for a template column
// (normalised by normHeading) to the template's heading.
var headingSynonyms = map[string]string{
	"户主":     "户主姓名",
	"成员姓名":   "姓名",
	"家庭成员姓名": "姓名",
	"证件号码":   "身份证号码",
	"身份证号":   "身份证号码",
	"公民身份号码": "身份证号码",
	"身份证号码码": "身份证号码",
	"手机号":    "联系电话",
	"手机号码":   "联系电话",
	"电话":     "联系电话",
	"联系方式":   "联系电话",
}

// canonicalHeading is heading c normalised, a synonym replaced by the
// template's heading (normalised too).
func canonicalHeading(c string) string {
	n := normHeading(c)
	if h, ok := headingSynonyms[n]; ok {
		return normHeading(h)
	}
	return n
}

// headingOrder returns, for each of cols, the column of cells holding it
// (by name or synonym, in any order), or nil when a heading is missing,
// repeated, or cells has a heading that is not one of cols; checkHeading
// then says what is wrong.
func headingOrder(cells, cols []string) []int {
	at := map[string]int{}
	for j, c := range cells {
		c = canonicalHeading(c)
		if c == "" {
			continue
		}
		if _, dup := at[c]; dup {
			return nil
		}
		at[c] = j
	}
	if len(at) != len(cols) {
		return nil
	}
	order := make([]int, len(cols))
	for i, h := range cols {
		j, ok := at[normHeading(h)]
		if !ok {
			return nil
		}
		order[i] = j
	}
	return order
}

// reorder is cells in the order of cols (order from headingOrder).
func reorder(cells []string, order []int) []string {
	out := make([]string, len(order))
	for i, j := range order {
		if j < len(cells) {
			out[i] = cells[j]
		}
	}
	return out
}

// merged is a sheet's merged ranges: every cell a range covers reads the
// value of its top-left cell, as the eye reads it in Excel (one 户主 cell
// merged over the rows of the household's members).
type merged struct {
	byRow map[int][]cover   // row → the covered cells of that row
	value map[[2]int]string // top-left (row, col) → value, once its row is read
}

// cover is a cell (column, 1-based) covered by the range whose top-left is tl.
type cover struct {
	col int
	tl  [2]int
}

// maxMergedCells bounds the cells covered by merged ranges that are filled
// in (a county's roster merges a few columns over its ~10,000 rows).
const maxMergedCells = 1 << 20

// newMerged indexes refs ("E5:E7"); malformed refs are skipped. More than
// maxMergedCells covered cells is a *FileError.
func newMerged(refs []string) (*merged, error) {
	m := &merged{byRow: map[int][]cover{}, value: map[[2]int]string{}}
	cells := 0
	for _, ref := range refs {
		a, b, ok := strings.Cut(ref, ":")
		if !ok {
			continue
		}
		c1, r1, err1 := excelize.CellNameToCoordinates(a)
		c2, r2, err2 := excelize.CellNameToCoordinates(b)
		if err1 != nil || err2 != nil || r2 < r1 || c2 < c1 {
			continue
		}
		if cells += (r2 - r1 + 1) * (c2 - c1 + 1); cells > maxMergedCells {
			return nil, &FileError{Message: "工作表中合并的单元格太多，不予导入；请取消合并（开始 → 合并后居中 → 取消合并）后重新上传"}
		}
		tl := [2]int{r1, c1}
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				if r != r1 || c != c1 {
					m.byRow[r] = append(m.byRow[r], cover{col: c, tl: tl})
				}
			}
		}
		m.value[tl] = ""
	}
	return m, nil
}

// fill returns the cells of row n with the cells covered by a merged range
// set to the value of the range's top-left cell, and remembers the values
// of top-left cells for the rows below. A nil m changes nothing.
func (m *merged) fill(n int, cells []string) []string {
	if m == nil || len(m.value) == 0 {
		return cells
	}
	for c, v := range cells {
		if _, ok := m.value[[2]int{n, c + 1}]; ok {
			m.value[[2]int{n, c + 1}] = v
		}
	}
	for _, cv := range m.byRow[n] {
		for len(cells) < cv.col {
			cells = append(cells, "")
		}
		if cells[cv.col-1] == "" {
			cells[cv.col-1] = m.value[cv.tl]
		}
	}
	delete(m.byRow, n)
	return cells
}

// isLegacyXLS reports whether r starts like an OLE2 compound file, the
// container of Excel 97–2003 .xls workbooks.
func isLegacyXLS(r io.ReaderAt, size int64) bool {
	magic := make([]byte, 8)
	n, _ := r.ReadAt(magic, 0)
	return size >= 8 && n == 8 && bytes.Equal(magic, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
}

// isCSV reports whether r looks like a text file (no zip or OLE2 header,
// no NUL byte in its first 4 KiB).
func isCSV(r io.ReaderAt, size int64) bool {
	head := make([]byte, min(size, 4096))
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	return n > 0 && !bytes.HasPrefix(head, []byte("PK")) && !isLegacyXLS(r, size) && bytes.IndexByte(head, 0) < 0
}

// csvToXLSX reads a roster saved as CSV (UTF-8 with or without BOM, else
// GBK/GB18030) and writes it as a workbook of one sheet, every cell text,
// so that ReadHouseholds reads it like an upload of the .xlsx. More than
// lim.MaxRows+headingSearch rows, or a cell over MaxCellChars characters,
// is a *FileError.
func csvToXLSX(r io.Reader, lim Limits) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(r, lim.MaxFileBytes+1))
	if err != nil {
		return nil, &FileError{Message: "文件无法读取", Err: err}
	}
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(raw) {
		if raw, err = simplifiedchinese.GB18030.NewDecoder().Bytes(raw); err != nil {
			return nil, &FileError{Message: "CSV 文件的编码无法识别：请用 UTF-8 或 GBK 保存，或另存为 .xlsx 后上传", Err: err}
		}
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord, cr.LazyQuotes = -1, true
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return nil, err
	}
	for n := 1; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &FileError{Message: fmt.Sprintf("CSV 文件第%d行无法读取；请在 Excel 或 WPS 中另存为 .xlsx 后上传", n), Err: err}
		}
		if n > lim.MaxRows+headingSearch {
			return nil, &FileError{Message: fmt.Sprintf("表格超过 %d 行（空行也计算在内），不予导入；请删除多余的行，或分成几个文件上传", lim.MaxRows)}
		}
		row := make([]any, len(rec))
		for i, v := range rec {
			if utf8.RuneCountInString(v) > MaxCellChars {
				return nil, &FileError{Message: fmt.Sprintf("CSV 文件第%d行有超过 %d 个字符的内容，不予导入", n, MaxCellChars)}
			}
			row[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := sw.SetRow(cell, row); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
