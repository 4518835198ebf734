package xlsx

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"
)

// The deputy registry (人大代表花名册): one row per deputy. It shares the
// household roster's machinery (limits, errors, formula neutralisation,
// print setup); only its columns and rules are its own, and the rules are
// deputy.Parse's, so a row is accepted exactly when the form would accept it.

// DeputySheetName is the name of the deputy sheet written by this package.
// The reader reads the first sheet, whatever its name.
const DeputySheetName = "人大代表花名册"

// Column indexes of the deputy registry, in order.
const (
	dcolSeq = iota
	dcolName
	dcolGender
	dcolEthnicity
	dcolBirthDate
	dcolLevels
	dcolCategory
	dcolTerm
	dcolCredential
	dcolWorkUnit
	dcolPost
	dcolPhone
	dcolTownship
	dcolVillage
	dcolStatus
	numDeputyColumns
)

// DeputyColumns are the deputy registry headings, in order. The template,
// the export and the reader share them, so an export imports back unchanged.
var DeputyColumns = [numDeputyColumns]string{
	"序号", "姓名", "性别", "民族", "出生日期", "代表层级", "代表构成", "届次", "代表证号", "工作单位", "职务",
	"联系电话", "所在乡(镇)", "所在村（社区）", "状态",
}

var deputyColumnWidths = [numDeputyColumns]float64{5, 8, 4, 6, 11, 26, 12, 9, 13, 28, 14, 13, 10, 12, 6}

// Deputy is one deputy read from a registry workbook: the validated deputy,
// its 状态 (deputy.Statuses: active or left_office) and its Excel row.
//
// Its fields are exactly those of store.ImportDeputy, so a caller converts
// with store.ImportDeputy(d).
type Deputy struct {
	deputy.Deputy
	Status string
	Row    int
}

// ExportDeputy is one deputy to write: the deputy, its status and the names
// of its home township and village ("" = none). Masking the phone is the
// caller's job: whatever Phone holds is written.
//
// Its fields are exactly those of store.ExportDeputy, so a caller converts
// with xlsx.ExportDeputy(row).
type ExportDeputy struct {
	deputy.Deputy
	Status       string
	TownshipName string
	VillageName  string
}

// levelCombos are the values of 代表层级 the template offers: every level,
// then every pair in rank order (全国 before 省 before ... before 镇), as
// deputy.LevelLabels writes them.
func levelCombos() []string {
	var out []string
	for _, l := range deputy.Levels {
		out = append(out, l.Label)
	}
	for i, a := range deputy.Levels {
		for _, b := range deputy.Levels[i+1:] {
			out = append(out, deputy.LevelLabels([]string{a.Value, b.Value}))
		}
	}
	return out
}

// levelAliases are other names the office's rosters use for the township
// level (the code list's label is 镇人大代表).
var levelAliases = map[string]string{"乡人大代表": "township", "乡镇人大代表": "township", "乡(镇)人大代表": "township"}

// deputyCodedColumns are the deputy columns offered as dropdowns from the
// hidden 代码表 sheet.
var deputyCodedColumns = []struct {
	col    int
	labels []string
}{
	{dcolGender, labels(deputy.Genders)},
	{dcolLevels, levelCombos()},
	{dcolCategory, labels(deputy.Categories)},
	{dcolStatus, labels(deputy.Statuses)},
}

// deputyGuide is the 填写说明 sheet of the deputy template.
var deputyGuide = []string{
	"人大代表花名册导入说明",
	"1. 每位代表一行。姓名、性别、代表层级、代表构成、所在乡(镇)必填；其余各项可以留空。",
	"2. 出生日期可以是Excel日期，也可以写成 1975-02-28、1975/2/28、1975.2.28 或 1975年2月28日；代表须在18至100周岁之间。",
	"3. 代表层级选一项或两项（一人可兼任两级代表），两项之间用顿号“、”分隔，如“汨罗市人大代表、镇人大代表”；下拉框中已列出所有组合。",
	"4. 带下拉框的列请从下拉框中选择；乡(镇)和村（社区）的名称见“村庄名录”工作表。所在村（社区）可以留空，填写时必须属于所在乡(镇)。",
	"5. 联系电话填11位手机号或带区号的固定电话（如 0730-5222222）；联系电话和代表证号两列已设为“文本”格式。全角数字和多余的空格会被自动忽略。",
	"6. 状态填“在任”或“已离任”，留空视为在任。改为“已离任”后，系统记录离任日期（导入当天），该代表正在进行的结对会被标记为“待重新结对”，其登录账号停用。",
	"7. 导入是“全部成功或全部不导入”：只要有一行有错，整个文件都不会导入，页面会列出每个错误的行号、列名和原因，改正后重新上传即可。",
	"8. 以代表证号为准：代表证号已登记的代表会被更新，未登记的会新增；没有代表证号的，按“姓名 + 出生日期 + 所在乡(镇)”认定是否同一人。代表证号留空不会清除已登记的代表证号。重复导入同一文件不会产生任何变化。",
}

