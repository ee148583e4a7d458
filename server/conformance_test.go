package server_test

import (
	"net/http/httptest"
	"testing"

	"github.com/amendlib/amend"
	"github.com/amendlib/amend/conformance"
	"github.com/amendlib/amend/server"
)

// TestConformanceOverHTTP runs the whole conformance suite against the
// server through its control API (H9, H10), on a loopback test server.
func TestConformanceOverHTTP(t *testing.T) {
	s, err := server.New(server.Config{Control: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	cases, err := conformance.LoadFS(amend.Suite, "testdata/conformance")
	if err != nil {
		t.Fatal(err)
	}
	target, err := conformance.NewHTTP(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	conformance.Test(t, target, cases, conformance.Options{Parallel: 4})
}
