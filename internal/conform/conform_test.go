package conform_test

import (
	"testing"

	"github.com/amendlib/amend/internal/conform"
)

// TestSuite runs the project's conformance suite (testdata/conformance), one
// subtest per case, so that go test fails when a case fails. Each case cites
// the rules it checks in its reason.
func TestSuite(t *testing.T) {
	files, err := conform.Files([]string{"../../testdata/conformance"})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no case files found")
	}
	n := 0
	for _, f := range files {
		for _, o := range conform.RunFile(f) {
			n++
			t.Run(o.File+"#"+o.Name, func(t *testing.T) {
				if !o.Passed() {
					t.Errorf("reason: %s\n%s", o.Reason, o.Failure)
				}
			})
		}
	}
	t.Logf("%d cases", n)
}
