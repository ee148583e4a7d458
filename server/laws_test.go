package server_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/amendlib/amend/conformance"
	"github.com/amendlib/amend/fuzz"
	"github.com/amendlib/amend/server"
	"pgregory.net/rapid"
)

// TestLawsOverHTTP runs every law of package fuzz against the server over
// HTTP, through conformance.Client (H9): the laws check any
// implementation, amend's server included. The server shares the library's
// rules, so the laws hold; a server that breaks a rule fails them (see
// conformance's tests of deliberately wrong servers).
func TestLawsOverHTTP(t *testing.T) {
	s, err := server.New(server.Config{Control: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var subjects []*fuzz.Subject
	for seed := range 8 {
		cfg := fuzz.Environment().Example(seed)
		c, err := conformance.NewClient(context.Background(), srv.URL, srv.Client(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		subject, err := fuzz.NewSubject(cfg, c.Patch, c.Put)
		if err != nil {
			t.Fatal(err)
		}
		subject.PatchSCIM, subject.Apply, subject.Create = c.PatchSCIM, c.Apply, c.Create
		subjects = append(subjects, subject)
	}
	for _, law := range fuzz.Laws() {
		t.Run(law.Name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				law.Check(t, subjects[rapid.IntRange(0, len(subjects)-1).Draw(t, "environment")])
			})
		})
	}
}
