package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

func encoded(t *testing.T, w, h int, asPNG bool) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x += 7 {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	var err error
	if asPNG {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	p, err := Normalize(encoded(t, 3200, 1800, false))
	if err != nil || p.Width != 1600 || p.Height != 900 {
		t.Fatalf("large JPEG: %dx%d %v", p.Width, p.Height, err)
	}
	if http := p.Data[:2]; !bytes.Equal(http, []byte{0xFF, 0xD8}) {
		t.Fatal("output is not a JPEG")
	}
	p, err = Normalize(encoded(t, 300, 400, true))
	if err != nil || p.Width != 300 || p.Height != 400 {
		t.Fatalf("small PNG: %dx%d %v", p.Width, p.Height, err)
	}
	// A 16-bit PNG of 5000×4000 is small on disk but 160 MB decoded.
	deep := image.NewNRGBA64(image.Rect(0, 0, 5000, 4000))
	var deepPNG bytes.Buffer
	if err := png.Encode(&deepPNG, deep); err != nil {
		t.Fatal(err)
	}
	if _, err := Normalize(deepPNG.Bytes()); !errors.Is(err, ErrHuge) {
		t.Errorf("16-bit 5000×4000 PNG: %v, want ErrHuge", err)
	}
	heic := append([]byte{0, 0, 0, 24}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	for name, tt := range map[string]struct {
		in   []byte
		want error
	}{
		"HEIC from an iPhone": {heic, ErrHEIC},
		"a PDF":               {[]byte("%PDF-1.4 ..."), ErrType},
		"truncated JPEG":      {encoded(t, 100, 100, false)[:200], ErrBroken},
		"too many bytes":      {make([]byte, MaxBytes+1), ErrTooLarge},
	} {
		if _, err := Normalize(tt.in); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
}
