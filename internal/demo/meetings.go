package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/division"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/meeting"
	"github.com/bangfu/bangfu/internal/notice"
	"github.com/bangfu/bangfu/internal/project"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
)

// leadTownships host the demo's joint meetings (联席会议) on site: 弼时镇,
// with the relief point, and 新市镇; each also holds its own quarterly
// meeting, recorded by its chair.
var leadTownships = []struct{ code, name, chair string }{
	{bishiTownship, "弼时镇", "chair.bishi"},
	{xinshiTownship, "新市镇", "chair.xinshi"},
}

// seedMeetings writes what the programme does beside the ledgers, through
// the store as the office and the chairs would (each step audited): two
// quarters of county joint meetings held on site at each lead township's
// turn and of each lead township's own meeting, with attendance, minutes,
// a model case and action items (one closed with its evidence, one carried
// over open into the next meeting), the next county meeting scheduled; the
// relief point's projects (光伏发电, 团玉公路, 山塘) and cooperatives
// (猕猴桃, 竹花鸡) with member households and payouts. The earlier meeting is
// 100 days before today and the later 5 days before, so they fall in two
// quarters. It runs after Load's transaction, once.
func seedMeetings(ctx context.Context, st *store.Store, today time.Time) error {
	day := civilDay(today)
	ids, err := demoUserIDs(ctx, st)
	if err != nil {
		return err
	}
	earlier, later := day.AddDate(0, 0, -100), day.AddDate(0, 0, -5)

	// The county's joint meetings: the earlier on site at 弼时镇 (玉池村),
	// the later a survey at 新市镇; the next one scheduled.
	first, err := heldMeeting(ctx, st, day, ids["office"], "", meeting.Schedule{Date: earlier, Title: "全市代表“一对一”扶贫联席会议（弼时镇现场会）",
		Kind: "on_site", HostTownship: bishiTownship, Place: "弼时镇玉池村村部"}, meeting.Record{
		Agenda:        "一、参观玉池村光伏发电和猕猴桃基地；二、弼时镇介绍代表结对帮扶做法；三、各乡镇交流；四、部署下季度工作。",
		Minutes:       "会议在玉池村召开。与会人员实地察看了光伏发电站和猕猴桃种植基地，弼时镇介绍了“一户一档、一月一访”的做法。各乡镇人大主席汇报了本乡镇结对和台账情况。",
		GoodPractices: "弼时镇坚持每月走访，台账记录详实，帮扶措施与群众确认成效挂钩；玉池村光伏发电每年为村集体增收。",
		Shortcomings:  "部分代表走访间隔超过60天；个别台账只有金额没有照片凭证；部分乡镇结对确认不及时。",
		Decisions:     "一、各乡镇对60天未走访的结对逐一督促；二、台账须附照片凭证；三、下次会议在新市镇召开。",
	}, ids)
	if err != nil {
		return err
	}
	if err := modelCase(ctx, st, first, ids["office"]); err != nil {
		return err
	}
	closed, err := st.CreateActionItem(ctx, first, meeting.Item{Title: "对60天以上未走访的结对逐一督促，形成清单报人大办", OwnerTownship: bishiTownship,
		Due: earlier.AddDate(0, 0, 30)}, ids["office"])
	if err != nil {
		return fmt.Errorf("demo meetings: item: %w", err)
	}
	if err := st.CloseActionItem(ctx, closed, "已督促全部12对结对完成走访，清单及走访照片已报人大办备案（见台账）。",
		earlier.AddDate(0, 0, 21), ids["chair.bishi"]); err != nil {
		return fmt.Errorf("demo meetings: close item: %w", err)
	}
	// Carried over: still open at the later meeting, due after it.
	if _, err := st.CreateActionItem(ctx, first, meeting.Item{Title: "玉池村山塘整修项目完成审批并开工", OwnerUserID: ids["office"],
		Due: later.AddDate(0, 0, 20)}, ids["office"]); err != nil {
		return fmt.Errorf("demo meetings: item: %w", err)
	}
	second, err := heldMeeting(ctx, st, day, ids["office"], "", meeting.Schedule{Date: later, Title: "全市代表“一对一”扶贫联席会议（新市镇调研会）",
		Kind: "research", HostTownship: xinshiTownship, Place: "新市镇人民政府会议室"}, meeting.Record{
		Agenda:        "一、上次会议事项办理情况；二、新市镇介绍帮扶单位结对做法；三、年底脱贫计划进度。",
		Minutes:       "会议通报了上次会议事项：督促走访一项已办结，山塘整修一项仍在办理中，转入本次会议继续跟踪。新市镇介绍了委办帮扶特困户的做法。",
		GoodPractices: "新市镇由帮扶单位对接特困供养户，落实兜底保障；代表台账一次通过率提高。",
		Shortcomings:  "年底计划脱贫户中仍有部分户收入未达标；山塘整修项目审批滞后。",
		Decisions:     "一、各乡镇对计划脱贫户逐户核算收入；二、继续推进山塘整修项目。",
	}, ids)
	if err != nil {
		return err
	}
	if _, err := st.CreateActionItem(ctx, second, meeting.Item{Title: "对年底计划脱贫户逐户核算人均纯收入并报送", OwnerTownship: xinshiTownship,
		Due: later.AddDate(0, 0, 45)}, ids["office"]); err != nil {
		return fmt.Errorf("demo meetings: item: %w", err)
	}
	if _, err := st.CreateMeeting(ctx, withQuarter(meeting.Schedule{Date: day.AddDate(0, 0, 60), Title: "全市代表“一对一”扶贫联席会议（下季度现场会）",
		Kind: "on_site", HostTownship: bishiTownship, Place: "弼时镇人民政府会议室"}), "", ids["office"]); err != nil {
		return fmt.Errorf("demo meetings: schedule: %w", err)
	}

	// Each lead township's own meetings, recorded by its chair.
	for _, t := range leadTownships {
		for i, d := range []time.Time{earlier.AddDate(0, 0, 7), later.AddDate(0, 0, -7)} {
			id, err := heldMeeting(ctx, st, day, ids[t.chair], t.code, meeting.Schedule{Date: d,
				Title: fmt.Sprintf("%s代表“一对一”扶贫工作推进会（第%d次）", t.name, i+1), Kind: "research", HostTownship: t.code,
				Place: t.name + "人大主席团办公室"}, meeting.Record{
				Agenda:       "一、传达全市联席会议精神；二、各结对代表汇报走访情况；三、审核台账中发现的问题。",
				Minutes:      t.name + "人大主席主持，镇内结对代表参加，逐一汇报了结对户的走访和帮扶情况。",
				Shortcomings: "个别代表走访记录不及时。",
				Decisions:    "本月内完成对全部结对户的走访。",
			}, ids)
			if err != nil {
				return err
			}
			item, err := st.CreateActionItem(ctx, id, meeting.Item{Title: t.name + "全部结对户本月内完成一次走访", OwnerUserID: ids[t.chair],
				Due: d.AddDate(0, 0, 30)}, ids[t.chair])
			if err != nil {
				return fmt.Errorf("demo meetings: item: %w", err)
			}
			if i == 0 {
				if err := st.CloseActionItem(ctx, item, "已完成，走访记录均已录入台账并审核通过。", d.AddDate(0, 0, 25), ids[t.chair]); err != nil {
					return fmt.Errorf("demo meetings: close item: %w", err)
				}
			}
		}
	}
	if err := seedProjects(ctx, st, day, ids["office"]); err != nil {
		return err
	}
	return seedActivity(ctx, st, day)
}

