// Package static embeds Bangfu's vendored and own CSS/JS. Vendored files carry
// their version in the file name: Pico CSS 2.1.1 (red theme) and htmx 2.0.11,
// both from the npm registry (npm pack, dist file copied unchanged).
package static

import "embed"

// FS holds the files served under /static/.
//
//go:embed *.css *.js vendor
var FS embed.FS
