package qr

import (
	"fmt"
	"strings"
	"testing"
)

func TestSVG(t *testing.T) {
	t.Parallel()
	a, err := SVG("http://localhost:8080/households/1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SVG("http://localhost:8080/households/2")
	var size int
	if _, err := fmt.Sscanf(a[strings.Index(a, "viewBox"):], `viewBox="0 0 %d`, &size); err != nil {
		t.Fatalf("no viewBox: %.120s", a)
	}
	// QR symbols are 21 + 4k modules wide; the quiet zone adds 4 each side.
	if !strings.HasPrefix(a, "<svg") || (size-8-21)%4 != 0 || strings.Count(a, "h1v1h-1z") < 100 {
		t.Fatalf("unexpected SVG (size %d): %.120s", size, a)
	}
	if a == b {
		t.Fatal("different texts give the same code")
	}
	u, err := DataURL("x")
	if err != nil || !strings.HasPrefix(u, "data:image/svg+xml;base64,") {
		t.Fatalf("DataURL = %.40s, %v", u, err)
	}
}
