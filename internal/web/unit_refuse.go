package web

import "net/http"

// refuseUnits answers 403 with the reason to a unit's (帮扶单位) account:
// units are paired by the office directly and file no application.
func (s *Server) refuseUnits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, _ := userFrom(r); u.Unit {
			s.serveError(w, r, httpError{http.StatusForbidden, "帮扶单位由市人大办公室直接安排结对，无需填写申请书。"})
			return
		}
		next.ServeHTTP(w, r)
	})
}
