package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/bangfu/bangfu/web/components"
	"github.com/bangfu/bangfu/web/pages/meetings"
)

// meetingScope is which meetings u sees: staff and leaders all, a chair
// the county's and its township's, a deputy those it is listed at.
func meetingScope(u auth.User) store.MeetingScope {
	switch u.Role {
	case auth.TownshipChair:
		return store.MeetingScope{Township: u.TownshipCode}
	case auth.Deputy:
		return store.MeetingScope{DeputyID: u.DeputyID}
	}
	return store.MeetingScope{}
}

// canEditMeeting: staff any meeting, a chair its township's own meetings.
func canEditMeeting(u auth.User, m store.MeetingRow) bool {
	return u.Role == auth.Staff || (u.Role == auth.TownshipChair && m.TownshipCode == u.TownshipCode)
}

// canCloseItem: staff, the owning account, or the chair of the owning township.
func canCloseItem(u auth.User, it store.ActionItemRow) bool {
	return u.Role == auth.Staff || (it.OwnerUserID != 0 && it.OwnerUserID == u.ID) ||
		(u.Role == auth.TownshipChair && it.OwnerTownship != "" && it.OwnerTownship == u.TownshipCode)
}

// meetingList renders the meetings of a year visible to the viewer.
func (s *Server) meetingList(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	// Meetings are scheduled up to next year.
	p, err := period.Parse(r.URL.Query().Get("year"), "", s.today().AddDate(1, 0, 0))
	if err != nil {
		s.serveError(w, r, httpError{http.StatusBadRequest, err.Error()})
		return
	}
	if r.URL.Query().Get("year") == "" {
		p.Year = s.today().Year()
	}
	rows, err := s.st.Meetings(r.Context(), meetingScope(u), p.Year)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, meetings.List(meetings.ListProps{
		Layout: s.layoutProps(r, "联席会议", "/meetings"), Year: p.Year, Years: yearsUpTo(s.today().Year() + 1),
		Rows: rows, CanSchedule: u.Role == auth.Staff || u.Role == auth.TownshipChair, ShowItems: u.Role != auth.Deputy, Today: s.today(),
	}))
}

// meetingNew renders the schedule form.
func (s *Server) meetingNew(w http.ResponseWriter, r *http.Request) {
	s.renderMeetingForm(w, r, http.StatusOK, meeting.ScheduleInput{Kind: "on_site"}, nil)
}

func (s *Server) renderMeetingForm(w http.ResponseWriter, r *http.Request, status int, in meeting.ScheduleInput, errs validation.Errors) {
	u, _ := userFrom(r)
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if u.Role == auth.TownshipChair && in.HostTownship == "" {
		in.HostTownship = u.TownshipCode
	}
	s.render(w, r, status, meetings.Form(meetings.FormProps{
		Layout: s.layoutProps(r, "安排联席会议", "/meetings"), Input: in, Errors: errs, Townships: towns,
		Township: u.Role == auth.TownshipChair,
	}))
}

// meetingCreate schedules a meeting: staff a county meeting, a chair its
// township's own.
func (s *Server) meetingCreate(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	in := meeting.ScheduleInput{Date: r.PostForm.Get("date"), Title: r.PostForm.Get("title"), Kind: r.PostForm.Get("kind"),
		HostTownship: r.PostForm.Get("host_township"), Place: r.PostForm.Get("place")}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	isTownship := func(c string) bool {
		return slices.ContainsFunc(towns, func(o components.Option) bool { return o.Value == c })
	}
	if u.Role == auth.TownshipChair {
		in.HostTownship = u.TownshipCode // a chair's own meeting is held in its township
	}
	m, errs := meeting.ParseSchedule(in, s.today(), isTownship)
	if errs != nil {
		s.renderMeetingForm(w, r, http.StatusUnprocessableEntity, in, errs)
		return
	}
	scope := ""
	if u.Role == auth.TownshipChair {
		scope = u.TownshipCode
	}
	id, err := s.st.CreateMeeting(r.Context(), m, scope, u.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(id, 10), "已安排会议："+m.Title)
}

