package patch

import (
	"testing"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
)

func mustParse(t *testing.T, s string) jsonx.Value {
	t.Helper()
	v, err := jsonx.Parse([]byte(s), 64)
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
		before := string(jsonx.Append(nil, target))
		got := string(jsonx.Append(nil, MergePatch(target, patch)))
		if got != tt.want {
			t.Errorf("MergePatch(%s, %s) = %s, want %s", tt.target, tt.patch, got, tt.want)
		}
		if after := string(jsonx.Append(nil, target)); after != before {
			t.Errorf("MergePatch modified its target: %s became %s", before, after)
		}
	}
}

// TestMergePatchLarge checks that merging large objects takes linear time
// (the map path of indexer) and keeps member order.
func TestMergePatchLarge(t *testing.T) {
	n := 50000
	target := jsonx.Value{Kind: jsonx.Object}
	patch := jsonx.Value{Kind: jsonx.Object}
	for i := 0; i < n; i++ {
		name := string(rune('a'+i%26)) + jsonx.Indent(jsonx.Value{Kind: jsonx.Number, Str: itoa(i)})
		target.Members = append(target.Members, jsonx.Member{Name: name, Value: jsonx.Str("x")})
		if i%2 == 0 {
			patch.Members = append(patch.Members, jsonx.Member{Name: name, Value: jsonx.NullValue})
		}
	}
	got := MergePatch(target, patch)
	if len(got.Members) != n/2 || got.Members[0].Name != target.Members[1].Name {
		t.Errorf("got %d members, first %q", len(got.Members), got.Members[0].Name)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestApplyKeepsInputs checks that Apply never modifies its inputs (O1),
// including nested objects it merges into.
func TestApplyKeepsInputs(t *testing.T) {
	cat, err := schema.New([]schema.Attribute{{Name: "prefs", Type: schema.JSON}}, schema.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	storedText := `{"id":"u","username":"a","name":{"given":"A","family":"B"},"prefs":{"x":{"y":1}},"identityProvider":{"id":"g","type":"GOOGLE"}}`
	bodyText := `{"name":{"given":null,"middle":"M"},"prefs":{"x":{"y":null,"z":2}},"identityProvider":null,"title":"T"}`
	for _, m := range []Method{Patch, Put} {
		stored, body := mustParse(t, storedText), mustParse(t, bodyText)
		out := Apply(Request{Method: m, Stored: stored, Body: body, Catalogue: cat, Now: "now"})
		if len(out.Changes) == 0 {
			t.Fatalf("method %d: no changes", m)
		}
		if got := string(jsonx.Append(nil, stored)); got != storedText {
			t.Errorf("method %d modified the stored document: %s", m, got)
		}
		if got := string(jsonx.Append(nil, body)); got != bodyText {
			t.Errorf("method %d modified the body: %s", m, got)
		}
	}
}