// withQuarter fills s's Year and Quarter from its Date, as
// meeting.ParseSchedule does.
func withQuarter(s meeting.Schedule) meeting.Schedule {
	s.Year, s.Quarter = s.Date.Year(), (int(s.Date.Month())-1)/3+1
	return s
}

// heldMeeting schedules meeting s (a county meeting when township is "",
// else that township's own) as actor, lists the office, the leader, the
// host township's chair (a township's own meeting: its chair) and, at the
// county's and 弼时镇's, the deputy of deputy.demo (absent at the meetings
// of the last 30 days before day) as attendees, and records r as held.
func heldMeeting(ctx context.Context, st *store.Store, day time.Time, actor int64, township string, s meeting.Schedule, r meeting.Record, ids map[string]int64) (int64, error) {
	s = withQuarter(s)
	id, err := st.CreateMeeting(ctx, s, township, actor)
	if err != nil {
		return 0, fmt.Errorf("demo meetings: %s: %w", s.Title, err)
	}
	users := []int64{ids["office"], ids["leader"]}
	if township != "" {
		users = []int64{ids[chairOf(township)]}
	} else {
		users = append(users, ids["chair.bishi"], ids["chair.xinshi"])
	}
	for _, u := range users {
		if err := st.AddAttendee(ctx, id, u, 0, true, actor); err != nil && !errors.Is(err, store.ErrConflict) {
			return 0, fmt.Errorf("demo meetings: attendee: %w", err)
		}
	}
	if township == "" || township == bishiTownship {
		present := s.Date.Before(day.AddDate(0, 0, -30))
		if err := st.AddAttendee(ctx, id, 0, ids["deputy"], present, actor); err != nil && !errors.Is(err, store.ErrConflict) {
			return 0, fmt.Errorf("demo meetings: attendee: %w", err)
		}
	}
	r.Held = true
	if err := st.RecordMeeting(ctx, id, 1, r, actor); err != nil {
		return 0, fmt.Errorf("demo meetings: record %s: %w", s.Title, err)
	}
	return id, nil
}

