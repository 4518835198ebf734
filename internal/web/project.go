package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/project"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/projects"
)

// villageChoices are the villages u may manage projects in: the county's
// for staff and leaders, its township's for a chair.
func (s *Server) villageChoices(r *http.Request, u auth.User) ([]components.Option, error) {
	if u.Role == auth.TownshipChair {
		return s.villageOptions(r.Context(), u.TownshipCode)
	}
	return s.villageOptions(r.Context(), "")
}

func hasOption(opts []components.Option, v string) bool {
	return slices.ContainsFunc(opts, func(o components.Option) bool { return o.Value == v })
}

// supportShow renders a village's projects and cooperatives with their
// totals (?village=; default: the relief point 扶贫联系点 in the viewer's
// scope, else its first village with a project).
func (s *Server) supportShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	ctx := r.Context()
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	code := r.URL.Query().Get("village")
	if code == "" {
		if rp, err := s.st.ReliefPointIn(ctx, s.topDivision(u)); err == nil {
			code = rp.Code
		} else if !errors.Is(err, store.ErrNotFound) {
			s.serveError(w, r, err)
			return
		} else if ps, err := s.st.Projects(ctx, s.topDivision(u)); err != nil {
			s.serveError(w, r, err)
			return
		} else if len(ps) > 0 {
			code = ps[0].VillageCode // no relief point here: the first village with a project
		}
	}
	p := projects.SupportProps{Villages: villages, Village: code, CanEdit: u.Role == auth.Staff || u.Role == auth.TownshipChair}
	if code != "" {
		if !hasOption(villages, code) {
			s.serveError(w, r, errNotFound)
			return
		}
		d, err := s.st.Division(ctx, code)
		if err != nil {
			s.serveError(w, r, err)
			return
		}
		p.Division = d
		if p.Projects, err = s.st.Projects(ctx, code); err != nil {
			s.serveError(w, r, err)
			return
		}
		if p.Cooperatives, err = s.st.Cooperatives(ctx, code); err != nil {
			s.serveError(w, r, err)
			return
		}
		p.Totals = store.Totals(p.Projects)
	}
	title := "村级项目与合作组织"
	if p.Division.ReliefPoint {
		title = "扶贫联系点" + p.Division.Name + "：项目与合作组织"
	} else if p.Division.Name != "" {
		title = p.Division.Name + "：项目与合作组织"
	}
	p.Layout = s.layoutProps(r, title, "/support")
	s.render(w, r, http.StatusOK, projects.Support(p))
}

// projectInput reads the project form.
func projectInput(r *http.Request) project.Input {
	f := r.PostForm
	return project.Input{VillageCode: f.Get("village"), Name: f.Get("name"), Kind: f.Get("kind"), Status: f.Get("status"),
		Department: f.Get("department"), Note: f.Get("note"), Budget: f.Get("budget"), FundsReceived: f.Get("funds_received"),
		FundsSpent: f.Get("funds_spent"), AppliedOn: f.Get("applied_on"), ApprovedOn: f.Get("approved_on"),
		StartedOn: f.Get("started_on"), DoneOn: f.Get("completed_on")}
}

func ptrDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}

// inputOf is a stored project as form input.
func inputOf(p store.ProjectRow) project.Input {
	return project.Input{VillageCode: p.VillageCode, Name: p.Name, Kind: p.Kind, Status: p.Status, Department: p.Department,
		Note: p.Note, Budget: p.Budget.StringFixed(2), FundsReceived: p.FundsReceived.StringFixed(2), FundsSpent: p.FundsSpent.StringFixed(2),
		AppliedOn: ptrDate(p.AppliedOn), ApprovedOn: ptrDate(p.ApprovedOn), StartedOn: ptrDate(p.StartedOn), DoneOn: ptrDate(p.CompletedOn)}
}

func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, status int, row store.ProjectRow, in project.Input, errs validation.Errors) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	p := projects.ProjectProps{Project: row, Input: in, Errors: errs, Villages: villages, CanEdit: u.Role == auth.Staff || u.Role == auth.TownshipChair}
	if row.ID != 0 {
		if p.Beneficiaries, err = s.st.ProjectBeneficiaries(r.Context(), row.ID); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	title := "新建项目"
	if row.ID != 0 {
		title = row.Name
	}
	p.Layout = s.layoutProps(r, title, "/support")
	s.render(w, r, status, projects.Project(p))
}

