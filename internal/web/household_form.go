package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/households"
)

// householdInput reads the household form: the household fields, the head's
// own attributes and the member rows members.N.* (in N order; rows marked
// remove and rows left entirely empty are dropped). op is "add_member" when
// the clerk asked for another empty row, else "save".
func householdInput(f url.Values) (household.Input, string) {
	in := household.Input{
		VillageCode: f.Get("village_code"), GroupName: f.Get("group_name"), HeadName: f.Get("head_name"),
		HeadSex: f.Get("head_sex"), IDNumber: f.Get("id_number"), Phone: f.Get("phone"), Attribute: f.Get("attribute"),
		Standard: f.Get("standard"), MainCause: f.Get("main_cause"), OtherCauses: f["other_causes"],
		IdentificationYear: f.Get("identification_year"), PerCapitaIncome: f.Get("per_capita_income"),
		PlannedExitYear: f.Get("planned_exit_year"), Remark: f.Get("remark"),
		Head: household.MemberInput{Ethnicity: f.Get("head_ethnicity"), Education: f.Get("head_education"),
			Health: f.Get("head_health"), Labour: f.Get("head_labour"), MigrantWork: f.Get("head_migrant_work")},
	}
	var idx []int
	seen := map[int]bool{}
	for k := range f {
		rest, ok := strings.CutPrefix(k, "members.")
		if !ok {
			continue
		}
		n, _, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(n)
		if err != nil || i < 0 || i >= household.MaxMembers*2 || seen[i] {
			continue
		}
		seen[i] = true
		idx = append(idx, i)
	}
	sort.Ints(idx)
	for _, i := range idx {
		get := func(field string) string { return f.Get(household.MemberField(i, field)) }
		if get("remove") != "" {
			continue
		}
		m := household.MemberInput{Name: get("name"), Sex: get("sex"), IDNumber: get("id_number"), BirthDate: get("birth_date"),
			Relation: get("relation"), Ethnicity: get("ethnicity"), Education: get("education"), Schooling: get("schooling"),
			Health: get("health"), Labour: get("labour"), MigrantWork: get("migrant_work")}
		if strings.TrimSpace(m.Name+m.IDNumber+m.Relation+m.BirthDate) == "" {
			continue // an empty row added by mistake
		}
		in.Members = append(in.Members, m)
	}
	op := f.Get("op")
	if op != "add_member" {
		op = "save"
	}
	return in, op
}

// newMemberRow is the empty row "添加成员" appends.
func newMemberRow() household.MemberInput {
	return household.MemberInput{Health: "健康", Labour: "普通劳动力", Ethnicity: "汉族"}
}

// duplicateIDError places an *store.ErrDuplicateID beside the field of in
// that holds the taken number. The holder is named only if the user may see
// that household; otherwise the message says "another household", so that
// the check cannot be used to look up ID numbers county-wide.
func (s *Server) duplicateIDError(r *http.Request, u auth.User, in household.Input, dup *store.ErrDuplicateID) validation.Errors {
	msg := "该身份证号已登记在其他户"
	if dup.HouseholdID != 0 {
		if _, err := s.st.Household(r.Context(), u.Scope(), dup.HouseholdID); err == nil {
			msg = "该身份证号已登记在 " + dup.Holder + " 户"
		}
	}
	for i, m := range in.Members {
		if strings.TrimSpace(m.IDNumber) == dup.IDNumber {
			return validation.Errors{household.MemberField(i, "id_number"): msg}
		}
	}
	return validation.Errors{"id_number": msg}
}

// inputFromRecord fills the form from a stored household.
func inputFromRecord(h household.Household) household.Input {
	in := household.Input{VillageCode: h.VillageCode, GroupName: h.GroupName, HeadName: h.HeadName, HeadSex: h.HeadSex,
		IDNumber: h.IDNumber, Phone: h.Phone, Attribute: h.Attribute, Standard: h.Standard, MainCause: h.MainCause,
		OtherCauses: h.OtherCauses, IdentificationYear: strconv.Itoa(h.IdentificationYear),
		PerCapitaIncome: h.PerCapitaIncome.StringFixed(2), Remark: h.Remark,
		Head: household.MemberInput{Ethnicity: h.Head.Ethnicity, Education: h.Head.Education, Health: h.Head.Health,
			Labour: h.Head.Labour, MigrantWork: h.Head.MigrantWork}}
	if h.PlannedExitYear != 0 {
		in.PlannedExitYear = strconv.Itoa(h.PlannedExitYear)
	}
	for _, m := range h.Members {
		in.Members = append(in.Members, household.MemberInput{Name: m.Name, Sex: m.Sex, IDNumber: m.IDNumber,
			Relation: m.Relation, Ethnicity: m.Ethnicity, Education: m.Education, Schooling: m.Schooling,
			Health: m.Health, Labour: m.Labour, MigrantWork: m.MigrantWork})
	}
	return in
}

// renderHouseholdForm shows the household form; the village list is the
// county's for staff and the township's for a chair.
func (s *Server) renderHouseholdForm(w http.ResponseWriter, r *http.Request, status int, p households.FormProps, title string) {
	u, _ := userFrom(r)
	villages, err := s.villageOptions(r.Context(), u.Scope().TownshipCode)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Villages = villages
	p.Layout = s.layoutProps(r, title, "/households")
	s.render(w, r, status, households.Form(p))
}
