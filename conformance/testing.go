package conformance

import (
	"context"
	"testing"
)

// Test runs the cases against the target and reports each one as a subtest
// of t, named after its file and name, failing with the case's reason and
// diff. It is the few lines a Go server's own tests need:
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
	rep := Run(context.Background(), target, cases, opts)
	for _, r := range rep.Results {
		t.Run(r.File+"#"+r.Name, func(t *testing.T) {
			if !r.Passed() {
				t.Errorf("reason: %s\n%s", r.Reason, r.Failure)
			}
		})
	}
	t.Logf("%d passed, %d failed", rep.Passed, rep.Failed)
}