// loadMeeting reads {id} for the viewer (ErrNotFound outside its scope).
func (s *Server) loadMeeting(r *http.Request) (store.MeetingRow, auth.User, error) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		return store.MeetingRow{}, u, err
	}
	m, err := s.st.Meeting(r.Context(), meetingScope(u), id)
	return m, u, err
}

// loadEditableMeeting is loadMeeting for a write: a meeting the viewer may
// see but not edit is errForbidden.
func (s *Server) loadEditableMeeting(r *http.Request) (store.MeetingRow, auth.User, error) {
	m, u, err := s.loadMeeting(r)
	if err == nil && !canEditMeeting(u, m) {
		err = errForbidden
	}
	return m, u, err
}

// meetingShow renders a meeting with its record, attendees, model cases,
// action items and the open items carried from earlier meetings; while the
// agenda is empty it is pre-filled from the data (lagging townships in the
// ranking, overdue follow-ups, open items).
func (s *Server) meetingShow(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.renderMeeting(w, r, http.StatusOK, m, u, nil, nil)
}

func (s *Server) renderMeeting(w http.ResponseWriter, r *http.Request, status int, m store.MeetingRow, u auth.User, typed map[string]string, errs validation.Errors) {
	ctx := r.Context()
	p := meetings.ShowProps{Meeting: m, Today: s.today(), CanEdit: canEditMeeting(u, m), Typed: typed, Errors: errs,
		CanClose: func(it store.ActionItemRow) bool { return canCloseItem(u, it) }, CanMark: canMarkCases(u)}
	var err error
	if p.Attendees, err = s.st.Attendees(ctx, m.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.Cases, err = s.st.ModelCases(ctx, m.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.Items, err = s.st.ActionItems(ctx, store.ItemFilter{MeetingID: m.ID}); err != nil {
		s.serveError(w, r, err)
		return
	}
	carried := store.ItemFilter{OpenOnly: true, Before: m.Date, CountyOnly: m.TownshipCode == "", OfTownship: m.TownshipCode}
	if p.Carried, err = s.st.ActionItems(ctx, carried); err != nil {
		s.serveError(w, r, err)
		return
	}
	if p.CanEdit {
		if p.Users, err = s.st.MeetingUserOptions(ctx); err != nil {
			s.serveError(w, r, err)
			return
		}
		if p.Townships, err = s.townshipOptions(ctx); err != nil {
			s.serveError(w, r, err)
			return
		}
		if m.Agenda == "" && typed == nil {
			if p.Suggested, err = s.suggestAgenda(ctx, m, p.Carried); err != nil {
				s.serveError(w, r, err)
				return
			}
		}
	}
	p.Layout = s.layoutProps(r, m.Title, "/meetings")
	s.render(w, r, status, meetings.Show(p))
}

// suggestAgenda drafts an agenda from the data: the three townships lowest
// in the quarter's ranking (a county meeting), the pairings overdue for a
// visit, and the open action items carried from earlier meetings.
func (s *Server) suggestAgenda(ctx context.Context, m store.MeetingRow, carried []store.ActionItemRow) (string, error) {
	var b strings.Builder
	n := 1
	line := func(format string, a ...any) {
		fmt.Fprintf(&b, "%d. "+format+"\n", append([]any{n}, a...)...)
		n++
	}
	line("通报%s帮扶工作进展，交流好的经验做法，推介典型。", period.Period{Year: m.Year, Quarter: m.Quarter}.Label())
	today := s.today()
	p := period.Period{Year: m.Year, Quarter: m.Quarter}
	if m.TownshipCode == "" {
		w, err := s.st.RankingWeights(ctx)
		if err != nil {
			return "", err
		}
		in, err := s.st.RankingInputs(ctx, s.county, p, today)
		if err != nil {
			return "", err
		}
		ranked := scoring.Rank(in, w)
		if len(ranked) >= 3 {
			var names []string
			for _, x := range ranked[len(ranked)-3:] {
				names = append(names, fmt.Sprintf("%s（%s分）", x.Input.Name, x.Score.StringFixed(2)))
			}
			line("“三比”排名靠后的乡镇说明情况：%s。", strings.Join(names, "、"))
		}
	}
	code := s.county
	if m.TownshipCode != "" {
		code = m.TownshipCode
	}
	f, err := s.st.ProgressFor(ctx, code, p, today)
	if err != nil {
		return "", err
	}
	if f.NoVisit60d+f.NoVisit30d > 0 {
		var worst []string
		kids := slices.Clone(f.Children)
		slices.SortStableFunc(kids, func(a, b store.Figures) int { return b.NoVisit60d - a.NoVisit60d })
		for _, k := range kids[:min(3, len(kids))] {
			if k.NoVisit60d > 0 {
				worst = append(worst, fmt.Sprintf("%s %d 对", k.Name, k.NoVisit60d))
			}
		}
		extra := ""
		if len(worst) > 0 {
			extra = "，较多的是" + strings.Join(worst, "、")
		}
		amber, red, err := s.st.FollowUpThresholds(ctx)
		if err != nil {
			return "", err
		}
		line("研究“人盯人”超期未走访问题：%d–%d天未走访 %d 对、%d天以上未走访 %d 对%s。", amber, red-1, f.NoVisit30d, red, f.NoVisit60d, extra)
	}
	if len(carried) > 0 {
		line("督办上次会议未办结事项 %d 项：", len(carried))
		for _, it := range carried {
			fmt.Fprintf(&b, "   - %s（%s，期限 %s）\n", it.Title, it.OwnerName, it.Due.Format("2006-01-02"))
		}
	}
	line("研究部署下阶段工作。")
	return b.String(), nil
}

// meetingRecord saves the agenda, minutes, practices, shortcomings and
// decisions (and "held"), with the version read by the form.
func (s *Server) meetingRecord(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	typed := map[string]string{}
	for _, k := range []string{"agenda", "minutes", "good_practices", "shortcomings", "decisions"} {
		typed[k] = f.Get(k)
	}
	typed["held"] = f.Get("held")
	rec, errs := meeting.ParseRecord(meeting.Record{Agenda: f.Get("agenda"), Minutes: f.Get("minutes"), GoodPractices: f.Get("good_practices"),
		Shortcomings: f.Get("shortcomings"), Decisions: f.Get("decisions"), Held: f.Get("held") == "1" || m.Status == "held"})
	if f.Get("held") == "1" && m.Status != "held" && m.Date.After(s.today()) {
		if errs == nil {
			errs = validation.Errors{}
		}
		errs["held"] = "会议日期还未到，不能记为已召开"
	}
	if errs != nil {
		s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, typed, errs)
		return
	}
	version, _ := strconv.Atoi(f.Get("version"))
	if err := s.st.RecordMeeting(r.Context(), m.ID, version, rec, u.ID); err != nil {
		if errors.Is(err, store.ErrVersionConflict) {
			s.renderMeeting(w, r, http.StatusConflict, m, u, typed, validation.Errors{"_": "会议记录已被他人修改：下方是最新内容，您填写的内容仍在表单中，请核对后再保存。"})
			return
		}
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10), "会议记录已保存。")
}

