package xlsx_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"
)

var townships = map[string]string{"弼时镇": "430681107", "罗江镇": "430681101"}

func resolveTownship(name string) (string, bool) {
	code, ok := townships[name]
	return code, ok
}

func date(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// deputyRow is a valid deputy row: 李建国, born 1975-02-28, county and
// township deputy living in 弼时镇 玉池村; n varies the credential number.
func deputyRow(n int) row {
	return row{"序号": n, "姓名": "李建国", "性别": "男", "民族": "汉族", "出生日期": "1975-02-28",
		"代表层级": "汨罗市人大代表、镇人大代表", "代表构成": "生产一线", "届次": "第十二届",
		"代表证号": fmt.Sprintf("汨人代%05d", n), "工作单位": "弼时镇玉池村村民委员会", "职务": "村党总支书记",
		"联系电话": "13812345678", "所在乡(镇)": "弼时镇", "所在村（社区）": "玉池村", "状态": "在任"}
}

func deputyBook(t testing.TB, rows []row) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	heading := make([]any, len(xlsx.DeputyColumns))
	for i, c := range xlsx.DeputyColumns {
		heading[i] = c
	}
	if err := f.SetSheetRow("Sheet1", "A1", &heading); err != nil {
		t.Fatal(err)
	}
	for r, rw := range rows {
		for i, c := range xlsx.DeputyColumns {
			v, ok := rw[c]
			if !ok {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(i+1, r+2)
			var err error
			switch v := v.(type) {
			case rawNumber:
				err = f.SetCellDefault("Sheet1", cell, string(v))
			case string:
				err = f.SetCellStr("Sheet1", cell, v)
			default:
				err = f.SetCellValue("Sheet1", cell, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func readDeputies(t testing.TB, data []byte) ([]xlsx.Deputy, []xlsx.RowError, error) {
	t.Helper()
	return xlsx.ReadDeputies(bytes.NewReader(data), int64(len(data)), xlsx.DefaultLimits, resolveTownship, resolve, now)
}

func TestReadDeputiesValid(t *testing.T) {
	t.Parallel()
	r2 := deputyRow(2)
	r2["姓名"], r2["性别"], r2["民族"], r2["出生日期"] = "王秀英", "女", "", ""
	r2["代表层级"], r2["代表构成"], r2["届次"], r2["代表证号"] = "镇人大代表", "其他", "", ""
	r2["工作单位"], r2["职务"], r2["联系电话"] = "", "", ""
	r2["所在乡(镇)"], r2["所在村（社区）"], r2["状态"] = "罗江镇", "", "已离任"
	ds, errs, err := readDeputies(t, deputyBook(t, []row{deputyRow(1), r2}))
	if err != nil || len(errs) > 0 {
		t.Fatalf("ReadDeputies: err %v, row errors %v", err, errs)
	}
	want := []xlsx.Deputy{
		{Deputy: deputy.Deputy{Name: "李建国", Gender: "male", Ethnicity: "汉族", BirthDate: date(1975, 2, 28),
			Levels: []string{"county", "township"}, Category: "frontline", Term: "第十二届", WorkUnit: "弼时镇玉池村村民委员会",
			Post: "村党总支书记", Phone: "13812345678", HomeTownshipCode: "430681107", HomeVillageCode: "430681107231",
			CredentialNumber: "汨人代00001"}, Status: "active", Row: 2},
		{Deputy: deputy.Deputy{Name: "王秀英", Gender: "female", Ethnicity: "汉族", Levels: []string{"township"},
			Category: "other", HomeTownshipCode: "430681101"}, Status: "left_office", Row: 3},
	}
	if diff := cmp.Diff(want, ds); diff != "" {
		t.Errorf("deputies mismatch (-want +got):\n%s", diff)
	}
}

// TestReadDeputiesDates covers every way a birth date arrives in a clerk's
// workbook, and dates that are not dates.
func TestReadDeputiesDates(t *testing.T) {
	t.Parallel()
	wide := strings.NewReplacer("0", "０", "1", "１", "2", "２", "5", "５", "7", "７", "8", "８", "9", "９", "-", "－")
	tests := []struct {
		name  string
		value any
		want  string // the date read, or a fragment of the 出生日期 error
	}{
		{"date cell", time.Date(1975, 2, 28, 0, 0, 0, 0, time.UTC), "1975-02-28"},
		{"serial number cell", 27453, "1975-02-28"},
		{"serial number, raw", rawNumber("27453"), "1975-02-28"},
		{"serial number as text", "27453", "1975-02-28"},
		{"serial number with a time of day", rawNumber("27453.75"), "1975-02-28"},
		{"the brief's serial", 27394, "1974-12-31"},
		{"ISO", "1975-02-28", "1975-02-28"},
		{"ISO without zeros", "1975-2-8", "1975-02-08"},
		{"slashes", "1975/2/28", "1975-02-28"},
		{"Chinese", "1975年2月28日", "1975-02-28"},
		{"Chinese without 日", "1975年2月28", "1975-02-28"},
		{"dots", "1975.2.28", "1975-02-28"},
		{"eight digits", "19750228", "1975-02-28"},
		{"full-width digits", wide.Replace("1975-02-28"), "1975-02-28"},
		{"full-width Chinese", wide.Replace("1975年2月28日"), "1975-02-28"},
		{"stray spaces", " 1975 / 2 / 28\u3000", "1975-02-28"},
		{"with a time", "1975-02-28 00:00:00", "1975-02-28"},
		{"leap day", "1976-02-29", "1976-02-29"},
		{"30 February", "1975-02-30", "不存在"},
		{"29 February of a common year", "1975年2月29日", "不存在"},
		{"month 13", "1975/13/1", "不存在"},
		{"day 0", "1975.2.0", "不存在"},
		{"a year alone", "1975", "无法识别"},
		{"year and month", "1975.2", "无法识别"},
		{"two-digit year", "75-2-28", "无法识别"},
		{"words", "不详", "无法识别"},
		{"Excel's 29 February 1900", rawNumber("60"), "无法识别"},
		{"too young", "2015-01-01", "18至100"},
		{"too old", "1920-01-01", "18至100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := deputyRow(1)
			r["出生日期"] = tt.value
			ds, errs, err := readDeputies(t, deputyBook(t, []row{r}))
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) == 0 {
				if got := ds[0].BirthDate.Format(time.DateOnly); got != tt.want {
					t.Errorf("birth date %s, want %s", got, tt.want)
				}
				return
			}
			if len(errs) != 1 || errs[0].Row != 2 || errs[0].Column != "出生日期" || !strings.Contains(errs[0].Reason, tt.want) {
				t.Errorf("errors %v, want one at row 2 出生日期 containing %q", errs, tt.want)
			}
		})
	}
}

// TestReadDeputiesDate1904 reads a serial number of a workbook on the 1904
// date system (old Mac Excel), where day 0 is 1904-01-01.
func TestReadDeputiesDate1904(t *testing.T) {
	t.Parallel()
	f, err := excelize.OpenReader(bytes.NewReader(deputyBook(t, []row{deputyRow(1)})))
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellDefault("Sheet1", "E2", "25991"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	ds, errs, err := readDeputies(t, buf.Bytes())
	if err != nil || len(errs) > 0 || ds[0].BirthDate.Format(time.DateOnly) != "1975-02-28" {
		t.Errorf("got %v, %v, %v", ds, errs, err)
	}
}

func TestReadDeputiesRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		col    string
		value  any
		column string // column of the error
		reason string // a fragment of the reason
	}{
		{"name missing", "姓名", "", "姓名", "请输入姓名"},
		{"name too short", "姓名", "李", "姓名", "2至20个字"},
		{"name too long", "姓名", strings.Repeat("李", 21), "姓名", "2至20个字"},
		{"gender missing", "性别", "", "性别", "请选择性别"},
		{"gender unknown", "性别", "男性", "性别", "请选择性别"},
		{"levels missing", "代表层级", "", "代表层级", "请选择代表层级"},
		{"level unknown", "代表层级", "县人大代表", "代表层级", "不在选项中"},
		{"three levels", "代表层级", "全国人大代表、汨罗市人大代表、镇人大代表", "代表层级", "最多两项"},
		{"category missing", "代表构成", "", "代表构成", "请选择代表构成"},
		{"category unknown", "代表构成", "干部", "代表构成", "请选择代表构成"},
		{"township missing", "所在乡(镇)", "", "所在乡(镇)", "请填写所在乡(镇)"},
		{"township unknown", "所在乡(镇)", "不存在镇", "所在乡(镇)", "没有“不存在镇”"},
		{"village unknown", "所在村（社区）", "不存在村", "所在村（社区）", "没有“不存在村”"},
		{"village of another township", "所在乡(镇)", "罗江镇", "所在村（社区）", "罗江镇没有“玉池村”"},
		{"mobile too short", "联系电话", "1381234567", "联系电话", "11位手机号"},
		{"bad landline", "联系电话", "0730-52222", "联系电话", "固定电话"},
		{"work unit too long", "工作单位", strings.Repeat("单", 101), "工作单位", "100个字"},
		{"post too long", "职务", strings.Repeat("职", 51), "职务", "50个字"},
		{"credential number too long", "代表证号", strings.Repeat("9", 31), "代表证号", "30个字符"},
		{"status unknown", "状态", "调离", "状态", "在任 或 已离任"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rows := []row{deputyRow(1), deputyRow(2), deputyRow(3)}
			rows[1]["姓名"] = "张有才" // not the same person as rows 1 and 3 by any key
			rows[1][tt.col] = tt.value
			ds, errs, err := readDeputies(t, deputyBook(t, rows))
			if err != nil {
				t.Fatal(err)
			}
			if ds != nil {
				t.Errorf("deputies returned despite errors: %d", len(ds))
			}
			for _, e := range errs {
				if e.Row == 3 && e.Column == tt.column && strings.Contains(e.Reason, tt.reason) {
					return
				}
			}
			t.Errorf("want an error at row 3 %s containing %q, got %v", tt.column, tt.reason, errs)
		})
	}

	// The right values of the same rules pass.
	right := []struct {
		name  string
		col   string
		value any
		check func(d xlsx.Deputy) bool
	}{
		{"status empty is active", "状态", "", func(d xlsx.Deputy) bool { return d.Status == "active" }},
		{"已离任", "状态", "已离任", func(d xlsx.Deputy) bool { return d.Status == "left_office" }},
		{"离任", "状态", "离任", func(d xlsx.Deputy) bool { return d.Status == "left_office" }},
		{"no village", "所在村（社区）", "", func(d xlsx.Deputy) bool { return d.HomeVillageCode == "" }},
		{"one level", "代表层级", "全国人大代表", func(d xlsx.Deputy) bool { return cmp.Equal(d.Levels, []string{"national"}) }},
		{"comma, order kept", "代表层级", "镇人大代表,汨罗市人大代表", func(d xlsx.Deputy) bool {
			return cmp.Equal(d.Levels, []string{"township", "county"})
		}},
		{"space", "代表层级", "省人大代表 岳阳市人大代表", func(d xlsx.Deputy) bool {
			return cmp.Equal(d.Levels, []string{"provincial", "prefectural"})
		}},
		{"township alias", "代表层级", "乡（镇）人大代表", func(d xlsx.Deputy) bool { return cmp.Equal(d.Levels, []string{"township"}) }},
		{"padded name", "姓名", "李　建国 ", func(d xlsx.Deputy) bool { return d.Name == "李建国" }},
		{"minority name keeps its spaces", "姓名", "Ali Hasan", func(d xlsx.Deputy) bool { return d.Name == "Ali Hasan" }},
		{"landline", "联系电话", "0730-5222222", func(d xlsx.Deputy) bool { return d.Phone == "0730-5222222" }},
		{"full-width spaced mobile", "联系电话", "１３８ １２３４ ５６７８", func(d xlsx.Deputy) bool { return d.Phone == "13812345678" }},
		{"mobile as a number cell", "联系电话", 13812345678, func(d xlsx.Deputy) bool { return d.Phone == "13812345678" }},
		{"no phone", "联系电话", "", func(d xlsx.Deputy) bool { return d.Phone == "" }},
		{"ethnicity empty is 汉族", "民族", "", func(d xlsx.Deputy) bool { return d.Ethnicity == "汉族" }},
		{"ethnicity", "民族", " 土家族 ", func(d xlsx.Deputy) bool { return d.Ethnicity == "土家族" }},
		{"category", "代表构成", "非公经济人士", func(d xlsx.Deputy) bool { return d.Category == "private_sector" }},
		{"credential number full width", "代表证号", "汨人代０００１２", func(d xlsx.Deputy) bool { return d.CredentialNumber == "汨人代00012" }},
		{"neutralised text", "工作单位", "'=1+2", func(d xlsx.Deputy) bool { return d.WorkUnit == "=1+2" }},
		{"birth date empty", "出生日期", "", func(d xlsx.Deputy) bool { return d.BirthDate == nil }},
	}
	for _, tt := range right {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := deputyRow(1)
			r[tt.col] = tt.value
			ds, errs, err := readDeputies(t, deputyBook(t, []row{r}))
			if err != nil || len(errs) > 0 || len(ds) != 1 {
				t.Fatalf("got %d deputies, err %v, row errors %v", len(ds), err, errs)
			}
			if !tt.check(ds[0]) {
				t.Errorf("read %+v", ds[0])
			}
		})
	}
}

func TestReadDeputiesKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		rows   func() []row
		want   []xlsx.RowError // nil: accepted
		wantOK int             // deputies when accepted
	}{
		{"same credential number twice", func() []row {
			a, b := deputyRow(1), deputyRow(1)
			b["姓名"] = "张有才"
			return []row{a, deputyRow(2), b}
		}, []xlsx.RowError{{Row: 4, Column: "代表证号", Reason: "代表证号与第2行重复（第2行、第4行）"}}, 0},
		{"same person twice without credential numbers", func() []row {
			a, b := deputyRow(1), deputyRow(2)
			a["代表证号"], b["代表证号"] = "", ""
			b["出生日期"] = "1975年2月28日" // the same day written otherwise
			return []row{a, b}
		}, []xlsx.RowError{{Row: 3, Column: "姓名", Reason: "与第2行姓名、出生日期、所在乡(镇)都相同，会被当作同一名代表（第2行、第3行）；同一人只填一行，不同的人请在两行都填写代表证号"}}, 0},
		{"same person, one credential number", func() []row {
			a, b := deputyRow(1), deputyRow(2)
			a["代表证号"] = ""
			return []row{a, b}
		}, []xlsx.RowError{{Row: 3, Column: "姓名", Reason: "与第2行姓名、出生日期、所在乡(镇)都相同，会被当作同一名代表（第2行、第3行）；同一人只填一行，不同的人请在两行都填写代表证号"}}, 0},
		{"same person, other credential number first", func() []row {
			a, b := deputyRow(1), deputyRow(2)
			b["代表证号"] = ""
			return []row{a, b}
		}, []xlsx.RowError{{Row: 3, Column: "姓名", Reason: "与第2行姓名、出生日期、所在乡(镇)都相同，会被当作同一名代表（第2行、第3行）；同一人只填一行，不同的人请在两行都填写代表证号"}}, 0},
		{"namesakes with credential numbers", func() []row { return []row{deputyRow(1), deputyRow(2)} }, nil, 2},
		{"namesakes in other townships", func() []row {
			a, b := deputyRow(1), deputyRow(2)
			a["代表证号"], b["代表证号"] = "", ""
			b["所在乡(镇)"], b["所在村（社区）"] = "罗江镇", ""
			return []row{a, b}
		}, nil, 2},
		{"namesakes born on other days", func() []row {
			a, b := deputyRow(1), deputyRow(2)
			a["代表证号"], b["代表证号"] = "", ""
			b["出生日期"] = "1975-03-01"
			return []row{a, b}
		}, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ds, errs, err := readDeputies(t, deputyBook(t, tt.rows()))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, errs); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
			if len(ds) != tt.wantOK {
				t.Errorf("%d deputies, want %d", len(ds), tt.wantOK)
			}
		})
	}
}