func chairOf(township string) string {
	for _, t := range leadTownships {
		if t.code == township {
			return t.chair
		}
	}
	return "office"
}

// modelCase names deputy.demo's first approved visit as a model case
// (典型) of meeting id.
func modelCase(ctx context.Context, st *store.Store, id, actor int64) error {
	var entry int64
	err := st.Pool.QueryRow(ctx, `SELECT e.id FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		JOIN users u ON u.deputy_id = p.deputy_id AND u.username = 'deputy.demo'
		WHERE e.status = 'approved' AND e.kind = 'visit' ORDER BY e.entry_date, e.id LIMIT 1`).Scan(&entry)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("demo meetings: model case: %w", err)
	}
	if err := st.AddModelCase(ctx, id, "", "ledger_entry", entry, "代表每月到户走访，帮助落实产业和就业措施，台账记录完整、照片齐全，会议推荐为走访典型。", actor); err != nil &&
		!errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("demo meetings: model case: %w", err)
	}
	return nil
}

// demoUserIDs returns the ids of the demo accounts by username, and of
// deputy.demo's deputy under "deputy".
func demoUserIDs(ctx context.Context, st *store.Store) (map[string]int64, error) {
	rows, err := st.Pool.Query(ctx, `SELECT username, id FROM users WHERE username = ANY($1)
		UNION ALL SELECT 'deputy', deputy_id FROM users WHERE username = 'deputy.demo'`,
		[]string{"office", "leader", "chair.bishi", "chair.xinshi"})
	if err != nil {
		return nil, fmt.Errorf("demo meetings: users: %w", err)
	}
	ids := map[string]int64{}
	var name string
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&name, &id}, func() error { ids[name] = id; return nil }); err != nil {
		return nil, fmt.Errorf("demo meetings: users: %w", err)
	}
	if len(ids) != 5 {
		return nil, fmt.Errorf("demo meetings: %d of the 5 demo accounts found", len(ids))
	}
	return ids, nil
}

