package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// TestHouseholdFormMarksRequiredAndLinksErrors: on the household form every
// required field's label carries the visible mark (所在村, 贫困户属性,
// 主要致贫原因, 性别 and 与户主关系 are selects and had none), and a form sent
// back with errors lists each field in error as a link to it, named as the
// form names it (「成员2 身份证号：…」), in the form's order.
func TestHouseholdFormMarksRequiredAndLinksErrors(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)

	form := url.Values{"village_code": {yuchi}, "head_name": {"王秋菊"}, "head_sex": {"female"}, "id_number": {"43068119650312010X"},
		"attribute": {"general"}, "standard": {"national"}, "main_cause": {"因病"}, "identification_year": {"2015"},
		"per_capita_income": {"2680.50"}, "head_health": {"长期慢性病"}, "head_labour": {"普通劳动力"}, "op": {"add_member"}}
	status, _, doc := a.post(t, staff, "/households", form)
	if status != http.StatusOK {
		t.Fatalf("add member: %d", status)
	}
	checkRequiredMarked(t, doc)
	// Dates are typed 年-月-日 whatever the browser's language: a text input
	// showing the format, not a date input in the browser's.
	if in := doc.Find(`input[name="members.0.birth_date"]`); in.AttrOr("type", "") != "text" || !strings.Contains(in.AttrOr("placeholder", ""), "年-月-日") {
		t.Errorf("birth date input: type %q, placeholder %q", in.AttrOr("type", ""), in.AttrOr("placeholder", ""))
	}
	for _, name := range []string{"village_code", "attribute", "main_cause", "head_sex", "members.0.sex", "members.0.relation"} {
		if doc.Find(`label[for="`+name+`"] .req`).Length() != 1 {
			t.Errorf("%s: no required mark", name)
		}
	}

	// The member's ID number has a wrong check digit; the head's group is fine.
	good := testutil.IDNumber()
	bad := good[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", good[17])+1)%11])
	form.Set("op", "save")
	form.Del("main_cause")
	for k, v := range map[string]string{"members.0.name": "李明", "members.0.sex": "male", "members.0.id_number": bad,
		"members.0.relation": "子", "members.0.health": "健康", "members.0.labour": "普通劳动力"} {
		form.Set(k, v)
	}
	status, _, doc = a.post(t, staff, "/households", form)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("save with errors: %d", status)
	}
	var links []string
	doc.Find(`[data-testid="form-errors"] a`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		links = append(links, href+" "+strings.Join(strings.Fields(s.Text()), ""))
		if doc.Find(`[id="`+strings.TrimPrefix(href, "#")+`"]`).Length() != 1 {
			t.Errorf("banner link %s leads nowhere", href)
		}
	})
	if len(links) != 2 || !strings.HasPrefix(links[0], "#main_cause 主要致贫原因：") ||
		!strings.HasPrefix(links[1], "#members.0.id_number 成员2身份证号：") || !strings.Contains(links[1], "校验位") {
		t.Errorf("banner links = %q, want 主要致贫原因 then 成员2 身份证号 (校验位)", links)
	}
	checkRequiredMarked(t, doc)
}

// checkRequiredMarked fails for a required input, select or textarea whose
// label has no required mark.
func checkRequiredMarked(t *testing.T, doc *goquery.Document) {
	t.Helper()
	n := 0
	doc.Find(`main [required]`).Each(func(_ int, s *goquery.Selection) {
		n++
		id, _ := s.Attr("id")
		if doc.Find(`label[for="`+id+`"] .req`).Length() != 1 {
			t.Errorf("required field %q has no mark", id)
		}
	})
	if n == 0 {
		t.Error("no required fields on the form")
	}
}

// TestDeputyFormErrorBannerLinksFields: the deputy form sent back with
// errors lists each field as a link to it, named as the form names it.
func TestDeputyFormErrorBannerLinksFields(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	status, _, doc := a.post(t, staff, "/deputies", url.Values{"gender": {"male"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("empty deputy form: %d", status)
	}
	first := doc.Find(`[data-testid="form-errors"] a`).First()
	if first.AttrOr("href", "") != "#name" || !strings.HasPrefix(first.Text(), "姓名：") {
		t.Errorf("first banner link %q %q, want #name 姓名：…", first.AttrOr("href", ""), first.Text())
	}
	doc.Find(`[data-testid="form-errors"] a`).Each(func(_ int, s *goquery.Selection) {
		if href := s.AttrOr("href", ""); doc.Find(`[id="`+strings.TrimPrefix(href, "#")+`"]`).Length() != 1 {
			t.Errorf("banner link %s leads nowhere", href)
		}
	})
}
