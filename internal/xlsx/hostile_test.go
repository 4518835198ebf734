package xlsx_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/household"
	"github.com/bangfu/bangfu/internal/idcard"
	"github.com/bangfu/bangfu/internal/xlsx"
	"github.com/shopspring/decimal"
	"github.com/xuri/excelize/v2"
)

// The hostile uploads of the issue, each measured in a child process (the
// test binary run again with hostileReadEnv set), whose peak RSS the kernel
// reports in its rusage: the reader's memory, not the test's.
const hostileReadEnv = "BANGFU_XLSX_READ_FILES"

// TestHostileReadChild is the child: it reads the files named in
// hostileReadEnv at once with the upload limits and prints what the reader
// said of each. Without the variable it does nothing.
func TestHostileReadChild(t *testing.T) {
	files := os.Getenv(hostileReadEnv)
	if files == "" {
		t.Skip("child process of the hostile-upload measurements")
	}
	var wg sync.WaitGroup
	for _, name := range strings.Split(files, ",") {
		if name == "idle" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := os.Open(name)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			st, _ := f.Stat()
			hs, errs, err := xlsx.ReadHouseholds(f, st.Size(), xlsx.DefaultLimits, resolve, now)
			msg, _ := xlsx.IsFileError(err)
			first := ""
			if len(errs) > 0 {
				first = errs[0].String()
			}
			fmt.Printf("RESULT %s households=%d rowerrors=%d first=%.120q file=%.120q err=%v\n", filepath.Base(name), len(hs), len(errs), first, msg, err != nil)
		}()
	}
	wg.Wait()
	// VmHWM is the peak RSS of this process image; the rusage of a child
	// would also count the parent's RSS at fork.
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Println("PEAK", strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
		}
	}
}

// peakRSS runs the child on files and returns its peak RSS (VmHWM) in MiB
// and its output.
func peakRSS(tb testing.TB, files ...string) (float64, string) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileReadChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), hostileReadEnv+"="+strings.Join(files, ","))
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("child: %v\n%s", err, out)
	}
	var kib float64
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, "PEAK "); ok {
			_, _ = fmt.Sscanf(rest, "%f kB", &kib)
		}
	}
	if kib == 0 {
		tb.Fatalf("child reported no peak RSS:\n%s", out)
	}
	return kib / 1024, string(out)
}

