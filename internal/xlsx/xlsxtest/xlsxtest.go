// Package xlsxtest checks exported workbooks as Excel reads them: the zip
// parts, the order of the <col> elements, the document properties and the
// cells of formula-like text. For tests only; standard library only, so that
// the xlsx tests measuring memory in a child process start small.
package xlsxtest

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// ZipPart is the named part of the workbook data.
func ZipPart(t *testing.T, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range zr.File {
		if zf.Name == name {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatalf("no part %s", name)
	return nil
}

// CheckWorkbookXML checks what Excel checks when it opens an export: the
// <col> elements of the first sheet ascend without overlapping, and the core
// properties name title ("": any title) and creator, with created and
// modified times of the last minute (not excelize's "xuri", 2006-09-16).
func CheckWorkbookXML(t *testing.T, data []byte, title, creator string) {
	t.Helper()
	var sheet struct {
		Cols []struct {
			Min int `xml:"min,attr"`
			Max int `xml:"max,attr"`
		} `xml:"cols>col"`
	}
	if err := xml.Unmarshal(ZipPart(t, data, "xl/worksheets/sheet1.xml"), &sheet); err != nil {
		t.Fatal(err)
	}
	if len(sheet.Cols) == 0 {
		t.Errorf("no <col> widths")
	}
	last := 0
	for _, c := range sheet.Cols {
		if c.Min > c.Max || c.Min <= last {
			t.Errorf("<col min=%d max=%d> after max=%d: columns must ascend without overlap (%+v)", c.Min, c.Max, last, sheet.Cols)
			break
		}
		last = c.Max
	}
	var core struct {
		Title    string `xml:"title"`
		Creator  string `xml:"creator"`
		Created  string `xml:"created"`
		Modified string `xml:"modified"`
	}
	if err := xml.Unmarshal(ZipPart(t, data, "docProps/core.xml"), &core); err != nil {
		t.Fatal(err)
	}
	if core.Title == "" || title != "" && core.Title != title || core.Creator != creator {
		t.Errorf("core properties: title %q creator %q, want %q %q", core.Title, core.Creator, title, creator)
	}
	for _, ts := range []string{core.Created, core.Modified} {
		at, err := time.Parse(time.RFC3339, ts)
		if err != nil || time.Since(at) > time.Minute || time.Until(at) > time.Minute {
			t.Errorf("core properties: created %q modified %q, want now", core.Created, core.Modified)
			break
		}
	}
}

// CheckFormulaCells checks that each of typed is in the first sheet of data
// as an inline string cell without a formula, whose style has quotePrefix.
func CheckFormulaCells(t *testing.T, data []byte, typed []string) {
	t.Helper()
	var sheet struct {
		Cells []struct {
			R     string    `xml:"r,attr"`
			S     int       `xml:"s,attr"`
			T     string    `xml:"t,attr"`
			F     *struct{} `xml:"f"`
			V     string    `xml:"v"`
			IText string    `xml:"is>t"`
		} `xml:"sheetData>row>c"`
	}
	if err := xml.Unmarshal(ZipPart(t, data, "xl/worksheets/sheet1.xml"), &sheet); err != nil {
		t.Fatal(err)
	}
	var styles struct {
		Xf []struct {
			QuotePrefix string `xml:"quotePrefix,attr"`
		} `xml:"cellXfs>xf"`
	}
	if err := xml.Unmarshal(ZipPart(t, data, "xl/styles.xml"), &styles); err != nil {
		t.Fatal(err)
	}
	for _, want := range typed {
		found := false
		for _, c := range sheet.Cells {
			text := c.IText
			if c.T != "inlineStr" {
				text = c.V
			}
			if strings.TrimPrefix(text, "'") != want {
				continue
			}
			found = true
			if text != want || c.T != "inlineStr" || c.F != nil {
				t.Errorf("cell %s: type %q value %q formula %v, want the inline string %q", c.R, c.T, text, c.F != nil, want)
			}
			// xsd:boolean: excelize writes "true", Excel "1".
			if c.S >= len(styles.Xf) || styles.Xf[c.S].QuotePrefix != "1" && styles.Xf[c.S].QuotePrefix != "true" {
				t.Errorf("cell %s (%q): style %d has no quotePrefix", c.R, want, c.S)
			}
		}
		if !found {
			t.Errorf("%q not in the sheet", want)
		}
	}
}
