package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"
)

// Reasons shared by the reader and its tests.
const (
	// ReasonNumericID is given for an ID number that Excel stored as a
	// number: an 18-digit number has more digits than a spreadsheet number
	// keeps (15), so the last digits are already gone from the file.
	ReasonNumericID = "身份证号被Excel存成了数字，后几位已丢失；请将该列设为文本后重新填写"
	maxErrors       = 1000
	headingSearch   = 10 // the heading row must be among the first rows
)

// ReadHouseholds reads a roster workbook (the first sheet) of size bytes from
// r and validates every household with household.Parse, so the rules are the
// form's; resolve maps a township and village name to the village's 12-digit
// code (ok false when the county has no such village); now is "today" for the
// year checks.
//
// It returns either the households and no row errors, or no households and
// every row error found (in row order, at most 1000): an import is
// all-or-nothing and the caller commits nothing when errs is not empty. On top
// of the form's rules, 家庭人口 must equal the rows of the household, member
// rows must follow their head row and repeat the head's name, an ID number may
// appear once in the file, and an ID number that Excel stored as a number is
// refused (ReasonNumericID). Full-width digits and letters, stray spaces,
// years and incomes as number or text cells are accepted.
//
// err is a *FileError (Chinese message for the user) when the file as a whole
// is refused: larger than lim.MaxFileBytes, unpacking to more than
// lim.MaxUnzippedBytes, more than lim.MaxRows rows after the heading (empty
// rows count, so a sheet claiming a million rows is refused after reading
// lim.MaxRows of them), a cell of more than MaxCellChars characters (the
// message names its row and column), too many shared strings, or not an
// .xlsx workbook (see precheck, which runs first). The sheet is read as a
// stream: memory depends on the number of households, not on the file.
//
// A roster saved as .csv (UTF-8, with or without BOM, or GBK as Excel and WPS
// save it on Chinese Windows) is read as the same sheet; a legacy .xls is
// refused with LegacyXLS.
func ReadHouseholds(r io.ReaderAt, size int64, lim Limits, resolve func(township, village string) (code string, ok bool), now time.Time) ([]Household, []RowError, error) {
	if size <= lim.MaxFileBytes && isCSV(r, size) {
		data, err := csvToXLSX(io.NewSectionReader(r, 0, size), lim)
		if err != nil {
			return nil, nil, err
		}
		r, size = bytes.NewReader(data), int64(len(data))
	}
	f, rows, merges, err := openSheet(r, size, lim, Columns[:])
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	defer rows.Close()

	rd := &reader{resolve: resolve, now: now, errs: map[cellKey]int{}, ids: map[string]int{}, suspects: map[string]cellKey{}}
	found, herr, err := scanSheet(rows, lim, Columns[:], merges, func(n int, cells []string) bool {
		if rd.full() {
			return false
		}
		rd.row(n, cells)
		return true
	})
	switch {
	case err != nil:
		return nil, nil, err
	case herr != nil:
		return nil, []RowError{*herr}, nil
	case !found:
		return nil, []RowError{{Row: 1, Reason: "没有找到表头行（序号、乡(镇)、行政村……）；请下载导入模板，把数据粘贴到模板中后再上传"}}, nil
	}
	rd.finish()
	if rd.full() {
		rd.list = append(rd.list, RowError{Reason: fmt.Sprintf("错误太多，只列出了前%d条；请改正后重新上传", maxErrors)})
	}
	if len(rd.suspects) > 0 {
		numeric, err := numericCells(r, size, rd.suspects)
		if err != nil {
			return nil, nil, &FileError{Message: "工作表无法读取", Err: err}
		}
		for ref := range numeric {
			rd.set(rd.suspects[ref], ReasonNumericID)
		}
	}
	if len(rd.list) > 0 {
		return nil, sortedErrors(rd.list, Columns[:]), nil
	}
	return rd.households, nil, nil
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MB", n>>20)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// openSheet opens the workbook of size bytes in r within lim and returns it
// with a row iterator over its first sheet; the caller closes both. err is a
// *FileError when the file as a whole is refused, also for a cell of more
// than MaxCellChars characters (named by its row and its heading in cols)
// and the other checks of precheck, made before excelize reads anything.
// Worksheets and shared strings over 1 MiB are read from temporary files.
func openSheet(r io.ReaderAt, size int64, lim Limits, cols []string) (*excelize.File, *excelize.Rows, *merged, error) {
	if size > lim.MaxFileBytes {
		return nil, nil, nil, &FileError{Message: fmt.Sprintf("文件太大（%s），上限为 %s", mib(size), mib(lim.MaxFileBytes))}
	}
	if isLegacyXLS(r, size) {
		return nil, nil, nil, &FileError{Message: LegacyXLS}
	}
	refs, err := precheck(r, size, lim, cols)
	if err != nil {
		return nil, nil, nil, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit: lim.MaxUnzippedBytes, UnzipXMLSizeLimit: min(lim.MaxUnzippedBytes, unzipXMLLimit)})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size") {
			return nil, nil, nil, &FileError{Message: tooBigUnzipped(lim), Err: err}
		}
		return nil, nil, nil, &FileError{Message: notXLSX, Err: err}
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, nil, nil, &FileError{Message: "文件中没有工作表"}
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, nil, nil, &FileError{Message: "无法读取第一个工作表", Err: err}
	}
	m, err := newMerged(refs)
	if err != nil {
		rows.Close()
		f.Close()
		return nil, nil, nil, err
	}
	return f, rows, m, nil
}

