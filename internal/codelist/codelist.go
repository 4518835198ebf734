// Package codelist is the shape of every fixed code list in Bangfu (poverty
// causes, deputy levels, ledger kinds, ...): an ordered list of stored values
// (English identifiers or the national Chinese term) with their Chinese labels.
package codelist

// Item is one code: Value is what the database stores, Label what users read.
type Item struct {
	Value string
	Label string
}

// List is an ordered code list; the order is the order shown in forms.
type List []Item

// Has reports whether v is one of the list's values.
func (l List) Has(v string) bool {
	for _, it := range l {
		if it.Value == v {
			return true
		}
	}
	return false
}

// Label returns the Chinese label of v, or v itself if it is not in the list.
func (l List) Label(v string) string {
	for _, it := range l {
		if it.Value == v {
			return it.Label
		}
	}
	return v
}
