package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// rankingRow is one township's line of the ranking page.
type rankingRow struct {
	code, name string
	rank       int
	score      decimal.Decimal
	ratios     []string // per term, e.g. "92.3%"
	titles     []string
}

func rankingRows(t *testing.T, doc *goquery.Document) []rankingRow {
	t.Helper()
	var out []rankingRow
	doc.Find(`table[data-testid="ranking"] tbody tr`).Each(func(_ int, r *goquery.Selection) {
		var row rankingRow
		row.code, _ = r.Attr("data-code")
		row.rank, _ = strconv.Atoi(text(goquery.NewDocumentFromNode(r.Nodes[0]), `[data-testid="rank"]`))
		row.name = strings.TrimSpace(r.Find("td").Eq(1).Text())
		row.score = decimal.RequireFromString(strings.TrimSpace(r.Find(`[data-testid="score"]`).Text()))
		r.Find("td[title]").Each(func(_ int, c *goquery.Selection) {
			row.ratios = append(row.ratios, strings.TrimSpace(c.Find(".ratio").Text()))
			title, _ := c.Attr("title")
			row.titles = append(row.titles, title)
		})
		out = append(out, row)
	})
	return out
}

// TestRankingPage checks the ranking on the demo data: its inputs are the
// SQL counts, ranks follow scores with ties shared, the weights page
// refuses bad input beside the field and keeps it, new weights re-rank at
// once and are audited, and the Excel export holds every township.
func TestRankingPage(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	leader := a.client(t, "leader", demo.Password)
	staff := a.client(t, "office", demo.Password)
	year := time.Now().In(web.Shanghai).Year()

	status, doc := a.get(t, leader, "/ranking?year="+strconv.Itoa(year))
	if status != http.StatusOK {
		t.Fatalf("ranking: %d", status)
	}
	rows := rankingRows(t, doc)
	if len(rows) != 16 {
		t.Fatalf("ranking has %d rows, want 16", len(rows))
	}
	// Ranks: 1-based, by score, equal scores share a rank and the next skips.
	for i, r := range rows {
		want := i + 1
		if i > 0 && r.score.Equal(rows[i-1].score) {
			want = rows[i-1].rank
		}
		if r.rank != want || (i > 0 && r.score.GreaterThan(rows[i-1].score)) {
			t.Errorf("row %d %s: rank %d score %s after %s; want rank %d", i, r.name, r.rank, r.score, rows[i-1].score, want)
		}
	}
	// The paired term's inputs and ratio are the SQL counts.
	for _, r := range rows {
		var hh, paired int
		if err := a.st.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pairings p
			WHERE p.household_id = h.id AND p.status = 'active')) FROM households h WHERE township_code = $1`, r.code).Scan(&hh, &paired); err != nil {
			t.Fatal(err)
		}
		if want := "已结对 " + strconv.Itoa(paired) + " / 贫困户 " + strconv.Itoa(hh); !strings.HasPrefix(r.titles[0], want) {
			t.Errorf("%s paired term %q, want %q", r.name, r.titles[0], want)
		}
		ratio := decimal.NewFromInt(int64(paired)).Div(decimal.NewFromInt(int64(hh))).Shift(2).StringFixed(2) + "%"
		if r.ratios[0] != ratio {
			t.Errorf("%s paired ratio %s, want %s", r.name, r.ratios[0], ratio)
		}
	}

	// A bad weight is refused beside its field; what was typed stays.
	form := url.Values{"paired_share": {"abc"}, "exit_vs_plan": {"30"}, "visit_rate": {"-5"}, "first_pass": {"15"},
		"action_items": {"15"}, "overdue_penalty": {"20"}, "visit_target": {"1"}}
	status, _, doc = a.post(t, staff, "/settings/ranking", form)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad weights: %d", status)
	}
	if v, _ := doc.Find(`input[name="paired_share"]`).Attr("value"); v != "abc" {
		t.Errorf("typed weight lost: %q", v)
	}
	if !strings.Contains(doc.Find(`input[name="paired_share"]`).Parent().Text(), "应为数字") {
		t.Errorf("no message beside paired_share: %q", doc.Find(`input[name="paired_share"]`).Parent().Text())
	}
	form.Set("paired_share", "20")
	status, _, doc = a.post(t, staff, "/settings/ranking", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(doc.Find(`input[name="visit_rate"]`).Parent().Text(), "走访达标率权重") {
		t.Errorf("negative weight: %d %q", status, doc.Find(`input[name="visit_rate"]`).Parent().Text())
	}

	// Only the paired share counts: the ranking follows the paired ratio.
	for k := range form {
		form.Set(k, "0")
	}
	form.Set("paired_share", "100")
	form.Set("visit_target", "1")
	if status, loc, _ := a.post(t, staff, "/settings/ranking", form); status != http.StatusSeeOther || loc != "/ranking/rules" {
		t.Fatalf("saving weights: %d %s", status, loc)
	}
	var audited int
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'settings.ranking_weights'
		AND after->>'paired_share' = '100'`).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("weights change audited %d times (%v), want 1", audited, err)
	}
	_, doc = a.get(t, leader, "/ranking?year="+strconv.Itoa(year))
	rows = rankingRows(t, doc)
	for i, r := range rows {
		var want decimal.Decimal
		if err := a.st.Pool.QueryRow(ctx, `SELECT round(100.0 * count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pairings p
			WHERE p.household_id = h.id AND p.status = 'active')) / count(*), 2) FROM households h WHERE township_code = $1`, r.code).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if !r.score.Equal(want) {
			t.Errorf("%s: score %s with paired share only, want %s", r.name, r.score, want)
		}
		if i > 0 && r.score.GreaterThan(rows[i-1].score) {
			t.Errorf("%s ranked below a lower score", r.name)
		}
	}

	// The Excel export: a title, and one row per township with the same scores.
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/ranking/export.xlsx?year="+strconv.Itoa(year), nil)
	resp, err := leader.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sheetRows, err := f.GetRows("三比排名")
	if err != nil {
		t.Fatal(err)
	}
	if len(sheetRows) != 3+16 || !strings.Contains(sheetRows[0][0], "三比") {
		t.Fatalf("export has %d rows, title %q", len(sheetRows), sheetRows[0])
	}
	for i, r := range rows {
		x := sheetRows[3+i]
		if x[1] != r.name || !decimal.RequireFromString(x[len(x)-1]).Equal(r.score) {
			t.Errorf("export row %d: %s %s, page %s %s", i, x[1], x[len(x)-1], r.name, r.score)
		}
	}
}

