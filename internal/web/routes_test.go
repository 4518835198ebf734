package web_test

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/ledger"
	"github.com/bangfu/bangfu/internal/notice"
	"github.com/bangfu/bangfu/internal/period"
	"github.com/bangfu/bangfu/internal/photo"
	"github.com/bangfu/bangfu/internal/showcase"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/summary"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/go-chi/chi/v5"
	"github.com/shopspring/decimal"
)

// Who is asking: the viewers every route is checked against.
var viewers = []string{"anon", "staff", "leader", "chairOwn", "chairOther", "depOwn", "depOther"}

// What a viewer gets: a = allowed (anything but 401/403/404), f = 403,
// n = 404, l = sent to log in (303 to /login, or 401 for the API).
type access string

// routeTable is the route × viewer table: "METHOD pattern" → path to request
// (with ids filled in by fill) → expected access per viewer, in the order of
// viewers. "Own" means the household of 弼时镇 paired with depOwn; "other"
// is 新市镇's chair and a deputy not paired with it. Every chi route must be
// here; TestRouteCoverage fails on a route without an entry.
var routeTable = map[string]struct {
	path string
	want string // one letter per viewer
}{
	"GET /healthz":                                    {"/healthz", "aaaaaaa"},
	"GET /static/*":                                   {"/static/bangfu.css", "aaaaaaa"},
	"GET /login":                                      {"/login", "aaaaaaa"},
	"POST /login":                                     {"/login", "aaaaaaa"},
	"GET /password":                                   {"/password", "laaaaaa"},
	"POST /password":                                  {"/password", "laaaaaa"},
	"POST /logout":                                    {"/logout", "laaaaaa"},
	"GET /":                                           {"/", "laaaaaa"},
	"GET /dashboard":                                  {"/dashboard?division=430681107", "laaanff"},
	"GET /api/v1/progress":                            {"/api/v1/progress?division=430681107", "laaanff"},
	"GET /digest":                                     {"/digest?division=430681107", "laaanff"},
	"GET /followup":                                   {"/followup?division=430681107", "laaanff"},
	"GET /ledger":                                     {"/ledger?division=430681107", "laaanff"},
	"GET /ledger/export.xlsx":                         {"/ledger/export.xlsx?division=430681107", "laaanff"},
	"GET /ranking":                                    {"/ranking?year=2026", "laaaaff"},
	"GET /ranking/rules":                              {"/ranking/rules", "laaaaff"},
	"GET /ranking/export.xlsx":                        {"/ranking/export.xlsx", "laaaaff"},
	"POST /settings/ranking":                          {"/settings/ranking", "lafffff"},
	"GET /evaluation":                                 {"/evaluation", "laaffff"},
	"GET /meetings":                                   {"/meetings", "laaaaaa"},
	"GET /meetings/new":                               {"/meetings/new", "lafaaff"},
	"POST /meetings":                                  {"/meetings", "lafaaff"},
	"GET /meetings/{id}":                              {"/meetings/{meeting}", "laaanan"},
	"GET /meetings/{id}/minutes":                      {"/meetings/{meeting}/minutes", "laaanan"},
	"POST /meetings/{id}":                             {"/meetings/{meeting}", "lafanff"},
	"POST /meetings/{id}/attendees":                   {"/meetings/{meeting}/attendees", "lafanff"},
	"POST /meetings/{id}/cases":                       {"/meetings/{meeting}/cases", "lafanff"},
	"POST /meetings/{id}/items":                       {"/meetings/{meeting}/items", "lafanff"},
	"GET /action-items":                               {"/action-items", "laaaaff"},
	"GET /action-items/export.xlsx":                   {"/action-items/export.xlsx", "laaaaff"},
	"POST /action-items/{id}/close":                   {"/action-items/{item}/close", "lananff"},
	"GET /notices":                                    {"/notices", "laaaaaa"},
	"GET /notices/new":                                {"/notices/new", "lafffff"},
	"POST /notices":                                   {"/notices", "lafffff"},
	"GET /notices/{id}":                               {"/notices/{notice}", "laannan"},
	"GET /notices/{id}/files/{fid}":                   {"/notices/{notice}/files/{noticeFile}", "laannan"},
	"POST /notices/{id}/withdraw":                     {"/notices/{notice}/withdraw", "lafffff"},
	"GET /notices/{id}/recipients":                    {"/notices/{notice}/recipients?filter=unread", "laaffff"},
	"GET /support":                                    {"/support?village=430681107231", "laaanff"},
	"GET /projects/new":                               {"/projects/new", "lafaaff"},
	"POST /projects":                                  {"/projects", "lafaaff"},
	"GET /projects/{id}":                              {"/projects/{project}", "laaanff"},
	"POST /projects/{id}":                             {"/projects/{project}", "lafanff"},
	"POST /projects/{id}/beneficiaries":               {"/projects/{project}/beneficiaries", "lafanff"},
	"GET /cooperatives/new":                           {"/cooperatives/new", "lafaaff"},
	"POST /cooperatives":                              {"/cooperatives", "lafaaff"},
	"GET /cooperatives/{id}":                          {"/cooperatives/{coop}", "laaanff"},
	"POST /cooperatives/{id}/members":                 {"/cooperatives/{coop}/members", "lafanff"},
	"POST /cooperatives/{id}/payouts":                 {"/cooperatives/{coop}/payouts", "lafanff"},
	"GET /evaluation/rules":                           {"/evaluation/rules", "laaffaa"},
	"GET /evaluation/export.xlsx":                     {"/evaluation/export.xlsx", "laaffff"},
	"GET /evaluation/{id}":                            {"/evaluation/{deputy}", "laaffna"},
	"POST /settings/evaluation":                       {"/settings/evaluation", "lafffff"},
	"POST /settings/spot-check":                       {"/settings/spot-check", "lafffff"},
	"POST /settings/password-age":                     {"/settings/password-age", "lafffff"},
	"POST /settings/followup":                         {"/settings/followup", "lafffff"},
	"GET /deputies":                                   {"/deputies", "laaffff"},
	"GET /deputies/{id}":                              {"/deputies/{deputy}", "laaffff"},
	"GET /deputies/{id}/edit":                         {"/deputies/{deputy}/edit", "lafffff"},
	"POST /deputies/{id}":                             {"/deputies/{deputy}", "lafffff"},
	"POST /deputies/{id}/left-office":                 {"/deputies/{spareDeputy}/left-office", "lafffff"},
	"POST /deputies/{id}/account":                     {"/deputies/{deputy}/account", "lafffff"},
	"GET /deputies/template.xlsx":                     {"/deputies/template.xlsx", "lafffff"},
	"GET /deputies/import":                            {"/deputies/import", "lafffff"},
	"POST /deputies/import":                           {"/deputies/import", "lafffff"},
	"POST /deputies/export":                           {"/deputies/export", "laaffff"},
	"GET /deputies/new":                               {"/deputies/new", "lafffff"},
	"POST /deputies":                                  {"/deputies", "lafffff"},
	"GET /units":                                      {"/units", "laaffff"},
	"GET /units/new":                                  {"/units/new", "lafffff"},
	"POST /units":                                     {"/units", "lafffff"},
	"GET /units/{id}":                                 {"/units/{unit}", "laaffff"},
	"GET /units/{id}/edit":                            {"/units/{unit}/edit", "lafffff"},
	"POST /units/{id}":                                {"/units/{unit}", "lafffff"},
	"POST /units/{id}/deactivate":                     {"/units/{unit}/deactivate", "lafffff"},
	"POST /units/{id}/account":                        {"/units/{unit}/account", "lafffff"},
	"GET /households":                                 {"/households", "laaaaff"},
	"GET /households/template.xlsx":                   {"/households/template.xlsx", "lafffff"},
	"GET /households/import":                          {"/households/import", "lafffff"},
	"POST /households/import":                         {"/households/import", "lafffff"},
	"POST /households/find":                           {"/households/find", "lafffff"},
	"POST /households/export":                         {"/households/export", "laaaaff"},
	"GET /jobs/{id}":                                  {"/jobs/{job}", "lannnnn"},
	"GET /jobs/{id}/file":                             {"/jobs/{job}/file", "lannnnn"},
	"GET /households/new":                             {"/households/new", "lafffff"},
	"POST /households":                                {"/households", "lafffff"},
	"GET /households/{id}":                            {"/households/{household}", "laaanan"},
	"GET /households/{id}/file":                       {"/households/{household}/file", "laaanan"},
	"GET /households/{id}/card":                       {"/households/{household}/card", "laaanan"},
	"GET /households/{id}/ledger.xlsx":                {"/households/{household}/ledger.xlsx", "laaanan"},
	"GET /villages/{code}/files":                      {"/villages/430681107231/files", "lafanff"},
	"GET /households/{id}/edit":                       {"/households/{household}/edit", "lafanff"},
	"POST /households/{id}":                           {"/households/{household}", "lafanff"},
	"POST /households/{id}/status":                    {"/households/{household}/status", "lafanff"},
	"POST /households/{id}/reveal":                    {"/households/{household}/reveal", "lafffff"},
	"POST /households/{id}/exit":                      {"/households/{household}/exit", "lffanan"},
	"POST /households/{id}/exit/return":               {"/households/{household}/exit/return", "lfaanff"},
	"POST /households/{id}/exit/{step}":               {"/households/{household}/exit/approved", "lfaffff"},
	"POST /households/{id}/income":                    {"/households/{household}/income", "lafanan"},
	"GET /households/{id}/pair":                       {"/households/{household}/pair", "lafffff"},
	"POST /households/{id}/pairings":                  {"/households/{household}/pairings", "lafffff"},
	"POST /pairings/{id}/end":                         {"/pairings/{spare}/end", "lafffff"},
	"POST /pairings/{id}/measures":                    {"/pairings/{pairing}/measures", "lafffan"},
	"POST /pairings/{id}/measures/{mid}":              {"/pairings/{pairing}/measures/{measure}", "lafffan"},
	"POST /pairings/{id}/goal":                        {"/pairings/{pairing}/goal", "lafffan"},
	"GET /applications":                               {"/applications", "lafffaa"},
	"GET /applications/new":                           {"/applications/new?deputy={deputy}", "lafffaa"},
	"POST /applications":                              {"/applications", "lafffaa"},
	"GET /pairing/suggest":                            {"/pairing/suggest", "lafffff"},
	"POST /pairing/propose":                           {"/pairing/propose", "lafffff"},
	"GET /pairing/confirm":                            {"/pairing/confirm", "lafaaff"},
	"POST /pairings/{id}/confirm":                     {"/pairings/{pairing}/confirm", "lffanff"},
	"POST /pairings/{id}/reject":                      {"/pairings/{pairing}/reject", "lffanff"},
	"GET /pairing/reassign":                           {"/pairing/reassign", "lafaaff"},
	"POST /pairings/{id}/transfer":                    {"/pairings/{pairing}/transfer", "lafffff"},
	"GET /settings":                                   {"/settings", "lafffff"},
	"POST /settings/adjacency":                        {"/settings/adjacency", "lafffff"},
	"POST /settings/poverty-lines":                    {"/settings/poverty-lines", "lafffff"},
	"GET /my":                                         {"/my", "lffffaa"},
	"GET /pairings/{id}/ledger/new":                   {"/pairings/{pairing}/ledger/new", "lffffan"},
	"POST /pairings/{id}/ledger":                      {"/pairings/{pairing}/ledger", "lffffan"},
	"GET /ledger/{id}/edit":                           {"/ledger/{draft}/edit", "lffffan"},
	"POST /ledger/{id}":                               {"/ledger/{draft}", "lffffan"},
	"GET /photos/{id}":                                {"/photos/{photo}", "laaanan"},
	"POST /review/approve":                            {"/review/approve", "lffaaff"},
	"GET /review/spot-check":                          {"/review/spot-check", "lffaaff"},
	"GET /review":                                     {"/review", "lffaaff"},
	"POST /ledger/{id}/approve":                       {"/ledger/{submitted}/approve", "lffanff"},
	"POST /ledger/{id}/return":                        {"/ledger/{submitted}/return", "lffanff"},
	"GET /showcase":                                   {"/showcase?township=430681107", "laaaaaa"},
	"GET /model-cases/{id}/photo":                     {"/model-cases/{case}/photo", "laaaaaa"},
	"GET /model-cases/new":                            {"/model-cases/new?kind=pairing&ref={pairing}", "lafanff"},
	"POST /model-cases":                               {"/model-cases?kind=pairing&ref={pairing}", "lafanff"},
	"GET /model-cases/{id}/edit":                      {"/model-cases/{case}/edit", "lafanff"},
	"POST /model-cases/{id}":                          {"/model-cases/{case}", "lafanff"},
	"POST /model-cases/{id}/delete":                   {"/model-cases/{case}/delete", "lafanff"},
	"GET /summaries":                                  {"/summaries", "laaaaff"},
	"GET /summaries/export.xlsx":                      {"/summaries/export.xlsx", "laaaaff"},
	"GET /summaries/{township}/{quarter}":             {"/summaries/430681107/{quarter}", "laaanff"},
	"GET /summaries/{township}/{quarter}/print":       {"/summaries/430681107/{quarter}/print", "laaanff"},
	"GET /summaries/{township}/{quarter}/export.xlsx": {"/summaries/430681107/{quarter}/export.xlsx", "laaanff"},
	"POST /summaries/{township}/{quarter}":            {"/summaries/430681107/{quarter}", "lffanff"},
	"POST /summaries/{township}/{quarter}/return":     {"/summaries/430681107/{quarter}/return", "lafffff"},
	"GET /audit":                                      {"/audit", "lafffff"},
	"GET /audit/export.xlsx":                          {"/audit/export.xlsx", "lafffff"},
}

