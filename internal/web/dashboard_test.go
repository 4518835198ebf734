package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/money"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/shopspring/decimal"
)

// townFigures are one township's figures as counted by independent SQL.
type townFigures struct {
	households, paired, exited, exitedInYear, planned, visits, amber, red int
	periodYuan, allYuan                                                   decimal.Decimal
}

// sqlTownFigures counts, per township, what the dashboard shows, written
// independently of store.ProgressFor: one plain query per figure.
func sqlTownFigures(t *testing.T, a *app, today time.Time, from, to time.Time) map[string]*townFigures {
	t.Helper()
	ctx := context.Background()
	out := map[string]*townFigures{}
	get := func(code string) *townFigures {
		if out[code] == nil {
			out[code] = &townFigures{periodYuan: decimal.Zero, allYuan: decimal.Zero}
		}
		return out[code]
	}
	ints := []struct {
		sql string
		set func(f *townFigures, n int)
	}{
		{`SELECT township_code, count(*) FROM households GROUP BY 1`, func(f *townFigures, n int) { f.households = n }},
		{`SELECT h.township_code, count(DISTINCT h.id) FROM households h WHERE EXISTS
			(SELECT 1 FROM pairings p WHERE p.household_id = h.id AND p.status = 'active') GROUP BY 1`, func(f *townFigures, n int) { f.paired = n }},
		{`SELECT township_code, count(*) FROM households WHERE status = 'exited' GROUP BY 1`, func(f *townFigures, n int) { f.exited = n }},
		{`SELECT township_code, count(*) FROM households WHERE status = 'exited' AND exited_year = $1 GROUP BY 1`, func(f *townFigures, n int) { f.exitedInYear = n }},
		{`SELECT township_code, count(*) FROM households WHERE planned_exit_year = $1 GROUP BY 1`, func(f *townFigures, n int) { f.planned = n }},
		{`SELECT h.township_code, count(*) FROM ledger_entries e, pairings p, households h
			WHERE p.id = e.pairing_id AND h.id = p.household_id AND e.kind = 'visit' AND e.status IN ('submitted', 'approved')
			AND e.entry_date BETWEEN $2 AND $3 GROUP BY 1`, func(f *townFigures, n int) { f.visits = n }},
		// Red: an active pairing started at least 60 days ago with no visit since.
		{`SELECT h.township_code, count(*) FROM pairings p, households h WHERE h.id = p.household_id AND p.status = 'active'
			AND p.start_date <= $4::date - 60 AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.pairing_id = p.id
			AND e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date > $4::date - 60) GROUP BY 1`,
			func(f *townFigures, n int) { f.red = n }},
		// Amber: no visit in the last 30 days, but a visit (or the start) in the 30 days before.
		{`SELECT h.township_code, count(*) FROM pairings p, households h WHERE h.id = p.household_id AND p.status = 'active'
			AND p.start_date <= $4::date - 30 AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.pairing_id = p.id
			AND e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date > $4::date - 30)
			AND (p.start_date > $4::date - 60 OR EXISTS (SELECT 1 FROM ledger_entries e WHERE e.pairing_id = p.id
			AND e.kind = 'visit' AND e.status IN ('submitted', 'approved') AND e.entry_date > $4::date - 60)) GROUP BY 1`,
			func(f *townFigures, n int) { f.amber = n }},
	}
	last := to.AddDate(0, 0, -1)
	for _, q := range ints {
		// The CTE types every parameter, so each query may use any of them.
		sql := `WITH params AS (SELECT $1::int, $2::date, $3::date, $4::date) ` + q.sql
		rows, err := a.st.Pool.Query(ctx, sql, from.Year(), from, last, today)
		if err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		for rows.Next() {
			var code string
			var n int
			if err := rows.Scan(&code, &n); err != nil {
				t.Fatal(err)
			}
			q.set(get(code), n)
		}
		rows.Close()
	}
	rows, err := a.st.Pool.Query(ctx, `SELECT h.township_code,
		sum(e.amount) FILTER (WHERE e.entry_date BETWEEN $1 AND $2), sum(e.amount)
		FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id JOIN households h ON h.id = p.household_id
		WHERE e.status = 'approved' GROUP BY 1`, from, last)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var period, all decimal.NullDecimal
		if err := rows.Scan(&code, &period, &all); err != nil {
			t.Fatal(err)
		}
		f := get(code)
		if period.Valid {
			f.periodYuan = period.Decimal
		}
		f.allYuan = all.Decimal
	}
	return out
}

