package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/web/components"
	"github.com/go-chi/chi/v5"
)

// pathID reads the {id} URL parameter; a malformed id is a 404.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// pageParam reads ?page=, defaulting to 1.
func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// pager builds the pager of a list at path with the request's filters.
func pager(r *http.Request, page, total int) components.Pager {
	q := url.Values{}
	for k, v := range r.URL.Query() {
		if k != "page" && len(v) > 0 && v[0] != "" {
			q[k] = v
		}
	}
	return components.Pager{Page: page, Total: total, PageSize: store.PageSize, Base: q, Path: r.URL.Path}
}

// townshipOptions lists the townships of the county for select lists.
func (s *Server) townshipOptions(ctx context.Context) ([]components.Option, error) {
	kids, err := s.st.Children(ctx, s.county)
	if err != nil {
		return nil, err
	}
	out := make([]components.Option, len(kids))
	for i, k := range kids {
		out[i] = components.Option{Value: k.Code, Label: k.Name}
	}
	return out, nil
}

// villageOptions lists villages as "township / village", all of the county or
// only those of township when it is set.
func (s *Server) villageOptions(ctx context.Context, township string) ([]components.Option, error) {
	vs, err := s.st.Villages(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]components.Option, 0, len(vs))
	for _, v := range vs {
		if township == "" || v.ParentCode == township {
			out = append(out, components.Option{Value: v.Code, Label: v.TownshipName + " / " + v.Name})
		}
	}
	return out, nil
}

// homeOptions is the choice of home township and village of a helper's
// form (a deputy's or a unit's): every township of the county, every
// village.
func (s *Server) homeOptions(ctx context.Context) (towns, villages []components.Option, err error) {
	if towns, err = s.townshipOptions(ctx); err != nil {
		return nil, nil, err
	}
	if villages, err = s.villageOptions(ctx, ""); err != nil {
		return nil, nil, err
	}
	return towns, villages, nil
}

// inCounty reports whether code is a stored division of the served county.
func (s *Server) inCounty(ctx context.Context) func(string) bool {
	return func(code string) bool {
		if !strings.HasPrefix(code, s.county) {
			return false
		}
		ok, err := s.st.DivisionExists(ctx, code)
		return err == nil && ok
	}
}

// maskHousehold hides the ID number and phone of h (DESIGN.md §1): lists and
// pages show them masked to everyone; staff may unmask one household at a
// time, which is audited (householdReveal).
func maskHousehold(h *store.HouseholdRow) {
	h.IDNumber = idcard.Mask(h.IDNumber)
	h.Phone = household.MaskPhone(h.Phone)
}

// phoneFor returns the phone formatter for a viewer.
func phoneFor(u auth.User) func(string) string {
	if u.SeesPersonalData() {
		return func(s string) string { return s }
	}
	return household.MaskPhone
}

// pathEscape percent-encodes a file name for Content-Disposition filename*.
func pathEscape(s string) string { return url.PathEscape(s) }

// pastLastPage redirects (303) to the last page of a list when the requested
// page lies beyond it and reports whether it did.
func pastLastPage(w http.ResponseWriter, r *http.Request, page, total int) bool {
	if page <= 1 || total == 0 || (page-1)*store.PageSize < total {
		return false
	}
	q := r.URL.Query()
	q.Set("page", strconv.Itoa((total+store.PageSize-1)/store.PageSize))
	http.Redirect(w, r, r.URL.Path+"?"+q.Encode(), http.StatusSeeOther)
	return true
}

// householdStandard reports whether v is an identification standard.
func householdStandard(v string) bool { return household.Standards.Has(v) }

// townshipNamer returns code → township name for the county.
func (s *Server) townshipNamer(r *http.Request) (func(string) string, []components.Option, error) {
	opts, err := s.townshipOptions(r.Context())
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, o := range opts {
		names[o.Value] = o.Label
	}
	return func(c string) string { return names[c] }, opts, nil
}

// parsePostForm reads a form that may carry files: a multipart body of at
// most limit bytes (else 413 with tooLarge, a Chinese sentence), every text
// field checked by cleanText; or an ordinary form. It answers the request
// itself and returns false when the form cannot be used.
func (s *Server) parsePostForm(w http.ResponseWriter, r *http.Request, limit int64, tooLarge string) bool {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseForm(); err != nil {
			s.serveError(w, r, httpError{http.StatusBadRequest, "表单无法读取。"})
			return false
		}
		return true
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		s.serveError(w, r, httpError{http.StatusRequestEntityTooLarge, tooLarge})
		return false
	}
	for _, vs := range r.MultipartForm.Value {
		for _, v := range vs {
			if !cleanText(v) {
				s.serveError(w, r, errBadText)
				return false
			}
		}
	}
	return true
}
