// Package notice holds the rules of a notice (通知公告) that staff publish to
// deputies or township chairs: audiences, the validation of the form, the
// attachment check (PDF or Word, sniffed from the bytes and matched against
// the name) and how a plain-text body splits into paragraphs. It has no SQL
// and no HTTP.
package notice

import (
	"archive/zip"
	"bytes"
	"errors"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bangfu/bangfu/internal/codelist"
	"github.com/bangfu/bangfu/internal/deputy"
	"github.com/bangfu/bangfu/internal/validation"
)

// Audiences is who a notice goes to (发送范围).
var Audiences = codelist.List{
	{Value: "all", Label: "全体在任代表"},
	{Value: "level", Label: "按代表层级"},
	{Value: "township", Label: "按乡镇（居住在该乡镇或在该乡镇结对帮扶的代表，及在该乡镇结对的帮扶单位）"},
	{Value: "chairs", Label: "乡镇人大主席"},
}

// Limits of a notice.
const (
	MaxTitle     = 200   // characters
	MaxBody      = 20000 // characters
	MaxFiles     = 5     // attachments per notice
	MaxFileBytes = 10 << 20
)

// Content types of the accepted attachments.
const (
	PDF  = "application/pdf"
	Doc  = "application/msword"
	Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)

// Input is the publish form as typed.
type Input struct {
	Title       string
	Body        string
	Audience    string
	Levels      []string
	Townships   []string
	CallToApply bool
}

// Notice is a validated notice, ready to publish.
type Notice struct {
	Title       string   `json:"title"`
	Body        string   `json:"-"`
	Audience    string   `json:"audience"`
	Levels      []string `json:"levels"`    // audience "level"
	Townships   []string `json:"townships"` // audience "township", or "chairs" (empty = every township)
	CallToApply bool     `json:"call_to_apply"`
}

// Same reports whether n and o are the same notice: title, body, audience,
// levels, townships and the application button. A form token sent again
// with the same notice is a resend; with another it is a different notice.
func (n Notice) Same(o Notice) bool {
	return n.Title == o.Title && n.Body == o.Body && n.Audience == o.Audience &&
		slices.Equal(n.Levels, o.Levels) && slices.Equal(n.Townships, o.Townships) && n.CallToApply == o.CallToApply
}

// Parse validates in; isTownship reports whether a code is a township of the
// county. Field messages are in Chinese, keyed by form field name.
func Parse(in Input, isTownship func(string) bool) (Notice, validation.Errors) {
	errs := validation.Errors{}
	n := Notice{Title: strings.TrimSpace(in.Title), Body: normaliseBody(in.Body), Audience: in.Audience, CallToApply: in.CallToApply}
	switch l := utf8.RuneCountInString(n.Title); {
	case l == 0:
		errs["title"] = "请填写标题"
	case l > MaxTitle:
		errs["title"] = "标题最多200字"
	}
	switch l := utf8.RuneCountInString(n.Body); {
	case l == 0:
		errs["body"] = "请填写正文"
	case l > MaxBody:
		errs["body"] = "正文最多20000字，较长的文件请作为附件上传"
	}
	if !Audiences.Has(in.Audience) {
		errs["audience"] = "请选择发送范围"
	}
	for _, l := range in.Levels {
		if !deputy.Levels.Has(l) {
			errs["levels"] = "代表层级有误"
		} else if !slices.Contains(n.Levels, l) {
			n.Levels = append(n.Levels, l)
		}
	}
	for _, t := range in.Townships {
		if !isTownship(t) {
			errs["townships"] = "乡镇有误"
		} else if !slices.Contains(n.Townships, t) {
			n.Townships = append(n.Townships, t)
		}
	}
	switch in.Audience {
	case "level":
		if len(n.Levels) == 0 && !errs.Has("levels") {
			errs["levels"] = "请至少选择一个代表层级"
		}
		n.Townships = nil
	case "township":
		if len(n.Townships) == 0 && !errs.Has("townships") {
			errs["townships"] = "请至少选择一个乡镇"
		}
		n.Levels = nil
	case "chairs":
		n.Levels = nil
	case "all":
		n.Levels, n.Townships = nil, nil
	}
	if len(errs) > 0 {
		return n, errs
	}
	return n, nil
}

// normaliseBody trims the body and turns CR LF and CR into LF.
func normaliseBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(s)
}

// Paragraphs splits a plain-text body into paragraphs: one per non-empty
// line (Chinese official documents put each paragraph on its own line),
// trimmed.
func Paragraphs(body string) []string {
	var out []string
	for _, line := range strings.Split(normaliseBody(body), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// Errors of CheckFile, in Chinese for the user.
var (
	ErrFileTooLarge = errors.New("附件超过10MB，请压缩或拆分后再上传")
	ErrFileEmpty    = errors.New("附件是空文件")
	ErrFileType     = errors.New("只能上传PDF或Word文件（.pdf、.doc、.docx）")
	ErrFileMismatch = errors.New("文件内容与扩展名不符，请确认是PDF或Word文件")
)

// oleMagic starts an OLE2 compound file: Word 97–2003 (.doc).
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// CheckFile returns the content type of an uploaded attachment named name
// with content b: PDF (starts with %PDF-), Word 97–2003 (.doc, an OLE2
// compound file) or Word 2007+ (.docx, a ZIP holding word/document.xml).
// The extension must agree with the content; anything else is one of the
// errors above. The client's Content-Type is never trusted.
func CheckFile(name string, b []byte) (string, error) {
	if len(b) > MaxFileBytes {
		return "", ErrFileTooLarge
	}
	if len(b) == 0 {
		return "", ErrFileEmpty
	}
	ext := strings.ToLower(path.Ext(name))
	var want string
	switch ext {
	case ".pdf":
		want = PDF
	case ".doc":
		want = Doc
	case ".docx":
		want = Docx
	default:
		return "", ErrFileType
	}
	got := sniff(b)
	if got == "" {
		return "", ErrFileType
	}
	if got != want {
		return "", ErrFileMismatch
	}
	return got, nil
}

// sniff returns the attachment type of b, or "".
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return PDF
	case bytes.HasPrefix(b, oleMagic):
		return Doc
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return ""
		}
		var types, doc bool
		for _, f := range zr.File {
			switch f.Name {
			case "[Content_Types].xml":
				types = true
			case "word/document.xml":
				doc = true
			}
		}
		if types && doc {
			return Docx
		}
	}
	return ""
}

// SafeName returns the base name of an uploaded file without path parts or
// control characters, at most 255 bytes ("附件" when nothing is left).
func SafeName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' {
			return -1
		}
		return r
	}, name)
	for len(name) > 255 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		return "附件"
	}
	return name
}
