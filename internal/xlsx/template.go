package xlsx

import (
	"fmt"
	"io"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/xuri/excelize/v2"
)

const (
	villageSheet  = "村庄名录"
	codeSheet     = "代码表"
	guideSheet    = "填写说明"
	templateRows  = 20000 // rows of the template that carry the dropdowns
	numFmtText    = 49    // Excel's built-in "@" (text) number format
	numFmtYuan    = 4     // Excel's built-in "#,##0.00"
	numFmtInteger = 1     // Excel's built-in "0"
)

// columnWidths are the printed widths of the roster columns, in characters.
var columnWidths = [numColumns]float64{
	5, 10, 10, 6, 8, 8, 20, 5, 7, 4, 6, 10, 8, 9, 9, 12, 12, 8, 12, 14, 6, 11, 7, 6, 7, 13, 16,
}

// codedColumns are the columns whose cells hold a label from a code list,
// with that list; the template offers them as dropdowns.
var codedColumns = []struct {
	col    int
	labels []string
}{
	{colSex, []string{"男", "女"}},
	{colRelation, labels(household.Relations)},
	{colEducation, labels(household.Educations)},
	{colSchooling, labels(household.Schoolings)},
	{colHealth, labels(household.Healths)},
	{colLabour, labels(household.Labours)},
	{colMigrantWork, labels(household.MigrantWorks)},
	{colAttribute, labels(household.Attributes)},
	{colStandard, labels(household.Standards)},
	{colMainCause, labels(household.Causes)},
	{colStatus, labels(household.Statuses)},
}

func labels(l codelist.List) []string {
	out := make([]string, len(l))
	for i, it := range l {
		out[i] = it.Label
	}
	return out
}

// guide is the 填写说明 sheet, one paragraph a row.
var guide = []string{
	"贫困户花名册导入说明",
	"1. 每人一行：先填户主一行（与户主关系选“户主”），紧接着填该户其他成员，每位成员一行；成员行的“户主姓名”必须与本户户主相同。",
	"2. 乡(镇)、组、贫困户属性、识别标准、致贫原因、识别年度、人均纯收入、脱贫状态、脱贫年度、计划脱贫年度、联系电话、备注等户级信息只读户主那一行；成员行可以重复填写，也可以留空。",
	"3. 家庭人口填本户总人数（含户主），必须等于本户的行数。",
	"4. 身份证号码必须设为“文本”格式后再填写（模板中该列已设好）。若Excel把身份证号存成了数字（如 4.30681E+17），后几位已经丢失，系统会拒收，请把该列设为文本后重新输入。末位X请用大写。",
	"5. 带下拉框的列请从下拉框中选择；乡(镇)和行政村的名称见“村庄名录”工作表。",
	"6. 其他致贫原因最多两项，用顿号“、”或逗号分隔，且不能与主要致贫原因相同。",
	"7. 年度填四位数字，如 2016；人均纯收入以元为单位，最多两位小数，如 3280.50。全角数字和多余的空格会被自动忽略。",
	"8. 脱贫状态为“已脱贫”时必须填写脱贫年度；“未脱贫”时不要填写脱贫年度。",
	"9. 导入是“全部成功或全部不导入”：只要有一行有错，整个文件都不会导入，页面会列出每个错误的行号、列名和原因，改正后重新上传即可。",
	"10. 以身份证号码为准：户主身份证号已登记的户会被更新，未登记的户会新增；重复导入同一文件不会产生任何变化。",
}

// WriteHouseholdTemplate writes the empty import template to w: the roster
// heading row, dropdowns on every coded column and on 乡(镇)/行政村 (from a
// 村庄名录 sheet of villages), the ID number and phone columns formatted as
// text, and a 填写说明 sheet with the rules in Chinese.
//
// office, the office handing out the template, is the workbook's creator.
func WriteHouseholdTemplate(w io.Writer, villages []Village, office string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := setDocProps(f, "贫困户花名册导入模板", office); err != nil {
		return fmt.Errorf("xlsx template: %w", err)
	}
	if err := f.SetSheetName("Sheet1", SheetName); err != nil {
		return fmt.Errorf("xlsx template: %w", err)
	}
	if err := buildTemplate(f, villages); err != nil {
		return fmt.Errorf("xlsx template: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx template: write: %w", err)
	}
	return nil
}

