package web

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/jobs"
)

// exportPurposes are the purposes offered for a full export; 其他 needs the
// purpose in words.
var exportPurposes = []components.Option{
	{Value: "报送民政", Label: "报送民政部门"},
	{Value: "报送乡村振兴局", Label: "报送乡村振兴局"},
	{Value: "其他", Label: "其他（请注明）"},
}

// maxPurposeRunes bounds the typed purpose (characters).
const maxPurposeRunes = 100

// parseExportPurpose reads the purpose of a full export from the form
// fields purpose and purpose_other: "报送民政", "报送乡村振兴局" or "其他：<text>".
// errs names the field at fault, in Chinese.
func parseExportPurpose(v url.Values) (string, validation.Errors) {
	errs := validation.Errors{}
	purpose, other := v.Get("purpose"), strings.TrimSpace(v.Get("purpose_other"))
	switch purpose {
	case "":
		errs["purpose"] = "请选择导出用途"
	case "其他":
		switch {
		case other == "":
			errs["purpose_other"] = "选择“其他”时请写明用途"
		case utf8.RuneCountInString(other) > maxPurposeRunes:
			errs["purpose_other"] = "用途请控制在100字以内"
		default:
			return "其他：" + other, nil
		}
	default:
		for _, o := range exportPurposes {
			if o.Value == purpose {
				return purpose, nil
			}
		}
		errs["purpose"] = "请从列表中选择导出用途"
	}
	return "", errs
}

// exportChoice reads whether an export request asks for whole ID numbers
// and phones (form field full=1). Exports are masked unless it does. A full
// export is for staff only (403 for others) and needs a purpose: the first
// request (from the list's button) and one with a missing purpose get the
// purpose form (fields, the list's filters in hidden, kept as typed; 422 with
// a message beside the field), and done is true: the response is written.
// Otherwise purpose is the stated purpose ("" for a masked export).
func (s *Server) exportChoice(w http.ResponseWriter, r *http.Request, title, contents string, filters []string) (purpose string, done bool) {
	v := r.PostForm
	if v.Get("full") != "1" {
		return "", false
	}
	u, _ := userFrom(r)
	if !u.SeesPersonalData() {
		s.serveError(w, r, errForbidden)
		return "", true
	}
	purpose, errs := parseExportPurpose(v)
	if v.Get("confirm") == "1" && len(errs) == 0 {
		return purpose, false
	}
	p := jobs.FullExportProps{Layout: s.layoutProps(r, title, ""), Action: r.URL.Path, Contents: contents,
		Purposes: exportPurposes, Purpose: v.Get("purpose"), Other: v.Get("purpose_other")}
	for _, name := range filters {
		p.Hidden = append(p.Hidden, components.Option{Label: name, Value: v.Get(name)})
	}
	status := http.StatusOK
	if v.Get("confirm") == "1" {
		p.Errors, status = errs, http.StatusUnprocessableEntity
	}
	s.render(w, r, status, jobs.FullExport(p))
	return "", true
}

// personalDataNotice is what the first row of a full export says after its
// title.
func personalDataNotice(contents, purpose string) string {
	return "（本表含" + contents + "，属个人信息；用途：" + purpose + "。请妥善保管，不得外传，用后删除）"
}
