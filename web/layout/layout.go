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

// NavGroup is one entry of the top navigation: a menu of Items under Label,
// or, when it has a single item, that item's link.
type NavGroup struct {
	Label string
	Items []NavItem
}

// MenusFor returns the top navigation of v: the menus of its role, less the
// application (申请书) for a unit's account (units are assigned by staff).
// Empty menus are dropped.
func MenusFor(v Viewer) []NavGroup {
	var out []NavGroup
	for _, g := range Menus(v.Role) {
		items := make([]NavItem, 0, len(g.Items))
		for _, it := range g.Items {
			if v.Unit && it.Href == "/applications" {
				continue
			}
			items = append(items, it)
		}
		if len(items) > 0 {
			out = append(out, NavGroup{Label: g.Label, Items: items})
		}
	}
	return out
}

// has reports whether the menu links to path.
func (g NavGroup) has(path string) bool {
	for _, it := range g.Items {
		if it.Href == path {
			return true
		}
	}
	return false
}

// NavFor returns every link of the navigation of v, menu by menu.
func NavFor(v Viewer) []NavItem {
	var out []NavItem
	for _, g := range MenusFor(v) {
		out = append(out, g.Items...)
	}
	return out
}

// link is a top-level entry that is one link.
func link(label, href string) NavGroup {
	return NavGroup{Label: label, Items: []NavItem{{label, href}}}
}

// Menus returns the top navigation of a role (DESIGN.md §1), at most five
// entries so that it fits one row at 1366 px with the user and 退出: staff
// run the registries; leaders watch progress; chairs review their township;
// deputies keep their ledgers.
func Menus(role string) []NavGroup {
	switch role {
	case "staff":
		return []NavGroup{
			{"登记", []NavItem{{"贫困户", "/households"}, {"人大代表", "/deputies"}, {"申请书", "/applications"}}},
			{"结对", []NavItem{{"结对建议", "/pairing/suggest"}, {"待确认", "/pairing/confirm"}, {"待调整", "/pairing/reassign"}, {"人盯人", "/followup"}}},
			{"台账与审核", []NavItem{{"台账", "/ledger"}, {"季度总结", "/summaries"}, {"联席会议", "/meetings"}, {"通知公告", "/notices"}}},
			{"统计与报表", []NavItem{{"进展总览", "/dashboard"}, {"三比排名", "/ranking"}, {"代表考评", "/evaluation"}, {"典型展示", "/showcase"}, {"项目与合作社", "/support"}}},
			{"设置与审计", []NavItem{{"设置", "/settings"}, {"审计日志", "/audit"}}},
		}
	case "leader":
		return []NavGroup{
			link("进展总览", "/dashboard"),
			{"统计与报表", []NavItem{{"三比排名", "/ranking"}, {"代表考评", "/evaluation"}, {"每周通报", "/digest"}, {"典型展示", "/showcase"}, {"项目与合作社", "/support"}}},
			{"结对与台账", []NavItem{{"人盯人", "/followup"}, {"台账", "/ledger"}, {"贫困户", "/households"}, {"人大代表", "/deputies"}}},
			{"会议与通知", []NavItem{{"联席会议", "/meetings"}, {"季度总结", "/summaries"}, {"通知公告", "/notices"}}},
		}
	case "township_chair":
		return []NavGroup{
			link("本镇进展", "/dashboard"),
			link("台账审核", "/review"),
			{"结对", []NavItem{{"贫困户", "/households"}, {"待确认结对", "/pairing/confirm"}, {"待调整", "/pairing/reassign"}, {"人盯人", "/followup"}}},
			{"台账与会议", []NavItem{{"台账", "/ledger"}, {"季度总结", "/summaries"}, {"联席会议", "/meetings"}, {"通知公告", "/notices"}}},
			{"统计与报表", []NavItem{{"每周通报", "/digest"}, {"三比排名", "/ranking"}, {"典型展示", "/showcase"}, {"项目与合作社", "/support"}}},
		}
	case "deputy":
		return []NavGroup{link("我的结对", "/my"), link("通知公告", "/notices"), link("申请书", "/applications"), link("联席会议", "/meetings"), link("典型展示", "/showcase")}
	}
	return nil
}

// Nav returns every link of the navigation of a role, menu by menu.
func Nav(role string) []NavItem {
	return NavFor(Viewer{Role: role})
}
