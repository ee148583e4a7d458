package user_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/amendlib/amend"
	"github.com/amendlib/amend/conformance"
	"github.com/amendlib/amend/user"
)

// TestResultsDoNotAliasInputs runs every case of the conformance suite, then
// overwrites the stored document and the body it was given, and checks that
// the result or error did not change: nothing the library returns shares
// the bytes of its inputs, which the stored document's parse reads without
// copying (jsonx.ParseShared). The inputs are scribbled over at their full
// length, so a string kept from them would read differently.
func TestResultsDoNotAliasInputs(t *testing.T) {
	cases, err := conformance.LoadFS(amend.Suite, "testdata/conformance")
	if err != nil {
		t.Fatal(err)
	}
	lib := conformance.Library()
	for _, c := range cases {
		if c.Err != nil {
			continue
		}
		got, err := lib.Run(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		before, _ := json.Marshal(got)
		for _, b := range [][]byte{c.Stored, c.Request.Body} {
			for i := range b {
				b[i] = '#'
			}
		}
		if after, _ := json.Marshal(got); string(after) != string(before) {
			t.Errorf("%s: the result changed when its inputs were overwritten:\nbefore %s\nafter  %s", c.Name, before, after)
		}
	}

	// UniqueValues and View return values read from the document.
	env, err := user.NewEnvironment(user.Config{})
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte(`{"id":"u1","username":"joe@example.com","name":{"given":"Joe"}}`)
	uv, err := env.UniqueValues(doc)
	if err != nil {
		t.Fatal(err)
	}
	view, err := env.View(doc, admin)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := json.Marshal([]any{uv, string(view)})
	for i := range doc {
		doc[i] = '#'
	}
	if after, _ := json.Marshal([]any{uv, string(view)}); string(after) != string(before) {
		t.Errorf("UniqueValues or View changed when the document was overwritten:\nbefore %s\nafter  %s", before, after)
	}
}
