// Package xlsx reads and writes the household roster workbooks (贫困户花名册)
// that county and township offices keep in Excel, on
// github.com/xuri/excelize/v2: the import template with dropdowns, the
// all-or-nothing import reader (every bad row reported with its row, column
// and a Chinese reason) and the export writer. It has no SQL and no HTTP; the
// rules of a household are household.Parse's, so a workbook row is accepted
// exactly when the same values typed into the form would be.
//
// The roster has one row per person, as township rosters are kept: the head
// of household's row (与户主关系 = 户主) carries the household-level columns and
// is followed by the rows of the other members, who repeat the head's name in
// 户主姓名.
//
// The deputy registry (人大代表花名册, deputy.go) has one row per deputy and
// the same template / all-or-nothing reader / export writer, on deputy.Parse.
package xlsx

import (
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/household"
)

// SheetName is the name of the roster sheet written by this package. The
// reader reads the first sheet, whatever its name.
const SheetName = "贫困户花名册"

// Column indexes of the roster, in order.
const (
	colSeq = iota
	colTownship
	colVillage
	colGroup
	colHeadName
	colName
	colIDNumber
	colSize
	colRelation
	colSex
	colEthnicity
	colEducation
	colSchooling
	colHealth
	colLabour
	colMigrantWork
	colAttribute
	colStandard
	colMainCause
	colOtherCauses
	colIdentificationYear
	colIncome
	colStatus
	colExitedYear
	colPlannedExitYear
	colPhone
	colRemark
	numColumns
)

// Columns are the roster headings, in order, as the office's rosters write
// them. The template, the export and the reader share them, so an export
// imports back unchanged.
var Columns = [numColumns]string{
	"序号", "乡(镇)", "行政村", "组", "户主姓名", "姓名", "身份证号码", "家庭人口", "与户主关系", "性别",
	"民族", "文化程度", "在校生状况", "健康状况", "劳动能力", "务工状况", "贫困户属性", "识别标准",
	"主要致贫原因", "其他致贫原因", "识别年度", "人均纯收入（元）", "脱贫状态", "脱贫年度", "计划脱贫年度",
	"联系电话", "备注",
}

// Village is one village of the county as offered in the template's
// 乡(镇)/行政村 dropdowns.
type Village struct {
	Township string // 乡镇 name, e.g. 弼时镇
	Name     string // 村 name, e.g. 玉池村
}

// Limits bound what ReadHouseholds accepts, so that an oversized upload, a zip
// bomb or a sheet claiming a million rows is refused before it costs memory.
type Limits struct {
	MaxFileBytes     int64 // size of the .xlsx file as uploaded
	MaxUnzippedBytes int64 // sum of the declared sizes of the parts inside the zip
	MaxRows          int   // rows of the sheet after the heading, empty rows included
}

// DefaultLimits are the limits of the upload form: 20 MiB file, 200 MiB
// unpacked, 60,000 rows (a county's whole roster is about 10,000 people).
var DefaultLimits = Limits{MaxFileBytes: 20 << 20, MaxUnzippedBytes: 200 << 20, MaxRows: 60000}

// RowError is one problem in an uploaded workbook. Row is the Excel row
// number as the user sees it (0 for the workbook as a whole), Column the
// Chinese heading ("" when the whole row is concerned) and Reason a Chinese
// sentence a clerk can act on.
type RowError struct {
	Row    int
	Column string
	Reason string
}

func (e RowError) String() string {
	switch {
	case e.Row == 0:
		return e.Reason
	case e.Column == "":
		return fmt.Sprintf("第%d行：%s", e.Row, e.Reason)
	}
	return fmt.Sprintf("第%d行【%s】：%s", e.Row, e.Column, e.Reason)
}

// FileError is a workbook refused as a whole: too large, too many rows, not
// an .xlsx file. Message is Chinese and may be shown to the user as is.
type FileError struct {
	Message string
	Err     error // the underlying cause, if any (for the log)
}

func (e *FileError) Error() string {
	if e.Err != nil {
		return "xlsx: " + e.Message + ": " + e.Err.Error()
	}
	return "xlsx: " + e.Message
}

func (e *FileError) Unwrap() error { return e.Err }

// IsFileError reports whether err is a *FileError and returns its message.
func IsFileError(err error) (string, bool) {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe.Message, true
	}
	return "", false
}

// Household is one household read from a roster: the validated household
// (head, members, household-level fields), its 脱贫状态 and exit year from the
// file, and the Excel row of its head (to place errors found later, such as an
// ID number already registered in another household).
//
// Its fields are exactly those of store.ImportHousehold, so a caller converts
// with store.ImportHousehold(h).
type Household struct {
	household.Household
	Status     string // not_exited, exited or relapsed (household.Statuses)
	ExitedYear int    // 0 = none
	Row        int
}

// ExportHousehold is one household to write: the household with its head and
// members in order, its status and exit year, and the names of its township
// and village. Masking personal data is the caller's job: whatever IDNumber
// and Phone hold is written.
//
// Its fields are exactly those of store.ExportHousehold, so a caller converts
// with xlsx.ExportHousehold(row).
type ExportHousehold struct {
	household.Household
	Status       string
	ExitedYear   int
	TownshipName string
	VillageName  string
}

// ExportMeta is the title block of an export: the title row and the
// 填报单位 / 填报日期 row.
type ExportMeta struct {
	Title string // e.g. 汨罗市建档立卡贫困户花名册
	// Notice follows the title on the first row, e.g. that the file holds
	// personal data; it is not part of the document's title property.
	Notice string
	Unit   string    // 填报单位, e.g. 汨罗市人大常委会办公室
	Date   time.Time // 填报日期, shown as 2026年11月29日
	// Intro are lines between the 填报单位 row and the headings, e.g. a
	// household ledger's household, deputy, measures and goal; each fills
	// one merged row.
	Intro []string
}

// headingRow is the row of the headings of an export with meta.
func (meta ExportMeta) headingRow() int { return headingRowExport + len(meta.Intro) }

// sexLabel and sexValue translate the stored sex to the roster's 男/女.
func sexLabel(v string) string {
	switch v {
	case "male":
		return "男"
	case "female":
		return "女"
	}
	return v
}

func sexValue(label string) string {
	switch label {
	case "男":
		return "male"
	case "女":
		return "female"
	}
	return label
}