// scanSheet looks for the heading row of cols among the first rows, checks
// it, and passes every later row (raw cell values) to row until row returns
// false or the sheet ends. found is false when no heading row was seen; herr
// is a heading that does not match cols. err is a *FileError, also for a
// sheet of more than lim.MaxRows rows after the heading (empty rows count).
//
// Rosters as offices keep them are read too: the heading may sit below a
// title block (within the first headingSearch rows), a heading may be a
// synonym (headingSynonyms) and the columns in another order (each row is
// handed to row in the order of cols), and a merged range (one 户主 over
// the rows of the household's members) gives its value to every cell it
// covers.
func scanSheet(rows *excelize.Rows, lim Limits, cols []string, merges *merged, row func(n int, cells []string) bool) (found bool, herr *RowError, err error) {
	heading := 0    // row number of the heading row once found
	var order []int // file column of each of cols, once the heading is found
	for n := 1; rows.Next(); n++ {
		if heading == 0 && n > headingSearch || heading > 0 && n-heading > lim.MaxRows {
			if heading == 0 {
				break
			}
			return true, nil, &FileError{Message: fmt.Sprintf("表格超过 %d 行（空行也计算在内），不予导入；请删除多余的行，或分成几个文件上传", lim.MaxRows)}
		}
		cells, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return heading > 0, nil, &FileError{Message: fmt.Sprintf("第%d行无法读取", n), Err: err}
		}
		cells = merges.fill(n, cells)
		if heading == 0 {
			if !isHeading(cells, cols) {
				continue
			}
			if order = headingOrder(cells, cols); order == nil {
				if e, ok := checkHeading(cells, cols); !ok {
					e.Row = n
					return true, &e, nil
				}
			}
			heading = n
			continue
		}
		if order != nil {
			cells = reorder(cells, order)
		}
		if !row(n, cells) {
			break
		}
	}
	if err := rows.Error(); err != nil {
		return heading > 0, nil, &FileError{Message: "工作表无法读取", Err: err}
	}
	return heading > 0, nil, nil
}

// sortedErrors is a copy of list in row order, then column order of cols,
// with the "too many errors" note (row 0) last.
func sortedErrors(list []RowError, cols []string) []RowError {
	out := make([]RowError, len(list))
	copy(out, list)
	slices.SortStableFunc(out, func(a, b RowError) int {
		if a.Row == 0 || b.Row == 0 {
			return cmp.Compare(b.Row, a.Row) // the "too many errors" note last
		}
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(slices.Index(cols, a.Column), slices.Index(cols, b.Column)))
	})
	return out
}

// normHeading compares headings regardless of spaces and full/half width
// brackets: "人均纯收入(元)" matches "人均纯收入（元）".
func normHeading(s string) string {
	return width.Narrow.String(strings.Join(strings.FieldsFunc(s, isSpace), ""))
}

