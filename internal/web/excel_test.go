package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// upload posts an .xlsx file to /households/import and returns the status
// and Location.
func (a *app) upload(t *testing.T, c *http.Client, data []byte) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "花名册.xlsx")
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err := c.Post(a.srv.URL+"/households/import", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// waitJob polls a job page until it is no longer running and returns its
// status and the page text.
func (a *app) waitJob(t *testing.T, c *http.Client, path string) (string, string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		_, doc := a.get(t, c, path)
		status, _ := doc.Find(`[data-testid="job"]`).Attr("data-status")
		if status != "running" {
			return status, doc.Find(`[data-testid="job"]`).Text()
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("job %s still running after 60 s", path)
	return "", ""
}

// roster builds a roster workbook of n households in 玉池村 with two members each.
func roster(t *testing.T, n int, badIncomeAt int) []byte {
	t.Helper()
	var hs []xlsx.ExportHousehold
	for i := 0; i < n; i++ {
		h := household.Household{VillageCode: yuchi, GroupName: "2组", HeadName: testutil.Name("王", i), HeadSex: "male",
			IDNumber: testutil.IDNumber(), Attribute: "general", Standard: "national", MainCause: "因病",
			IdentificationYear: 2015, PerCapitaIncome: decimal.RequireFromString("2345.67"),
			Head: household.Member{Ethnicity: "汉族", Health: "健康", Labour: "普通劳动力"}}
		h.Head.Name, h.Head.Sex, h.Head.IDNumber, h.Head.Relation = h.HeadName, h.HeadSex, h.IDNumber, "户主"
		h.Members = []household.Member{{Name: testutil.Name("李", i), Sex: "male", IDNumber: testutil.IDNumber(), Relation: "子",
			Ethnicity: "汉族", Health: "健康", Labour: "普通劳动力"}}
		hs = append(hs, xlsx.ExportHousehold{Household: h, Status: "not_exited", TownshipName: "弼时镇", VillageName: "玉池村"})
	}
	var buf bytes.Buffer
	if err := xlsx.WriteHouseholds(&buf, hs, xlsx.ExportMeta{Title: "花名册", Unit: "弼时镇", Date: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if badIncomeAt < 0 {
		return buf.Bytes()
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Heading on row 3, then two rows per household; column V is 人均纯收入.
	cell := "V" + strconv.Itoa(4+2*badIncomeAt)
	if err := f.SetCellValue(xlsx.SheetName, cell, "两千"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestExcelImportExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	testutil.User(t, st, "leader", auth.Leader, "", 0)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)

	// The template downloads as a workbook.
	resp, err := staff.Get(a.srv.URL + "/households/template.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	tpl, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/vnd.openxmlformats") || len(tpl) < 1000 {
		t.Fatalf("template: %d %s %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(tpl))
	}

	// One bad row in the middle: nothing is imported and the row is named.
	status, loc := a.upload(t, staff, roster(t, 5, 2))
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("upload: %d %q", status, loc)
	}
	jstatus, page := a.waitJob(t, staff, loc)
	if jstatus != "failed" || !strings.Contains(page, "人均纯收入") || !strings.Contains(page, "8") {
		t.Fatalf("bad roster: %s %q", jstatus, page)
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM households`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("households after a failed import: %d %v", n, err)
	}

	// The good roster imports; importing it again changes nothing.
	good := roster(t, 5, -1)
	_, loc = a.upload(t, staff, good)
	if jstatus, page = a.waitJob(t, staff, loc); jstatus != "done" || !strings.Contains(page, "新增 5 户") {
		t.Fatalf("good roster: %s %q", jstatus, page)
	}
	_, loc = a.upload(t, staff, good)
	if jstatus, page = a.waitJob(t, staff, loc); jstatus != "done" || !strings.Contains(page, "5 户无变化") {
		t.Fatalf("re-import: %s %q", jstatus, page)
	}
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM household_members`).Scan(&n); err != nil || n != 10 {
		t.Fatalf("members: %d %v", n, err)
	}
	// Not an xlsx at all: a clear message, nothing imported.
	_, loc = a.upload(t, staff, []byte("this is not a workbook"))
	if jstatus, page = a.waitJob(t, staff, loc); jstatus != "failed" {
		t.Fatalf("garbage upload: %s %q", jstatus, page)
	}

	// Exports: staff get whole ID numbers when they ask for them with a
	// purpose; leader and chair never do.
	for _, who := range []string{"office", "leader", "chair.bishi"} {
		c := a.client(t, who, testutil.Password)
		form := url.Values{"division": {yuchi}}
		if who == "office" {
			form = url.Values{"division": {yuchi}, "full": {"1"}, "confirm": {"1"}, "purpose": {"报送乡村振兴局"}}
		}
		status, loc, _ := a.post(t, c, "/households/export", form)
		if status != http.StatusSeeOther {
			t.Fatalf("%s export: %d", who, status)
		}
		if jstatus, page := a.waitJob(t, c, loc); jstatus != "done" {
			t.Fatalf("%s export: %s %q", who, jstatus, page)
		}
		resp, err := c.Get(a.srv.URL + loc + "/file")
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s download: %d", who, resp.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.GetRows(xlsx.SheetName)
		f.Close()
		if err != nil || len(rows) != 3+10 {
			t.Fatalf("%s export rows: %d %v", who, len(rows), err)
		}
		full := 0
		for _, r := range rows {
			for _, cell := range r {
				if fullID.MatchString(cell) {
					full++
				}
			}
		}
		if who == "office" && full != 10 {
			t.Errorf("staff export holds %d whole ID numbers, want 10", full)
		}
		if who != "office" && full != 0 {
			t.Errorf("%s export holds %d whole ID numbers", who, full)
		}
		// Another user cannot fetch the job.
		if who == "leader" {
			if status, _ := a.getBody(t, staff, loc+"/file"); status != http.StatusNotFound {
				t.Errorf("someone else's export: %d, want 404", status)
			}
		}
	}
}

func TestDeputyExcelRoundTrip(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	for i := 0; i < 3; i++ {
		testutil.Deputy(t, st, testutil.Name("代表", i), bishi)
	}
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	if status, _ := a.getBody(t, staff, "/deputies/template.xlsx"); status != 200 {
		t.Fatalf("deputy template: %d", status)
	}
	status, loc, _ := a.post(t, staff, "/deputies/export", url.Values{"full": {"1"}, "confirm": {"1"}, "purpose": {"报送民政"}})
	if status != http.StatusSeeOther {
		t.Fatalf("deputy export: %d", status)
	}
	if jstatus, page := a.waitJob(t, staff, loc); jstatus != "done" || !strings.Contains(page, "3 名代表") {
		t.Fatalf("deputy export: %s %q", jstatus, page)
	}
	resp, err := staff.Get(a.srv.URL + loc + "/file")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The export imports back unchanged.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "代表.xlsx")
	_, _ = fw.Write(data)
	_ = mw.Close()
	resp, err = staff.Post(a.srv.URL+"/deputies/import", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deputy import: %d", resp.StatusCode)
	}
	if jstatus, page := a.waitJob(t, staff, resp.Header.Get("Location")); jstatus != "done" || !strings.Contains(page, "3 名无变化") {
		t.Fatalf("deputy re-import: %s %q", jstatus, page)
	}
}
