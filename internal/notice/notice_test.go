package notice

import (
	"archive/zip"
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// docx returns a minimal Word 2007+ package.
func docx(t *testing.T, withDocument bool) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	names := []string{"[Content_Types].xml"}
	if withDocument {
		names = append(names, "word/document.xml")
	}
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCheckFile(t *testing.T) {
	pdf := []byte("%PDF-1.4\n1 0 obj\n")
	doc := append(append([]byte{}, oleMagic...), make([]byte, 504)...)
	tests := []struct {
		name string
		file string
		b    []byte
		want string
		err  error
	}{
		{"pdf", "活动方案.pdf", pdf, PDF, nil},
		{"PDF upper-case", "倡议书.PDF", pdf, PDF, nil},
		{"doc", "倡议书.doc", doc, Doc, nil},
		{"docx", "活动方案.docx", docx(t, true), Docx, nil},
		{"zip that is not Word", "活动方案.docx", docx(t, false), "", ErrFileType},
		{"exe renamed pdf", "方案.pdf", []byte("MZ\x90\x00"), "", ErrFileType},
		{"html renamed doc", "方案.doc", []byte("<html><script>alert(1)</script>"), "", ErrFileType},
		{"pdf named docx", "方案.docx", pdf, "", ErrFileMismatch},
		{"pdf named txt", "方案.txt", pdf, "", ErrFileType},
		{"no extension", "方案", pdf, "", ErrFileType},
		{"empty", "a.pdf", nil, "", ErrFileEmpty},
		{"too large", "a.pdf", append([]byte("%PDF-"), make([]byte, MaxFileBytes)...), "", ErrFileTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckFile(tt.file, tt.b)
			if got != tt.want || err != tt.err {
				t.Errorf("CheckFile(%q) = %q, %v; want %q, %v", tt.file, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestParse(t *testing.T) {
	isTownship := func(c string) bool { return c == "430681107" || c == "430681102" }
	n, errs := Parse(Input{Title: " 倡议书 ", Body: "第一段\r\n\r\n第二段", Audience: "township", Townships: []string{"430681107", "430681107"}, Levels: []string{"county"}}, isTownship)
	if errs != nil {
		t.Fatal(errs)
	}
	want := Notice{Title: "倡议书", Body: "第一段\n\n第二段", Audience: "township", Townships: []string{"430681107"}}
	if diff := cmp.Diff(want, n); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	_, errs = Parse(Input{Audience: "level"}, isTownship)
	if diff := cmp.Diff([]string{"body", "levels", "title"}, keys(errs)); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
	_, errs = Parse(Input{Title: "a", Body: "b", Audience: "township", Townships: []string{"430681999"}}, isTownship)
	if errs["townships"] != "乡镇有误" {
		t.Errorf("bad township: %v", errs)
	}
	_, errs = Parse(Input{Title: "a", Body: "b", Audience: "everyone"}, isTownship)
	if !errs.Has("audience") {
		t.Errorf("bad audience: %v", errs)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for _, k := range []string{"audience", "body", "levels", "title", "townships"} {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func TestParagraphsAndSafeName(t *testing.T) {
	if diff := cmp.Diff([]string{"各位代表：", "<b>不是HTML</b>"}, Paragraphs("  各位代表：\r\n\n  <b>不是HTML</b>\n")); diff != "" {
		t.Errorf("Paragraphs mismatch (-want +got):\n%s", diff)
	}
	for in, want := range map[string]string{`C:\Users\a\活动方案.pdf`: "活动方案.pdf", "../../etc/x.pdf": "x.pdf", "a\"b\n.pdf": "ab.pdf", "": "附件"} {
		if got := SafeName(in); got != want {
			t.Errorf("SafeName(%q) = %q, want %q", in, got, want)
		}
	}
}
