// Package validation holds the shape of a failed form: field name → a Chinese
// message shown beside that field.
package validation

// Errors maps a form field name to a Chinese message for the user. A nil or
// empty Errors means the input is valid.
type Errors map[string]string

// Has reports whether field has a message.
func (e Errors) Has(field string) bool { _, ok := e[field]; return ok }
