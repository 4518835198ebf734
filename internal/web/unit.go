package web

import (
	"errors"
	"fmt"
	"github.com/bangfu/bangfu/internal/validation"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/units"
)

// Helpers that are units (帮扶单位): a unit is a row of deputies with kind
// "unit", so that pairing, measures, ledger, review and follow-up work for
// it as for a deputy; its account has role deputy (auth.User.Unit set), so
// every deputy route and the own-pairing scope apply to it unchanged. These
// handlers are its registry: list, register, edit, deactivate, open a login.

// unitList renders one page of the units.
func (s *Server) unitList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	q := r.URL.Query()
	f := store.DeputyFilter{Kind: deputy.KindUnit, Status: q.Get("status"), Query: q.Get("q"), Page: pageParam(r)}
	rows, total, err := s.st.Deputies(r.Context(), f)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if pastLastPage(w, r, f.Page, total) {
		return
	}
	s.render(w, r, http.StatusOK, units.List(units.ListProps{
		Layout: s.layoutProps(r, "帮扶单位", "/deputies"), Rows: rows, Filter: f, Pager: pager(r, f.Page, total),
		CanCreate: u.Role == auth.Staff, Phone: phoneFor(u),
	}))
}

// unitNew renders the empty unit form.
func (s *Server) unitNew(w http.ResponseWriter, r *http.Request) {
	s.renderUnitForm(w, r, http.StatusOK, units.FormProps{Action: "/units", Cancel: "/units"}, "登记帮扶单位")
}

// unitInput reads the unit form.
func unitInput(r *http.Request) deputy.UnitInput {
	f := r.PostForm
	return deputy.UnitInput{Name: f.Get("name"), ContactPerson: f.Get("contact_person"), Phone: f.Get("phone"),
		Post: f.Get("post"), HomeTownshipCode: f.Get("home_township_code"), HomeVillageCode: f.Get("home_village_code")}
}

// unitCreate validates the form and registers the unit; on error the form
// comes back (422) with what was typed and a message beside each field.
func (s *Server) unitCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	in := unitInput(r)
	d, errs := deputy.ParseUnit(in, s.inCounty(r.Context()))
	if len(errs) > 0 {
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, units.FormProps{Input: in, Errors: errs,
			Action: "/units", Cancel: "/units"}, "登记帮扶单位")
		return
	}
	id, err := s.st.CreateUnit(r.Context(), d, u.ID)
	if errors.Is(err, store.ErrDuplicateUnit) {
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, units.FormProps{Input: in, Errors: validation.Errors{"name": unitNameTaken},
			Action: "/units", Cancel: "/units"}, "登记帮扶单位")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/units/"+components.ID(id), "已登记帮扶单位 "+d.Name+"。")
}

func (s *Server) renderUnitForm(w http.ResponseWriter, r *http.Request, status int, p units.FormProps, title string) {
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	villages, err := s.villageOptions(r.Context(), "")
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p.Layout = s.layoutProps(r, title, "/deputies")
	p.Townships, p.Villages = towns, villages
	s.render(w, r, status, units.Form(p))
}

// unitFromPath loads the unit {id} of the URL: 404 when unknown or when the
// id is a deputy's.
func (s *Server) unitFromPath(r *http.Request) (store.DeputyRow, error) {
	id, err := pathID(r)
	if err != nil {
		return store.DeputyRow{}, err
	}
	d, err := s.st.Deputy(r.Context(), id)
	if err != nil {
		return store.DeputyRow{}, err
	}
	if d.Kind != deputy.KindUnit {
		return store.DeputyRow{}, errNotFound
	}
	return d, nil
}

// unitShow renders a unit's page: facts, pairings, account and audit trail.
func (s *Server) unitShow(w http.ResponseWriter, r *http.Request) {
	s.renderUnitPage(w, r, http.StatusOK, units.ShowProps{})
}