// isHeading reports whether cells look like a heading row: at least three of
// the headings cols.
func isHeading(cells, cols []string) bool {
	known := 0
	for _, c := range cells {
		c = canonicalHeading(c)
		if slices.ContainsFunc(cols, func(h string) bool { return normHeading(h) == c }) {
			known++
		}
	}
	return known >= 3
}

// checkHeading compares a heading row with cols.
func checkHeading(cells, cols []string) (RowError, bool) {
	for i, want := range cols {
		got := ""
		if i < len(cells) {
			got = cells[i]
		}
		if normHeading(got) != normHeading(want) {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return RowError{Column: want, Reason: fmt.Sprintf("表头与导入模板不符：第%s列应为“%s”，实为“%s”。请下载导入模板，把数据按模板的列粘贴后再上传", name, want, strings.TrimSpace(got))}, false
		}
	}
	for i := len(cols); i < len(cells); i++ {
		if strings.TrimSpace(cells[i]) != "" {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return RowError{Reason: fmt.Sprintf("表头与导入模板不符：第%s列“%s”不是模板中的列，请删除", name, strings.TrimSpace(cells[i]))}, false
		}
	}
	return RowError{}, true
}

type cellKey struct{ row, col int }

// pending is a household being read: its head row and member rows.
type pending struct {
	headRow int
	head    []string
	members []memberRow
	bad     bool // a row-structure error was already reported
}

type memberRow struct {
	row   int
	cells []string
}

type reader struct {
	resolve    func(township, village string) (string, bool)
	now        time.Time
	cur        *pending
	households []Household
	list       []RowError
	errs       map[cellKey]int    // index into list of the error at a cell
	ids        map[string]int     // ID number → first row
	suspects   map[string]cellKey // cell ref → ID cell whose type decides
}

func (rd *reader) full() bool { return len(rd.list) >= maxErrors }

// add records reason at (row, col) unless that cell already has an error.
func (rd *reader) add(row, col int, reason string) {
	k := cellKey{row, col}
	if _, dup := rd.errs[k]; dup {
		return
	}
	if rd.full() {
		return
	}
	column := ""
	if col >= 0 {
		column = Columns[col]
	}
	rd.errs[k] = len(rd.list)
	rd.list = append(rd.list, RowError{Row: row, Column: column, Reason: reason})
}

// set records reason at (row, col), replacing an earlier error there.
func (rd *reader) set(k cellKey, reason string) {
	if i, ok := rd.errs[k]; ok {
		rd.list[i].Reason = reason
		return
	}
	rd.add(k.row, k.col, reason)
}

// cellText is cell i of a row: trimmed, a leading neutralising quote removed.
func cellText(cells []string, i int) string {
	if i >= len(cells) {
		return ""
	}
	return unquote(strings.TrimFunc(cells[i], isSpace))
}

// compact is a cell with every space removed and full-width characters
// narrowed (１２３ → 123, Ｘ → X), for numbers, codes and ID numbers.
func compact(cells []string, i int) string {
	return width.Narrow.String(strings.Join(strings.FieldsFunc(cellText(cells, i), isSpace), ""))
}

func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\ufeff'
}

// codeText is a coded cell with spaces removed (labels keep their width:
// 乡（镇）内务工 is written with full-width brackets).
func codeText(cells []string, i int) string {
	return strings.Join(strings.FieldsFunc(cellText(cells, i), isSpace), "")
}

