package web_test

import (
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/xlsx/xlsxtest"
)

// TestEveryExportOpensWithoutRepair downloads every Excel export of the
// app and checks what makes Excel offer to repair a file (<col> elements
// out of order) and the document properties (the office as creator, the
// export's title, written now).
func TestEveryExportOpensWithoutRepair(t *testing.T) {
	t.Parallel()
	st := testutil.NewStoreWithDivisions(t)
	testutil.User(t, st, "office", auth.Staff, "", 0)
	a := newApp(t, st)
	staff := a.client(t, "office", testutil.Password)
	const office = "汨罗市人大常委会办公室"

	for _, path := range []string{"/ranking/export.xlsx", "/evaluation/export.xlsx", "/action-items/export.xlsx",
		"/summaries/export.xlsx", "/audit/export.xlsx", "/households/template.xlsx", "/deputies/template.xlsx"} {
		resp, err := staff.Get(a.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		t.Run(path, func(t *testing.T) { xlsxtest.CheckWorkbookXML(t, data, "", office) })
	}
	for path, title := range map[string]string{"/households/export": "汨罗市建档立卡贫困户花名册", "/deputies/export": "汨罗市人大代表花名册"} {
		_, data := a.exportFile(t, staff, path, url.Values{})
		t.Run(path, func(t *testing.T) { xlsxtest.CheckWorkbookXML(t, data, title, office) })
	}
}
