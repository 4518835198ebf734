// Package layout is the page frame of every Bangfu page: head, role-aware
// navigation, flash message and footer.
package layout

// Viewer is who is looking at the page; the zero Viewer is anonymous.
type Viewer struct {
	Name      string
	Role      string // auth.Role value
	RoleLabel string
	// Unit is set for the account of a unit (帮扶单位): role deputy, but
	// named as a unit and without the deputy's application (申请书).
	Unit bool
}

// Props is what every page passes to Page.
type Props struct {
	Title   string // page title, without the site name
	Viewer  Viewer
	Flash   string // one-time message after a redirect
	Current string // path of the navigation entry to mark as current
	Refresh int    // reload the page every Refresh seconds (0 = never): progress pages
}

// NavItem is one navigation link.
type NavItem struct {
	Label string
	Href  string
}

// NavFor returns the navigation of v: Nav of its role, less the
// application (申请书) for a unit's account (units are assigned by staff).
func NavFor(v Viewer) []NavItem {
	items := Nav(v.Role)
	if !v.Unit {
		return items
	}
	out := make([]NavItem, 0, len(items))
	for _, it := range items {
		if it.Href != "/applications" {
			out = append(out, it)
		}
	}
	return out
}

// Nav returns the navigation of a role (DESIGN.md §1): staff run the
// registries; leaders watch progress; chairs review their township; deputies
// keep their ledgers.
func Nav(role string) []NavItem {
	switch role {
	case "staff":
		return []NavItem{{"进展总览", "/dashboard"}, {"贫困户", "/households"}, {"人大代表", "/deputies"},
			{"申请书", "/applications"}, {"结对建议", "/pairing/suggest"}, {"待确认", "/pairing/confirm"},
			{"待调整", "/pairing/reassign"}, {"人盯人", "/followup"}, {"台账", "/ledger"}, {"三比排名", "/ranking"},
			{"代表考评", "/evaluation"}, {"联席会议", "/meetings"}, {"季度总结", "/summaries"}, {"典型展示", "/showcase"}, {"通知公告", "/notices"}, {"项目与合作社", "/support"}, {"设置", "/settings"}, {"审计日志", "/audit"}}
	case "leader":
		return []NavItem{{"进展总览", "/dashboard"}, {"三比排名", "/ranking"}, {"代表考评", "/evaluation"}, {"人盯人", "/followup"},
			{"每周通报", "/digest"}, {"联席会议", "/meetings"}, {"季度总结", "/summaries"}, {"典型展示", "/showcase"}, {"通知公告", "/notices"}, {"项目与合作社", "/support"}, {"贫困户", "/households"}, {"台账", "/ledger"}, {"人大代表", "/deputies"}}
	case "township_chair":
		return []NavItem{{"本镇进展", "/dashboard"}, {"台账审核", "/review"}, {"贫困户", "/households"},
			{"待确认结对", "/pairing/confirm"}, {"待调整", "/pairing/reassign"}, {"人盯人", "/followup"}, {"每周通报", "/digest"},
			{"台账", "/ledger"}, {"三比排名", "/ranking"}, {"联席会议", "/meetings"}, {"季度总结", "/summaries"}, {"典型展示", "/showcase"}, {"通知公告", "/notices"}, {"项目与合作社", "/support"}}
	case "deputy":
		return []NavItem{{"我的结对", "/my"}, {"通知公告", "/notices"}, {"申请书", "/applications"}, {"联席会议", "/meetings"}, {"典型展示", "/showcase"}}
	}
	return nil
}