func TestReadDeputiesStructure(t *testing.T) {
	t.Parallel()
	t.Run("one bad row in the middle, empty rows skipped", func(t *testing.T) {
		t.Parallel()
		var rows []row
		for i := 1; i <= 40; i++ {
			rows = append(rows, deputyRow(i))
		}
		rows[20]["代表构成"] = "干部" // Excel row 22
		rows = append(rows, row{}, row{"职务": " "}, deputyRow(41))
		ds, errs, err := readDeputies(t, deputyBook(t, rows))
		if err != nil {
			t.Fatal(err)
		}
		want := []xlsx.RowError{{Row: 22, Column: "代表构成", Reason: "请选择代表构成"}}
		if diff := cmp.Diff(want, errs); diff != "" || ds != nil {
			t.Errorf("deputies %d; mismatch (-want +got):\n%s", len(ds), diff)
		}
	})
	t.Run("errors in row and column order", func(t *testing.T) {
		t.Parallel()
		rows := []row{deputyRow(1), deputyRow(2)}
		rows[1]["状态"], rows[1]["性别"], rows[0]["联系电话"] = "?", "?", "?"
		_, errs, _ := readDeputies(t, deputyBook(t, rows))
		var got []string
		for _, e := range errs {
			got = append(got, fmt.Sprintf("%d %s", e.Row, e.Column))
		}
		if diff := cmp.Diff([]string{"2 联系电话", "3 性别", "3 状态"}, got); diff != "" {
			t.Errorf("order mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("heading differs", func(t *testing.T) {
		t.Parallel()
		f := excelize.NewFile()
		heading := make([]any, len(xlsx.DeputyColumns))
		for i, c := range xlsx.DeputyColumns {
			heading[i] = c
		}
		heading[8] = "代表证编号"
		_ = f.SetSheetRow("Sheet1", "A1", &heading)
		var buf bytes.Buffer
		_ = f.Write(&buf)
		_, errs, err := readDeputies(t, buf.Bytes())
		if err != nil || len(errs) != 1 || !strings.Contains(errs[0].Reason, "第I列应为“代表证号”，实为“代表证编号”") {
			t.Errorf("got %v, %v", errs, err)
		}
	})
	t.Run("a household roster is not a deputy registry", func(t *testing.T) {
		t.Parallel()
		_, errs, err := readDeputies(t, book(t, family(t, "李建国", 1)))
		if err != nil || len(errs) != 1 || !strings.Contains(errs[0].Reason, "表头与导入模板不符") {
			t.Errorf("got %v, %v", errs, err)
		}
	})
	t.Run("half-width bracket heading", func(t *testing.T) {
		t.Parallel()
		f := excelize.NewFile()
		heading := make([]any, len(xlsx.DeputyColumns))
		for i, c := range xlsx.DeputyColumns {
			heading[i] = c
		}
		heading[13] = "所在村(社区)"
		_ = f.SetSheetRow("Sheet1", "A1", &heading)
		_ = f.SetSheetRow("Sheet1", "A2", &[]any{1, "李建国", "男", "汉族", "1975-02-28", "镇人大代表", "其他", "", "", "", "", "", "弼时镇"})
		var buf bytes.Buffer
		_ = f.Write(&buf)
		if ds, errs, err := readDeputies(t, buf.Bytes()); err != nil || len(errs) > 0 || len(ds) != 1 {
			t.Errorf("got %d, %v, %v", len(ds), errs, err)
		}
	})
	t.Run("limits", func(t *testing.T) {
		t.Parallel()
		data := deputyBook(t, []row{deputyRow(1), deputyRow(2), deputyRow(3)})
		_, _, err := xlsx.ReadDeputies(bytes.NewReader(data), int64(len(data)), xlsx.Limits{MaxFileBytes: 100, MaxUnzippedBytes: 1 << 20, MaxRows: 10}, resolveTownship, resolve, now)
		if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, "文件太大") {
			t.Errorf("err %v", err)
		}
		lim := xlsx.DefaultLimits
		lim.MaxRows = 2
		_, _, err = xlsx.ReadDeputies(bytes.NewReader(data), int64(len(data)), lim, resolveTownship, resolve, now)
		if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, "超过 2 行") {
			t.Errorf("err %v", err)
		}
		_, _, err = xlsx.ReadDeputies(strings.NewReader("序号,姓名"), 13, xlsx.DefaultLimits, resolveTownship, resolve, now)
		if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, ".xlsx") {
			t.Errorf("err %v", err)
		}
	})
}

