// Package browser holds Bangfu's real-browser tests: each role's main path
// driven in headless Chromium (Debian's chromium package, never a downloaded
// browser) against the real handler on a fresh test database, on a desktop
// and on a phone viewport, with a screenshot of every page. The package has
// no code outside its tests.
//
// The tests skip when Chromium is missing, except when the environment
// variable CI is set: then they fail. BANGFU_SCREENSHOTS names the folder for
// the screenshots and the printed PDF; without it the tests make one under
// the temporary directory and log its name.
package browser