// seedProjects registers the relief point's projects and cooperatives as
// in the seed: a 光伏发电 station (completed, the village collective's fixed
// income), the greening and lighting of 团玉公路 (in progress), the repair
// of its 山塘 (awaiting approval, the meetings' carried-over item); a
// kiwi (猕猴桃) and a bamboo-flower chicken (竹花鸡) cooperative, each with
// five member households of 玉池村 paid a dividend or wages this year.
func seedProjects(ctx context.Context, st *store.Store, day time.Time, office int64) error {
	rows, err := st.Pool.Query(ctx, `SELECT id FROM households WHERE village_code = $1 ORDER BY id LIMIT 10`, reliefVillage)
	if err != nil {
		return fmt.Errorf("demo projects: households: %w", err)
	}
	hs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("demo projects: households: %w", err)
	}
	on := func(days int) *time.Time { d := day.AddDate(0, 0, -days); return &d }
	yuan := func(n int64) decimal.Decimal { return decimal.NewFromInt(n) }
	projects := []project.Project{
		{VillageCode: reliefVillage, Name: "玉池村光伏发电站", Kind: "solar", Status: "completed", Department: "市扶贫办",
			Note: "装机60千瓦，发电收益归村集体，为村集体经济固定收入。", Budget: yuan(480000), FundsReceived: yuan(480000), FundsSpent: yuan(472600),
			AppliedOn: on(400), ApprovedOn: on(370), StartedOn: on(330), DoneOn: on(240)},
		{VillageCode: reliefVillage, Name: "团玉公路绿化亮化", Kind: "greening", Status: "in_progress", Department: "市交通运输局",
			Note: "道路两侧植树、安装太阳能路灯120盏。", Budget: yuan(380000), FundsReceived: yuan(300000), FundsSpent: yuan(215400),
			AppliedOn: on(200), ApprovedOn: on(170), StartedOn: on(120)},
		{VillageCode: reliefVillage, Name: "玉池村山塘整修", Kind: "water", Status: "approving", Department: "市水利局",
			Note: "整修山塘3口，清淤护坡。", Budget: yuan(240000), AppliedOn: on(90)},
	}
	for _, p := range projects {
		id, err := st.SaveProject(ctx, 0, 0, p, office)
		if err != nil {
			return fmt.Errorf("demo projects: %s: %w", p.Name, err)
		}
		if p.Kind == "solar" {
			for _, h := range hs {
				if err := st.SetBeneficiary(ctx, id, h, true, office); err != nil {
					return fmt.Errorf("demo projects: beneficiary: %w", err)
				}
			}
		}
	}
	coops := []struct {
		name, product, kind string
		amount              decimal.Decimal
	}{
		{"玉池村猕猴桃种植专业合作社", "猕猴桃", "dividend", decimal.RequireFromString("1200.00")},
		{"玉池村竹花鸡养殖专业合作社", "竹花鸡", "wage", decimal.RequireFromString("2400.50")},
	}
	for i, c := range coops {
		id, err := st.CreateCooperative(ctx, project.Cooperative{VillageCode: reliefVillage, Name: c.name, Product: c.product,
			FoundedOn: on(500 - 100*i), Note: "代表牵线成立，吸收贫困户入社。"}, office)
		if err != nil {
			return fmt.Errorf("demo cooperatives: %s: %w", c.name, err)
		}
		members := hs[min(len(hs), 5*i):min(len(hs), 5*i+5)]
		for _, h := range members {
			if err := st.AddMember(ctx, id, h, *on(300), office); err != nil {
				return fmt.Errorf("demo cooperatives: member: %w", err)
			}
		}
		paid := day.AddDate(0, 0, -20)
		if paid.Year() != day.Year() {
			paid = time.Date(day.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		}
		for j, h := range members[:min(len(members), 3)] {
			// A payout is credited to the income recorded for its year.
			base := household.Income{Year: paid.Year(), Wages: yuan(int64(6000 + 1000*j)), Production: yuan(3000),
				Transfers: yuan(3500), Costs: yuan(300)}
			if _, err := st.RecordIncome(ctx, auth.Scope{}, h, base, office); err != nil {
				return fmt.Errorf("demo cooperatives: income: %w", err)
			}
			if err := st.RecordPayout(ctx, id, project.Payout{HouseholdID: h, Year: paid.Year(), Kind: c.kind, Amount: c.amount, PaidOn: paid}, office); err != nil {
				return fmt.Errorf("demo cooperatives: payout: %w", err)
			}
		}
	}
	return nil
}

