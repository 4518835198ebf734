package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/xuri/excelize/v2"
)

// TestMeetingToMinutesAndItems checks issue 7's acceptance lines 1 and 3:
// a county meeting goes from scheduled to minutes with two action items;
// one is closed on time, the other becomes overdue and shows on the next
// meeting's agenda, on its owner's home page and in the ranking input. A
// chair records its own township's meetings and reads the county's; a
// deputy sees the meetings it attended.
func TestMeetingToMinutesAndItems(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	var now atomic.Value
	setDay := func(d string) {
		day, _ := time.ParseInLocation(time.DateOnly, d, web.Shanghai)
		now.Store(day.Add(10 * time.Hour))
	}
	setDay("2026-08-01")
	a := newAppAt(t, st, func() time.Time { return now.Load().(time.Time) })
	testutil.User(t, st, "office", auth.Staff, "", 0)
	chairID := testutil.User(t, st, "chair", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair2", auth.TownshipChair, xinshi, 0)
	depA := testutil.Deputy(t, st, "刘建华", bishi)
	depB := testutil.Deputy(t, st, "何春兰", bishi)
	testutil.User(t, st, "depa", auth.Deputy, "", depA)
	testutil.User(t, st, "depb", auth.Deputy, "", depB)
	staff := a.client(t, "office", testutil.Password)
	chair := a.client(t, "chair", testutil.Password)
	chair2 := a.client(t, "chair2", testutil.Password)
	deputyA := a.client(t, "depa", testutil.Password)
	deputyB := a.client(t, "depb", testutil.Password)

	schedule := func(c *http.Client, title, date string) string {
		t.Helper()
		status, loc, doc := a.post(t, c, "/meetings", url.Values{"title": {title}, "date": {date}, "kind": {"on_site"},
			"host_township": {bishi}, "place": {"玉池村村委会"}})
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/meetings/") {
			t.Fatalf("scheduling %s: %d %s %s", title, status, loc, doc.Find(".error").Text())
		}
		return loc
	}
	// A bad schedule keeps what was typed and says why beside the field.
	status, _, doc := a.post(t, staff, "/meetings", url.Values{"title": {"第三季度联席会议"}, "date": {"2026-02-30"}, "kind": {"on_site"}, "host_township": {bishi}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`input[name="date"]`).Parent().Text(), "会议日期") {
		t.Fatalf("bad date: %d", status)
	}
	if v, _ := doc.Find(`input[name="title"]`).Attr("value"); v != "第三季度联席会议" {
		t.Errorf("title lost: %q", v)
	}

	q3 := schedule(staff, "第三季度脱贫攻坚联席会议", "2026-08-10")
	// A resent form (double click) lands on the same meeting.
	if again := schedule(staff, "第三季度脱贫攻坚联席会议", "2026-08-10"); again != q3 {
		t.Errorf("resent schedule: %s, want %s", again, q3)
	}
	// Before anything is written, the agenda is drafted from the data.
	_, doc = a.get(t, staff, q3)
	if agenda := doc.Find(`textarea[name="agenda"]`).Text(); !strings.Contains(agenda, "人盯人") && !strings.Contains(agenda, "三比") {
		t.Errorf("agenda not pre-filled: %q", agenda)
	}
	mustPost := func(c *http.Client, path string, form url.Values) {
		t.Helper()
		if status, loc, doc := a.post(t, c, path, form); status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d %s %s", path, status, loc, doc.Find(".error, [role=alert]").Text())
		}
	}
	mustPost(staff, q3+"/attendees", url.Values{"action": {"add"}, "user": {strconv.FormatInt(chairID, 10)}, "present": {"1"}})
	mustPost(staff, q3+"/attendees", url.Values{"action": {"add"}, "deputy": {strconv.FormatInt(depA, 10)}, "present": {"1"}})
	// The invited deputy's home names the meeting.
	if _, doc := a.get(t, deputyA, "/my"); !strings.Contains(doc.Find(`[data-testid="next-meeting"]`).Text(), "第三季度脱贫攻坚联席会议") {
		t.Errorf("invited deputy's home: %q", doc.Find(`[data-testid="next-meeting"]`).Text())
	}
	// Not held before its day; then held without minutes is refused.
	if status, _, doc := a.post(t, staff, q3, url.Values{"version": {"1"}, "held": {"1"}, "minutes": {"纪要"}}); status != http.StatusUnprocessableEntity ||
		!strings.Contains(doc.Text(), "会议日期还未到") {
		t.Errorf("held before its day: %d", status)
	}
	setDay("2026-08-10")
	if status, _, _ := a.post(t, staff, q3, url.Values{"version": {"1"}, "held": {"1"}, "agenda": {"议程"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("held without minutes: %d", status)
	}
	mustPost(staff, q3, url.Values{"version": {"1"}, "held": {"1"}, "agenda": {"1. 通报进展"}, "minutes": {"会议听取了弼时镇的汇报。"},
		"shortcomings": {"部分结对超期未走访。"}, "decisions": {"修缮山塘；补齐走访。"}})
	// A second save from the same (now stale) form is a conflict, nothing lost.
	if status, _, doc := a.post(t, staff, q3, url.Values{"version": {"1"}, "minutes": {"另一份纪要"}}); status != http.StatusConflict ||
		doc.Find(`textarea[name="minutes"]`).Text() != "另一份纪要" {
		t.Errorf("stale record: %d", status)
	}
	mustPost(staff, q3+"/items", url.Values{"title": {"修缮玉池村山塘"}, "owner": {"t:" + bishi}, "due": {"2026-08-20"}})
	mustPost(staff, q3+"/items", url.Values{"title": {"补齐超期未走访的结对"}, "owner": {"u:" + strconv.FormatInt(chairID, 10)}, "due": {"2026-08-25"}})
	mustPost(staff, q3+"/items", url.Values{"title": {"补齐超期未走访的结对"}, "owner": {"u:" + strconv.FormatInt(chairID, 10)}, "due": {"2026-08-25"}}) // resent
	var pond, visits int64
	if err := st.Pool.QueryRow(ctx, `SELECT max(id) FILTER (WHERE title = '修缮玉池村山塘'), max(id) FILTER (WHERE title = '补齐超期未走访的结对') FROM action_items`).Scan(&pond, &visits); err != nil {
		t.Fatal(err)
	}

	// The chair closes one on time; the other chair cannot close it.
	setDay("2026-08-15")
	if status, _, _ := a.post(t, chair2, "/action-items/"+strconv.FormatInt(pond, 10)+"/close", url.Values{"closing_note": {"已修缮"}}); status != http.StatusNotFound {
		t.Errorf("another township's chair closing: %d", status)
	}
	mustPost(chair, "/action-items/"+strconv.FormatInt(pond, 10)+"/close", url.Values{"closing_note": {"三口山塘已修缮完毕。"}})

	// Time passes: the second item is overdue.
	setDay("2026-09-01")
	q4 := schedule(staff, "第四季度脱贫攻坚联席会议", "2026-11-10")
	_, doc = a.get(t, staff, q4)
	carried := doc.Find(`[data-testid="carried"]`).Text()
	if !strings.Contains(carried, "补齐超期未走访的结对") || strings.Contains(carried, "修缮玉池村山塘") || !strings.Contains(carried, "已逾期") {
		t.Errorf("next meeting's carried items: %q", carried)
	}
	if !strings.Contains(doc.Find(`textarea[name="agenda"]`).Text(), "补齐超期未走访的结对") {
		t.Errorf("next meeting's drafted agenda lacks the open item")
	}
	// The owner's home page lists it as overdue; the dashboard names the next meeting.
	_, doc = a.get(t, chair, "/dashboard")
	if mine := doc.Find(`[data-testid="my-items"]`).Text(); !strings.Contains(mine, "补齐超期未走访的结对") || !strings.Contains(mine, "已逾期") || strings.Contains(mine, "修缮玉池村山塘") {
		t.Errorf("chair's home items: %q", mine)
	}
	if !strings.Contains(doc.Find(`[data-testid="next-meeting"]`).Text(), "第四季度") {
		t.Errorf("dashboard's next meeting: %q", doc.Find(`[data-testid="next-meeting"]`).Text())
	}
	// The ranking input: two items due in the third quarter, one on time.
	in, err := st.RankingInputs(ctx, "430681", period.Period{Year: 2026, Quarter: 3}, time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range in {
		if x.Code == bishi && (x.ActionItemsDue != 2 || x.ActionItemsOnTime != 1) {
			t.Errorf("弼时镇 ranking input: %d due, %d on time; want 2, 1", x.ActionItemsDue, x.ActionItemsOnTime)
		}
		if x.Code == xinshi && x.ActionItemsDue != 0 {
			t.Errorf("新市镇 has %d items due", x.ActionItemsDue)
		}
	}
	_, doc = a.get(t, staff, "/ranking?year=2026&quarter=3")
	if title, _ := doc.Find(`tr[data-code="` + bishi + `"] td[title^="按期办结"]`).Attr("title"); !strings.HasPrefix(title, "按期办结 1 / 到期 2") {
		t.Errorf("ranking's action item term: %q", title)
	}

	// Printable minutes and the Excel export.
	_, doc = a.get(t, staff, q3+"/minutes")
	if txt := doc.Find("article.minutes").Text(); !strings.Contains(txt, "刘建华") || !strings.Contains(txt, "修缮玉池村山塘") || !strings.Contains(txt, "会议听取了弼时镇的汇报") {
		t.Errorf("minutes: %q", txt)
	}
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/action-items/export.xlsx", nil)
	resp, err := staff.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	rows, _ := f.GetRows("会议事项")
	if len(rows) != 3+2 || !strings.Contains(strings.Join(rows[3], "|")+strings.Join(rows[4], "|"), "已逾期") {
		t.Errorf("export rows: %v", rows)
	}

	// Access: the other township's chair reads the county meeting, cannot write it.
	if _, doc := a.get(t, chair2, q3); doc.Find(`[data-testid="record-form"]`).Length() != 0 || !strings.Contains(doc.Text(), "会议听取了弼时镇的汇报") {
		t.Errorf("another chair sees the county meeting editable or not at all")
	}
	if status, _, _ := a.post(t, chair2, q3, url.Values{"version": {"2"}, "minutes": {"篡改"}}); status != http.StatusForbidden {
		t.Errorf("another chair writing the county meeting: %d", status)
	}
	// A chair records its township's own meeting; other chairs do not see it.
	own := schedule(chair, "弼时镇帮扶推进会", "2026-08-30")
	mustPost(chair, own, url.Values{"version": {"1"}, "held": {"1"}, "minutes": {"镇里推进会纪要"}})
	// Its items go to its own township or accounts, never to another township.
	if status, _, _ := a.post(t, chair, own+"/items", url.Values{"title": {"转给新市镇"}, "owner": {"t:" + xinshi}, "due": {"2026-09-15"}}); status != http.StatusUnprocessableEntity {
		t.Errorf("a chair giving an item to another township: %d", status)
	}
	mustPost(chair, own+"/items", url.Values{"title": {"本镇补齐走访"}, "owner": {"t:" + bishi}, "due": {"2026-09-15"}})
	if status, _ := a.get(t, chair2, own); status != http.StatusNotFound {
		t.Errorf("another chair opening 弼时镇's own meeting: %d", status)
	}
	if status, _ := a.get(t, staff, own); status != http.StatusOK {
		t.Errorf("staff opening 弼时镇's own meeting: %d", status)
	}
	var scope string
	if err := st.Pool.QueryRow(ctx, `SELECT coalesce(township_code, '') FROM meetings WHERE title = '弼时镇帮扶推进会'`).Scan(&scope); err != nil || scope != bishi {
		t.Errorf("chair's meeting scope %q (%v)", scope, err)
	}
	// Deputies see the meetings they attended, and no other.
	_, doc = a.get(t, deputyA, "/meetings?year=2026")
	if n := doc.Find(`table[data-testid="meetings"] tbody tr`).Length(); n != 1 {
		t.Errorf("attending deputy sees %d meetings, want 1", n)
	}
	if status, _ := a.get(t, deputyA, q3); status != http.StatusOK {
		t.Errorf("attending deputy opening the meeting: %d", status)
	}
	if status, _ := a.get(t, deputyB, q3); status != http.StatusNotFound {
		t.Errorf("absent deputy opening the meeting: %d", status)
	}
	// Every step is audited.
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('meeting.schedule', 'meeting.record',
		'meeting.attendee_add', 'action_item.create', 'action_item.close')`).Scan(&n); err != nil || n != 3+2+2+3+1 {
		t.Errorf("%d audit events (%v), want 11", n, err)
	}
}
