package pinyin

import "testing"

func TestKey(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"张三":   "zs|zhangsan",
		"欧阳锋":  "oyf|ouyangfeng",
		"李A2":  "la2|lia2",
		"":     "|",
		"王·小明": "wxm|wangxiaoming",
	} {
		if got := Key(name); got != want {
			t.Errorf("Key(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestIsQuery(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]bool{"zs": true, "ZhangSan": true, "张": false, "z1": false, "": false} {
		if got := IsQuery(q); got != want {
			t.Errorf("IsQuery(%q) = %v", q, got)
		}
	}
}
