// Package migrations embeds the golang-migrate SQL files (000NNN_name.up.sql /
// .down.sql) that define Bangfu's PostgreSQL schema.
package migrations

import "embed"

// FS holds every migration file; pass it to golang-migrate's iofs source with path ".".
//
//go:embed *.sql
var FS embed.FS