func buildTemplate(f *excelize.File, villages []Village) error {
	heading, err := f.NewStyle(headingStyle())
	if err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: numFmtText})
	if err != nil {
		return err
	}
	row := make([]any, numColumns)
	for i, c := range Columns {
		row[i] = c
	}
	if err := f.SetSheetRow(SheetName, "A1", &row); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(numColumns)
	if err := f.SetCellStyle(SheetName, "A1", last+"1", heading); err != nil {
		return err
	}
	for i, wdt := range columnWidths {
		name, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(SheetName, name, name, wdt); err != nil {
			return err
		}
	}
	for _, c := range []int{colIDNumber, colPhone} {
		name, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColStyle(SheetName, name, text); err != nil {
			return err
		}
	}
	if err := f.SetPanes(SheetName, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}

	// 村庄名录: the county's villages (visible: clerks look names up there),
	// column A the townships once each, C:D township and village pairs.
	if _, err := f.NewSheet(villageSheet); err != nil {
		return err
	}
	if err := f.SetSheetRow(villageSheet, "A1", &[]any{"乡(镇)", "", "乡(镇)", "行政村"}); err != nil {
		return err
	}
	seen := map[string]bool{}
	nt := 0
	for i, v := range villages {
		if !seen[v.Township] {
			seen[v.Township] = true
			nt++
			if err := f.SetCellStr(villageSheet, fmt.Sprintf("A%d", nt+1), v.Township); err != nil {
				return err
			}
		}
		if err := f.SetSheetRow(villageSheet, fmt.Sprintf("C%d", i+2), &[]any{v.Township, v.Name}); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(villageSheet, "A", "D", 14)

	// 代码表 (hidden): one column per coded list, referenced by the dropdowns
	// (an inline list is limited to 255 characters).
	if _, err := f.NewSheet(codeSheet); err != nil {
		return err
	}
	dvs := []*excelize.DataValidation{}
	for i, cc := range codedColumns {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetCellStr(codeSheet, col+"1", Columns[cc.col]); err != nil {
			return err
		}
		for j, l := range cc.labels {
			if err := f.SetCellStr(codeSheet, fmt.Sprintf("%s%d", col, j+2), l); err != nil {
				return err
			}
		}
		dvs = append(dvs, dropdown(cc.col, fmt.Sprintf("'%s'!$%s$2:$%s$%d", codeSheet, col, col, len(cc.labels)+1)))
	}
	if nt > 0 {
		dvs = append(dvs,
			dropdown(colTownship, fmt.Sprintf("'%s'!$A$2:$A$%d", villageSheet, nt+1)),
			dropdown(colVillage, fmt.Sprintf("'%s'!$D$2:$D$%d", villageSheet, len(villages)+1)))
	}
	for _, dv := range dvs {
		if err := f.AddDataValidation(SheetName, dv); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(codeSheet, false); err != nil {
		return err
	}

	if _, err := f.NewSheet(guideSheet); err != nil {
		return err
	}
	for i, p := range guide {
		if err := f.SetCellStr(guideSheet, fmt.Sprintf("A%d", i+1), p); err != nil {
			return err
		}
	}
	_ = f.SetColWidth(guideSheet, "A", "A", 120)
	f.SetActiveSheet(0)
	return nil
}

// dropdown is a list validation on column col of the roster, rows 2 to
// templateRows+1, whose items are the cells of ref.
func dropdown(col int, ref string) *excelize.DataValidation {
	return dropdownTitled(col, Columns[col], ref)
}

// dropdownTitled is dropdown for a sheet whose column col has the heading
// title (shown in the error box).
func dropdownTitled(col int, title, ref string) *excelize.DataValidation {
	name, _ := excelize.ColumnNumberToName(col + 1)
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", name, name, templateRows+1)
	dv.SetSqrefDropList(ref)
	dv.SetError(excelize.DataValidationErrorStyleStop, title, "请从下拉列表中选择")
	return dv
}

func headingStyle() *excelize.Style {
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	return &excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
		Border:    border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
	}
}
