package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/scoring"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/bangfu/bangfu/web/pages/meetings"
)

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
