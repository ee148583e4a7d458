package jsonx

import "testing"

func mustParse(t *testing.T, s string) Value {
	t.Helper()
	v, err := Parse([]byte(s), 64)
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return v
}

// TestMergePatch checks P6 against the examples of RFC 7396 Appendix A, and
// that number text survives (O4).
func TestMergePatch(t *testing.T) {
	tests := []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"e":null,"a":1}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
		{`null`, `{"a":{"b":null},"c":[null]}`, `{"a":{},"c":[null]}`},
		{`{"n":1.0}`, `{"m":12345678901234567890}`, `{"n":1.0,"m":12345678901234567890}`},
	}
	for _, tt := range tests {
		target, patch := mustParse(t, tt.target), mustParse(t, tt.patch)
		before := string(Append(nil, target))
		got := string(Append(nil, MergePatch(target, patch)))
		if got != tt.want {
			t.Errorf("MergePatch(%s, %s) = %s, want %s", tt.target, tt.patch, got, tt.want)
		}
		if after := string(Append(nil, target)); after != before {
			t.Errorf("MergePatch modified its target: %s became %s", before, after)
		}
	}
}

// TestMergePatchLarge checks that merging large objects takes linear time
// (the map path of indexer) and keeps member order.
func TestMergePatchLarge(t *testing.T) {
	n := 50000
	var tms, pms []Member
	for i := 0; i < n; i++ {
		name := string(rune('a'+i%26)) + Indent(Value{Kind: Number, Str: itoa(i)})
		tms = append(tms, Member{Name: name, Value: Str("x")})
		if i%2 == 0 {
			pms = append(pms, Member{Name: name, Value: NullValue})
		}
	}
	target, patch := Obj(tms), Obj(pms)
	got := MergePatch(target, patch).Members()
	if len(got) != n/2 || got[0].Name != tms[1].Name {
		t.Errorf("got %d members, first %q", len(got), got[0].Name)
	}
}
