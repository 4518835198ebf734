package xlsx_test

import (
	"archive/zip"
	"bytes"

	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

var now = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

var villages = map[string]string{"弼时镇/玉池村": "430681107231", "弼时镇/弼时村": "430681107201"}

func resolve(t, v string) (string, bool) {
	code, ok := villages[t+"/"+v]
	return code, ok
}

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// id returns a valid ID number born on birth (YYYYMMDD) with sequence seq
// (odd: man, even: woman).
func id(t testing.TB, birth string, seq int) string {
	t.Helper()
	b, err := time.Parse("20060102", birth)
	if err != nil {
		t.Fatal(err)
	}
	s, err := idcard.Build("430681", b, seq)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// row is one roster row by heading; book writes rows under the heading.
type row map[string]any

func headRow(t testing.TB, name, idNumber string, size int) row {
	return row{"乡(镇)": "弼时镇", "行政村": "玉池村", "组": "3组", "户主姓名": name, "姓名": name, "身份证号码": idNumber,
		"家庭人口": size, "与户主关系": "户主", "性别": "男", "民族": "汉族", "文化程度": "初中", "健康状况": "长期慢性病",
		"劳动能力": "普通劳动力", "务工状况": "县内乡外务工", "贫困户属性": "一般贫困户", "识别标准": "国家标准",
		"主要致贫原因": "因病", "其他致贫原因": "缺技术、缺资金", "识别年度": 2015, "人均纯收入（元）": "2860.50",
		"脱贫状态": "未脱贫", "计划脱贫年度": 2027, "联系电话": "13812345678", "备注": "光伏分红"}
}

func memberRow(head, name, idNumber, sex, relation string) row {
	return row{"乡(镇)": "弼时镇", "行政村": "玉池村", "组": "3组", "户主姓名": head, "姓名": name, "身份证号码": idNumber,
		"与户主关系": relation, "性别": sex, "民族": "汉族", "健康状况": "健康", "劳动能力": "普通劳动力"}
}

// family is a valid three-person household: 李建国 (man, 1968), his wife and
// his daughter at school.
func family(t testing.TB, head string, n int) []row {
	day := func(base string) string {
		b, _ := time.Parse("20060102", base)
		return b.AddDate(0, 0, n).Format("20060102")
	}
	h := headRow(t, head, id(t, day("19680305"), 11), 3)
	wife := memberRow(head, "王秀英", id(t, day("19700611"), 12), "女", "配偶")
	daughter := memberRow(head, "李小红", id(t, day("20100101"), 14), "女", "女")
	daughter["在校生状况"] = "初中"
	daughter["劳动能力"] = "无劳动力"
	return []row{h, wife, daughter}
}

func book(t testing.TB, rows []row) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	heading := make([]any, len(xlsx.Columns))
	for i, c := range xlsx.Columns {
		heading[i] = c
	}
	if err := f.SetSheetRow("Sheet1", "A1", &heading); err != nil {
		t.Fatal(err)
	}
	for r, rw := range rows {
		for i, c := range xlsx.Columns {
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

// rawNumber is a number cell written with the given value text.
type rawNumber string

func read(t testing.TB, data []byte) ([]xlsx.Household, []xlsx.RowError, error) {
	t.Helper()
	return xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), xlsx.DefaultLimits, resolve, now)
}

func TestReadHouseholdsValid(t *testing.T) {
	t.Parallel()
	rows := family(t, "李建国", 1)
	hs, errs, err := read(t, book(t, rows))
	if err != nil || len(errs) > 0 {
		t.Fatalf("ReadHouseholds: err %v, row errors %v", err, errs)
	}
	want := []xlsx.Household{{Household: household.Household{
		Head: household.Member{Name: "李建国", Sex: "male", IDNumber: rows[0]["身份证号码"].(string), Relation: "户主",
			Ethnicity: "汉族", Education: "初中", Health: "长期慢性病", Labour: "普通劳动力", MigrantWork: "县内乡外务工"},
		Members: []household.Member{
			{Name: "王秀英", Sex: "female", IDNumber: rows[1]["身份证号码"].(string), Relation: "配偶", Ethnicity: "汉族", Health: "健康", Labour: "普通劳动力"},
			{Name: "李小红", Sex: "female", IDNumber: rows[2]["身份证号码"].(string), Relation: "女", Ethnicity: "汉族", Schooling: "初中", Health: "健康", Labour: "无劳动力"},
		},
		Remark: "光伏分红", VillageCode: "430681107231", GroupName: "3组", HeadName: "李建国", HeadSex: "male",
		IDNumber: rows[0]["身份证号码"].(string), Phone: "13812345678", Attribute: "general", Standard: "national",
		MainCause: "因病", OtherCauses: []string{"缺技术", "缺资金"}, IdentificationYear: 2015,
		PerCapitaIncome: decimal.RequireFromString("2860.50"), PlannedExitYear: 2027,
	}, Status: "not_exited", Row: 2}}
	if diff := cmp.Diff(want, hs, decimalEqual); diff != "" {
		t.Errorf("households mismatch (-want +got):\n%s", diff)
	}
}

// TestReadHouseholdsLenient covers what clerks' files hold that the form
// never sees: full-width digits and letters, stray spaces, numbers as number
// cells, other separators, half-width brackets.
func TestReadHouseholdsLenient(t *testing.T) {
	t.Parallel()
	// An ID ending in X, written full width with spaces.
	var x string
	for seq := 1; ; seq += 2 {
		if s := id(t, "19680305", seq); strings.HasSuffix(s, "X") {
			x = s
			break
		}
	}
	wide := strings.NewReplacer("0", "０", "1", "１", "2", "２", "3", "３", "4", "４", "5", "５", "6", "６", "7", "７", "8", "８", "9", "９", "X", "Ｘ")
	rows := family(t, "李建国", 2)
	rows[0]["身份证号码"] = " " + wide.Replace(x[:6]) + " " + wide.Replace(x[6:]) + "\u3000"
	rows[0]["识别年度"] = wide.Replace("2015") + "年"
	rows[0]["人均纯收入（元）"] = 2860.5 // number cell
	rows[0]["计划脱贫年度"] = rawNumber("2027")
	rows[0]["家庭人口"] = "３"
	rows[0]["组"] = " ３组 "
	rows[0]["联系电话"] = "138 1234 5678"
	rows[0]["其他致贫原因"] = "缺技术, 缺资金"
	rows[0]["务工状况"] = "乡(镇)内务工"
	rows[0]["贫困户属性"] = " 低保贫困户 "
	rows[1]["姓名"] = " 王秀英 "
	hs, errs, err := read(t, book(t, rows))
	if err != nil || len(errs) > 0 {
		t.Fatalf("ReadHouseholds: err %v, row errors %v", err, errs)
	}
	h := hs[0]
	got := []any{h.IDNumber, h.IdentificationYear, h.PerCapitaIncome.StringFixed(2), h.PlannedExitYear, h.GroupName,
		h.Phone, h.OtherCauses, h.Head.MigrantWork, h.Attribute, h.Members[0].Name}
	want := []any{x, 2015, "2860.50", 2027, "3组", "13812345678", []string{"缺技术", "缺资金"}, "乡（镇）内务工", "subsistence", "王秀英"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestReadHouseholdsRules(t *testing.T) {
	t.Parallel()
	type change func(rows []row)
	set := func(i int, col string, v any) change { return func(rows []row) { rows[i][col] = v } }
	tests := []struct {
		name   string
		change change
		row    int // Excel row of the error
		column string
		reason string // a fragment of the reason
	}{
		{"bad check digit", func(rows []row) {
			s := rows[0]["身份证号码"].(string)
			last := byte('0')
			if s[17] == '0' {
				last = '1'
			}
			rows[0]["身份证号码"] = s[:17] + string(last)
		}, 2, "身份证号码", "校验位"},
		{"impossible birth date", set(0, "身份证号码", func() string {
			body := "43068119680230001"
			return body + string(idcard.CheckChar(body))
		}()), 2, "身份证号码", "出生日期"},
		{"lower-case x", func(rows []row) {
			for seq := 1; ; seq += 2 {
				if s := id(t, "19680305", seq); strings.HasSuffix(s, "X") {
					rows[0]["身份证号码"] = strings.ToLower(s)
					return
				}
			}
		}, 2, "身份证号码", "大写X"},
		{"17 digits", set(0, "身份证号码", "43068119680305001"), 2, "身份证号码", "18位"},
		{"head sex disagrees with ID", set(0, "性别", "女"), 2, "身份证号码", "性别不符"},
		{"member sex disagrees with ID", set(1, "性别", "男"), 3, "身份证号码", "性别不符"},
		{"no sex", set(1, "性别", ""), 3, "性别", "请选择性别"},
		{"unknown village", set(0, "行政村", "不存在村"), 2, "行政村", "没有"},
		{"no village", set(0, "行政村", ""), 2, "行政村", "请填写"},
		{"bad phone", set(0, "联系电话", "1381234567"), 2, "联系电话", "11位手机号"},
		{"landline accepted, bad one refused", set(0, "联系电话", "0730-52222"), 2, "联系电话", "固定电话"},
		{"unknown attribute", set(0, "贫困户属性", "贫困户"), 2, "贫困户属性", "请选择"},
		{"unknown standard", set(0, "识别标准", "县定标准"), 2, "识别标准", "请选择"},
		{"no main cause", set(0, "主要致贫原因", ""), 2, "主要致贫原因", "主要致贫原因"},
		{"unknown main cause", set(0, "主要致贫原因", "因懒"), 2, "主要致贫原因", "主要致贫原因"},
		{"three other causes", set(0, "其他致贫原因", "缺技术、缺资金、因灾"), 2, "其他致贫原因", "最多"},
		{"other cause repeats main", set(0, "其他致贫原因", "因病"), 2, "其他致贫原因", "重复"},
		{"identification year too early", set(0, "识别年度", 2010), 2, "识别年度", "2013"},
		{"identification year in the future", set(0, "识别年度", 2027), 2, "识别年度", "2013"},
		{"income negative", set(0, "人均纯收入（元）", "-5"), 2, "人均纯收入（元）", "负数"},
		{"income three decimals", set(0, "人均纯收入（元）", "2860.555"), 2, "人均纯收入（元）", "两位小数"},
		{"income missing", set(0, "人均纯收入（元）", ""), 2, "人均纯收入（元）", "请输入"},
		{"income not a number", set(0, "人均纯收入（元）", "两千"), 2, "人均纯收入（元）", "金额"},
		{"planned exit year nonsense", set(0, "计划脱贫年度", "明年"), 2, "计划脱贫年度", "不正确"},
		{"household size disagrees", set(0, "家庭人口", 4), 2, "家庭人口", "共有3行"},
		{"household size missing", set(0, "家庭人口", ""), 2, "家庭人口", "请填写家庭人口"},
		{"head name too short", func(rows []row) {
			for _, r := range rows {
				r["户主姓名"] = "李"
			}
			rows[0]["姓名"] = "李"
		}, 2, "户主姓名", "2至20个字"},
		{"head row name differs", set(0, "姓名", "李四"), 2, "姓名", "应与户主姓名"},
		{"member name missing", set(2, "姓名", ""), 4, "姓名", "请输入姓名"},
		{"member head name differs", set(2, "户主姓名", "张三"), 4, "户主姓名", "不一致"},
		{"member relation unknown", set(1, "与户主关系", "朋友"), 3, "与户主关系", "请选择"},
		{"member health unknown", set(1, "健康状况", "良好"), 3, "健康状况", "请选择"},
		{"member labour missing", set(1, "劳动能力", ""), 3, "劳动能力", "请选择"},
		{"head health unknown", set(0, "健康状况", "良好"), 2, "健康状况", "请选择"},
		{"education unknown", set(2, "文化程度", "博士后"), 4, "文化程度", "不在选项"},
		{"schooling unknown", set(2, "在校生状况", "幼儿园"), 4, "在校生状况", "不在选项"},
		{"migrant work unknown", set(0, "务工状况", "出国务工"), 2, "务工状况", "不在选项"},
		{"member ID equals head ID", func(rows []row) { rows[1]["身份证号码"] = rows[0]["身份证号码"] }, 3, "身份证号码", "重复"},
		{"exited without year", set(0, "脱贫状态", "已脱贫"), 2, "脱贫年度", "脱贫年度"},
		{"exit year before identification", func(rows []row) { rows[0]["脱贫状态"] = "已脱贫"; rows[0]["脱贫年度"] = 2014 }, 2, "脱贫年度", "识别年度"},
		{"not exited with a year", set(0, "脱贫年度", 2020), 2, "脱贫年度", "不填"},
		{"unknown status", set(0, "脱贫状态", "脱贫中"), 2, "脱贫状态", "未脱贫、已脱贫"},
		{"remark too long", set(0, "备注", strings.Repeat("长", 501)), 2, "备注", "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rows := family(t, "李建国", 3)
			tt.change(rows)
			hs, errs, err := read(t, book(t, rows))
			if err != nil {
				t.Fatal(err)
			}
			if hs != nil {
				t.Errorf("households returned despite errors: %d", len(hs))
			}
			for _, e := range errs {
				if e.Row == tt.row && e.Column == tt.column && strings.Contains(e.Reason, tt.reason) {
					return
				}
			}
			t.Errorf("want an error at row %d %s containing %q, got %v", tt.row, tt.column, tt.reason, errs)
		})
	}

	// The right values of the same rules pass.
	right := []struct {
		name string
		rows func() []row
	}{
		{"exited with year", func() []row {
			r := family(t, "李建国", 4)
			r[0]["脱贫状态"], r[0]["脱贫年度"] = "已脱贫", 2019
			return r
		}},
		{"relapsed with and without year", func() []row {
			r := family(t, "李建国", 5)
			r[0]["脱贫状态"], r[0]["脱贫年度"] = "返贫", 2019
			r2 := family(t, "张有才", 6)
			r2[0]["脱贫状态"] = "返贫"
			return append(r, r2...)
		}},
		{"landline, no phone", func() []row {
			r := family(t, "李建国", 7)
			r[0]["联系电话"] = "0730-5222222"
			r2 := family(t, "张有才", 8)
			r2[0]["联系电话"] = ""
			return append(r, r2...)
		}},
		{"one-person household, other village", func() []row {
			r := headRow(t, "赵老六", id(t, "19450101", 91), 1)
			r["行政村"] = "弼时村"
			r["其他致贫原因"] = ""
			return []row{r}
		}},
	}
	for _, tt := range right {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hs, errs, err := read(t, book(t, tt.rows()))
			if err != nil || len(errs) > 0 || len(hs) == 0 {
				t.Fatalf("got %d households, err %v, row errors %v", len(hs), err, errs)
			}
		})
	}
}

func TestReadHouseholdsStructure(t *testing.T) {
	t.Parallel()
	t.Run("member before any head", func(t *testing.T) {
		t.Parallel()
		rows := family(t, "李建国", 11)
		rows = append([]row{memberRow("李建国", "李大", id(t, "19900101", 113), "男", "子")}, rows...)
		_, errs, _ := read(t, book(t, rows))
		if len(errs) == 0 || errs[0].Row != 2 || errs[0].Column != "与户主关系" {
			t.Errorf("errors %v, want row 2 与户主关系 first", errs)
		}
	})
	t.Run("same ID in two households names both rows", func(t *testing.T) {
		t.Parallel()
		a := family(t, "李建国", 12)
		b := family(t, "张有才", 13)
		b[2]["身份证号码"] = a[1]["身份证号码"]
		b[2]["性别"] = "女"
		_, errs, _ := read(t, book(t, append(a, b...)))
		want := []xlsx.RowError{{Row: 7, Column: "身份证号码", Reason: "身份证号与第3行重复（第3行、第7行）"}}
		if diff := cmp.Diff(want, errs); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("empty rows are skipped", func(t *testing.T) {
		t.Parallel()
		rows := family(t, "李建国", 14)
		rows = append(rows, row{}, row{"备注": "  "}, row{})
		rows = append(rows, family(t, "张有才", 15)...)
		hs, errs, err := read(t, book(t, rows))
		if err != nil || len(errs) > 0 || len(hs) != 2 {
			t.Fatalf("got %d households, %v, %v", len(hs), err, errs)
		}
	})
	t.Run("one bad row in the middle", func(t *testing.T) {
		t.Parallel()
		var rows []row
		for i := 0; i < 30; i++ {
			rows = append(rows, family(t, fmt.Sprintf("李建%c", '一'+rune(i)), 100+i)...)
		}
		rows[46]["健康状况"] = "很好" // household 16, its second member: Excel row 48
		hs, errs, err := read(t, book(t, rows))
		if err != nil {
			t.Fatal(err)
		}
		want := []xlsx.RowError{{Row: 48, Column: "健康状况", Reason: "请选择健康状况"}}
		if diff := cmp.Diff(want, errs); diff != "" || hs != nil {
			t.Errorf("households %d; mismatch (-want +got):\n%s", len(hs), diff)
		}
	})
}

func TestReadHouseholdsNumericID(t *testing.T) {
	t.Parallel()
	// A real ID ending in 000, typed as text, is fine; the same digits in a
	// number cell are not.
	var zeros string
	for d := 0; zeros == "" && d < 3000; d++ {
		b := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, d)
		for _, seq := range []int{100, 200, 300, 400, 500, 600, 700, 800, 900} {
			s, _ := idcard.Build("430681", b, seq)
			if strings.HasSuffix(s, "000") {
				zeros = s
				break
			}
		}
	}
	if zeros == "" {
		t.Fatal("no ID ending in 000 found")
	}
	tests := []struct {
		name  string
		value any
		want  string // "" = accepted
	}{
		{"text ending in 000", zeros, ""},
		{"number cell, scientific", 4.30681196503121e17, xlsx.ReasonNumericID},
		{"number cell, 18 digits ending in 000", rawNumber(zeros), xlsx.ReasonNumericID},
		{"text in scientific notation", "4.30681196503121E+17", xlsx.ReasonNumericID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := headRow(t, "钱多多", zeros, 1)
			r["性别"] = "女"
			r["身份证号码"] = tt.value
			_, errs, err := read(t, book(t, []row{r}))
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, e := range errs {
				if e.Column == "身份证号码" {
					got = e.Reason
				}
			}
			if got != tt.want {
				t.Errorf("reason %q, want %q (all: %v)", got, tt.want, errs)
			}
		})
	}
}

func TestReadHouseholdsHeading(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	heading := make([]any, len(xlsx.Columns))
	for i, c := range xlsx.Columns {
		heading[i] = c
	}
	heading[6] = "身份证" // not a synonym of 身份证号码 (身份证号 is, see TestReadRosterAsOfficesKeepIt)
	_ = f.SetSheetRow("Sheet1", "A1", &heading)
	var buf bytes.Buffer
	_ = f.Write(&buf)
	hs, errs, err := read(t, buf.Bytes())
	if err != nil || hs != nil || len(errs) != 1 || errs[0].Row != 1 || !strings.Contains(errs[0].Reason, "第G列应为“身份证号码”，实为“身份证”") {
		t.Errorf("got %v, %v, %v", hs, errs, err)
	}

	// No heading at all.
	f2 := excelize.NewFile()
	_ = f2.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "电话"})
	buf.Reset()
	_ = f2.Write(&buf)
	if _, errs, err := read(t, buf.Bytes()); err != nil || len(errs) != 1 || !strings.Contains(errs[0].Reason, "没有找到表头") {
		t.Errorf("got %v, %v", errs, err)
	}

	// Not a workbook (and not text: a text file is read as CSV).
	_, _, err = read(t, []byte("\x00\x01序号,乡(镇)\n1,弼时镇\n"))
	if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, ".xlsx") {
		t.Errorf("err %v", err)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	t.Parallel()
	rows := append(family(t, "李建国", 20), family(t, "张有才", 21)...)
	in, errs, err := read(t, book(t, rows))
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	in[1].Status, in[1].ExitedYear = "exited", 2020
	in[1].PerCapitaIncome = decimal.RequireFromString("999999999999.99")
	in[0].PerCapitaIncome = decimal.RequireFromString("0.07")
	in[0].Remark = "=HYPERLINK(\"http://example.com\",\"点我\")"
	in[1].Remark = "-1+2"
	in[1].GroupName = "@组"
	var hs []xlsx.ExportHousehold
	for _, h := range in {
		hs = append(hs, xlsx.ExportHousehold{Household: h.Household, Status: h.Status, ExitedYear: h.ExitedYear,
			TownshipName: "弼时镇", VillageName: "玉池村"})
	}
	var buf bytes.Buffer
	if err := xlsx.WriteHouseholds(&buf, hs, xlsx.ExportMeta{Title: "汨罗市建档立卡贫困户花名册", Unit: "汨罗市人大常委会办公室", Date: now}); err != nil {
		t.Fatal(err)
	}
	out, errs, err := read(t, buf.Bytes())
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	for i := range in {
		in[i].Row = out[i].Row
	}
	if diff := cmp.Diff(in, out, decimalEqual); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}

	// The file itself: title block, heading on row 3, text IDs, numeric
	// income, neutralised formulas, print setup.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := xlsx.SheetName
	get := func(cell string) string {
		v, _ := f.GetCellValue(sh, cell, excelize.Options{RawCellValue: true})
		return v
	}
	typ := func(cell string) excelize.CellType { v, _ := f.GetCellType(sh, cell); return v }
	if get("A2") != "填报单位：汨罗市人大常委会办公室　　　　填报日期：2026年11月29日" || get("G3") != "身份证号码" {
		t.Errorf("title block: %q, %q", get("A2"), get("G3"))
	}
	if typ("G4") != excelize.CellTypeInlineString || get("G4") != in[0].IDNumber {
		t.Errorf("ID cell type %v value %q", typ("G4"), get("G4"))
	}
	if typ("V4") != excelize.CellTypeUnset && typ("V4") != excelize.CellTypeNumber || get("V4") != "0.07" || get("V7") != "999999999999.99" {
		t.Errorf("income cells: type %v, %q, %q", typ("V4"), get("V4"), get("V7"))
	}
	if get("AA4") != in[0].Remark || get("AA7") != "-1+2" || get("D7") != "@组" {
		t.Errorf("neutralised: %q %q %q", get("AA4"), get("AA7"), get("D7"))
	}
	if fm, _ := f.GetCellFormula(sh, "AA4"); fm != "" {
		t.Errorf("formula %q", fm)
	}
	layout, err := f.GetPageLayout(sh)
	if err != nil || layout.Orientation == nil || *layout.Orientation != "landscape" || layout.Size == nil || *layout.Size != 9 {
		t.Errorf("page layout %+v, %v", layout, err)
	}
	names := f.GetDefinedName()
	found := false
	for _, n := range names {
		if n.Name == "_xlnm.Print_Titles" && strings.Contains(n.RefersTo, "$3:$3") {
			found = true
		}
	}
	if !found {
		t.Errorf("no print titles: %+v", names)
	}
}

