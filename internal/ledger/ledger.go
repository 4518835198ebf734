// Package ledger holds the rules of a ledger entry (台账记录): its kinds, its
// lifecycle draft → submitted → approved | returned → resubmitted, and the
// validation of the entry form. Approved entries are immutable (the schema
// enforces it too). It has no SQL and no HTTP.
package ledger

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/validation"
	"github.com/shopspring/decimal"
)

// Kinds is 台账类别.
var Kinds = codelist.List{
	{Value: "visit", Label: "走访"},
	{Value: "cash", Label: "资金"},
	{Value: "goods", Label: "物资"},
	{Value: "job", Label: "就业岗位"},
	{Value: "training", Label: "培训"},
	{Value: "school_aid", Label: "助学"},
	{Value: "project", Label: "项目"},
	{Value: "policy", Label: "政策落实"},
	{Value: "other", Label: "其他"},
}

// Statuses is 审核状态.
var Statuses = codelist.List{
	{Value: "draft", Label: "草稿"},
	{Value: "submitted", Label: "待审核"},
	{Value: "approved", Label: "已通过"},
	{Value: "returned", Label: "已退回"},
}

// SpotCheckPercent is the default published share of a township's approved
// entries of a month that the chair samples for a second look (抽查比例);
// staff change it on the settings page.
const SpotCheckPercent = 20

// Editable reports whether an entry in status may still be edited and
// submitted by its deputy: drafts and returned entries.
func Editable(status string) bool { return status == "draft" || status == "returned" }

// Reviewable reports whether an entry in status may be approved or returned.
func Reviewable(status string) bool { return status == "submitted" }

// Entry is a validated ledger entry. Amount is yuan (goods at cash value).
type Entry struct {
	EntryDate     time.Time
	Kind          string
	Description   string
	Amount        decimal.Decimal
	Beneficiaries string
}

// Input is the entry form as typed.
type Input struct {
	EntryDate     string
	Kind          string
	Description   string
	Amount        string
	Beneficiaries string
}

// Parse validates in: a date not in the future and not before the pairing
// started (startDate), a kind, a description of 1–2000 characters, and an
// amount in exact yuan (required > 0 for cash, goods and school aid; a visit
// may be 0). now is the current time in Asia/Shanghai. It returns the entry or
// the field errors.
func Parse(in Input, startDate, now time.Time) (Entry, validation.Errors) {
	errs := validation.Errors{}
	e := Entry{Kind: in.Kind, Description: strings.TrimSpace(in.Description), Beneficiaries: strings.TrimSpace(in.Beneficiaries)}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if d, err := time.Parse("2006-01-02", strings.TrimSpace(in.EntryDate)); err != nil {
		errs["entry_date"] = "请填写日期，如 2026-03-31"
	} else if d.After(today) {
		errs["entry_date"] = "日期不能晚于今天"
	} else if d.Before(startDate) {
		errs["entry_date"] = "日期不能早于结对开始日期 " + startDate.Format("2006-01-02")
	} else {
		e.EntryDate = d
	}
	if !Kinds.Has(e.Kind) {
		errs["kind"] = "请选择类别"
	}
	if n := utf8.RuneCountInString(e.Description); n == 0 {
		errs["description"] = "请填写帮扶内容"
	} else if n > 2000 {
		errs["description"] = "内容最多2000字"
	}
	amt, err := money.ParseYuan(in.Amount)
	if err != nil {
		errs["amount"] = err.Error()
	} else if amt.IsZero() && (e.Kind == "cash" || e.Kind == "goods" || e.Kind == "school_aid") {
		errs["amount"] = "资金、物资、助学类须填写金额（物资按折价）"
	}
	e.Amount = amt
	if utf8.RuneCountInString(e.Beneficiaries) > 200 {
		errs["beneficiaries"] = "受益人最多200字"
	}
	if len(errs) > 0 {
		return Entry{}, errs
	}
	return e, nil
}

// Same reports whether e and o hold the same content: date, kind,
// description, amount (compared as exact yuan) and beneficiaries. A form
// token sent again with the same content is a resend of one entry; with
// other content it is a different entry that the token cannot stand for.
func (e Entry) Same(o Entry) bool {
	return e.EntryDate.Equal(o.EntryDate) && e.Kind == o.Kind && e.Description == o.Description &&
		e.Amount.Equal(o.Amount) && e.Beneficiaries == o.Beneficiaries
}
