package browser_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// viewport is a screen the scenarios run on.
type viewport struct {
	name          string
	width, height int64
	phone         bool
}

var viewports = []viewport{
	{name: "desktop", width: 1366, height: 768},
	{name: "phone", width: 390, height: 844, phone: true},
}

// inCI reports whether the tests run in CI, where a missing browser is a
// failure and not a reason to skip.
func inCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// chromium returns the path of Debian's chromium, skipping the test (failing
// it in CI) when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	const msg = "chromium not found (/usr/bin/chromium or on PATH); install it with `apt-get install chromium fonts-noto-cjk`"
	if inCI() {
		t.Fatal(msg + " (CI is set, so this fails instead of skipping)")
	}
	t.Skip(msg)
	return ""
}

// startBrowser starts one headless Chromium for the test and returns its
// context; tabs are made from it with newTab.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return bctx
}

// startServer runs the real handler on st.
func startServer(t *testing.T, st *store.Store) string {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := web.New(st, web.NewSessionManager(st, false), logger, web.Options{CountyCode: "430681"})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// screenshotDir is where the screenshots and PDFs of this run go:
// BANGFU_SCREENSHOTS, or a new folder under the temporary directory.
var screenshotDir = sync.OnceValues(func() (string, error) {
	if d := os.Getenv("BANGFU_SCREENSHOTS"); d != "" {
		return d, os.MkdirAll(d, 0o755)
	}
	return os.MkdirTemp("", "bangfu-screenshots-")
})

func shotDir(t *testing.T) string {
	t.Helper()
	d, err := screenshotDir()
	if err != nil {
		t.Fatalf("screenshot folder: %v", err)
	}
	return d
}

// tab is one signed-in person in their own browser context (own cookies),
// on one viewport. Every page it visits is checked (console, overflow on
// phones) and photographed.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
	vp   viewport
	who  string

	mu       sync.Mutex
	problems []string // console errors, exceptions, CSP violations not yet reported
	allowed  []string // substrings of browser-log errors expected by the current step
}

// newTab opens a tab in a fresh browser context of the browser bctx.
func newTab(t *testing.T, bctx context.Context, base string, vp viewport, who string) *tab {
	t.Helper()
	tb := &tab{t: t, base: base, vp: vp, who: who}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.listen))
	t.Cleanup(cancel)
	tb.ctx = ctx
	opts := []chromedp.EmulateViewportOption{}
	if vp.phone {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(2))
	}
	// Intl and navigator.language as on a Chinese phone. (The date picker
	// follows Chromium's UI language, which stays en-US unless Debian's
	// chromium-l10n is installed.)
	zh := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "zh-CN"})
		return err
	})
	if err := chromedp.Do(ctx, zh, chromedp.EmulateViewport(vp.width, vp.height, opts...)); err != nil {
		t.Fatalf("%s: viewport: %v", who, err)
	}
	return tb
}

// listen runs in the tab's event loop, in order with the replies, so after
// any action returns every message the page wrote before it is recorded.
func (tb *tab) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg = "exception: " + d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		msg += fmt.Sprintf(" at %s:%d", d.URL, d.LineNumber+1)
	case *log.EventEntryAdded:
		// CSP violations, failed resources and other browser errors.
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		if strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
			// Chromium asks every site for /favicon.ico and the app has
			// none yet; that 404 is not a defect of the page.
			return
		}
		msg = "log(" + string(ev.Entry.Source) + "): " + ev.Entry.Text
		if ev.Entry.URL != "" {
			msg += " [" + ev.Entry.URL + "]"
		}
	default:
		return
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, a := range tb.allowed {
		if strings.Contains(msg, a) {
			return
		}
	}
	tb.problems = append(tb.problems, msg)
}

// allow lets browser-log errors containing s pass until the next check, e.g.
// Chromium's "status of 422" line for a form sent back with errors.
func (tb *tab) allow(s string) {
	tb.mu.Lock()
	tb.allowed = append(tb.allowed, s)
	tb.mu.Unlock()
}

// do runs actions that do not navigate; a failure ends the test.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s/%s: %s: %v", tb.vp.name, tb.who, what, err)
	}
}

// eval evaluates a JavaScript expression on the current page.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s/%s: evaluating %s: %v", tb.vp.name, tb.who, expr, err)
	}
	return v
}

// text returns the trimmed text of the first element matching sel.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		tb.t.Fatalf("%s/%s: text of %s: %v", tb.vp.name, tb.who, sel, err)
	}
	return strings.TrimSpace(s)
}

// value returns the value of the form field matching sel.
func (tb *tab) value(sel string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel), chromedp.NodeReady))
	if err != nil {
		tb.t.Fatalf("%s/%s: value of %s: %v", tb.vp.name, tb.who, sel, err)
	}
	return s
}

// imageWidth scrolls the image sel into view (thumbnails load lazily), waits
// until the browser has loaded it or given up, and returns its naturalWidth:
// 0 for an image that failed to load or decode.
func (tb *tab) imageWidth(sel string) int {
	tb.t.Helper()
	tb.do("scrolling to "+sel, chromedp.ScrollIntoView(chromedp.CSS(sel), chromedp.NodeReady))
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	// An object is truthy even when the width is 0, so a broken image ends
	// the wait too.
	type loaded struct {
		Width int `json:"width"`
	}
	img, err := chromedp.Run(ctx,
		chromedp.PollFunction[loaded](`sel => {
			const img = document.querySelector(sel);
			return img && img.complete ? {width: img.naturalWidth} : false;
		}`, chromedp.WithPollingArgs(sel), chromedp.WithPollingTimeout(15*time.Second)),
	)
	if err != nil {
		tb.t.Fatalf("%s/%s: waiting for image %s: %v", tb.vp.name, tb.who, sel, err)
	}
	return img.Width
}

