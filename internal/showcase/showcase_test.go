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
		{"ID number with spaces", Input{Theme: "other", Title: "t", Story: "身份证 430681 19800101 3905"}, []string{"story"}},
		{"full-width ID number", Input{Theme: "other", Title: "t", Story: "４３０６８１１９８００１０１３９０５"}, []string{"story"}},
		{"full-width phone", Input{Theme: "other", Title: "t", Story: "电话１８３１２３４２１０５"}, []string{"story"}},
		{"phone with dots", Input{Theme: "other", Title: "t", Story: "电话 138.1234.5678"}, []string{"story"}},
		{"name with a space", Input{Theme: "other", Title: "t", Story: "帮助孙 大勇和李　桂"}, []string{"story"}},
		{"years listed", Input{Theme: "other", Title: "t", Story: "2019、2020、2021、2022年连续增收，亩产1200斤"}, nil},
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