// meetingAttendee adds an attendee (action=add: user=ID or deputy=ID) or
// marks one present/absent or removes it (attendee=ID, action=present|
// absent|remove).
func (s *Server) meetingAttendee(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	f := r.PostForm
	back := "/meetings/" + strconv.FormatInt(m.ID, 10) + "#attendees"
	switch action := f.Get("action"); action {
	case "add":
		userID, _ := strconv.ParseInt(f.Get("user"), 10, 64)
		deputyID, _ := strconv.ParseInt(f.Get("deputy"), 10, 64)
		if (userID == 0) == (deputyID == 0) {
			s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, nil, validation.Errors{"attendee": "请选择一名工作人员，或填写一名代表的编号"})
			return
		}
		err = s.st.AddAttendee(r.Context(), m.ID, userID, deputyID, f.Get("present") != "0", u.ID)
		switch {
		case errors.Is(err, store.ErrConflict):
			s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, nil, validation.Errors{"attendee": "此人已在参会名单中"})
			return
		case errors.Is(err, store.ErrNotFound):
			s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, nil, validation.Errors{"attendee": "没有这名工作人员或代表"})
			return
		}
	case "present", "absent", "remove":
		id, _ := strconv.ParseInt(f.Get("attendee"), 10, 64)
		err = s.st.SetAttendance(r.Context(), m.ID, id, action == "present", action == "remove", u.ID)
	default:
		err = httpError{http.StatusBadRequest, "未知的操作。"}
	}
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, back, "参会名单已更新。")
}