func TestRouteCoverage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	depOwn := testutil.Deputy(t, st, "周红梅", bishi)
	depOther := testutil.Deputy(t, st, "吴国强", bishi)
	hh := testutil.Household(t, st, yuchi, "孙大勇")
	pairingID := testutil.Pairing(t, st, hh, depOwn, time.Now().AddDate(0, -1, 0))
	spare := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "郑小平"), depOther, time.Now().AddDate(0, -1, 0))
	entry := ledger.Entry{EntryDate: time.Now().AddDate(0, 0, -1).UTC().Truncate(24 * time.Hour), Kind: "visit", Description: "走访", Amount: decimal.Zero}
	draft, err := st.SaveLedgerEntry(ctx, depOwn, pairingID, 0, entry, false, "", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	pic, err := photo.Normalize(testPNG(t))
	if err != nil {
		t.Fatal(err)
	}
	submitted, err := st.SaveLedgerEntry(ctx, depOwn, pairingID, 0, entry, true, "", []photo.Photo{pic}, 0)
	if err != nil {
		t.Fatal(err)
	}
	testutil.User(t, st, "staff", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "chairown", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chairother", auth.TownshipChair, xinshi, 0)
	testutil.User(t, st, "depown", auth.Deputy, "", depOwn)
	testutil.User(t, st, "depother", auth.Deputy, "", depOther)
	a := newApp(t, st)
	// A finished export of the staff user: only it may see the job and its file.
	var staffID int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM users WHERE username = 'staff'`).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	job, err := st.CreateJob(ctx, "household_export", staffID, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishJob(ctx, job, false, "导出完成", nil, "a.xlsx", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	if err := st.AddMeasure(ctx, pairingID, store.MeasureRow{SupportType: "health", Content: "协助办理慢性病卡", Funds: decimal.Zero}, 0); err != nil {
		t.Fatal(err)
	}
	var measure int64
	if err := st.Pool.QueryRow(ctx, `SELECT max(id) FROM measures`).Scan(&measure); err != nil {
		t.Fatal(err)
	}
	var photoID int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM ledger_photos WHERE entry_id = $1`, submitted).Scan(&photoID); err != nil {
		t.Fatal(err)
	}
	// 弼时镇's own meeting, which depOwn attended, with an item owned by 弼时镇.
	var bishiMeeting, item int64
	if err := st.Pool.QueryRow(ctx, `INSERT INTO meetings (year, quarter, meeting_date, title, kind, host_township, township_code)
		VALUES (2026, 3, '2026-08-15', '弼时镇帮扶推进会', 'on_site', $1, $1) RETURNING id`, bishi).Scan(&bishiMeeting); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool.Exec(ctx, `INSERT INTO meeting_attendees (meeting_id, deputy_id) VALUES ($1, $2)`, bishiMeeting, depOwn); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool.QueryRow(ctx, `INSERT INTO action_items (meeting_id, title, owner_township, due_date)
		VALUES ($1, '修缮山塘', $2, '2026-09-30') RETURNING id`, bishiMeeting, bishi).Scan(&item); err != nil {
		t.Fatal(err)
	}
	// A project and a cooperative of 玉池村 (弼时镇).
	var projectID, coopID int64
	if err := st.Pool.QueryRow(ctx, `INSERT INTO projects (village_code, name, kind) VALUES ($1, '光伏发电扩容', 'solar') RETURNING id`, yuchi).Scan(&projectID); err != nil {
		t.Fatal(err)
	}
	if err := st.Pool.QueryRow(ctx, `INSERT INTO cooperatives (village_code, name) VALUES ($1, '猕猴桃合作社') RETURNING id`, yuchi).Scan(&coopID); err != nil {
		t.Fatal(err)
	}
	// A notice to provincial deputies with an attachment: depOwn (made a
	// provincial deputy too) is a recipient, depOther and the chairs are not.
	if _, err := st.Pool.Exec(ctx, `UPDATE deputies SET levels = '{county,provincial}' WHERE id = $1`, depOwn); err != nil {
		t.Fatal(err)
	}
	noticeID, err := st.PublishNotice(ctx, notice.Notice{Title: "倡议书", Body: "各位代表：", Audience: "level", Levels: []string{"provincial"}},
		[]store.NoticeFile{{Name: "倡议书.pdf", ContentType: notice.PDF, Data: []byte("%PDF-1.4\n")}}, "430681", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var noticeFile int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM notice_files WHERE notice_id = $1`, noticeID).Scan(&noticeFile); err != nil {
		t.Fatal(err)
	}
	// A model case of 弼时镇 with a photo (the pairing of depOwn).
	caseID, err := st.MarkModelCase(ctx, "", "pairing", pairingID, showcase.Case{Theme: "industry", Title: "猕猴桃", Story: "发展猕猴桃种植"}, &pic, time.Now(), 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(web.Shanghai)
	quarter := summary.Key(period.Period{Year: now.Year(), Quarter: (int(now.Month())-1)/3 + 1})
	fill := strings.NewReplacer("{case}", strconv.FormatInt(caseID, 10), "{quarter}", quarter, "{notice}", strconv.FormatInt(noticeID, 10), "{noticeFile}", strconv.FormatInt(noticeFile, 10), "{project}", strconv.FormatInt(projectID, 10), "{coop}", strconv.FormatInt(coopID, 10), "{meeting}", strconv.FormatInt(bishiMeeting, 10), "{item}", strconv.FormatInt(item, 10), "{photo}", strconv.FormatInt(photoID, 10), "{job}", strconv.FormatInt(job, 10), "{measure}", strconv.FormatInt(measure, 10), "{household}", strconv.FormatInt(hh, 10), "{pairing}", strconv.FormatInt(pairingID, 10),
		"{spare}", strconv.FormatInt(spare, 10), "{deputy}", strconv.FormatInt(depOther, 10),
		"{unit}", strconv.FormatInt(testutil.Unit(t, st, "汨罗市人大常委会办公室", "430681119"), 10),
		"{spareDeputy}", strconv.FormatInt(testutil.Deputy(t, st, "冯志刚", xinshi), 10), "{draft}", strconv.FormatInt(draft, 10), "{submitted}", strconv.FormatInt(submitted, 10))

	// Every route of the router has an entry, and every entry is a route.
	seen := map[string]bool{}
	err = chi.Walk(a.routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		key := method + " " + route
		seen[key] = true
		if _, ok := routeTable[key]; !ok {
			t.Errorf("route %s has no entry in routeTable", key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(routeTable))
	for k := range routeTable {
		if !seen[k] {
			t.Errorf("routeTable lists %s, which is not a route", k)
		}
		keys = append(keys, k)
	}
	// Log out last: it ends the viewer's session.
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == "POST /logout") != (keys[j] == "POST /logout") {
			return keys[j] == "POST /logout"
		}
		return keys[i] < keys[j]
	})
	clients := map[string]*http.Client{"anon": a.client(t, "", "")}
	for _, v := range viewers[1:] {
		clients[v] = a.client(t, strings.ToLower(v), testutil.Password)
	}
	for _, key := range keys {
		e := routeTable[key]
		if len(e.want) != len(viewers) {
			t.Fatalf("%s: want %q has %d letters, not %d", key, e.want, len(e.want), len(viewers))
		}
		method, _, _ := strings.Cut(key, " ")
		path := fill.Replace(e.path)
		for i, v := range viewers {
			var status int
			var loc string
			if method == http.MethodGet {
				resp, err := clients[v].Get(a.srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				status, loc = resp.StatusCode, resp.Header.Get("Location")
			} else {
				status, loc, _ = a.post(t, clients[v], path, url.Values{})
			}
			ok := false
			switch access(e.want[i]) {
			case "a":
				ok = status != 401 && status != 403 && status != 404 && status < 500 && !(status == 303 && loc == "/login" && v != "anon" && key != "POST /logout")
			case "f":
				ok = status == 403
			case "n":
				ok = status == 404
			case "l":
				ok = (status == 303 && loc == "/login") || (status == 401 && strings.HasPrefix(path, "/api/"))
			}
			if !ok {
				t.Errorf("%s %s as %s: status %d (Location %q), want %s", method, path, v, status, loc, string(e.want[i]))
			}
		}
	}
}
