// Package division holds the administrative divisions (行政区划) Bangfu works
// on: county (6-digit code) → township (乡镇/街道, 9 digits) → village (村/社区,
// 12 digits), with codes per GB/T 2260 and the statistics bureau's 统计用区划代码.
// The real divisions of Yueyang prefecture (2023 edition of the public
// china-division data set) are embedded; Load picks one county out of them.
package division

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
)

// DefaultCounty is 汨罗市, the county of the seed programme.
const DefaultCounty = "430681"

// Level names the tier of a division.
type Level string

// The three levels Bangfu stores.
const (
	County   Level = "county"
	Township Level = "township"
	Village  Level = "village"
)

// Division is one row of the division tree. ParentCode is empty for a county.
type Division struct {
	Code       string
	Name       string
	Level      Level
	ParentCode string
}

// LevelOf returns the level implied by a code's length (6, 9 or 12 digits) and
// false for any other string.
func LevelOf(code string) (Level, bool) {
	for _, c := range code {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	switch len(code) {
	case 6:
		return County, true
	case 9:
		return Township, true
	case 12:
		return Village, true
	}
	return "", false
}

// TownshipOf returns the 9-digit township code of a village or township code,
// or "" for a county code.
func TownshipOf(code string) string {
	if len(code) >= 9 {
		return code[:9]
	}
	return ""
}

//go:embed data/*.csv
var data embed.FS

// Load returns the county with the given 6-digit code followed by its
// townships and then its villages, in the order of the source files (by
// code). It returns an error if the county is not in the embedded data.
func Load(countyCode string) ([]Division, error) {
	var out []Division
	err := eachRow("data/yueyang-counties.csv", func(r []string) {
		if r[0] == countyCode {
			out = append(out, Division{Code: r[0], Name: r[1], Level: County})
		}
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("division: county %q is not in the embedded data", countyCode)
	}
	// townships: code,name,areaCode,...
	err = eachRow("data/yueyang-townships.csv", func(r []string) {
		if r[2] == countyCode {
			out = append(out, Division{Code: r[0], Name: r[1], Level: Township, ParentCode: countyCode})
		}
	})
	if err != nil {
		return nil, err
	}
	// villages: code,name,streetCode,provinceCode,cityCode,areaCode
	err = eachRow("data/yueyang-villages.csv", func(r []string) {
		if r[5] == countyCode {
			out = append(out, Division{Code: r[0], Name: r[1], Level: Village, ParentCode: r[2]})
		}
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func eachRow(name string, fn func([]string)) error {
	f, err := data.Open(name)
	if err != nil {
		return fmt.Errorf("division: open %s: %w", name, err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("division: read header of %s: %w", name, err)
	}
	if !strings.HasPrefix(strings.Join(header, ","), "code,name,") {
		return fmt.Errorf("division: unexpected header %v in %s", header, name)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("division: read %s: %w", name, err)
		}
		fn(rec)
	}
}