func TestDeputiesRoundTrip(t *testing.T) {
	t.Parallel()
	var rows []row
	for i := 1; i <= 4; i++ {
		rows = append(rows, deputyRow(i))
	}
	rows[1]["姓名"], rows[1]["出生日期"], rows[1]["所在村（社区）"], rows[1]["代表证号"] = "王秀英", "", "", ""
	rows[1]["性别"], rows[1]["状态"] = "女", "已离任"
	rows[2]["姓名"], rows[2]["代表层级"], rows[2]["联系电话"] = "张有才", "全国人大代表", "0730-5222222"
	rows[3]["姓名"], rows[3]["所在乡(镇)"], rows[3]["所在村（社区）"] = "赵老六", "罗江镇", ""
	in, errs, err := readDeputies(t, deputyBook(t, rows))
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	in[0].WorkUnit = "=HYPERLINK(\"http://example.com\",\"点我\")"
	in[2].Post = "-1+2"
	in[3].Term = "@届"
	in[3].Ethnicity = "+族"
	names := map[string]string{"430681107": "弼时镇", "430681101": "罗江镇", "430681107231": "玉池村"}
	var ds []xlsx.ExportDeputy
	for _, d := range in {
		ds = append(ds, xlsx.ExportDeputy{Deputy: d.Deputy, Status: d.Status, TownshipName: names[d.HomeTownshipCode],
			VillageName: names[d.HomeVillageCode]})
	}
	var buf bytes.Buffer
	if err := xlsx.WriteDeputies(&buf, ds, xlsx.ExportMeta{Title: "汨罗市人大代表花名册", Unit: "汨罗市人大常委会办公室", Date: now}); err != nil {
		t.Fatal(err)
	}
	out, errs, err := readDeputies(t, buf.Bytes())
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	for i := range in {
		in[i].Row = i + 4
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}

	// The file itself: title block, heading on row 3, date cells, text
	// phones, neutralised formulas, print setup.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := xlsx.DeputySheetName
	get := func(cell string) string {
		v, _ := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
		return v
	}
	typ := func(cell string) excelize.CellType { v, _ := f.GetCellType(sh, cell); return v }
	if get("A1") != "汨罗市人大代表花名册" || get("A2") != "填报单位：汨罗市人大常委会办公室　　　　填报日期：2026年11月29日" || get("I3") != "代表证号" {
		t.Errorf("title block: %q, %q, %q", get("A1"), get("A2"), get("I3"))
	}
	if typ("E4") != excelize.CellTypeUnset && typ("E4") != excelize.CellTypeNumber || get("E4") != "27453" || get("E5") != "" {
		t.Errorf("birth date cells: type %v, %q, %q", typ("E4"), get("E4"), get("E5"))
	}
	if shown, _ := f.GetCellValue(sh, "E4"); shown != "1975-02-28" {
		t.Errorf("birth date shown as %q", shown)
	}
	if typ("L4") != excelize.CellTypeInlineString || get("L4") != "13812345678" || get("L6") != "0730-5222222" {
		t.Errorf("phone cells: type %v, %q, %q", typ("L4"), get("L4"), get("L6"))
	}
	if get("F4") != "汨罗市人大代表、镇人大代表" || get("O5") != "已离任" || get("A7") != "4" {
		t.Errorf("levels %q, status %q, seq %q", get("F4"), get("O5"), get("A7"))
	}
	if get("J4") != in[0].WorkUnit || get("K6") != "-1+2" || get("H7") != "@届" || get("D7") != "+族" {
		t.Errorf("neutralised: %q %q %q %q", get("J4"), get("K6"), get("H7"), get("D7"))
	}
	if fm, _ := f.GetCellFormula(sh, "J4"); fm != "" {
		t.Errorf("formula %q", fm)
	}
	layout, err := f.GetPageLayout(sh)
	if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 9 {
		t.Errorf("page layout %+v, %v", layout, err)
	}
	found := false
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm.Print_Titles" && n.RefersTo == "'"+sh+"'!$3:$3" {
			found = true
		}
	}
	if !found {
		t.Errorf("no print titles: %+v", f.GetDefinedName())
	}
}

