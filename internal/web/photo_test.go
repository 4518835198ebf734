package web_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/auth"
	"github.com/bangfu/bangfu/internal/testutil"
)

// ledgerForm builds a multipart ledger form with the given photos.
func ledgerForm(t *testing.T, fields map[string]string, photos ...[]byte) (string, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for i, p := range photos {
		fw, _ := mw.CreateFormFile("photos", "p"+strconv.Itoa(i)+".png")
		_, _ = fw.Write(p)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), body.Bytes()
}

func TestLedgerPhotos(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := testutil.NewStoreWithDivisions(t)
	dep := testutil.Deputy(t, st, "周红梅", bishi)
	pid := testutil.Pairing(t, st, testutil.Household(t, st, yuchi, "孙大勇"), dep, time.Now().AddDate(0, -1, 0))
	testutil.User(t, st, "dep", auth.Deputy, "", dep)
	testutil.User(t, st, "chair.bishi", auth.TownshipChair, bishi, 0)
	testutil.User(t, st, "chair.xinshi", auth.TownshipChair, xinshi, 0)
	a := newApp(t, st)
	d := a.client(t, "dep", testutil.Password)
	path := a.srv.URL + "/pairings/" + strconv.FormatInt(pid, 10) + "/ledger"
	fields := map[string]string{"entry_date": time.Now().Format(time.DateOnly), "kind": "visit", "description": "走访，拍照留存", "action": "submit",
		"form_token": "0b6f7c8e-2d4a-4c1b-9e3f-5a6b7c8d9e0e"}

	// An iPhone HEIC photo is refused with advice, and nothing is saved.
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	ct, body := ledgerForm(t, fields, heic)
	resp, err := d.Post(path, ct, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), "HEIC") {
		t.Fatalf("HEIC: %d", resp.StatusCode)
	}

	// Five concurrent sends of one form (same token) with a photo: one entry, one photo.
	fields["form_token"] = "0b6f7c8e-2d4a-4c1b-9e3f-5a6b7c8d9e0f"
	ct, body = ledgerForm(t, fields, testPNG(t))
	var wg sync.WaitGroup
	codes := make(chan int, 5)
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := d.Post(path, ct, bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusSeeOther {
			t.Errorf("concurrent send: %d", c)
		}
	}
	var entries, photos int
	if err := st.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM ledger_entries), (SELECT count(*) FROM ledger_photos)`).Scan(&entries, &photos); err != nil || entries != 1 || photos != 1 {
		t.Fatalf("after five sends: %d entries, %d photos, %v", entries, photos, err)
	}
	var photoID int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM ledger_photos`).Scan(&photoID); err != nil {
		t.Fatal(err)
	}
	// The chair sees it in the queue and can open it; another township cannot.
	chair := a.client(t, "chair.bishi", testutil.Password)
	_, doc := a.get(t, chair, "/review")
	if doc.Find(`[data-testid="photos"] img`).Length() != 1 {
		t.Fatal("the photo is not in the review queue")
	}
	photoPath := "/photos/" + strconv.FormatInt(photoID, 10)
	resp, err = chair.Get(a.srv.URL + photoPath)
	if err != nil {
		t.Fatal(err)
	}
	jpg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(jpg, []byte{0xFF, 0xD8}) {
		t.Fatalf("photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if status, _ := a.getBody(t, a.client(t, "chair.xinshi", testutil.Password), photoPath); status != http.StatusNotFound {
		t.Fatalf("other township's chair: %d, want 404", status)
	}
	// Once approved, the entry's photos cannot change, even in SQL.
	var eid int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM ledger_entries`).Scan(&eid); err != nil {
		t.Fatal(err)
	}
	if status, _, _ := a.post(t, chair, "/ledger/"+strconv.FormatInt(eid, 10)+"/approve", nil); status != http.StatusSeeOther {
		t.Fatalf("approve: %d", status)
	}
	if _, err := st.Pool.Exec(ctx, `DELETE FROM ledger_photos WHERE id = $1`, photoID); err == nil {
		t.Fatal("the database let an approved entry's photo be deleted")
	}
}
