package household

import (
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/shopspring/decimal"
)

var now = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

func id(t *testing.T, birth string, seq int) string {
	t.Helper()
	b, _ := time.Parse("2006-01-02", birth)
	s, err := idcard.Build("430681", b, seq)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func valid(t *testing.T) Input {
	return Input{VillageCode: "430681107231", HeadName: "王秋菊", HeadSex: "female", IDNumber: "43068119650312010X",
		Attribute: "general", Standard: "national", MainCause: "因病", IdentificationYear: "2015", PerCapitaIncome: "2680.50",
		Members: []MemberInput{{Name: "李明", Sex: "male", IDNumber: id(t, "1990-05-01", 11), Relation: "子", Health: "健康", Labour: "普通劳动力"}}}
}

func inCounty(code string) bool { return strings.HasPrefix(code, "430681") }

// TestParse covers each rule of the household form with a right and a wrong
// value. "field" is the form field that must carry the message ("" = valid).
func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Input)
		field  string
		want   string // part of the message
	}{
		{"valid, head ID ending in X", func(*Input) {}, "", ""},
		{"lower-case x", func(in *Input) { in.IDNumber = "43068119650312010x" }, "id_number", "大写X"},
		{"valid check digit, impossible date", func(in *Input) { in.IDNumber = "430681199902300015" }, "id_number", "出生日期"},
		{"wrong check digit", func(in *Input) { in.IDNumber = "430681196503120101" }, "id_number", "校验位"},
		{"head sex disagrees", func(in *Input) { in.HeadSex = "male" }, "id_number", "性别不符"},
		{"village outside the county", func(in *Input) { in.VillageCode = "430602001001" }, "village_code", "本县"},
		{"township instead of village", func(in *Input) { in.VillageCode = "430681107" }, "village_code", "村"},
		{"mobile ok", func(in *Input) { in.Phone = "13807301234" }, "", ""},
		{"landline ok", func(in *Input) { in.Phone = "0730-5222222" }, "", ""},
		{"bad phone", func(in *Input) { in.Phone = "12345" }, "phone", "手机号"},
		{"income negative", func(in *Input) { in.PerCapitaIncome = "-1" }, "per_capita_income", "负数"},
		{"income three decimals", func(in *Input) { in.PerCapitaIncome = "1.005" }, "per_capita_income", "两位小数"},
		{"income zero ok", func(in *Input) { in.PerCapitaIncome = "0" }, "", ""},
		{"no main cause", func(in *Input) { in.MainCause = "" }, "main_cause", "主要致贫原因"},
		{"two other causes ok", func(in *Input) { in.OtherCauses = []string{"缺技术", "缺资金"} }, "", ""},
		{"three other causes", func(in *Input) { in.OtherCauses = []string{"缺技术", "缺资金", "因学"} }, "other_causes", "最多选两项"},
		{"other cause repeats main", func(in *Input) { in.OtherCauses = []string{"因病"} }, "other_causes", "重复"},
		{"member sex disagrees with ID", func(in *Input) { in.Members[0].Sex = "female" }, "members.0.id_number", "性别不符"},
		{"member birth date disagrees", func(in *Input) { in.Members[0].BirthDate = "1990-05-02" }, "members.0.birth_date", "1990-05-01"},
		{"member birth date agrees", func(in *Input) { in.Members[0].BirthDate = "1990-05-01" }, "", ""},
		{"member ID repeats the head's", func(in *Input) { in.Members[0].IDNumber = in.IDNumber; in.Members[0].Sex = "female" }, "members.0.id_number", "户主重复"},
		{"member without relation", func(in *Input) { in.Members[0].Relation = "" }, "members.0.relation", "关系"},
		{"member as a second head", func(in *Input) { in.Members[0].Relation = "户主" }, "members.0.relation", "户主"},
		{"member bad health", func(in *Input) { in.Members[0].Health = "很好" }, "members.0.health", "健康"},
		{"two members with one ID", func(in *Input) { in.Members = append(in.Members, in.Members[0]) }, "members.1.id_number", "第1位成员重复"},
		{"identification year too early", func(in *Input) { in.IdentificationYear = "2012" }, "identification_year", "2013"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := valid(t)
			tt.change(&in)
			h, errs := Parse(in, inCounty, now)
			if tt.field == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors %v", errs)
				}
				if len(h.Members) != len(in.Members) || h.Head.Relation != "户主" {
					t.Fatalf("parsed %+v", h)
				}
				return
			}
			if got := errs[tt.field]; !strings.Contains(got, tt.want) {
				t.Fatalf("error on %s = %q, want it to contain %q (all: %v)", tt.field, got, tt.want, errs)
			}
		})
	}
}

func TestParseStatusChange(t *testing.T) {
	t.Parallel()
	if _, errs := ParseStatusChange("exited", "2025", "", "", 2015, now); len(errs) > 0 {
		t.Fatalf("valid exit: %v", errs)
	}
	if _, errs := ParseStatusChange("exited", "2014", "", "", 2015, now); errs["exited_year"] == "" {
		t.Fatal("exit before identification accepted")
	}
	if _, errs := ParseStatusChange("gone", "", "maybe", "", 2015, now); errs["status"] == "" || errs["monitoring"] == "" {
		t.Fatalf("bad codes accepted: %v", errs)
	}
}

func TestMaskPhone(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"13812345678": "138****5678", "0730-5222222": "0730-****2222", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNoticeOver(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for day, want := range map[int]bool{0: false, 6: false, 7: true, 30: true} {
		if got := NoticeOver(start, start.AddDate(0, 0, day).Add(23*time.Hour)); got != want {
			t.Errorf("day %d: NoticeOver = %v, want %v", day, got, want)
		}
	}
}

func TestPerCapita(t *testing.T) {
	t.Parallel()
	d := func(s string) decimal.Decimal { return decimal.RequireFromString(s) }
	in := Income{Wages: d("12000"), Production: d("3000.50"), Property: d("0"), Transfers: d("1800"), Costs: d("2000")}
	if got := in.PerCapita(3); !got.Equal(d("4933.50")) {
		t.Fatalf("PerCapita = %s, want 4933.50", got)
	}
	if got := (Income{Wages: d("100"), Costs: d("500")}).PerCapita(2); !got.IsZero() {
		t.Fatalf("negative net income: %s, want 0", got)
	}
	if _, errs := ParseIncome("2025", "1,000", "-1", "", "", "", 2015, 2026); errs["production"] == "" {
		t.Fatal("negative production income accepted")
	}
}