func TestDeputyTemplate(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := xlsx.WriteDeputyTemplate(&buf, []string{"弼时镇", "罗江镇"}, []xlsx.Village{{"弼时镇", "玉池村"}, {"弼时镇", "弼时村"}, {"罗江镇", "罗江村"}}, "汨罗市人大常委会办公室"); err != nil {
		t.Fatal(err)
	}
	ds, errs, err := readDeputies(t, buf.Bytes())
	if err != nil || len(errs) > 0 || len(ds) != 0 {
		t.Fatalf("empty template read back: %v, %v, %v", ds, errs, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations(xlsx.DeputySheetName)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]string{}
	for _, dv := range dvs {
		cols[strings.TrimRight(strings.SplitN(dv.Sqref, ":", 2)[0], "0123456789")] = dv.Formula1
	}
	// 性别 代表层级 代表构成 所在乡(镇) 所在村（社区） 状态.
	for _, c := range []string{"C", "F", "G", "M", "N", "O"} {
		if cols[c] == "" {
			t.Errorf("no dropdown on column %s (have %v)", c, cols)
		}
	}
	if !strings.Contains(cols["M"], "$A$2:$A$3") {
		t.Errorf("township dropdown %q", cols["M"])
	}
	// The 代表层级 list: five levels and their ten pairs.
	var levels []string
	for r := 2; ; r++ {
		v, _ := f.GetCellValue("代码表", fmt.Sprintf("B%d", r))
		if v == "" {
			break
		}
		levels = append(levels, v)
	}
	if len(levels) != 15 || levels[0] != "全国人大代表" || levels[14] != "汨罗市人大代表、镇人大代表" {
		t.Errorf("level options %v", levels)
	}
	for _, cell := range []string{"I2", "L2"} {
		style, _ := f.GetCellStyle(xlsx.DeputySheetName, cell)
		if s, err := f.GetStyle(style); err != nil || s.NumFmt != 49 {
			t.Errorf("%s style %+v, %v", cell, s, err)
		}
	}
	if v, _ := f.GetCellValue("村庄名录", "D4"); v != "罗江村" {
		t.Errorf("村庄名录 D4 = %q", v)
	}
	if v, _ := f.GetCellValue("填写说明", "A3"); !strings.Contains(v, "1975年2月28日") {
		t.Errorf("填写说明 A3 = %q", v)
	}

	// Every level option reads back as what it says.
	for _, l := range levels {
		r := deputyRow(1)
		r["代表层级"] = l
		ds, errs, err := readDeputies(t, deputyBook(t, []row{r}))
		if err != nil || len(errs) > 0 || deputy.LevelLabels(ds[0].Levels) != l {
			t.Errorf("level option %q: %v, %v", l, errs, err)
		}
	}
}
