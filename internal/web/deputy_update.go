package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/deputies"
)

// deputyInput reads the deputy form.
func deputyInput(r *http.Request) deputy.Input {
	f := r.PostForm
	return deputy.Input{
		Name: f.Get("name"), Gender: f.Get("gender"), Ethnicity: f.Get("ethnicity"), BirthDate: f.Get("birth_date"),
		Levels: f["levels"], Category: f.Get("category"), Term: f.Get("term"), WorkUnit: f.Get("work_unit"),
		Post: f.Get("post"), Phone: f.Get("phone"), HomeTownshipCode: f.Get("home_township_code"),
		HomeVillageCode: f.Get("home_village_code"), CredentialNumber: f.Get("credential_number"),
	}
}

func deputyInputFrom(d store.DeputyRow) deputy.Input {
	in := deputy.Input{Name: d.Name, Gender: d.Gender, Ethnicity: d.Ethnicity, Levels: d.Levels, Category: d.Category,
		Term: d.Term, WorkUnit: d.WorkUnit, Post: d.Post, Phone: d.Phone, HomeTownshipCode: d.HomeTownshipCode,
		HomeVillageCode: d.HomeVillageCode, CredentialNumber: d.CredentialNumber}
	if d.BirthDate != nil {
		in.BirthDate = d.BirthDate.Format(time.DateOnly)
	}
	return in
}

// deputyEdit renders the edit form of a deputy.
func (s *Server) deputyEdit(w http.ResponseWriter, r *http.Request) {
	d, err := s.deputyFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := d.ID
	path := "/deputies/" + components.ID(id)
	s.renderDeputyForm(w, r, http.StatusOK, deputies.FormProps{Input: deputyInputFrom(d), Action: path, Cancel: path, Version: d.Version}, "修改代表信息")
}

// deputyUpdate saves the edit form; a version saved meanwhile by someone else
// gives the conflict page with both versions (409) and nothing overwritten.
func (s *Server) deputyUpdate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	current, err := s.deputyFromPath(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	id := current.ID
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	in := deputyInput(r)
	path := "/deputies/" + components.ID(id)
	props := deputies.FormProps{Input: in, Action: path, Cancel: path, Version: version}
	d, errs := deputy.Parse(in, s.inCounty(r.Context()), s.today())
	if len(errs) > 0 {
		props.Errors = errs
		s.renderDeputyForm(w, r, http.StatusUnprocessableEntity, props, "修改代表信息")
		return
	}
	err = s.st.UpdateDeputy(r.Context(), id, version, d, u.ID)
	if errors.Is(err, store.ErrVersionConflict) {
		theirs := deputyInputFrom(current)
		props.Version = current.Version
		props.Conflict = components.Compare([][3]string{
			{"姓名", in.Name, theirs.Name},
			{"代表层级", deputy.LevelLabels(in.Levels), deputy.LevelLabels(theirs.Levels)},
			{"代表构成", deputy.Categories.Label(in.Category), deputy.Categories.Label(theirs.Category)},
			{"届次", in.Term, theirs.Term},
			{"代表证号", in.CredentialNumber, theirs.CredentialNumber},
			{"工作单位", in.WorkUnit, theirs.WorkUnit},
			{"职务", in.Post, theirs.Post},
			{"联系电话", in.Phone, theirs.Phone},
			{"所在乡镇", in.HomeTownshipCode, theirs.HomeTownshipCode},
			{"出生日期", in.BirthDate, theirs.BirthDate},
		})
		s.renderDeputyForm(w, r, http.StatusConflict, props, "保存冲突")
		return
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, path, "已保存代表 "+strings.TrimSpace(d.Name)+" 的信息。")
}