// meetingCase names a model case (典型) at the meeting.
func (s *Server) meetingCase(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	kind := r.PostForm.Get("kind")
	ref, _ := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("ref")), 10, 64)
	note := strings.TrimSpace(r.PostForm.Get("note"))
	errs := validation.Errors{}
	if !meeting.ModelCaseKinds.Has(kind) {
		errs["case_kind"] = "请选择典型的类别"
	}
	if n := len([]rune(note)); n == 0 || n > 2000 {
		errs["case_note"] = "请填写典型事迹（2000字以内）"
	}
	if len(errs) == 0 {
		err = s.st.AddModelCase(r.Context(), m.ID, m.TownshipCode, kind, ref, note, u.ID)
		if errors.Is(err, store.ErrNotFound) {
			errs["case_ref"] = "没有这个编号的" + meeting.ModelCaseKinds.Label(kind) + "（台账须已审核通过；乡镇会议只能推介本镇的）"
		} else if errors.Is(err, store.ErrConflict) {
			errs["case_ref"] = "本次会议已推介过"
		} else if err != nil {
			s.serveError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, map[string]string{"case_kind": kind, "case_ref": r.PostForm.Get("ref"), "case_note": note}, errs)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10)+"#cases", "已记入典型。")
}

// meetingItem creates an action item from a decision.
func (s *Server) meetingItem(w http.ResponseWriter, r *http.Request) {
	m, u, err := s.loadEditableMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	users, err := s.st.MeetingUserOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	towns, err := s.townshipOptions(r.Context())
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	in := meeting.ItemInput{Title: r.PostForm.Get("title"), Owner: r.PostForm.Get("owner"), Due: r.PostForm.Get("due")}
	// A township's own meeting gives items to that township or its own
	// accounts only; a county meeting to any township or account.
	ownTownship := func(code string) bool { return m.TownshipCode == "" || code == m.TownshipCode }
	it, errs := meeting.ParseItem(in, m.Date, func(userID int64, township string) bool {
		if userID != 0 {
			return slices.ContainsFunc(users, func(a store.AttendeeRow) bool {
				return a.UserID == userID && (m.TownshipCode == "" || a.Township == m.TownshipCode)
			})
		}
		return ownTownship(township) && slices.ContainsFunc(towns, func(o components.Option) bool { return o.Value == township })
	})
	if errs != nil {
		s.renderMeeting(w, r, http.StatusUnprocessableEntity, m, u, map[string]string{"item_title": in.Title, "item_owner": in.Owner, "item_due": in.Due},
			validation.Errors{"item_title": errs["title"], "item_owner": errs["owner"], "item_due": errs["due"]})
		return
	}
	if _, err := s.st.CreateActionItem(r.Context(), m.ID, it, u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	s.redirect(w, r, "/meetings/"+strconv.FormatInt(m.ID, 10)+"#items", "已建立会议事项："+it.Title)
}

// actionItemClose closes an item with a note (staff, its owner, or the
// owning township's chair), dated today.
func (s *Server) actionItemClose(w http.ResponseWriter, r *http.Request) {
	u, _ := userFrom(r)
	id, err := pathID(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	it, err := s.st.ActionItem(r.Context(), id)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	if !canCloseItem(u, it) {
		s.serveError(w, r, errNotFound)
		return
	}
	note, errs := meeting.ParseClosing(r.PostForm.Get("closing_note"))
	if errs != nil {
		s.serveError(w, r, httpError{http.StatusUnprocessableEntity, "请填写办结情况后再办结（2000字以内）。"})
		return
	}
	if err := s.st.CloseActionItem(r.Context(), id, note, s.today(), u.ID); err != nil {
		s.serveError(w, r, err)
		return
	}
	back := r.PostForm.Get("back")
	if !safeBack(back) {
		back = "/action-items"
	}
	s.redirect(w, r, back, "事项已办结："+it.Title)
}

// actionItemList renders action items: staff and leaders every item, a
// chair its township's and its own, any other account its own; ?status=
// open|overdue|done filters.
func (s *Server) actionItemList(w http.ResponseWriter, r *http.Request) {
	rows, status, err := s.actionItems(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	u, _ := userFrom(r)
	s.render(w, r, http.StatusOK, meetings.Items(meetings.ItemsProps{
		Layout: s.layoutProps(r, "会议事项督办", "/action-items"), Rows: rows, Status: status, Today: s.today(),
		CanClose: func(it store.ActionItemRow) bool { return canCloseItem(u, it) }, CanMark: canMarkCases(u),
	}))
}

func (s *Server) actionItems(r *http.Request) ([]store.ActionItemRow, string, error) {
	u, _ := userFrom(r)
	f := store.ItemFilter{}
	switch u.Role {
	case auth.TownshipChair:
		f.OwnerUserID, f.OwnerTownship = u.ID, u.TownshipCode
	case auth.Staff, auth.Leader:
	default:
		f.OwnerUserID = u.ID
	}
	rows, err := s.st.ActionItems(r.Context(), f)
	if err != nil {
		return nil, "", err
	}
	status := r.URL.Query().Get("status")
	if !meeting.ItemStatuses.Has(status) {
		return rows, "", nil
	}
	today := s.today()
	return slices.DeleteFunc(rows, func(it store.ActionItemRow) bool { return meeting.ItemStatus(it.Status, it.Due, today) != status }), status, nil
}

// actionItemExport sends the items the list shows as Excel.
func (s *Server) actionItemExport(w http.ResponseWriter, r *http.Request) {
	rows, _, err := s.actionItems(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	today := s.today()
	t := xlsx.Table{Sheet: "会议事项", Headings: []string{"序号", "会议", "会议日期", "事项", "责任人（单位）", "办结期限", "状态", "办结日期", "办结情况"},
		Widths: []float64{6, 24, 12, 40, 16, 12, 10, 12, 40}}
	for i, it := range rows {
		closed := ""
		if it.ClosedOn != nil {
			closed = it.ClosedOn.Format("2006-01-02")
		}
		t.Rows = append(t.Rows, []any{i + 1, it.MeetingTitle, it.MeetingDate.Format("2006-01-02"), it.Title, it.OwnerName,
			it.Due.Format("2006-01-02"), meeting.ItemStatuses.Label(meeting.ItemStatus(it.Status, it.Due, today)), closed, it.ClosingNote})
	}
	s.sendTable(w, r, t, "联席会议事项督办表", "联席会议事项督办表.xlsx")
}

// meetingMinutes renders the printable A4 minutes (会议纪要).
func (s *Server) meetingMinutes(w http.ResponseWriter, r *http.Request) {
	m, _, err := s.loadMeeting(r)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	att, err := s.st.Attendees(r.Context(), m.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	items, err := s.st.ActionItems(r.Context(), store.ItemFilter{MeetingID: m.ID})
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	cases, err := s.st.ModelCases(r.Context(), m.ID)
	if err != nil {
		s.serveError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, meetings.Minutes(meetings.ShowProps{Layout: s.layoutProps(r, m.Title+" 会议纪要", "/meetings"),
		Meeting: m, Attendees: att, Items: items, Cases: cases, Today: s.today()}))
}
