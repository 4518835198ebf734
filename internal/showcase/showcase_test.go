package showcase

import "testing"

func TestParse(t *testing.T) {
	names := []string{"孙大勇", "李桂"}
	for _, c := range []struct {
		name      string
		in        Input
		badFields []string
	}{
		{"ok", Input{Theme: "industry", Title: "猕猴桃种植脱贫", Story: "代表帮助孙某发展猕猴桃种植，年增收一万元。"}, nil},
		{"empty", Input{}, []string{"theme", "title", "story"}},
		{"head's name", Input{Theme: "industry", Title: "帮扶孙大勇", Story: "事迹"}, []string{"title"}},
		{"member's name", Input{Theme: "health", Title: "健康", Story: "为李桂办理慢性病卡"}, []string{"story"}},
		{"ID number", Input{Theme: "other", Title: "t", Story: "身份证 43068119800101123X"}, []string{"story"}},
		{"phone", Input{Theme: "other", Title: "t", Story: "电话 138-1234-5678"}, []string{"story"}},
		{"bad theme", Input{Theme: "x", Title: "t", Story: "s"}, []string{"theme"}},
	} {
		_, errs := Parse(c.in, names)
		if len(errs) != len(c.badFields) {
			t.Errorf("%s: errors %v, want on %v", c.name, errs, c.badFields)
			continue
		}
		for _, f := range c.badFields {
			if !errs.Has(f) {
				t.Errorf("%s: no error on %s (%v)", c.name, f, errs)
			}
		}
	}
	if got := MaskName("张三丰"); got != "张**" {
		t.Errorf("MaskName = %q", got)
	}
}