func (rd *reader) row(n int, cells []string) {
	empty := true
	for _, c := range cells {
		if strings.TrimFunc(c, isSpace) != "" {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	rd.checkID(n, cells)
	if codeText(cells, colRelation) == "户主" {
		rd.finish()
		rd.cur = &pending{headRow: n, head: cells}
		return
	}
	if rd.cur == nil {
		rd.add(n, colRelation, "成员行之前没有户主行：每户先填户主一行（与户主关系选“户主”），成员行紧跟其后")
		return
	}
	if head := cellText(rd.cur.head, colHeadName); cellText(cells, colHeadName) != head {
		rd.add(n, colHeadName, fmt.Sprintf("户主姓名与上方户主“%s”（第%d行）不一致；成员行须紧跟在本户户主行之后，户主姓名相同", head, rd.cur.headRow))
		rd.cur.bad = true
		return
	}
	rd.cur.members = append(rd.cur.members, memberRow{row: n, cells: cells})
}

// checkID catches what the form cannot see: an ID number that is in the file
// twice, and one that Excel turned into a number.
func (rd *reader) checkID(n int, cells []string) {
	id := compact(cells, colIDNumber)
	if id == "" {
		return
	}
	if strings.ContainsAny(id, "Ee.") && strings.Trim(id, "0123456789Ee.+-") == "" {
		// 4.30681196503121E+17: a number cell in scientific notation.
		rd.add(n, colIDNumber, ReasonNumericID)
		return
	}
	if len(id) == 18 && strings.HasSuffix(id, "000") && strings.Trim(id, "0123456789") == "" {
		// Typed into a number cell with a "0" format, an ID keeps 15
		// significant digits and ends in 000; only the cell type tells it
		// from a (rare) real ID ending in 000. Looked up after the pass.
		ref, _ := excelize.CoordinatesToCellName(colIDNumber+1, n)
		rd.suspects[ref] = cellKey{n, colIDNumber}
	}
	if first, dup := rd.ids[id]; dup {
		rd.add(n, colIDNumber, fmt.Sprintf("身份证号与第%d行重复（第%d行、第%d行）", first, first, n))
		return
	}
	rd.ids[id] = n
}

// finish validates the household being read, if any.
func (rd *reader) finish() {
	p := rd.cur
	rd.cur = nil
	if p == nil {
		return
	}
	c := p.head
	h := p.headRow
	in := household.Input{
		GroupName:          compact(c, colGroup),
		HeadName:           cellText(c, colHeadName),
		HeadSex:            sexValue(codeText(c, colSex)),
		IDNumber:           compact(c, colIDNumber),
		Phone:              compact(c, colPhone),
		Attribute:          codeValue(household.Attributes, codeText(c, colAttribute)),
		Standard:           codeValue(household.Standards, codeText(c, colStandard)),
		MainCause:          codeText(c, colMainCause),
		OtherCauses:        splitCauses(codeText(c, colOtherCauses)),
		IdentificationYear: yearText(compact(c, colIdentificationYear)),
		PerCapitaIncome:    yuanText(compact(c, colIncome)),
		PlannedExitYear:    yearText(compact(c, colPlannedExitYear)),
		Remark:             cellText(c, colRemark),
		Head:               memberInput(c),
	}
	if name := cellText(c, colName); name != "" && name != in.HeadName {
		rd.add(h, colName, fmt.Sprintf("户主行的姓名“%s”应与户主姓名“%s”相同", name, in.HeadName))
	}
	town, village := codeText(c, colTownship), codeText(c, colVillage)
	villageOK := false
	switch {
	case town == "" || village == "":
		rd.add(h, colVillage, "请填写乡(镇)和行政村")
	default:
		code, ok := rd.resolve(town, village)
		if !ok {
			rd.add(h, colVillage, fmt.Sprintf("本县（市）没有“%s %s”；乡(镇)和行政村的名称见模板的“村庄名录”", town, village))
		} else {
			in.VillageCode, villageOK = code, true
		}
	}
	for _, m := range p.members {
		in.Members = append(in.Members, memberInput(m.cells))
	}
	if !villageOK {
		// Reported above; let Parse check the rest against a placeholder.
		in.VillageCode = "000000000000"
	}
	parsed, ferrs := household.Parse(in, func(string) bool { return villageOK }, rd.now)
	for key, msg := range ferrs {
		row, col := rd.place(p, key)
		if col == colVillage && !villageOK {
			continue
		}
		rd.add(row, col, msg)
	}

	// 家庭人口 is the number of rows of the household, head included.
	rowsN := 1 + len(p.members)
	switch sz := strings.TrimSuffix(compact(c, colSize), "人"); {
	case sz == "":
		rd.add(h, colSize, fmt.Sprintf("请填写家庭人口（本户共%d行）", rowsN))
	default:
		if v, err := strconv.Atoi(strings.TrimSuffix(sz, ".0")); err != nil || v != rowsN {
			rd.add(h, colSize, fmt.Sprintf("家庭人口填的是%s人，但本户共有%d行（含户主）；每位家庭成员一行", sz, rowsN))
		}
	}

	// 脱贫状态 and 脱贫年度.
	statusLabel := codeText(c, colStatus)
	status := "not_exited"
	if statusLabel != "" {
		status = codeValue(household.Statuses, statusLabel)
	}
	exited := yearText(compact(c, colExitedYear))
	identYear := parsed.IdentificationYear
	if identYear == 0 {
		identYear = 2013
	}
	sc, serrs := household.ParseStatusChange(status, exited, "", "", identYear, rd.now)
	for key, msg := range serrs {
		switch key {
		case "status":
			rd.add(h, colStatus, "脱贫状态应为 未脱贫、已脱贫 或 返贫")
		case "exited_year":
			rd.add(h, colExitedYear, msg)
		default:
			rd.add(h, colStatus, msg)
		}
	}
	if status == "not_exited" && exited != "" {
		rd.add(h, colExitedYear, "未脱贫的户不填脱贫年度")
	}
	if p.bad || len(ferrs) > 0 || len(serrs) > 0 || len(rd.list) > 0 {
		return // nothing is returned once any row is wrong
	}
	rd.households = append(rd.households, Household{Household: parsed, Status: sc.Status, ExitedYear: sc.ExitedYear, Row: h})
}

// memberFieldColumns maps household.Parse's member field names to columns.
var memberFieldColumns = map[string]int{
	"name": colName, "sex": colSex, "id_number": colIDNumber, "relation": colRelation, "ethnicity": colEthnicity,
	"education": colEducation, "schooling": colSchooling, "health": colHealth, "labour": colLabour,
	"migrant_work": colMigrantWork, "birth_date": colIDNumber,
}

// householdFieldColumns maps household.Parse's household field names to the
// columns of the head row.
var householdFieldColumns = map[string]int{
	"village_code": colVillage, "group_name": colGroup, "head_name": colHeadName, "head_sex": colSex,
	"id_number": colIDNumber, "phone": colPhone, "attribute": colAttribute, "standard": colStandard,
	"main_cause": colMainCause, "other_causes": colOtherCauses, "identification_year": colIdentificationYear,
	"planned_exit_year": colPlannedExitYear, "per_capita_income": colIncome, "remark": colRemark, "members": colSize,
}

// place maps a household.Parse field key ("phone", "head_health",
// "members.2.sex") to its row and column in the workbook.
func (rd *reader) place(p *pending, key string) (row, col int) {
	if rest, ok := strings.CutPrefix(key, "members."); ok {
		idx, field, _ := strings.Cut(rest, ".")
		if i, err := strconv.Atoi(idx); err == nil && i >= 0 && i < len(p.members) {
			if c, ok := memberFieldColumns[field]; ok {
				return p.members[i].row, c
			}
			return p.members[i].row, -1
		}
	}
	if c, ok := householdFieldColumns[key]; ok {
		return p.headRow, c
	}
	if field, ok := strings.CutPrefix(key, "head_"); ok {
		if c, ok := memberFieldColumns[field]; ok {
			return p.headRow, c
		}
	}
	return p.headRow, -1
}

// memberInput is the member fields of a row.
func memberInput(c []string) household.MemberInput {
	return household.MemberInput{
		Name:        cellText(c, colName),
		Sex:         sexValue(codeText(c, colSex)),
		IDNumber:    compact(c, colIDNumber),
		Relation:    codeText(c, colRelation),
		Ethnicity:   codeText(c, colEthnicity),
		Education:   codeText(c, colEducation),
		Schooling:   codeText(c, colSchooling),
		Health:      codeText(c, colHealth),
		Labour:      codeText(c, colLabour),
		MigrantWork: bracketsWide(codeText(c, colMigrantWork)),
	}
}

// bracketsWide writes half-width brackets full width, as the 务工状况 labels
// have them: 乡(镇)内务工 → 乡（镇）内务工.
func bracketsWide(s string) string {
	return strings.NewReplacer("(", "（", ")", "）").Replace(s)
}

// codeValue maps a label of l to its stored value; anything else is passed
// on unchanged, for household.Parse to refuse with the form's message.
func codeValue(l codelist.List, label string) string {
	for _, it := range l {
		if it.Label == label {
			return it.Value
		}
	}
	return label
}

// splitCauses splits 其他致贫原因 at 、 , ， ; ； or /.
func splitCauses(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune("、,，;；/", r) })
}

