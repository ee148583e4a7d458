package conformance

import (
	"context"
	"path"
	"testing"
)

// Test runs the cases against the target and reports each one as a
// parallel subtest of t, named after its file's base name and its name
// (seeds.json#seed-title-patch), failing with the case's reason and diff.
// go test's -run selects cases by that name: only those selected are run. It is the few lines a Go server's own tests need:
//
//	func TestConformance(t *testing.T) {
//		srv := httptest.NewServer(myHandlerWithControlAPI())
//		defer srv.Close()
//		cases, err := conformance.LoadFS(amend.Suite, "testdata/conformance")
//		if err != nil {
//			t.Fatal(err)
//		}
//		target, err := conformance.NewHTTP(srv.URL, srv.Client())
//		if err != nil {
//			t.Fatal(err)
//		}
//		conformance.Test(t, target, cases, conformance.Options{Parallel: 4})
//	}
func Test(t *testing.T, target Target, cases []*Case, opts Options) {
	t.Helper()
	// Each subtest marks its case as selected and waits: go test's -run
	// decides which subtests start, so only the cases it selects are run,
	// together and in parallel as Run arranges, once the loop is done.
	selected := make([]bool, len(cases))
	results := make([]Result, len(cases))
	done := make(chan struct{})
	for i, c := range cases {
		t.Run(path.Base(c.File)+"#"+c.Name, func(t *testing.T) {
			selected[i] = true
			t.Parallel() // returns once Test has returned
			<-done
			if r := results[i]; !r.Passed() {
				t.Errorf("reason: %s\n%s", r.Reason, r.Failure)
			}
		})
	}
	defer close(done)
	var picked []*Case
	var at []int
	for i, ok := range selected {
		if ok {
			picked = append(picked, cases[i])
			at = append(at, i)
		}
	}
	rep := Run(context.Background(), target, picked, opts)
	for j, r := range rep.Results {
		results[at[j]] = r
	}
	t.Logf("%d passed, %d failed", rep.Passed, rep.Failed)
}
