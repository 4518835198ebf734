package xlsx_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/bangfu/bangfu/internal/xlsx"
)

// FuzzReadHouseholds: any bytes uploaded as a roster are refused with a
// file error or row errors, never a panic; rows read come with no errors.
// The seeds are the template and a few broken files.
func FuzzReadHouseholds(f *testing.F) {
	var tpl bytes.Buffer
	if err := xlsx.WriteHouseholdTemplate(&tpl, []xlsx.Village{{Township: "弼时镇", Name: "玉池村"}}, "汨罗市人大常委会办公室"); err != nil {
		f.Fatal(err)
	}
	f.Add(tpl.Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte(""))
	f.Add(tpl.Bytes()[:len(tpl.Bytes())/2])
	resolve := func(township, village string) (string, bool) {
		return "430681107231", township == "弼时镇" && village == "玉池村"
	}
	lim := xlsx.Limits{MaxFileBytes: 1 << 20, MaxUnzippedBytes: 8 << 20, MaxRows: 1000}
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		hs, rowErrs, err := xlsx.ReadHouseholds(bytes.NewReader(data), int64(len(data)), lim, resolve, now)
		if err == nil && len(rowErrs) > 0 && len(hs) > 0 {
			t.Fatalf("both households (%d) and row errors (%d)", len(hs), len(rowErrs))
		}
	})
}
