package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/bangfu/bangfu/internal/demo"
	"github.com/bangfu/bangfu/internal/pinyin"
)

// TestHouseholdSearchFindsMembers: the household list's search finds a
// household by a member's name (a spouse, not the head) and by the pinyin
// initials of that name, the count of results stands above the table, and
// the whole-ID look-up (POST /households/find) opens the household from a
// member's number.
func TestHouseholdSearchFindsMembers(t *testing.T) {
	t.Parallel()
	a := demoApp(t)
	ctx := context.Background()
	// A spouse whose name no head in the village bears.
	var hid int64
	var name, village string
	if err := a.st.Pool.QueryRow(ctx, `SELECT m.household_id, m.name, h.village_code FROM household_members m
		JOIN households h ON h.id = m.household_id
		WHERE m.relation = '配偶' AND NOT EXISTS (SELECT 1 FROM households o WHERE o.head_name LIKE '%' || m.name || '%')
		ORDER BY m.id LIMIT 1`).Scan(&hid, &name, &village); err != nil {
		t.Fatal(err)
	}
	staff := a.client(t, "office", demo.Password)
	link := `a[href="/households/` + strconv.FormatInt(hid, 10) + `"]`
	initials, _, _ := strings.Cut(pinyin.Key(name), "|")
	for _, q := range []string{name, initials} {
		status, doc := a.get(t, staff, "/households?division="+village+"&q="+url.QueryEscape(q))
		if status != http.StatusOK {
			t.Fatalf("search %q: %d", q, status)
		}
		if doc.Find(`[data-testid="households"] `+link).Length() != 1 {
			t.Errorf("search %q (member %s of household %d): household not listed; page says %q", q, name, hid, text(doc, `[data-testid="empty"]`))
		}
		count := text(doc, `[data-testid="result-count"]`)
		rows := doc.Find(`[data-testid="households"] tbody tr`).Length()
		if !strings.Contains(count, "共 "+strconv.Itoa(rows)+" 户") {
			t.Errorf("search %q: count %q, %d rows", q, count, rows)
		}
		if doc.Find(`[data-testid="result-count"] ~ .table-wrap`).Length() != 1 {
			t.Errorf("search %q: the count does not stand above the table", q)
		}
	}
	members, err := a.st.Members(ctx, hid)
	if err != nil {
		t.Fatal(err)
	}
	var memberID string
	for _, m := range members {
		if m.Name == name {
			memberID = m.IDNumber
		}
	}
	status, loc, _ := a.post(t, staff, "/households/find", url.Values{"id_number": {memberID}})
	if status != http.StatusSeeOther || loc != "/households/"+strconv.FormatInt(hid, 10) {
		t.Errorf("find by the member's whole ID: %d %s", status, loc)
	}
}