// projectNew renders an empty project form (?village= preselected).
func (s *Server) projectNew(w http.ResponseWriter, r *http.Request) {
	s.renderProject(w, r, http.StatusOK, store.ProjectRow{}, project.Input{VillageCode: r.URL.Query().Get("village"), Kind: "solar", Status: "applied"}, nil)
}

// projectCreate stores a new project (POST /projects).
func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) {
	s.projectSave(w, r, 0)
}

// projectUpdate saves project {id} with the version the form was read at.
func (s *Server) projectUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.projectSave(w, r, id)
}

func (s *Server) projectSave(w http.ResponseWriter, r *http.Request, id int64) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	var row store.ProjectRow
	if id != 0 {
		if row, err = s.st.Project(r.Context(), s.topDivision(u), id); err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	in := projectInput(r)
	p, errs := project.Parse(in, func(c string) bool { return hasOption(villages, c) })
	if errs != nil {
		s.renderProject(w, r, http.StatusUnprocessableEntity, row, in, errs)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	saved, err := s.st.SaveProject(r.Context(), id, version, p, u.ID)
	if errors.Is(err, store.ErrVersionConflict) {
		fresh, ferr := s.st.Project(r.Context(), s.topDivision(u), id)
		if ferr != nil {
			s.serveError(w, r, ferr)
			return
		}
		s.renderProject(w, r, http.StatusConflict, fresh, in, validation.Errors{"_": "该项目已被他人修改（当前为第" + strconv.Itoa(fresh.Version) + "版）。您填写的内容仍在表单中，请核对后再保存。"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/projects/"+strconv.FormatInt(saved, 10), "项目已保存："+p.Name)
}

// projectShow renders a project with its form and beneficiaries.
func (s *Server) projectShow(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	row, err := s.st.Project(r.Context(), s.topDivision(u), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderProject(w, r, http.StatusOK, row, inputOf(row), nil)
}

// projectBeneficiary adds (action=add) or removes (action=remove) a
// household of the project's village (household=ID).
func (s *Server) projectBeneficiary(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	row, err := s.st.Project(r.Context(), s.topDivision(u), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	hh, _ := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("household")), 10, 64)
	err = s.st.SetBeneficiary(r.Context(), id, hh, r.PostForm.Get("action") != "remove", u.ID)
	if errors.Is(err, store.ErrNotFound) {
		s.renderProject(w, r, http.StatusUnprocessableEntity, row, inputOf(row), validation.Errors{"household": "请填写本村贫困户的编号（见贫困户页面地址）"})
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/projects/"+strconv.FormatInt(id, 10)+"#beneficiaries", "受益户已更新。")
}

// cooperativeNew renders the new cooperative form.
func (s *Server) cooperativeNew(w http.ResponseWriter, r *http.Request) {
	s.renderCooperativeForm(w, r, http.StatusOK, map[string]string{"village": r.URL.Query().Get("village")}, nil)
}

func (s *Server) renderCooperativeForm(w http.ResponseWriter, r *http.Request, status int, typed map[string]string, errs validation.Errors) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, projects.CooperativeForm(projects.CooperativeFormProps{
		Layout: s.layoutProps(r, "新建合作组织", "/support"), Typed: typed, Errors: errs, Villages: villages}))
}

// cooperativeCreate stores a cooperative.
func (s *Server) cooperativeCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	villages, err := s.villageChoices(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	typed := map[string]string{"village": f.Get("village"), "name": f.Get("name"), "product": f.Get("product"), "founded_on": f.Get("founded_on"), "note": f.Get("note")}
	c, errs := project.ParseCooperative(f.Get("village"), f.Get("name"), f.Get("product"), f.Get("founded_on"), f.Get("note"),
		func(c string) bool { return hasOption(villages, c) })
	if errs != nil {
		s.renderCooperativeForm(w, r, http.StatusUnprocessableEntity, typed, errs)
		return
	}
	id, err := s.st.CreateCooperative(r.Context(), c, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/cooperatives/"+strconv.FormatInt(id, 10), "已建立合作组织："+c.Name)
}

// cooperativeShow renders a cooperative, its members and the payout form.
func (s *Server) cooperativeShow(w http.ResponseWriter, r *http.Request) {
	s.renderCooperative(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderCooperative(w http.ResponseWriter, r *http.Request, status int, typed map[string]string, errs validation.Errors) {
	u, _ := userFrom(r)
	c, err := s.loadCooperative(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := c.ID
	members, err := s.st.CooperativeMembers(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	payouts, err := s.st.Payouts(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, status, projects.Cooperative(projects.CooperativeProps{
		Layout: s.layoutProps(r, c.Name, "/support"), Coop: c, Members: members, Payouts: payouts, Typed: typed, Errors: errs,
		CanEdit: u.Role == auth.Staff || u.Role == auth.TownshipChair, Today: s.today()}))
}

// loadCooperative reads cooperative {id} within u's scope (ErrNotFound
// outside it).
func (s *Server) loadCooperative(r *http.Request, u auth.User) (store.CooperativeRow, error) {
	id, err := pathID(r)
	if err != nil {
		return store.CooperativeRow{}, err
	}
	return s.st.Cooperative(r.Context(), s.topDivision(u), id)
}

// cooperativeMember adds a member household (household=ID, joined_on).
func (s *Server) cooperativeMember(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	c, err := s.loadCooperative(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := c.ID
	f := r.PostForm
	typed := map[string]string{"member_household": f.Get("household"), "joined_on": f.Get("joined_on")}
	hh, herr := strconv.ParseInt(strings.TrimSpace(f.Get("household")), 10, 64)
	joined, jerr := time.Parse(time.DateOnly, strings.TrimSpace(f.Get("joined_on")))
	errs := validation.Errors{}
	if herr != nil || hh <= 0 {
		errs["member_household"] = "请填写贫困户的编号（见贫困户页面地址）"
	}
	if jerr != nil || joined.After(s.today()) {
		errs["joined_on"] = "请填写入社日期（不晚于今天），如 2017-04-01"
	}
	if len(errs) == 0 {
		err = s.st.AddMember(r.Context(), id, hh, joined, u.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			errs["member_household"] = "本乡镇没有这个编号的贫困户"
		case errors.Is(err, store.ErrConflict):
			errs["member_household"] = "该户已是成员"
		case err != nil:
			s.serveError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.renderCooperative(w, r, http.StatusUnprocessableEntity, typed, errs)
		return
	}
	s.redirect(w, r, "/cooperatives/"+strconv.FormatInt(id, 10), "已加入成员户。")
}

// cooperativePayout records a dividend or wage paid to a member household;
// it also counts as the household's income of that year.
func (s *Server) cooperativePayout(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	c, err := s.loadCooperative(r, u)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := c.ID
	f := r.PostForm
	typed := map[string]string{"household": f.Get("household"), "kind": f.Get("kind"), "amount": f.Get("amount"), "paid_on": f.Get("paid_on")}
	p, errs := project.ParsePayout(f.Get("household"), f.Get("kind"), f.Get("amount"), f.Get("paid_on"), s.today())
	if errs == nil {
		err = s.st.RecordPayout(r.Context(), id, p, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			errs = validation.Errors{"household": "该户不是本合作组织的成员"}
		} else if errors.Is(err, store.ErrNoIncomeYear) {
			errs = validation.Errors{"household": "该户尚未登记" + strconv.Itoa(p.Year) + "年收入：请先在贫困户页面登记当年收入，再记录分红、工资（会计入当年收入）"}
		} else if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if errs != nil {
		s.renderCooperative(w, r, http.StatusUnprocessableEntity, typed, errs)
		return
	}
	s.redirect(w, r, "/cooperatives/"+strconv.FormatInt(id, 10), "已记录发放，并计入该户"+strconv.Itoa(p.Year)+"年收入。")
}