// yearText accepts 2016, 2016年 and 2016.0 (a number cell).
func yearText(s string) string {
	s = strings.TrimSuffix(s, "年")
	if i, ok := strings.CutSuffix(s, ".0"); ok {
		return i
	}
	return s
}

// yuanText passes an income on for money.ParseYuan. A number cell computed in
// Excel may hold binary noise (3280.4999999999995); when the value is within a
// millionth of a yuan of a whole fen it is that fen. Text keeps its digits.
func yuanText(s string) string {
	_, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) < 10 || strings.ContainsAny(s, ",，元") {
		return s
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return s
	}
	if r := d.Round(2); d.Sub(r).Abs().LessThan(decimal.New(1, -6)) {
		return r.StringFixed(2)
	}
	return s
}

// numericCells scans the first worksheet of the zip for the cells in want
// and returns those stored as numbers (no t attribute, or t="n"). It stops as
// soon as every wanted cell has been seen; the zip reader refuses to read
// more than a part's declared size, which excelize already checked.
func numericCells(r io.ReaderAt, size int64, want map[string]cellKey) (map[string]bool, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	sheetPath, err := firstSheetPath(zr)
	if err != nil {
		return nil, err
	}
	var part *zip.File
	for _, zf := range zr.File {
		if strings.EqualFold(zf.Name, sheetPath) {
			part = zf
		}
	}
	if part == nil {
		return nil, fmt.Errorf("sheet part %s not found", sheetPath)
	}
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// A plain byte scan rather than encoding/xml: only the attributes of
	// <c> start tags matter, and this is several times faster.
	out := map[string]bool{}
	seen := 0
	br := bufio.NewReaderSize(rc, 1<<16)
	for seen < len(want) {
		if _, err := br.ReadSlice('<'); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		tag, err := br.ReadSlice('>')
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		name := tag
		if i := bytes.IndexAny(tag, " \t\r\n/>"); i >= 0 {
			name = tag[:i]
		}
		if i := bytes.IndexByte(name, ':'); i >= 0 {
			name = name[i+1:]
		}
		if string(name) != "c" {
			continue
		}
		ref := attr(tag, "r")
		if _, ok := want[ref]; ok {
			seen++
			if t := attr(tag, "t"); t == "" || t == "n" {
				out[ref] = true
			}
		}
	}
	return out, nil
}

