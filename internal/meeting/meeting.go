// Package meeting is the quarterly joint meeting (联席会议) of the
// programme: held once a quarter, on site at a leading township (现场会) or
// as a survey (调研会), to share good practice, name model cases (典型) and
// find shortcomings, whose decisions become action items (会议事项) with an
// owner and a due date that carry into the next meeting until closed.
package meeting

import (
	"strings"
	"time"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/validation"
)

// Kinds is 会议形式.
var Kinds = codelist.List{
	{Value: "on_site", Label: "现场会"},
	{Value: "research", Label: "调研会"},
}

// Statuses is 会议状态.
var Statuses = codelist.List{
	{Value: "scheduled", Label: "已安排"},
	{Value: "held", Label: "已召开"},
}

// ItemStatuses is 事项状态; "overdue" is not stored: an open item after its
// due date (see ItemStatus).
var ItemStatuses = codelist.List{
	{Value: "open", Label: "办理中"},
	{Value: "overdue", Label: "已逾期"},
	{Value: "done", Label: "已办结"},
}

// ModelCaseKinds is what a model case (典型) points at.
var ModelCaseKinds = codelist.List{
	{Value: "household", Label: "贫困户"},
	{Value: "pairing", Label: "结对"},
	{Value: "ledger_entry", Label: "台账记录"},
}

// ItemStatus is the status shown for an action item: "done" when closed,
// "overdue" when open after its due date (today is a calendar day), else
// "open".
func ItemStatus(stored string, due, today time.Time) string {
	if stored == "done" {
		return "done"
	}
	if today.After(due) {
		return "overdue"
	}
	return "open"
}

// ClosedOnTime reports whether an item closed on closedOn met its due date.
func ClosedOnTime(due, closedOn time.Time) bool { return !closedOn.After(due) }

// Schedule is a meeting as staff (or a chair) schedule it.
type Schedule struct {
	Date         time.Time
	Year         int
	Quarter      int // from the date: 1–4
	Title        string
	Kind         string
	HostTownship string
	Place        string
}

// ScheduleInput is the schedule form as typed.
type ScheduleInput struct {
	Date, Title, Kind, HostTownship, Place string
}

// ParseSchedule validates a schedule: a date (2006-01-02) from 2014 to
// next year, a title of 1–200 characters, a kind from Kinds, a host
// township isTownship accepts, a place of at most 200 characters. The
// quarter follows from the date. It returns field errors in Chinese.
func ParseSchedule(in ScheduleInput, today time.Time, isTownship func(string) bool) (Schedule, validation.Errors) {
	errs := validation.Errors{}
	s := Schedule{Title: strings.TrimSpace(in.Title), Kind: in.Kind, HostTownship: in.HostTownship, Place: strings.TrimSpace(in.Place)}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.Date))
	switch {
	case err != nil:
		errs["date"] = "请填写会议日期，如 2017-03-31"
	case d.Year() < 2014 || d.Year() > today.Year()+1:
		errs["date"] = "会议日期应在2014年至明年之间"
	default:
		s.Date, s.Year, s.Quarter = d, d.Year(), (int(d.Month())-1)/3+1
	}
	if n := len([]rune(s.Title)); n == 0 || n > 200 {
		errs["title"] = "请填写会议名称（200字以内）"
	}
	if !Kinds.Has(s.Kind) {
		errs["kind"] = "请选择会议形式"
	}
	if !isTownship(s.HostTownship) {
		errs["host_township"] = "请选择承办乡镇"
	}
	if len([]rune(s.Place)) > 200 {
		errs["place"] = "地点最多200字"
	}
	if len(errs) > 0 {
		return Schedule{}, errs
	}
	return s, nil
}

// Record is what is written down at or after a meeting. Every field is free
// text of at most 10,000 characters.
type Record struct {
	Agenda, Minutes, GoodPractices, Shortcomings, Decisions string
	Held                                                    bool
}

// ParseRecord validates the record; a meeting marked held needs minutes.
func ParseRecord(r Record) (Record, validation.Errors) {
	errs := validation.Errors{}
	for name, v := range map[string]*string{"agenda": &r.Agenda, "minutes": &r.Minutes, "good_practices": &r.GoodPractices,
		"shortcomings": &r.Shortcomings, "decisions": &r.Decisions} {
		*v = strings.TrimSpace(*v)
		if len([]rune(*v)) > 10000 {
			errs[name] = "最多10000字"
		}
	}
	if r.Held && r.Minutes == "" {
		errs["minutes"] = "会议已召开，请填写会议纪要"
	}
	if len(errs) > 0 {
		return Record{}, errs
	}
	return r, nil
}

// Item is an action item as created from a decision.
type Item struct {
	Title         string
	OwnerUserID   int64  // an account, or
	OwnerTownship string // a township
	Due           time.Time
}

// ItemInput is the action item form as typed: owner is "u:<user id>" or
// "t:<township code>".
type ItemInput struct {
	Title, Owner, Due string
}

// ParseItem validates an action item: a title of 1–500 characters, an owner
// that ownerOK accepts, a due date (2006-01-02) not before the meeting.
func ParseItem(in ItemInput, meetingDate time.Time, ownerOK func(userID int64, township string) bool) (Item, validation.Errors) {
	errs := validation.Errors{}
	it := Item{Title: strings.TrimSpace(in.Title)}
	if n := len([]rune(it.Title)); n == 0 || n > 500 {
		errs["title"] = "请填写事项内容（500字以内）"
	}
	kind, v, _ := strings.Cut(in.Owner, ":")
	switch kind {
	case "u":
		var id int64
		for _, c := range v {
			if c < '0' || c > '9' {
				id = 0
				break
			}
			id = id*10 + int64(c-'0')
		}
		it.OwnerUserID = id
	case "t":
		it.OwnerTownship = v
	}
	if (it.OwnerUserID == 0 && it.OwnerTownship == "") || !ownerOK(it.OwnerUserID, it.OwnerTownship) {
		errs["owner"] = "请选择责任人或责任乡镇"
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(in.Due))
	switch {
	case err != nil:
		errs["due"] = "请填写办结期限，如 2017-06-30"
	case d.Before(meetingDate):
		errs["due"] = "办结期限不能早于会议日期"
	default:
		it.Due = d
	}
	if len(errs) > 0 {
		return Item{}, errs
	}
	return it, nil
}

// ParseClosing validates a closing note (1–2,000 characters).
func ParseClosing(note string) (string, validation.Errors) {
	note = strings.TrimSpace(note)
	if n := len([]rune(note)); n == 0 || n > 2000 {
		return "", validation.Errors{"closing_note": "请填写办结情况（2000字以内）"}
	}
	return note, nil
}