// zipWith returns a workbook made by excelize with the parts in replace
// written instead (by the functions, streaming into the zip), and the
// parts in add added.
func zipWith(tb testing.TB, dst string, setup func(*excelize.File), replace map[string]func(io.Writer)) {
	tb.Helper()
	f := excelize.NewFile()
	if setup != nil {
		setup(f)
	}
	var src bytes.Buffer
	if err := f.Write(&src); err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(src.Bytes()), int64(src.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		tb.Fatal(err)
	}
	defer out.Close()
	zw := zip.NewWriter(out)
	for _, zf := range zr.File {
		w, err := zw.Create(zf.Name)
		if err != nil {
			tb.Fatal(err)
		}
		if fill, ok := replace[zf.Name]; ok {
			fill(w)
			continue
		}
		rc, _ := zf.Open()
		_, _ = io.Copy(w, rc)
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
}

// repeat writes n copies of s to w.
func repeat(w io.Writer, s string, n int) {
	chunk := []byte(strings.Repeat(s, max(1, (1<<20)/len(s))))
	per := len(chunk) / len(s)
	for n > 0 {
		k := min(n, per)
		_, _ = w.Write(chunk[:k*len(s)])
		n -= k
	}
}

const sheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`

// headingRow is the roster's heading row as inline strings.
func headingRow() string {
	var b strings.Builder
	b.WriteString(`<row r="1">`)
	for i, c := range xlsx.Columns {
		ref, _ := excelize.CoordinatesToCellName(i+1, 1)
		fmt.Fprintf(&b, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, c)
	}
	b.WriteString(`</row>`)
	return b.String()
}

// hostileNames are the uploads measured, in order.
var hostileNames = []string{"cell-190M-shared", "cell-190M-inline", "zip-bomb-sst", "rows-1048576", "roster-60000"}

// hostileFile writes the upload called name into dir and returns its path.
func hostileFile(tb testing.TB, dir, name string) string {
	tb.Helper()
	const longCell = 190_000_000
	dst := filepath.Join(dir, name+".xlsx")
	switch name {
	case "cell-190M-shared":
		// One shared string of 190,000,000 characters in 备注 of row 2.
		zipWith(tb, dst, func(f *excelize.File) {
			_ = f.SetCellStr("Sheet1", "A1", "LONGCELL")
		}, map[string]func(io.Writer){
			"xl/sharedStrings.xml": func(w io.Writer) {
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>`)
				repeat(w, "A", longCell)
				io.WriteString(w, `</t></si></sst>`)
			},
			"xl/worksheets/sheet1.xml": func(w io.Writer) {
				io.WriteString(w, sheetStart+headingRow()+`<row r="2"><c r="AA2" t="s"><v>0</v></c></row></sheetData></worksheet>`)
			},
		})
	case "cell-190M-inline":
		// The same cell as an inline string in the sheet.
		zipWith(tb, dst, nil, map[string]func(io.Writer){
			"xl/worksheets/sheet1.xml": func(w io.Writer) {
				io.WriteString(w, sheetStart+headingRow()+`<row r="2"><c r="AA2" t="inlineStr"><is><t>`)
				repeat(w, "A", longCell)
				io.WriteString(w, `</t></is></c></row></sheetData></worksheet>`)
			},
		})
	case "zip-bomb-sst":
		// Zip bomb: 199 MB of shared strings (11.7 million of one character
		// each) in a 477 KiB file, just under the unpack limit.
		zipWith(tb, dst, func(f *excelize.File) {
			_ = f.SetCellStr("Sheet1", "A1", "X")
		}, map[string]func(io.Writer){
			"xl/sharedStrings.xml": func(w io.Writer) {
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
				repeat(w, `<si><t>x</t></si>`, 199_000_000/17)
				io.WriteString(w, `</sst>`)
			},
		})
	case "rows-1048576":
		// 1,048,576 rows (Excel's maximum), each with a cell.
		zipWith(tb, dst, nil, map[string]func(io.Writer){
			"xl/worksheets/sheet1.xml": func(w io.Writer) {
				io.WriteString(w, sheetStart+headingRow())
				for r := 2; r <= 1048576; r++ {
					fmt.Fprintf(w, `<row r="%d"><c r="A%d"><v>%d</v></c></row>`, r, r, r)
				}
				io.WriteString(w, `</sheetData></worksheet>`)
			},
		})
	case "roster-60000":
		// A valid roster of 60,000 rows (20,000 households of three).
		rosterFile(tb, dst, 20000)
	default:
		tb.Fatalf("no hostile file %s", name)
	}
	return dst
}