func TestTemplate(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := xlsx.WriteHouseholdTemplate(&buf, []xlsx.Village{{"弼时镇", "玉池村"}, {"弼时镇", "弼时村"}, {"罗江镇", "罗江村"}}, "汨罗市人大常委会办公室"); err != nil {
		t.Fatal(err)
	}
	hs, errs, err := read(t, buf.Bytes())
	if err != nil || len(errs) > 0 || len(hs) != 0 {
		t.Fatalf("empty template read back: %v, %v, %v", hs, errs, err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dvs, err := f.GetDataValidations(xlsx.SheetName)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]bool{}
	for _, dv := range dvs {
		cols[strings.TrimRight(strings.SplitN(dv.Sqref, ":", 2)[0], "0123456789")] = true
	}
	// 乡(镇) 行政村 与户主关系 性别 文化程度 在校生状况 健康状况 劳动能力 务工状况 属性 标准 主要原因 脱贫状态.
	for _, c := range []string{"B", "C", "I", "J", "L", "M", "N", "O", "P", "Q", "R", "S", "W"} {
		if !cols[c] {
			t.Errorf("no dropdown on column %s (have %v)", c, cols)
		}
	}
	if v, _ := f.GetCellValue("村庄名录", "D4"); v != "罗江村" {
		t.Errorf("村庄名录 D4 = %q", v)
	}
	style, _ := f.GetCellStyle(xlsx.SheetName, "G2")
	if s, err := f.GetStyle(style); err != nil || s.NumFmt != 49 {
		t.Errorf("ID column style %+v, %v", s, err)
	}
	if v, _ := f.GetCellValue("填写说明", "A5"); !strings.Contains(v, "文本") {
		t.Errorf("填写说明 A5 = %q", v)
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	t.Run("file too large", func(t *testing.T) {
		t.Parallel()
		data := book(t, family(t, "李建国", 30))
		_, _, err := xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), xlsx.Limits{MaxFileBytes: 100, MaxUnzippedBytes: 1 << 20, MaxRows: 10}, resolve, now)
		if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, "文件太大") {
			t.Errorf("err %v", err)
		}
	})
	t.Run("more rows than allowed", func(t *testing.T) {
		t.Parallel()
		var rows []row
		for i := 0; i < 5; i++ {
			rows = append(rows, family(t, fmt.Sprintf("李建%c", '一'+rune(i)), 200+i)...)
		}
		data := book(t, rows)
		lim := xlsx.DefaultLimits
		lim.MaxRows = 14
		_, _, err := xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), lim, resolve, now)
		if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, "超过 14 行") {
			t.Errorf("err %v", err)
		}
		lim.MaxRows = 15
		if hs, errs, err := xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), lim, resolve, now); err != nil || len(errs) > 0 || len(hs) != 5 {
			t.Errorf("at the limit: %d, %v, %v", len(hs), errs, err)
		}
	})
	t.Run("a million empty rows", func(t *testing.T) {
		t.Parallel()
		// 1,048,575 empty <row> elements: 17.8 MB of XML, 2.6 MB zipped.
		var sheet bytes.Buffer
		sheet.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">`)
		for i, c := range xlsx.Columns {
			ref, _ := excelize.CoordinatesToCellName(i+1, 1)
			fmt.Fprintf(&sheet, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, c)
		}
		sheet.WriteString(`</row>`)
		for r := 2; r <= 1048576; r++ {
			fmt.Fprintf(&sheet, `<row r="%d"/>`, r)
		}
		sheet.WriteString(`</sheetData></worksheet>`)
		data := replaceSheet(t, sheet.Bytes())
		start := time.Now()
		_, _, err := read(t, data)
		if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, "超过 60000 行") {
			t.Errorf("err %v", err)
		}
		t.Logf("refused in %v (zip %d bytes, sheet %d bytes)", time.Since(start), len(data), sheet.Len())
	})
	t.Run("one row claiming to be row 1,048,576", func(t *testing.T) {
		t.Parallel()
		data := replaceSheet(t, []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`+
			`<row r="1"><c r="A1" t="inlineStr"><is><t>序号</t></is></c><c r="B1" t="inlineStr"><is><t>乡(镇)</t></is></c><c r="C1" t="inlineStr"><is><t>行政村</t></is></c></row>`+
			`<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData></worksheet>`))
		_, errs, err := read(t, data)
		// The heading is incomplete, so that is what is reported, at once.
		if err != nil || len(errs) != 1 {
			t.Errorf("%v, %v", errs, err)
		}
	})
	t.Run("zip bomb", func(t *testing.T) {
		t.Parallel()
		// 64 MiB of zeros inside a 64 KiB zip, over a 32 MiB unpack limit.
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, _ := zw.Create("xl/worksheets/sheet1.xml")
		zeros := make([]byte, 1<<20)
		for i := 0; i < 64; i++ {
			_, _ = w.Write(zeros)
		}
		_ = zw.Close()
		lim := xlsx.DefaultLimits
		lim.MaxUnzippedBytes = 32 << 20
		start := time.Now()
		_, _, err := xlsx.ReadHouseholds(bytes.NewReader(buf.Bytes()), int64(buf.Len()), lim, resolve, now)
		if msg, ok := xlsx.IsFileError(err); !ok || !strings.Contains(msg, "解压后超过 32 MB") {
			t.Errorf("err %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("took %v", d)
		}
	})
}

// replaceSheet returns a workbook whose first sheet's XML is sheet.
func replaceSheet(t *testing.T, sheet []byte) []byte {
	t.Helper()
	f := excelize.NewFile()
	var src bytes.Buffer
	if err := f.Write(&src); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(src.Bytes()), int64(src.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		if zf.Name == "xl/worksheets/sheet1.xml" {
			_, _ = w.Write(sheet)
			continue
		}
		rc, _ := zf.Open()
		var b bytes.Buffer
		_, _ = b.ReadFrom(rc)
		rc.Close()
		_, _ = w.Write(b.Bytes())
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