// TestEvaluationPages checks a deputy's evaluation against SQL counts of
// its year, the evidence lists, its own view and the candidates filter.
func TestEvaluationPages(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	leader := a.client(t, "leader", demo.Password)
	year := time.Now().In(web.Shanghai).Year()
	y := strconv.Itoa(year)

	status, doc := a.get(t, leader, "/evaluation?year="+y)
	if status != http.StatusOK {
		t.Fatalf("evaluation: %d", status)
	}
	doc0 := doc
	first := doc.Find(`table[data-testid="evaluation"] tbody tr`).First()
	id, _ := first.Attr("data-deputy")
	if id == "" {
		t.Fatal("no deputy evaluated")
	}
	var visits, returns int
	var help decimal.Decimal
	from, to := y+"-01-01", strconv.Itoa(year+1)+"-01-01"
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE e.kind = 'visit' AND e.status = 'approved'),
		coalesce(sum(e.amount) FILTER (WHERE e.kind <> 'visit' AND e.status = 'approved'), 0), coalesce(sum(e.return_count), 0)
		FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id WHERE p.deputy_id = $1 AND e.entry_date >= $2 AND e.entry_date < $3`,
		id, from, to).Scan(&visits, &help, &returns); err != nil {
		t.Fatal(err)
	}
	var measures, exits int
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(*) FROM measures m JOIN pairings p ON p.id = m.pairing_id
		WHERE p.deputy_id = $1 AND m.outcome_confirmed AND m.outcome_confirmed_on >= $2 AND m.outcome_confirmed_on < $3`, id, from, to).Scan(&measures); err != nil {
		t.Fatal(err)
	}
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(DISTINCT h.id) FROM pairings p JOIN households h ON h.id = p.household_id
		WHERE p.deputy_id = $1 AND h.status = 'exited' AND h.exited_year = $2
		AND (p.status = 'active' OR p.end_reason = 'household_exited')`, id, year).Scan(&exits); err != nil {
		t.Fatal(err)
	}
	// The published default rules, by hand.
	capAt := func(v decimal.Decimal, c int64) decimal.Decimal { return decimal.Min(v, decimal.NewFromInt(c)) }
	want := capAt(decimal.NewFromInt(int64(visits)), 25).
		Add(capAt(decimal.NewFromInt(int64(5*measures)), 25)).
		Add(capAt(decimal.NewFromInt(int64(10*exits)), 30)).
		Add(capAt(help.DivRound(decimal.NewFromInt(1000), 2), 20)).
		Sub(decimal.NewFromInt(int64(2 * returns)))

	status, doc = a.get(t, leader, "/evaluation/"+id+"?year="+y)
	if status != http.StatusOK {
		t.Fatalf("evaluation of %s: %d", id, status)
	}
	if got := text(doc, `[data-testid="evaluation-score"]`); !decimal.RequireFromString(got).Equal(want) {
		t.Errorf("deputy %s score %s; SQL visits %d measures %d exits %d help %s returns %d give %s",
			id, got, visits, measures, exits, help, returns, want)
	}
	if got := strings.TrimSpace(first.Find("td").Last().Text()); !decimal.RequireFromString(got).Equal(want) {
		t.Errorf("list score %s, want %s", got, want)
	}
	if visits > 0 && !strings.Contains(doc.Text(), "审核通过的走访") {
		t.Errorf("no visit evidence listed")
	}

	// A deputy further down the list has the same rank on its own page.
	tenth := doc0.Find(`table[data-testid="evaluation"] tbody tr`).Eq(9)
	tenthID, _ := tenth.Attr("data-deputy")
	_, tdoc := a.get(t, leader, "/evaluation/"+tenthID+"?year="+y)
	if want := "全市第 " + strings.TrimSpace(tenth.Find("td").First().Text()) + " 名"; text(tdoc, `[data-testid="evaluation-rank"]`) != want {
		t.Errorf("deputy %s: page says %q, list %q", tenthID, text(tdoc, `[data-testid="evaluation-rank"]`), want)
	}

	// deputy.demo sees its own evaluation.
	dep := a.client(t, "deputy.demo", demo.Password)
	var own int64
	if err := a.st.Pool.QueryRow(ctx, `SELECT deputy_id FROM users WHERE username = 'deputy.demo'`).Scan(&own); err != nil {
		t.Fatal(err)
	}
	if status, doc := a.get(t, dep, "/evaluation/"+strconv.FormatInt(own, 10)); status != http.StatusOK || doc.Find(`[data-testid="evaluation-terms"]`).Length() != 1 {
		t.Errorf("deputy's own evaluation: %d", status)
	}

	// The deputy's home lists its returned entries, each with a link to
	// correct it, and links to its evaluation.
	var returned int
	if err := a.st.Pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries e JOIN pairings p ON p.id = e.pairing_id
		WHERE p.deputy_id = $1 AND p.status = 'active' AND e.status = 'returned'`, own).Scan(&returned); err != nil {
		t.Fatal(err)
	}
	_, doc = a.get(t, dep, "/my")
	if n := doc.Find(`[data-testid="returned"] li a[href$="/edit"]`).Length(); n != returned || returned == 0 {
		t.Errorf("deputy home lists %d returned entries, SQL %d", n, returned)
	}
	if doc.Find(`a[href^="/evaluation/`+strconv.FormatInt(own, 10)+`"]`).Length() != 1 {
		t.Errorf("deputy home has no link to its evaluation")
	}

	// Candidates of a level: each at least the minimum score and of that level.
	status, doc = a.get(t, leader, "/evaluation?year="+y+"&level=county&candidates=1")
	if status != http.StatusOK {
		t.Fatalf("candidates: %d", status)
	}
	doc.Find(`table[data-testid="evaluation"] tbody tr`).Each(func(_ int, r *goquery.Selection) {
		score := decimal.RequireFromString(strings.TrimSpace(r.Find("td").Last().Text()))
		if score.LessThan(decimal.NewFromInt(60)) || !strings.Contains(r.Find("td").Eq(2).Text(), "市人大代表") {
			t.Errorf("candidate %s: score %s, levels %s", r.Find("td").Eq(1).Text(), score, r.Find("td").Eq(2).Text())
		}
	})
}
