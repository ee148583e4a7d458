package apply

import (
	"testing"

	"github.com/amendlib/amend/internal/catalog"
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
