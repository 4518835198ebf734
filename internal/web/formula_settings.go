package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/shopspring/decimal"
	"golang.org/x/text/width"
)

// saveFormulaSettings is the POST of a published formula's settings form
// (ranking weights, evaluation rules; staff): the form's numbers are read
// into a T by params, stored by save (audited; an *scoring.InvalidError
// names the fields it refuses), and the user is sent to done with flash.
// Bad values come back through render (422) beside their fields with what
// was typed.
func saveFormulaSettings[T any](s *Server, w http.ResponseWriter, r *http.Request, params []scoring.Param,
	save func(ctx context.Context, v T, actorID int64) error,
	render func(w http.ResponseWriter, r *http.Request, status int, params []scoring.Param, typed map[string]string, errs validation.Errors),
	done, flash string) {
	u, _ := userFrom(r)
	var v T
	typed, errs := readParams(r.PostForm, params, &v)
	if len(errs) == 0 {
		err := save(r.Context(), v, u.ID)
		if inv := (*scoring.InvalidError)(nil); errors.As(err, &inv) {
			errs = inv.Fields
		} else if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		render(w, r, http.StatusUnprocessableEntity, params, typed, errs)
		return
	}
	s.redirect(w, r, done, flash)
}

// readParams reads the settings form's numbers (one per param key, full-width
// digits allowed) into dst (a settings struct with matching JSON keys). It
// returns what was typed and the Chinese messages of fields that are not
// numbers; the caller validates the values.
func readParams(form url.Values, params []scoring.Param, dst any) (map[string]string, validation.Errors) {
	typed := map[string]string{}
	errs := validation.Errors{}
	obj := map[string]any{}
	for _, p := range params {
		v := strings.TrimSpace(width.Fold.String(form.Get(p.Key)))
		typed[p.Key] = form.Get(p.Key)
		d, err := decimal.NewFromString(v)
		if err != nil || strings.ContainsAny(v, "eE") {
			errs[p.Key] = p.Label + "应为数字"
			continue
		}
		if p.Key == "candidate_top" {
			if !d.IsInteger() {
				errs[p.Key] = p.Label + "应为整数"
				continue
			}
			obj[p.Key] = d.IntPart()
			continue
		}
		obj[p.Key] = d.String()
	}
	if len(errs) > 0 {
		return typed, errs
	}
	raw, _ := json.Marshal(obj)
	if err := json.Unmarshal(raw, dst); err != nil {
		errs["_"] = "无法读取所填数值"
	}
	return typed, errs
}
