package household

import (
	"time"

	"github.com/bangfu/bangfu/internal/codelist"
)

// ExitSteps is the 脱贫退出 procedure, in order: the state a case is in after
// each step.
var ExitSteps = codelist.List{
	{Value: "proposed", Label: "已提出退出申请"},
	{Value: "appraised", Label: "村民主评议已通过"},
	{Value: "notice", Label: "公示中"},
	{Value: "reviewed", Label: "乡镇已审核"},
	{Value: "approved", Label: "县（市）已批准，已脱贫"},
	{Value: "returned", Label: "已退回"},
}

// NoticeDays is the shortest public notice (公示) before a household's exit
// may be reviewed and signed off: the national exit procedure asks for at
// least 7 days.
const NoticeDays = 7

// NoticeOver reports whether a public notice that started on start (a
// calendar date) has run its NoticeDays by today: the notice starting on day
// 0 is over on day 7, not on day 6.
func NoticeOver(start, today time.Time) bool {
	s := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC)
	t := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	return !t.Before(s.AddDate(0, 0, NoticeDays))
}
