package division

import "testing"

func TestLoadMiluo(t *testing.T) {
	t.Parallel()
	divs, err := Load(DefaultCounty)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Level]int{}
	names := map[string]string{}
	for _, d := range divs {
		counts[d.Level]++
		names[d.Code] = d.Name
		if d.Level == Village && TownshipOf(d.Code) != d.ParentCode {
			t.Errorf("village %s has parent %s", d.Code, d.ParentCode)
		}
	}
	if counts[County] != 1 || counts[Township] != 16 || counts[Village] != 185 {
		t.Fatalf("counts = %v, want 1 county, 16 townships (15 towns + 1 centre), 185 villages", counts)
	}
	for code, want := range map[string]string{"430681": "汨罗市", "430681107": "弼时镇", "430681107231": "玉池村"} {
		if names[code] != want {
			t.Errorf("name of %s = %q, want %q", code, names[code], want)
		}
	}
}

func TestLoadUnknownCounty(t *testing.T) {
	t.Parallel()
	if _, err := Load("999999"); err == nil {
		t.Fatal("Load(999999) succeeded, want error")
	}
}

func TestLevelOf(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]Level{"430681": County, "430681107": Township, "430681107231": Village, "43068": "", "43068110723a": ""} {
		got, ok := LevelOf(code)
		if got != want || ok != (want != "") {
			t.Errorf("LevelOf(%q) = %q, %v", code, got, ok)
		}
	}
}