// attr returns the value of attribute name in the start tag text tag.
func attr(tag []byte, name string) string {
	for _, q := range []string{`"`, `'`} {
		for _, sp := range []string{" ", "\t", "\n", "\r"} {
			key := []byte(sp + name + "=" + q)
			if i := bytes.Index(tag, key); i >= 0 {
				rest := tag[i+len(key):]
				if j := bytes.IndexByte(rest, q[0]); j >= 0 {
					return string(rest[:j])
				}
			}
		}
	}
	return ""
}

// firstSheetPath returns the zip path of the workbook's first sheet, from
// xl/workbook.xml and its relationships.
func firstSheetPath(zr *zip.Reader) (string, error) {
	var wb struct {
		Sheets []struct {
			ID string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := decodePart(zr, "xl/workbook.xml", &wb); err != nil {
		return "", err
	}
	if err := decodePart(zr, "xl/_rels/workbook.xml.rels", &rels); err != nil {
		return "", err
	}
	if len(wb.Sheets) == 0 {
		return "", errors.New("workbook has no sheets")
	}
	for _, rel := range rels.Rel {
		if rel.ID == wb.Sheets[0].ID {
			if strings.HasPrefix(rel.Target, "/") {
				return strings.TrimPrefix(rel.Target, "/"), nil
			}
			return path.Join("xl", rel.Target), nil
		}
	}
	return "", errors.New("first sheet has no relationship")
}

func decodePart(zr *zip.Reader, name string, v any) error {
	for _, zf := range zr.File {
		if !strings.EqualFold(zf.Name, name) {
			continue
		}
		if zf.UncompressedSize64 > 16<<20 {
			return fmt.Errorf("%s too large", name)
		}
		rc, err := zf.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		return xml.NewDecoder(rc).Decode(v)
	}
	return fmt.Errorf("%s not found", name)
}
