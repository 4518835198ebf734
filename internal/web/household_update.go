package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/households"
)

// householdEdit renders the edit form of a household in scope (staff, or the
// chair of its township). Staff see ID numbers and phones in full (recorded
// as an unmasking); a chair sees them masked and keeps them by leaving them
// as shown.
func (s *Server) householdEdit(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	h, version, err := s.st.HouseholdRecord(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := inputFromRecord(h)
	if u.SeesPersonalData() {
		if err := s.st.AuditReveal(r.Context(), u.Scope(), id, u.ID); err != nil {
			s.serveError(w, r, err)
			return
		}
	} else {
		maskInput(&in)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.renderHouseholdForm(w, r, http.StatusOK, s.editProps(id, version, in), "修改贫困户信息")
}

func (s *Server) editProps(id int64, version int, in household.Input) households.FormProps {
	path := "/households/" + components.ID(id)
	return households.FormProps{Input: in, Action: path, Cancel: path, Version: version}
}

// maskInput masks the ID numbers and phone of a form for viewers who may not
// see them; unmaskInput puts the stored values back where the form still
// holds the masked text.
func maskInput(in *household.Input) {
	in.IDNumber = idcard.Mask(in.IDNumber)
	in.Phone = household.MaskPhone(in.Phone)
	for i := range in.Members {
		in.Members[i].IDNumber = idcard.Mask(in.Members[i].IDNumber)
	}
}

func unmaskInput(in *household.Input, stored household.Household) {
	if in.IDNumber == idcard.Mask(stored.IDNumber) {
		in.IDNumber = stored.IDNumber
	}
	if stored.Phone != "" && in.Phone == household.MaskPhone(stored.Phone) {
		in.Phone = stored.Phone
	}
	used := map[int]bool{}
	for i := range in.Members {
		for j, m := range stored.Members {
			if !used[j] && in.Members[i].IDNumber == idcard.Mask(m.IDNumber) {
				in.Members[i].IDNumber = m.IDNumber
				used[j] = true
				break
			}
		}
	}
}

// householdUpdate saves the edit form. The version the editor started from
// must still be current: otherwise the conflict page shows both versions
// side by side and nothing is overwritten.
func (s *Server) householdUpdate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	stored, current, err := s.st.HouseholdRecord(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	in, op := householdInput(r.PostForm)
	props := s.editProps(id, version, in)
	if op == "add_member" {
		props.Input.Members = append(props.Input.Members, newMemberRow())
		s.renderHouseholdForm(w, r, http.StatusOK, props, "修改贫困户信息")
		return
	}
	// What the user sees again on an error or a conflict: its own copy, so
	// that masked numbers stay masked whatever happens to in below.
	typed := in
	typed.Members = append([]household.MemberInput(nil), in.Members...)
	if version != current {
		// Someone saved since this form was opened: say so before judging
		// the input, which may differ only because of that other save.
		s.renderConflict(w, r, u, id, typed, stored, current)
		return
	}
	if !u.SeesPersonalData() {
		unmaskInput(&in, stored)
	}
	h, errs := household.Parse(in, s.inCounty(r.Context()), s.today())
	if u.Role == auth.TownshipChair && h.VillageCode != "" && !strings.HasPrefix(h.VillageCode, u.TownshipCode) {
		errs = map[string]string{"village_code": "只能选择本乡镇的村（社区）"}
	}
	if len(errs) > 0 {
		props.Input, props.Errors = typed, errs
		s.renderHouseholdForm(w, r, http.StatusUnprocessableEntity, props, "修改贫困户信息")
		return
	}
	err = s.st.UpdateHousehold(r.Context(), u.Scope(), id, version, h, u.ID)
	var dup *store.ErrDuplicateID
	switch {
	case errors.As(err, &dup):
		props.Input, props.Errors = typed, s.duplicateIDError(r, u, in, dup)
		s.renderHouseholdForm(w, r, http.StatusUnprocessableEntity, props, "修改贫困户信息")
		return
	case errors.Is(err, store.ErrVersionConflict):
		s.renderConflict(w, r, u, id, typed, stored, current)
		return
	case errors.Is(err, store.ErrUnchanged):
		s.redirect(w, r, "/households/"+components.ID(id), "没有修改任何内容。")
		return
	case err != nil:
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(id), "已保存。")
}

// renderConflict shows what the user typed beside the version saved in the
// meantime (409), with the form again so the user can decide and save over
// the newer version on purpose.
func (s *Server) renderConflict(w http.ResponseWriter, r *http.Request, u auth.User, id int64, typed household.Input, stored household.Household, current int) {
	theirs := inputFromRecord(stored)
	if !u.SeesPersonalData() {
		maskInput(&theirs)
	}
	villages, err := s.villageOptions(r.Context(), u.Scope().TownshipCode)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	form := s.editProps(id, current, typed)
	form.Villages = villages
	form.Layout = s.layoutProps(r, "保存冲突", "/households")
	form.Conflict = households.CompareInputs(typed, theirs)
	s.render(w, r, http.StatusConflict, households.Form(form))
}

// householdStatus changes 脱贫状态 and the monitoring flag, with a history row.
func (s *Server) householdStatus(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	row, err := s.st.Household(r.Context(), u.Scope(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	c, errs := household.ParseStatusChange(f.Get("status"), f.Get("exited_year"), f.Get("monitoring"), f.Get("note"), row.IdentificationYear, s.today())
	if c.Status == "relapsed" && row.Status == "not_exited" {
		errs = map[string]string{"status": "该户尚未脱贫，不能标记为返贫"}
	}
	// A relapse or a monitoring flag set on the page needs its reason.
	if len(errs) == 0 && strings.TrimSpace(f.Get("note")) == "" &&
		((c.Status == "relapsed" && row.Status != "relapsed") || (c.Monitoring != "" && c.Monitoring != row.Monitoring)) {
		errs = map[string]string{"note": "标记返贫或纳入监测须写明原因"}
	}
	if len(errs) > 0 {
		s.rerenderHousehold(w, r, u, id, func(sp *households.ShowProps) {
			sp.StatusForm = households.StatusInput{Status: f.Get("status"), ExitedYear: f.Get("exited_year"), Monitoring: f.Get("monitoring"), Note: f.Get("note")}
			sp.StatusErrors = errs
		})
		return
	}
	if err := s.st.ChangeHouseholdStatus(r.Context(), u.Scope(), id, c, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/households/"+components.ID(id), "已更新脱贫状态。")
}
