// Package qr draws QR codes (github.com/yeqown/go-qrcode/v2 encodes; this
// package only turns the module matrix into a small SVG image) for the
// household card (明白卡).
package qr

import (
	"encoding/base64"
	"fmt"
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// svgWriter collects the dark modules of a QR matrix as an SVG path.
type svgWriter struct {
	out *strings.Builder
}

func (w svgWriter) Write(mat qrcode.Matrix) error {
	const quiet = 4 // the quiet zone the standard asks for, in modules
	n := mat.Width()
	var path strings.Builder
	mat.Iterate(qrcode.IterDirection_ROW, func(x, y int, v qrcode.QRValue) {
		if v.IsSet() {
			fmt.Fprintf(&path, "M%d %dh1v1h-1z", x+quiet, y+quiet)
		}
	})
	size := n + 2*quiet
	fmt.Fprintf(w.out, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`+
		`<rect width="%d" height="%d" fill="#fff"/><path d="%s" fill="#000"/></svg>`, size, size, size, size, path.String())
	return nil
}

func (svgWriter) Close() error { return nil }

// SVG returns text encoded as a QR code in an SVG document.
func SVG(text string) (string, error) {
	code, err := qrcode.New(text)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	var b strings.Builder
	if err := code.Save(svgWriter{out: &b}); err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	return b.String(), nil
}

// DataURL returns text as a QR code in a data: URL for an <img> element.
func DataURL(text string) (string, error) {
	svg, err := SVG(text)
	if err != nil {
		return "", err
	}
	return "data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString([]byte(svg)), nil
}