func (s *Server) renderUnitPage(w http.ResponseWriter, r *http.Request, status int, p units.ShowProps) {
	u, _ := userFrom(r)
	d, err := s.unitFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	pairings, err := s.st.DeputyPairingHistory(r.Context(), d.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	trail, err := s.st.AuditTrail(r.Context(), "deputy", d.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.NewPassword != "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	p.Layout, p.Unit, p.Phone = s.layoutProps(r, "帮扶单位 "+d.Name, "/deputies"), d, phoneFor(u)(d.Phone)
	p.Pairings, p.Audit, p.CanManage = pairings, trail, u.Role == auth.Staff
	if p.DeactivateDate == "" {
		p.DeactivateDate = s.today().Format(time.DateOnly)
	}
	s.render(w, r, status, units.Show(p))
}

func unitInputFrom(d store.DeputyRow) deputy.UnitInput {
	return deputy.UnitInput{Name: d.Name, ContactPerson: d.ContactPerson, Phone: d.Phone, Post: d.Post,
		HomeTownshipCode: d.HomeTownshipCode, HomeVillageCode: d.HomeVillageCode}
}

// unitEdit renders the edit form of a unit.
func (s *Server) unitEdit(w http.ResponseWriter, r *http.Request) {
	d, err := s.unitFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	path := "/units/" + components.ID(d.ID)
	s.renderUnitForm(w, r, http.StatusOK, units.FormProps{Input: unitInputFrom(d), Action: path, Cancel: path, Version: d.Version}, "修改帮扶单位信息")
}

// unitUpdate saves the edit form; a version saved meanwhile by someone else
// gives the conflict page with both versions (409) and nothing overwritten.
func (s *Server) unitUpdate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	current, err := s.unitFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	in := unitInput(r)
	path := "/units/" + components.ID(current.ID)
	props := units.FormProps{Input: in, Action: path, Cancel: path, Version: version}
	d, errs := deputy.ParseUnit(in, s.inCounty(r.Context()))
	if len(errs) > 0 {
		props.Errors = errs
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, props, "修改帮扶单位信息")
		return
	}
	err = s.st.UpdateUnit(r.Context(), current.ID, version, d, u.ID)
	if errors.Is(err, store.ErrDuplicateUnit) {
		props.Errors = validation.Errors{"name": unitNameTaken}
		s.renderUnitForm(w, r, http.StatusUnprocessableEntity, props, "修改帮扶单位信息")
		return
	}
	if errors.Is(err, store.ErrVersionConflict) {
		theirs := unitInputFrom(current)
		props.Version = current.Version
		props.Conflict = components.Compare([][3]string{
			{"单位名称", in.Name, theirs.Name},
			{"联系人", in.ContactPerson, theirs.ContactPerson},
			{"联系人职务", in.Post, theirs.Post},
			{"联系电话", in.Phone, theirs.Phone},
			{"所在乡镇", in.HomeTownshipCode, theirs.HomeTownshipCode},
		})
		s.renderUnitForm(w, r, http.StatusConflict, props, "保存冲突")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, path, "已保存帮扶单位 "+strings.TrimSpace(d.Name)+" 的信息。")
}

// unitDeactivate stops a unit's help from the given date (not in the
// future): as a deputy leaving office, its active pairings are flagged for
// reassignment, its proposals end and its account is disabled.
func (s *Server) unitDeactivate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	d, err := s.unitFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	typed := r.PostForm.Get("date")
	date, msg := s.endDate(typed, "停用日期")
	if msg != "" {
		s.renderUnitPage(w, r, http.StatusUnprocessableEntity, units.ShowProps{DeactivateDate: typed, DeactivateError: msg})
		return
	}
	path := "/units/" + components.ID(d.ID)
	n, err := s.st.MarkLeftOffice(r.Context(), d.ID, date, u.ID)
	if errors.Is(err, store.ErrConflict) {
		s.redirect(w, r, path, "该单位已是停用状态。")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	msg = "已停用。"
	if n > 0 {
		msg = fmt.Sprintf("已停用；其帮扶的 %d 户已标记为“待调整帮扶人”，请尽快重新结对。", n)
	}
	s.redirect(w, r, path, msg)
}

// unitAccount opens a login (role deputy) for a unit: the username is
// "unit." and its id, the initial password random, shown once and to be
// changed at first sign-in.
func (s *Server) unitAccount(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	d, err := s.unitFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	password, err := auth.RandomPassword(12)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if err := s.st.CreateDeputyAccount(r.Context(), d.ID, fmt.Sprintf("unit.%d", d.ID), hash, u.ID); err != nil {
		if errors.Is(err, store.ErrConflict) {
			s.redirect(w, r, "/units/"+components.ID(d.ID), "该单位已有账号或已停用，未重复开通。")
			return
		}
		s.serveError(w, r, err)
		return
	}
	s.renderUnitPage(w, r, http.StatusOK, units.ShowProps{NewPassword: password})
}

// unitNameTaken is the message beside the name of a unit whose name another
// unit in use has.
const unitNameTaken = "已有同名的帮扶单位在用，请核对（如为不同单位，请写全称）"