// WriteDeputyTemplate writes the empty deputy import template to w: the
// heading row; dropdowns on 性别, 代表层级 (each level and each pair), 代表构成,
// 状态, 所在乡(镇) (townships) and 所在村（社区） (villages, listed with their
// townships on a 村庄名录 sheet); 代表证号 and 联系电话 formatted as text,
// 出生日期 as a date; and a 填写说明 sheet with the rules in Chinese.
//
// office, the office handing out the template, is the workbook's creator.
func WriteDeputyTemplate(w io.Writer, townships []string, villages []Village, office string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := setDocProps(f, "人大代表花名册导入模板", office); err != nil {
		return fmt.Errorf("xlsx deputy template: %w", err)
	}
	if err := buildDeputyTemplate(f, townships, villages); err != nil {
		return fmt.Errorf("xlsx deputy template: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx deputy template: write: %w", err)
	}
	return nil
}

func buildDeputyTemplate(f *excelize.File, townships []string, villages []Village) error {
	sh := DeputySheetName
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	heading, err := f.NewStyle(headingStyle())
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: numFmtText})
	if err != nil {
		return err
	}
	dateFmt := dateNumFmt
	date, err := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	row := make([]any, numDeputyColumns)
	for i, c := range DeputyColumns {
		row[i] = c
	}
	if err := f.SetSheetRow(sh, "A1", &row); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(numDeputyColumns)
	if err := f.SetCellStyle(sh, "A1", last+"1", heading); err != nil {
		return err
	}
	for i, wdt := range deputyColumnWidths {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sh, name, name, wdt); err != nil {
			return err
		}
	}
	for _, c := range []struct{ col, style int }{{dcolCredential, text}, {dcolPhone, text}, {dcolBirthDate, date}} {
		name, _ := excelize.ColumnNumberToName(c.col + 1)
		if err := f.SetColStyle(sh, name, c.style); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sh, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	// 村庄名录: column A the townships, C:D township and village pairs.
	if _, err := f.NewSheet(villageSheet); err != nil {
		return err
	}
	if err := f.SetSheetRow(villageSheet, "A1", &[]any{"乡(镇)", "", "乡(镇)", "村（社区）"}); err != nil {
		return err
	}
	for i, t := range townships {
		if err := f.SetCellStr(villageSheet, fmt.Sprintf("A%d", i+2), t); err != nil {
			return err
		}
	}
	for i, v := range villages {
		if err := f.SetSheetRow(villageSheet, fmt.Sprintf("C%d", i+2), &[]any{v.Township, v.Name}); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(villageSheet, "A", "D", 14)

	// 代码表 (hidden): one column per coded list.
	if _, err := f.NewSheet(codeSheet); err != nil {
		return err
	}
	var dvs []*excelize.DataValidation
	for i, cc := range deputyCodedColumns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellStr(codeSheet, col+"1", DeputyColumns[cc.col]); err != nil {
			return err
		}
		for j, l := range cc.labels {
			if err := f.SetCellStr(codeSheet, fmt.Sprintf("%s%d", col, j+2), l); err != nil {
				return err
			}
		}
		dvs = append(dvs, dropdownTitled(cc.col, DeputyColumns[cc.col], fmt.Sprintf("'%s'!$%s$2:$%s$%d", codeSheet, col, col, len(cc.labels)+1)))
	}
	if len(townships) > 0 {
		dvs = append(dvs, dropdownTitled(dcolTownship, DeputyColumns[dcolTownship], fmt.Sprintf("'%s'!$A$2:$A$%d", villageSheet, len(townships)+1)))
	}
	if len(villages) > 0 {
		dvs = append(dvs, dropdownTitled(dcolVillage, DeputyColumns[dcolVillage], fmt.Sprintf("'%s'!$D$2:$D$%d", villageSheet, len(villages)+1)))
	}
	for _, dv := range dvs {
		if err := f.AddDataValidation(sh, dv); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(codeSheet, false); err != nil {
		return err
	}

	if _, err := f.NewSheet(guideSheet); err != nil {
		return err
	}
	for i, p := range deputyGuide {
		if err := f.SetCellStr(guideSheet, fmt.Sprintf("A%d", i+1), p); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(guideSheet, "A", "A", 120)
	f.SetActiveSheet(0)
	return nil
}

// dateNumFmt is how birth dates are shown in the template and the export.
const dateNumFmt = "yyyy-mm-dd"

// WriteDeputies writes ds to w as a deputy registry workbook with the same
// columns as the import template, so that an export imports back unchanged:
// a title row, a 填报单位/填报日期 row, the heading row, then one row per
// deputy. Birth dates are date cells, phones and credential numbers text
// cells, and text that a spreadsheet would take for a formula is neutralised
// (exportStyles.text). The sheet prints on A4 landscape, one page wide, with the
// heading row repeated on every page. Rows are streamed.
func WriteDeputies(w io.Writer, ds []ExportDeputy, meta ExportMeta) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := writeDeputies(f, ds, meta); err != nil {
		return fmt.Errorf("xlsx.WriteDeputies: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx.WriteDeputies: write: %w", err)
	}
	return nil
}

func writeDeputies(f *excelize.File, ds []ExportDeputy, meta ExportMeta) error {
	dateFmt := dateNumFmt
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	dateStyle, err := f.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center"}, CustomNumFmt: &dateFmt})
	if err != nil {
		return err
	}
	sw, styles, err := startExport(f, DeputySheetName, DeputyColumns[:], deputyColumnWidths[:], meta)
	if err != nil {
		return err
	}
	values := make([]any, numDeputyColumns)
	for i, d := range ds {
		values[dcolSeq] = styles.num(i + 1)
		values[dcolName] = styles.text(d.Name)
		values[dcolGender] = styles.text(deputy.Genders.Label(d.Gender))
		values[dcolEthnicity] = styles.text(d.Ethnicity)
		values[dcolBirthDate] = styles.empty()
		if d.BirthDate != nil {
			b := *d.BirthDate
			values[dcolBirthDate] = excelize.Cell{StyleID: dateStyle, Value: time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)}
		}
		values[dcolLevels] = styles.text(deputy.LevelLabels(d.Levels))
		values[dcolCategory] = styles.text(deputy.Categories.Label(d.Category))
		values[dcolTerm] = styles.text(d.Term)
		values[dcolCredential] = styles.text(d.CredentialNumber)
		values[dcolWorkUnit] = styles.text(d.WorkUnit)
		values[dcolPost] = styles.text(d.Post)
		values[dcolPhone] = styles.text(d.Phone)
		values[dcolTownship] = styles.text(d.TownshipName)
		values[dcolVillage] = styles.text(d.VillageName)
		values[dcolStatus] = styles.text(deputy.Statuses.Label(d.Status))
		if err := sw.SetRow(fmt.Sprintf("A%d", headingRowExport+1+i), values); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// ReadDeputies reads a deputy registry workbook (the first sheet) of size
// bytes from r and validates every row with deputy.Parse, so the rules are
// the form's. resolveTownship maps a township name (所在乡(镇)) to its 9-digit
// code and resolveVillage a township name and village name (所在村（社区）) to
// the village's 12-digit code; ok is false when the county has no such place.
// now is "today" for the age check.
//
// It returns either the deputies and no row errors, or no deputies and every
// row error found (in row order, at most 1000): an import is all-or-nothing
// and the caller commits nothing when errs is not empty. 出生日期 may be a date
// cell, an Excel serial number (27394), or text: 1975-02-28, 1975/2/28,
// 1975.2.28, 1975年2月28日 or 19750228, in full-width digits too; a date that
// does not exist (1975-02-30) is a row error. 代表层级 is one or two labels
// separated by 、 (or , ; / or a space). An empty 状态 is 在任.
//
// A deputy is identified by its 代表证号 when it has one, otherwise by 姓名 +
// 出生日期 + 所在乡(镇) (store.ImportDeputies matches the same way); a key that
// occurs twice in the file is an error naming both rows.
//
// err is a *FileError when the file as a whole is refused (see
// ReadHouseholds for the limits). The sheet is read as a stream.
func ReadDeputies(r io.ReaderAt, size int64, lim Limits, resolveTownship func(name string) (code string, ok bool), resolveVillage func(township, village string) (string, bool), now time.Time) ([]Deputy, []RowError, error) {
	f, rows, merges, err := openSheet(r, size, lim, DeputyColumns[:])
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	defer rows.Close()
	dr := &deputyReader{resolveTownship: resolveTownship, resolveVillage: resolveVillage, now: now,
		errs: map[cellKey]bool{}, credentials: map[string]int{}, persons: map[string]int{}, personsNoCred: map[string]int{}}
	if p, err := f.GetWorkbookProps(); err == nil && p.Date1904 != nil {
		dr.date1904 = *p.Date1904
	}
	found, herr, err := scanSheet(rows, lim, DeputyColumns[:], merges, func(n int, cells []string) bool {
		if len(dr.list) >= maxErrors {
			return false
		}
		dr.row(n, cells)
		return true
	})
	switch {
	case err != nil:
		return nil, nil, err
	case herr != nil:
		return nil, []RowError{*herr}, nil
	case !found:
		return nil, []RowError{{Row: 1, Reason: "没有找到表头行（序号、姓名、性别……）；请下载导入模板，把数据粘贴到模板中后再上传"}}, nil
	}
	if len(dr.list) >= maxErrors {
		dr.list = append(dr.list, RowError{Reason: fmt.Sprintf("错误太多，只列出了前%d条；请改正后重新上传", maxErrors)})
	}
	if len(dr.list) > 0 {
		return nil, sortedErrors(dr.list, DeputyColumns[:]), nil
	}
	return dr.deputies, nil, nil
}

type deputyReader struct {
	resolveTownship func(string) (string, bool)
	resolveVillage  func(string, string) (string, bool)
	now             time.Time
	date1904        bool
	deputies        []Deputy
	list            []RowError
	errs            map[cellKey]bool
	credentials     map[string]int // 代表证号 → first row
	persons         map[string]int // 姓名|出生日期|乡镇 → first row
	personsNoCred   map[string]int // the same, of rows without 代表证号
}

// add records reason at (row, col) unless that cell already has an error.
func (dr *deputyReader) add(row, col int, reason string) {
	k := cellKey{row, col}
	if dr.errs[k] || len(dr.list) >= maxErrors {
		return
	}
	dr.errs[k] = true
	column := ""
	if col >= 0 {
		column = DeputyColumns[col]
	}
	dr.list = append(dr.list, RowError{Row: row, Column: column, Reason: reason})
}

// deputyFieldColumns maps deputy.Parse's field names to columns.
var deputyFieldColumns = map[string]int{
	"name": dcolName, "gender": dcolGender, "birth_date": dcolBirthDate, "levels": dcolLevels,
	"category": dcolCategory, "home_township_code": dcolTownship, "home_village_code": dcolVillage,
	"phone": dcolPhone, "work_unit": dcolWorkUnit, "credential_number": dcolCredential,
}

func (dr *deputyReader) row(n int, c []string) {
	empty := true
	for _, v := range c {
		if strings.TrimFunc(v, isSpace) != "" {
			empty = false
			break
		}
	}
	if empty {
		return
	}
	in := deputy.Input{
		Name:             personName(cellText(c, dcolName)),
		Gender:           sexValue(codeText(c, dcolGender)),
		Ethnicity:        codeText(c, dcolEthnicity),
		Category:         codeValue(deputy.Categories, codeText(c, dcolCategory)),
		Term:             codeText(c, dcolTerm),
		WorkUnit:         cellText(c, dcolWorkUnit),
		Post:             cellText(c, dcolPost),
		Phone:            compact(c, dcolPhone),
		CredentialNumber: compact(c, dcolCredential),
	}

	// 出生日期.
	if s := cellText(c, dcolBirthDate); s != "" {
		b, reason := parseDate(s, dr.date1904)
		if reason != "" {
			dr.add(n, dcolBirthDate, reason)
		} else {
			in.BirthDate = b.Format(time.DateOnly)
		}
	}

	// 代表层级: one or two labels.
	for _, l := range strings.FieldsFunc(cellText(c, dcolLevels), func(r rune) bool {
		return isSpace(r) || strings.ContainsRune("、,，;；/", r)
	}) {
		v, ok := levelValue(l)
		if !ok {
			dr.add(n, dcolLevels, fmt.Sprintf("代表层级“%s”不在选项中；应为 %s 之一，两项之间用顿号分隔", l, strings.Join(labels(deputy.Levels), "、")))
			continue
		}
		in.Levels = append(in.Levels, v)
	}
	if len(in.Levels) > 2 {
		dr.add(n, dcolLevels, "代表层级最多两项")
	}

	// 所在乡(镇) and 所在村（社区）.
	town, village := codeText(c, dcolTownship), codeText(c, dcolVillage)
	townOK := false
	switch {
	case town == "":
		dr.add(n, dcolTownship, "请填写所在乡(镇)")
	default:
		if code, ok := dr.resolveTownship(town); ok {
			in.HomeTownshipCode, townOK = code, true
		} else {
			dr.add(n, dcolTownship, fmt.Sprintf("本县（市）没有“%s”；乡(镇)名称见模板的“村庄名录”", town))
		}
	}
	villageOK := village == ""
	if village != "" && townOK {
		if code, ok := dr.resolveVillage(town, village); ok {
			in.HomeVillageCode, villageOK = code, true
		} else {
			dr.add(n, dcolVillage, fmt.Sprintf("%s没有“%s”；村（社区）名称见模板的“村庄名录”，也可以留空", town, village))
		}
	}

	// 状态.
	status := "active"
	switch s := codeText(c, dcolStatus); s {
	case "":
	case "离任":
		status = "left_office"
	default:
		status = codeValue(deputy.Statuses, s)
		if !deputy.Statuses.Has(status) {
			dr.add(n, dcolStatus, "状态应为 在任 或 已离任")
		}
	}

	inCounty := func(code string) bool { return code == in.HomeTownshipCode || code == in.HomeVillageCode }
	parsed, ferrs := deputy.Parse(in, inCounty, dr.now)
	for key, msg := range ferrs {
		col, ok := deputyFieldColumns[key]
		switch {
		case !ok:
			col = -1
		case key == "home_township_code" && !townOK, key == "home_village_code" && !villageOK:
			continue // reported above
		case key == "work_unit" && len([]rune(strings.TrimSpace(in.WorkUnit))) <= 100:
			col = dcolPost
		}
		dr.add(n, col, msg)
	}

	dr.checkKey(n, in)
	if len(dr.list) > 0 {
		return // nothing is returned once any row is wrong
	}
	dr.deputies = append(dr.deputies, Deputy{Deputy: parsed, Status: status, Row: n})
}

// checkKey refuses a deputy that the file already holds: the same 代表证号,
// or (when either row has none) the same 姓名, 出生日期 and 所在乡(镇), which
// the import would take for the same person.
func (dr *deputyReader) checkKey(n int, in deputy.Input) {
	person := strings.TrimSpace(in.Name) + "|" + in.BirthDate + "|" + in.HomeTownshipCode
	if in.HomeTownshipCode == "" || strings.TrimSpace(in.Name) == "" {
		person = "" // not a usable key; the row is wrong anyway
	}
	if in.CredentialNumber != "" {
		if first, dup := dr.credentials[in.CredentialNumber]; dup {
			dr.add(n, dcolCredential, fmt.Sprintf("代表证号与第%d行重复（第%d行、第%d行）", first, first, n))
			return
		}
		dr.credentials[in.CredentialNumber] = n
		if first, dup := dr.personsNoCred[person]; dup && person != "" {
			dr.add(n, dcolName, fmt.Sprintf("与第%d行姓名、出生日期、所在乡(镇)都相同，会被当作同一名代表（第%d行、第%d行）；同一人只填一行，不同的人请在两行都填写代表证号", first, first, n))
		}
		if _, seen := dr.persons[person]; !seen && person != "" {
			dr.persons[person] = n
		}
		return
	}
	if person == "" {
		return
	}
	if first, dup := dr.persons[person]; dup {
		dr.add(n, dcolName, fmt.Sprintf("与第%d行姓名、出生日期、所在乡(镇)都相同，会被当作同一名代表（第%d行、第%d行）；同一人只填一行，不同的人请在两行都填写代表证号", first, first, n))
		return
	}
	dr.persons[person] = n
	dr.personsNoCred[person] = n
}

// levelValue maps a 代表层级 label (or an alias of the township level) to its
// stored value.
func levelValue(label string) (string, bool) {
	label = width0(label)
	for _, it := range deputy.Levels {
		if it.Label == label {
			return it.Value, true
		}
	}
	v, ok := levelAliases[label]
	return v, ok
}

// width0 writes full-width brackets half width: 乡（镇） → 乡(镇).
func width0(s string) string {
	return strings.NewReplacer("（", "(", "）", ")").Replace(s)
}

// personName is a name with the spaces removed that rosters put between the
// characters of a Chinese name to line it up (王　伟 → 王伟); a name with
// other letters keeps its spaces.
func personName(s string) string {
	for _, r := range s {
		if !isSpace(r) && !unicode.Is(unicode.Han, r) {
			return s
		}
	}
	return strings.Join(strings.FieldsFunc(s, isSpace), "")
}

// parseDate reads a date cell's raw value (an Excel serial number, date1904
// for workbooks on the 1904 date system) or a date written as text, and
// returns the day at UTC midnight or a Chinese reason why it is not a date.
func parseDate(s string, date1904 bool) (time.Time, string) {
	s = strings.TrimFunc(s, isSpace)
	// A time of day after the date (1975-02-28 00:00:00) is dropped.
	if i := strings.IndexAny(s, ":："); i >= 0 {
		if j := strings.LastIndexFunc(s[:i], func(r rune) bool { return isSpace(r) || r == 'T' }); j > 0 {
			s = s[:j]
		}
	}
	s = width.Narrow.String(strings.Join(strings.FieldsFunc(s, isSpace), ""))
	bad := fmt.Sprintf("出生日期“%s”无法识别；请写成 1975-02-28、1975/2/28 或 1975年2月28日", s)

	// An Excel serial number: what a date cell holds (27394 = 1975-01-01), or
	// a date cell pasted as a number; a fraction is a time of day. Numbers
	// below 3653 (1910) are taken for a mistyped date ("1975", "1975.2"),
	// not for a day of the 1900s' first decade.
	if whole, frac, _ := strings.Cut(s, "."); len(whole) <= 6 && allDigits(whole) && (frac == "" || allDigits(frac)) {
		n, _ := strconv.Atoi(whole)
		if t, ok := serialDate(n, date1904); ok && n >= 3653 {
			return t, ""
		}
		return time.Time{}, bad
	}
	var parts []string
	if len(s) == 8 && allDigits(s) {
		parts = []string{s[:4], s[4:6], s[6:]} // 19750228
	} else {
		parts = strings.FieldsFunc(strings.TrimRight(s, "日号"), func(r rune) bool { return strings.ContainsRune("-/.年月", r) })
	}
	if len(parts) != 3 || len(parts[0]) != 4 {
		return time.Time{}, bad
	}
	var ymd [3]int
	for i, p := range parts {
		if !allDigits(p) || len(p) > 4 {
			return time.Time{}, bad
		}
		ymd[i], _ = strconv.Atoi(p)
	}
	t := time.Date(ymd[0], time.Month(ymd[1]), ymd[2], 0, 0, 0, 0, time.UTC)
	if ymd[1] < 1 || ymd[1] > 12 || t.Day() != ymd[2] {
		return time.Time{}, fmt.Sprintf("出生日期“%s”不存在（%d年没有%d月%d日）", s, ymd[0], ymd[1], ymd[2])
	}
	return t, ""
}

// serialDate is the day of an Excel serial number. In the 1900 system day 1
// is 1900-01-01 and day 60 the 1900-02-29 that Excel pretends existed (Lotus
// 1-2-3's bug), so from day 61 on day n is 1899-12-30 + n; in the 1904
// system day 0 is 1904-01-01.
func serialDate(n int, date1904 bool) (time.Time, bool) {
	switch {
	case date1904:
		return time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), true
	case n < 1 || n == 60:
		return time.Time{}, false
	case n < 60:
		return time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), true
	}
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
