package conformance_test

import (
	"testing"

	"github.com/amendlib/amend"
	"github.com/amendlib/amend/conformance"
)

// TestSuite runs the project's conformance suite (testdata/conformance)
// through the library, one subtest per case. Each case cites the rules it
// checks in its reason.
func TestSuite(t *testing.T) {
	cases, err := conformance.LoadFS(amend.Suite, "testdata/conformance")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 900 {
		t.Fatalf("only %d cases found", len(cases))
	}
	conformance.Test(t, conformance.Library(), cases, conformance.Options{Parallel: 2})
}