// seedActivity gives every menu page of every demo account something to
// show, through the store as the office would: the unit of unit.demo
// attends the county meetings; a notice to the chairs and one to the
// deputies of the lead townships (units included); model cases (典型) in
// both lead townships; a pairing proposed in 新市镇 for its chair to
// confirm; a project and a cooperative in a village of 新市镇.
func seedActivity(ctx context.Context, st *store.Store, day time.Time) error {
	ids, err := demoUserIDs(ctx, st)
	if err != nil {
		return err
	}
	office := ids["office"]
	var unit int64
	if err := st.Pool.QueryRow(ctx, `SELECT deputy_id FROM users WHERE username = 'unit.demo'`).Scan(&unit); err != nil {
		return fmt.Errorf("demo activity: unit.demo: %w", err)
	}
	ms, err := st.Meetings(ctx, store.MeetingScope{}, 0)
	if err != nil {
		return fmt.Errorf("demo activity: meetings: %w", err)
	}
	for _, m := range ms {
		if m.TownshipCode == "" && m.Status == "held" {
			if err := st.AddAttendee(ctx, m.ID, 0, unit, true, office); err != nil && !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("demo activity: attendee: %w", err)
			}
		}
	}

	notices := []struct {
		token string
		n     notice.Notice
	}{
		{"d3e0c1a2-0000-4000-8000-000000000002", notice.Notice{Title: "关于报送本季度代表“一对一”扶贫工作小结的通知", Audience: "chairs",
			Body: "各乡镇人大主席：\n请于季度末前在系统“季度小结”中填写并提交本乡镇代表结对帮扶工作小结，重点写明走访、帮扶措施落实和存在的问题。\n汨罗市人大常委会办公室"}},
		{"d3e0c1a2-0000-4000-8000-000000000003", notice.Notice{Title: "关于做好弼时镇、新市镇结对户冬季走访的通知", Audience: "township",
			Townships: []string{bishiTownship, xinshiTownship},
			Body:      "在弼时镇、新市镇结对帮扶的各位代表和帮扶单位：\n入冬以来，请对结对户开展一次走访，重点了解取暖、住房安全和春节前的生活安排，走访情况及时记入台账。\n汨罗市人大常委会办公室"}},
	}
	for _, n := range notices {
		if _, err := st.PublishNotice(ctx, n.n, nil, division.DefaultCounty, n.token, office); err != nil {
			return fmt.Errorf("demo activity: notice: %w", err)
		}
	}

	// Model cases: deputy.demo's first pairing, and an approved visit in 新市镇.
	var pairing, entry int64
	if err := st.Pool.QueryRow(ctx, `SELECT p.id FROM pairings p JOIN users u ON u.deputy_id = p.deputy_id AND u.username = 'deputy.demo'
		WHERE p.status = 'active' ORDER BY p.id LIMIT 1`).Scan(&pairing); err != nil {
		return fmt.Errorf("demo activity: case: %w", err)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT e.id FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		JOIN households h ON h.id = p.household_id
		WHERE h.township_code = $1 AND e.status = 'approved' AND e.kind = 'visit' ORDER BY e.entry_date DESC, e.id LIMIT 1`, xinshiTownship).Scan(&entry); err != nil {
		return fmt.Errorf("demo activity: case: %w", err)
	}
	cases := []struct {
		kind string
		ref  int64
		c    showcase.Case
	}{
		{"pairing", pairing, showcase.Case{Theme: "industry", Title: "一户一策发展猕猴桃种植",
			Story: "代表结对后逐月走访，帮助这户贫困户加入猕猴桃合作社，联系技术员上门指导，当年实现分红，家庭收入稳定增长。"}},
		{"ledger_entry", entry, showcase.Case{Theme: "employment", Title: "帮助就近务工稳定增收",
			Story: "代表走访时了解到家中劳动力闲置，联系镇内企业提供就近务工岗位，每月工资按时到账，台账记录完整。"}},
	}
	for _, c := range cases {
		if _, err := st.MarkModelCase(ctx, "", c.kind, c.ref, c.c, nil, day.Add(-24*time.Hour), office); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("demo activity: case: %w", err)
		}
	}

	// A pairing proposed in 新市镇, for chair.xinshi to confirm.
	var hh, dep int64
	err = st.Pool.QueryRow(ctx, `SELECT h.id, d.id FROM households h, deputies d
		WHERE h.township_code = $1 AND h.status = 'not_exited'
		AND NOT EXISTS (SELECT 1 FROM pairings p WHERE p.household_id = h.id AND p.status IN ('active', 'proposed'))
		AND d.kind = 'deputy' AND d.status = 'active' AND d.home_township_code = $1
		AND EXISTS (SELECT 1 FROM applications a WHERE a.deputy_id = d.id AND a.status = 'open'
			AND a.capacity > (SELECT count(*) FROM pairings x WHERE x.deputy_id = d.id AND x.status IN ('active', 'proposed')))
		ORDER BY h.id, d.id LIMIT 1`, xinshiTownship).Scan(&hh, &dep)
	if err == nil {
		if _, _, err := st.ProposePairings(ctx, xinshiTownship, []store.Proposal{{HouseholdID: hh, DeputyID: dep, Reason: "就近原则：代表居住在本镇"}}, day, office); err != nil {
			return fmt.Errorf("demo activity: proposal: %w", err)
		}
	} else if !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("demo activity: proposal: %w", err)
	}

	// A project and a cooperative in 新市镇's first village.
	var village string
	if err := st.Pool.QueryRow(ctx, `SELECT code FROM divisions WHERE parent_code = $1 ORDER BY code LIMIT 1`, xinshiTownship).Scan(&village); err != nil {
		return fmt.Errorf("demo activity: village: %w", err)
	}
	started := day.AddDate(0, -3, 0)
	if _, err := st.SaveProject(ctx, 0, 0, project.Project{VillageCode: village, Name: "村组道路硬化", Kind: "road", Status: "in_progress",
		Department: "市交通运输局", Note: "硬化村组道路2.4公里。", Budget: decimal.NewFromInt(360000), FundsReceived: decimal.NewFromInt(200000),
		FundsSpent: decimal.NewFromInt(126500), AppliedOn: &started, ApprovedOn: &started, StartedOn: &started}, office); err != nil {
		return fmt.Errorf("demo activity: project: %w", err)
	}
	if _, err := st.CreateCooperative(ctx, project.Cooperative{VillageCode: village, Name: "竹笋加工专业合作社", Product: "竹笋",
		FoundedOn: &started, Note: "收购贫困户竹笋加工销售。"}, office); err != nil {
		return fmt.Errorf("demo activity: cooperative: %w", err)
	}
	return nil
}
