package pgstore_test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/amendlib/amend"
	"github.com/amendlib/amend/conformance"
	"github.com/amendlib/amend/server"
	"github.com/amendlib/amend/server/pgstore"
	"github.com/amendlib/amend/server/storetest"
)

// postgresURL is the database the PostgreSQL tests use, from the
// environment variable AMEND_TEST_POSTGRES; .ci/run starts a server and
// sets it.
func postgresURL(t *testing.T) string {
	url := os.Getenv("AMEND_TEST_POSTGRES")
	if url == "" {
		t.Skip("no PostgreSQL: set AMEND_TEST_POSTGRES=postgres://user@127.0.0.1:5432/db to run the store contract on it (.ci/run does)")
	}
	return url
}

// TestStoreContract runs the store contract (H8) on PostgreSQL.
func TestStoreContract(t *testing.T) {
	url := postgresURL(t)
	s, err := pgstore.Open(context.Background(), url, "amend_test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	storetest.Run(t, func(*testing.T) server.Store { return s })
}

// TestConformanceOverHTTP runs the whole conformance suite against the
// server on PostgreSQL, through the control API (H8-H10).
func TestConformanceOverHTTP(t *testing.T) {
	url := postgresURL(t)
	s, err := pgstore.Open(context.Background(), url, "amend_conformance")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	h, err := server.New(server.Config{Control: true, Store: s})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
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
