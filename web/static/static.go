// Package static embeds Bangfu's vendored and own CSS/JS. Vendored files carry
// their version in the file name: Pico CSS 2.1.1 (red theme), htmx 2.0.11
// and Apache ECharts 6.1.0 (dist/echarts.common.min.js: bar, line, pie; SVG
// renderer; Apache-2.0, LICENSE beside it), all from the npm registry (npm
// pack, dist file copied unchanged).
package static

import "embed"

// FS holds the files served under /static/.
//
//go:embed *.css *.js vendor
var FS embed.FS