func count(s string) int {
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), ",", ""))
	if err != nil {
		return -1
	}
	return n
}

func yuan(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "元"))
	if s == "—" {
		return money.Format(decimal.Zero)
	}
	return s
}

// TestDashboardFiguresMatchSQL checks issue 6's acceptance line 1: every
// figure of the county dashboard and its township table equals an
// independent SQL count on the demo data, for this year, for the current
// quarter and for last year; the API agrees with the page.
func TestDashboardFiguresMatchSQL(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	leader := a.client(t, "leader", demo.Password)
	now := time.Now().In(web.Shanghai)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	q := (int(today.Month())-1)/3 + 1
	for _, c := range []struct {
		query    string
		from, to time.Time
	}{
		{"", time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC), time.Date(today.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{fmt.Sprintf("year=%d&quarter=%d", today.Year(), q), time.Date(today.Year(), time.Month(3*q-2), 1, 0, 0, 0, 0, time.UTC), time.Date(today.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)},
		{fmt.Sprintf("year=%d", today.Year()-1), time.Date(today.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		want := sqlTownFigures(t, a, today, c.from, c.to)
		status, doc := a.get(t, leader, "/dashboard?"+c.query)
		if status != http.StatusOK {
			t.Fatalf("dashboard %s: %d", c.query, status)
		}
		rows := doc.Find(`table[data-testid="children"] tbody tr`)
		if rows.Length() != 16 {
			t.Fatalf("dashboard %s: %d township rows, want 16", c.query, rows.Length())
		}
		total := townFigures{periodYuan: decimal.Zero, allYuan: decimal.Zero}
		rows.Each(func(_ int, r *goquery.Selection) {
			code, _ := r.Attr("data-code")
			w := want[code]
			if w == nil {
				w = &townFigures{periodYuan: decimal.Zero}
			}
			cells := r.Find("td").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
			exitPlan := strings.Split(cells[5], "/")
			got := []string{cells[1], cells[2], cells[4], strings.TrimSpace(exitPlan[0]), strings.TrimSpace(exitPlan[1]), cells[6], cells[7], cells[8], yuan(cells[9])}
			exp := []string{strconv.Itoa(w.households), strconv.Itoa(w.paired), strconv.Itoa(w.exited), strconv.Itoa(w.exitedInYear),
				strconv.Itoa(w.planned), strconv.Itoa(w.visits), strconv.Itoa(w.amber), strconv.Itoa(w.red), money.Format(w.periodYuan)}
			for i := range got {
				if g := strconv.Itoa(count(got[i])); i < 8 && g != exp[i] || i == 8 && got[i] != exp[i] {
					t.Errorf("dashboard %s, %s %s column %d: page %q, SQL %s", c.query, code, cells[0], i, got[i], exp[i])
				}
			}
			total.households += w.households
			total.paired += w.paired
			total.exited += w.exited
			total.red += w.red
			total.amber += w.amber
			total.visits += w.visits
			total.periodYuan = total.periodYuan.Add(w.periodYuan)
			total.allYuan = total.allYuan.Add(w.allYuan)
		})
		for id, exp := range map[string]string{
			"households": strconv.Itoa(total.households), "paired": strconv.Itoa(total.paired),
			"unpaired": strconv.Itoa(total.households - total.paired), "exited": strconv.Itoa(total.exited),
			"novisit30": strconv.Itoa(total.amber), "novisit60": strconv.Itoa(total.red),
			"period-visits": strconv.Itoa(total.visits),
		} {
			if got := strconv.Itoa(count(text(doc, `[data-testid="fig-`+id+`"]`))); got != exp {
				t.Errorf("dashboard %s figure %s: page %s, SQL %s", c.query, id, got, exp)
			}
		}
		if got := yuan(text(doc, `[data-testid="fig-period-yuan"]`)); got != money.Format(total.periodYuan) {
			t.Errorf("dashboard %s period yuan: page %s, SQL %s", c.query, got, money.Format(total.periodYuan))
		}
		if got := yuan(text(doc, `[data-testid="fig-yuan"]`)); got != money.Format(total.allYuan) {
			t.Errorf("dashboard %s yuan: page %s, SQL %s", c.query, got, money.Format(total.allYuan))
		}

		// The API is the machine-readable source of the same figures.
		status, body := a.getBody(t, leader, "/api/v1/progress?"+c.query)
		if status != http.StatusOK {
			t.Fatalf("api %s: %d", c.query, status)
		}
		var api struct {
			Households   int    `json:"households"`
			NoVisit60d   int    `json:"no_visit_60d"`
			PeriodVisits int    `json:"period_visits"`
			PeriodYuan   string `json:"period_yuan"`
			Period       struct{ From, To string }
		}
		if err := json.Unmarshal([]byte(body), &api); err != nil {
			t.Fatal(err)
		}
		py, _ := decimal.NewFromString(api.PeriodYuan)
		if api.Households != total.households || api.NoVisit60d != total.red || api.PeriodVisits != total.visits ||
			!py.Equal(total.periodYuan) || api.Period.From != c.from.Format(time.DateOnly) || api.Period.To != c.to.AddDate(0, 0, -1).Format(time.DateOnly) {
			t.Errorf("api %s = %+v; SQL households %d, red %d, visits %d, yuan %s, period %s–%s", c.query, api,
				total.households, total.red, total.visits, total.periodYuan, c.from.Format(time.DateOnly), c.to.AddDate(0, 0, -1).Format(time.DateOnly))
		}
	}
	// Deputies taking part: the county's and a township's, against SQL;
	// units (帮扶单位, the demo's 委办) are counted apart, never as deputies.
	for _, code := range []string{"430681", "430681107"} {
		var want, units int
		if err := a.st.Pool.QueryRow(context.Background(), `SELECT count(DISTINCT p.deputy_id) FILTER (WHERE d.kind = 'deputy'),
			count(DISTINCT p.deputy_id) FILTER (WHERE d.kind = 'unit') FROM pairings p
			JOIN households h ON h.id = p.household_id JOIN deputies d ON d.id = p.deputy_id
			WHERE p.status = 'active' AND h.village_code LIKE $1 || '%'`, code).Scan(&want, &units); err != nil {
			t.Fatal(err)
		}
		_, doc := a.get(t, leader, "/dashboard?division="+code)
		got := doc.Find(`[data-testid="participation"] strong`).First().Text()
		if count(got) != want || want == 0 {
			t.Errorf("%s: %s deputies taking part on the page, SQL %d", code, got, want)
		}
		got = doc.Find(`[data-testid="participation-units"] strong`).Text()
		if count(got) != units || units == 0 {
			t.Errorf("%s: %s units taking part on the page, SQL %d", code, got, units)
		}
	}

	// A deputy asking the API gets a JSON 403, not an HTML page.
	testutil.User(t, a.st, "dep.api", auth.Deputy, "", testutil.Deputy(t, a.st, "邓建国", "430681107"))
	dep := a.client(t, "dep.api", testutil.Password)
	if status, body := a.getBody(t, dep, "/api/v1/progress"); status != http.StatusForbidden || !strings.HasPrefix(body, `{"error":`) {
		t.Errorf("deputy on the API: %d %s", status, body)
	}

	// A bad period is a 400 with a Chinese message, on the page and the API.
	if status, body := a.getBody(t, leader, "/api/v1/progress?year=1999"); status != http.StatusBadRequest || !strings.Contains(body, "年份") {
		t.Errorf("api year=1999: %d %s", status, body)
	}
	if status, doc := a.get(t, leader, "/dashboard?quarter=7"); status != http.StatusBadRequest || !strings.Contains(doc.Text(), "季度") {
		t.Errorf("dashboard quarter=7: %d", status)
	}
}
