// Package helpers holds what the pages of the two kinds of helper (帮扶人:
// a deputy, web/pages/deputies, or a unit, web/pages/units) share.
package helpers

import "github.com/bangfu/bangfu/internal/store"

// Helper is what a helper's page shows: its record, pairings, account and
// audit trail, and its end-of-service form (离任 / 停用) as typed.
type Helper struct {
	Row         store.DeputyRow
	Phone       string // masked for non-staff
	Pairings    []store.PairingRow
	Audit       []store.AuditRow
	CanManage   bool   // staff
	NewPassword string // shown once, right after the account was created
	EndDate     string // the end-of-service form's date as typed (default today)
	EndError    string // its message, if refused
}