// rosterFile writes a valid roster of n households of three people, with
// its text as shared strings (as Excel saves a workbook; the export writes
// inline strings).
func rosterFile(tb testing.TB, dst string, n int) {
	tb.Helper()
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	seq := 0
	nextID := func(female int) string { // female: 1, male: 0
		seq++
		id, err := idcard.Build("430681", birth.AddDate(0, 0, seq/400), seq%400*2+1+female)
		if err != nil {
			tb.Fatal(err)
		}
		return id
	}
	var hs []xlsx.ExportHousehold
	for i := range n {
		head := fmt.Sprintf("李%c%c", '一'+rune(i%200), '一'+rune(i/200))
		h := household.Household{VillageCode: "430681107231", GroupName: fmt.Sprintf("%d组", i%12+1), HeadName: head, HeadSex: "male",
			IDNumber: nextID(0), Phone: fmt.Sprintf("138%08d", i), Attribute: "general", Standard: "national", MainCause: "因病",
			IdentificationYear: 2015, PerCapitaIncome: decimal.New(int64(200000+i), -2), Remark: fmt.Sprintf("光伏分红%d", i),
			Head: household.Member{Ethnicity: "汉族", Health: "健康", Labour: "普通劳动力"}}
		h.Head.Name, h.Head.Sex, h.Head.IDNumber, h.Head.Relation = h.HeadName, h.HeadSex, h.IDNumber, "户主"
		h.Members = []household.Member{
			{Name: fmt.Sprintf("王%c%c", '一'+rune(i%200), '一'+rune(i/200)), Sex: "female", IDNumber: nextID(1), Relation: "配偶", Ethnicity: "汉族", Health: "健康", Labour: "普通劳动力"},
			{Name: fmt.Sprintf("李小%c%c", '一'+rune(i%200), '一'+rune(i/200)), Sex: "male", IDNumber: nextID(0), Relation: "子", Ethnicity: "汉族", Health: "健康", Labour: "普通劳动力"},
		}
		hs = append(hs, xlsx.ExportHousehold{Household: h, Status: "not_exited", TownshipName: "弼时镇", VillageName: "玉池村"})
	}
	var exported bytes.Buffer
	if err := xlsx.WriteHouseholds(&exported, hs, xlsx.ExportMeta{Title: "花名册", Unit: "弼时镇", Date: now}); err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(exported.Bytes()), int64(exported.Len()))
	if err != nil {
		tb.Fatal(err)
	}
	var sheet []byte
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			rc, _ := zf.Open()
			sheet, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	index := map[string]int{}
	var texts []string
	inline := regexp.MustCompile(`t="inlineStr"><is><t>([^<]*)</t></is>`)
	shared := inline.ReplaceAllFunc(sheet, func(m []byte) []byte {
		text := string(inline.FindSubmatch(m)[1])
		i, ok := index[text]
		if !ok {
			i = len(texts)
			index[text] = i
			texts = append(texts, text)
		}
		return []byte(fmt.Sprintf(`t="s"><v>%d</v>`, i))
	})
	zipWith(tb, dst, func(f *excelize.File) { _ = f.SetCellStr("Sheet1", "A1", "X") }, map[string]func(io.Writer){
		"xl/worksheets/sheet1.xml": func(w io.Writer) { _, _ = w.Write(shared) },
		"xl/sharedStrings.xml": func(w io.Writer) {
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">`, len(texts), len(texts))
			for _, t := range texts {
				fmt.Fprintf(w, `<si><t>%s</t></si>`, t)
			}
			io.WriteString(w, `</sst>`)
		},
	})
}

// BenchmarkHostileUploads prints the peak RSS of reading each hostile
// upload (and three at once) in a child process, above the child's idle
// peak (a run that reads nothing). `make bench-uploads` runs it.
func BenchmarkHostileUploads(b *testing.B) {
	dir := b.TempDir()
	files := map[string]string{}
	for _, name := range hostileNames {
		files[name] = hostileFile(b, dir, name)
	}
	idle, _ := peakRSS(b, "idle")
	b.Logf("idle child: peak RSS %.0f MiB", idle)
	measure := func(b *testing.B, paths ...string) {
		var peak float64
		var out string
		for range b.N {
			p, o := peakRSS(b, paths...)
			peak, out = max(peak, p), o
		}
		b.ReportMetric(peak, "MiB-peak")
		b.ReportMetric(peak-idle, "MiB-above-idle")
		b.Logf("peak %.0f MiB, %.0f above idle (idle %.0f)\n%s", peak, peak-idle, idle, out)
	}
	for _, name := range hostileNames {
		b.Run(name, func(b *testing.B) { measure(b, files[name]) })
	}
	b.Run("three-at-once", func(b *testing.B) {
		measure(b, files["cell-190M-shared"], files["zip-bomb-sst"], files["rows-1048576"])
	})
}

// TestHostileUploadsPeakRSS holds the reader to its memory budget, measured
// in a child process: each hostile upload under 150 MiB above idle, three
// at once under 400 MiB, a valid 60,000-row roster under 100 MiB.
func TestHostileUploadsPeakRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 200 MB of XML")
	}
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range hostileNames {
		files[name] = hostileFile(t, dir, name)
	}
	idle, _ := peakRSS(t, "idle")
	check := func(what string, budget float64, paths ...string) {
		peak, out := peakRSS(t, paths...)
		t.Logf("%s: peak %.0f MiB, %.0f above idle", what, peak, peak-idle)
		if peak-idle > budget {
			t.Errorf("%s: peak RSS %.0f MiB above idle, budget %.0f MiB\n%s", what, peak-idle, budget, out)
		}
	}
	for _, name := range hostileNames {
		budget := 150.0
		if name == "roster-60000" {
			budget = 100
		}
		check(name, budget, files[name])
	}
	check("three at once", 400, files["cell-190M-shared"], files["zip-bomb-sst"], files["rows-1048576"])
}
