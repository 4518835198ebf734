package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/bangfu/bangfu/internal/store"
	"github.com/bangfu/bangfu/internal/testutil"
	"github.com/bangfu/bangfu/internal/web"
	"github.com/go-chi/chi/v5"
)

// app is a running Bangfu server on a test database.
type app struct {
	st     *store.Store
	appSt  *store.Store // what the server uses: st's database as the application's role
	srv    *httptest.Server
	routes chi.Routes
}

func newApp(t *testing.T, st *store.Store) *app {
	t.Helper()
	return newAppAt(t, st, nil)
}

// newAppAt is newApp with a clock the test moves (nil: the real time).
func newAppAt(t *testing.T, st *store.Store, now func() time.Time) *app {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	// The server runs as the application's database role, as in
	// production; the test reads and writes fixtures as the owner (st).
	appSt := testutil.AppStore(t, st)
	h := web.New(appSt, web.NewSessionManager(appSt, false), log, web.Options{CountyCode: "430681", Now: now})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &app{st: st, appSt: appSt, srv: srv, routes: h.Routes}
}

// closeDB closes the test's and the server's pools: the database no longer
// answers.
func (a *app) closeDB() {
	a.st.Close()
	a.appSt.Close()
}

// client returns an HTTP client that keeps cookies and does not follow
// redirects, signed in as username with password (skipped when "").
func (a *app) client(t *testing.T, username, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if username == "" {
		return c
	}
	resp, err := c.PostForm(a.srv.URL+"/login", url.Values{"username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303", username, resp.StatusCode)
	}
	return c
}

// get fetches path and returns the status and the parsed page.
func (a *app) get(t *testing.T, c *http.Client, path string) (int, *goquery.Document) {
	t.Helper()
	resp, err := c.Get(a.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, doc
}

// getBody fetches path and returns the status and the raw body.
func (a *app) getBody(t *testing.T, c *http.Client, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(a.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post sends a form and returns the status, the Location header and the page.
func (a *app) post(t *testing.T, c *http.Client, path string, form url.Values) (int, string, *goquery.Document) {
	t.Helper()
	resp, err := c.PostForm(a.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), doc
}

func text(doc *goquery.Document, sel string) string {
	return strings.TrimSpace(doc.Find(sel).Text())
}

// testPNG is a small PNG image for photo uploads.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := 0; x < 40; x++ {
		img.Set(x, x%30, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tokens numbers the form tokens of testToken.
var tokens atomic.Int64

// testToken returns a form token (a UUID) not used before in this test
// binary, as the forms that create records carry.
func testToken() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", tokens.Add(1))
}
