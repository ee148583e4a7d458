package apply

import (
	"testing"

	"github.com/amendlib/amend/internal/catalog"
	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
	"pgregory.net/rapid"
)

func mustParse(t *testing.T, s string) jsonx.Value {
	t.Helper()
	v, err := jsonx.Parse([]byte(s), 64)
	if err != nil {
		t.Fatalf("parse %s: %v", s, err)
	}
	return v
}

// TestApplyKeepsInputs checks that Apply never modifies its inputs (O1),
// including nested objects it merges into.
func TestApplyKeepsInputs(t *testing.T) {
	cat, err := catalog.New([]schema.Attribute{{Name: "prefs", Type: schema.JSON}}, catalog.Limits{})
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

// TestDiffPairsByName checks O5's sub-attribute diff, which pairs members by
// position where it can, against a diff by name, for random objects whose
// members are shuffled, dropped and added.
func TestDiffPairsByName(t *testing.T) {
	cat, err := catalog.New(nil, catalog.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	name := cat.Lookup("name")
	rapid.Check(t, func(t *rapid.T) {
		obj := func(label string) jsonx.Value {
			names := rapid.SliceOfDistinct(rapid.SampledFrom([]string{"given", "family", "middle", "x", "y", "z", "formatted"}), rapid.ID[string]).Draw(t, label)
			var ms []jsonx.Member
			for _, n := range names {
				ms = append(ms, jsonx.Member{Name: n, Value: jsonx.Str(rapid.SampledFrom([]string{"a", "b"}).Draw(t, label+" "+n))})
			}
			return jsonx.Obj(ms)
		}
		sv, dv := obj("stored"), obj("new")
		if sv.Len() == 0 || dv.Len() == 0 {
			return // absent versus {} is one leaf, not this test's subject
		}
		got := Diff(nil, name, "name", sv, true, dv, true)
		want := map[string]Op{}
		for _, m := range sv.Members() {
			d, ok := dv.Get(m.Name)
			switch {
			case !ok:
				want["name."+m.Name] = Remove
			case !jsonx.Equal(d, m.Value):
				want["name."+m.Name] = Replace
			}
		}
		for _, m := range dv.Members() {
			if _, ok := sv.Get(m.Name); !ok {
				want["name."+m.Name] = Add
			}
		}
		gotMap := map[string]Op{}
		for _, c := range got {
			if _, dup := gotMap[c.Path]; dup {
				t.Fatalf("%s listed twice", c.Path)
			}
			gotMap[c.Path] = c.Op
		}
		if len(gotMap) != len(want) {
			t.Fatalf("got %v, want %v", gotMap, want)
		}
		for p, op := range want {
			if gotMap[p] != op {
				t.Fatalf("got %v, want %v", gotMap, want)
			}
		}
	})
}