// fetch requests path from the current page, with its cookies, and returns
// the status and content type, e.g. "200 image/jpeg".
func (tb *tab) fetch(path string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch(`+strconv.Quote(path)+`).then(r => r.status + ' ' + r.headers.get('Content-Type'))`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s/%s: fetching %s: %v", tb.vp.name, tb.who, path, err)
	}
	return s
}

// open navigates to path and checks the page (name is for the screenshot).
func (tb *tab) open(path, name string) {
	tb.t.Helper()
	tb.navigate(name, http.StatusOK, chromedp.Navigate(tb.base+path))
}

// click clicks sel, waits for the page it leads to and checks that page; the
// final response must have status want.
func (tb *tab) click(sel, name string, want int) {
	tb.t.Helper()
	tb.navigate(name, want, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// navigate runs a step that loads a page, then checks the page.
func (tb *tab) navigate(name string, want int, step chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, step)
	if err != nil {
		tb.t.Fatalf("%s/%s: %s: %v", tb.vp.name, tb.who, name, err)
	}
	if int(resp.Status) != want {
		tb.t.Fatalf("%s/%s: %s: %s answered %d, want %d", tb.vp.name, tb.who, name, resp.URL, resp.Status, want)
	}
	tb.check(name)
}

// path returns the path of the current page.
func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, `location.pathname`)
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

var shotSeq struct {
	sync.Mutex
	n map[string]int
}

// check fails the test on console errors and, on phones, on a page wider than
// the screen; then it saves a full-page screenshot.
func (tb *tab) check(name string) {
	tb.t.Helper()
	tb.mu.Lock()
	problems := tb.problems
	tb.problems, tb.allowed = nil, nil
	tb.mu.Unlock()
	if len(problems) > 0 {
		tb.t.Errorf("%s/%s: %s (%s): browser console:\n  %s", tb.vp.name, tb.who, name, tb.path(), strings.Join(problems, "\n  "))
	}
	if tb.vp.phone {
		// A wide table may scroll inside its .table-wrap; the page itself
		// must not.
		type overflow struct {
			ScrollWidth int      `json:"scrollWidth"`
			InnerWidth  int      `json:"innerWidth"`
			Wide        []string `json:"wide"`
		}
		o := eval[overflow](tb, `(() => {
			const w = window.innerWidth;
			const wide = [];
			for (const e of document.body.querySelectorAll('*')) {
				const r = e.getBoundingClientRect();
				if (r.right > w + 1 && !e.closest('.table-wrap')) {
					wide.push(e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).replace(/ +/g, '.') : '') + ' right=' + Math.round(r.right));
				}
			}
			return {scrollWidth: document.documentElement.scrollWidth, innerWidth: w, wide: wide.slice(0, 8)};
		})()`)
		if o.ScrollWidth > o.InnerWidth {
			tb.t.Errorf("%s/%s: %s (%s): page is %dpx wide on a %dpx screen; too wide: %s",
				tb.vp.name, tb.who, name, tb.path(), o.ScrollWidth, o.InnerWidth, strings.Join(o.Wide, ", "))
		}
	}
	tb.screenshot(name)
}

// maxShotHeight caps screenshots, in CSS pixels: the review queue is
// 20,000 px tall on a phone and its PNG takes seconds to encode.
const maxShotHeight = 4000

// fullPage captures the whole page as a PNG, down to maxHeight CSS pixels.
func fullPage(maxHeight float64) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		m, err := cdp.Call(ctx, t, page.GetLayoutMetrics, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		size := m.CSSContentSize
		yes := true
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: size.Width, Height: min(size.Height, maxHeight), Scale: 1},
			CaptureBeyondViewport: &yes,
			FromSurface:           &yes,
			OptimizeForSpeed:      &yes,
		})
		return r.Data, err
	}
}

// screenshot saves a full-page PNG named <viewport>-<nn>-<name>.png.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, fullPage(maxShotHeight))
	if err != nil {
		tb.t.Fatalf("%s/%s: screenshot of %s: %v", tb.vp.name, tb.who, name, err)
	}
	shotSeq.Lock()
	if shotSeq.n == nil {
		shotSeq.n = map[string]int{}
	}
	shotSeq.n[tb.vp.name]++
	n := shotSeq.n[tb.vp.name]
	shotSeq.Unlock()
	file := filepath.Join(shotDir(tb.t), fmt.Sprintf("%s-%02d-%s.png", tb.vp.name, n, unsafeName.ReplaceAllString(name, "-")))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// login signs in on the login page and lands on the role's home page.
func (tb *tab) login(username, password string) {
	tb.t.Helper()
	tb.open("/login", "login")
	tb.do("typing credentials",
		chromedp.SendKeys(chromedp.CSS(`#username`), username),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
	)
	tb.click(`form[action="/login"] button[type="submit"]`, tb.who+"-home", http.StatusOK)
}

// emulatePrint switches the page between print and screen media.
func (tb *tab) emulatePrint(on bool) {
	tb.t.Helper()
	media := ""
	if on {
		media = "print"
	}
	tb.do("emulating media "+media, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: media})
		return err
	}))
}

// set chooses value in the select (or sets the field) sel.
func (tb *tab) set(sel, value string) {
	tb.t.Helper()
	tb.do("setting "+sel+" to "+value, chromedp.SetValue(chromedp.CSS(sel), value))
}

// typeIn types text into the field sel with key events, as a person would.
func (tb *tab) typeIn(sel, text string) {
	tb.t.Helper()
	tb.do("typing into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}
