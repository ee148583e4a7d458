package server_test

import (
	"testing"

	"github.com/amendlib/amend/server"
	"github.com/amendlib/amend/server/storetest"
)

// TestMemoryStore runs the store contract (H8) on the in-memory store.
func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) server.Store { return server.NewMemoryStore() })
}
