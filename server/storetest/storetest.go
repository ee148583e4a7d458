// Package storetest is the contract test of a server.Store (H8): what the
// reference server relies on, checked on any implementation. amend runs it
// on server.MemoryStore and on server/pgstore; run it on a store of your
// own:
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) server.Store { return newMyStore(t) })
//	}
package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/amendlib/amend/server"
)

// Run runs the contract on stores made by newStore. Each subtest uses
// environments of its own, so the stores may share a database.
func Run(t *testing.T, newStore func(t *testing.T) server.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s server.Store, env string)
	}{
		{"documents are stored byte for byte", bytesKept},
		{"create refuses a taken id", createExists},
		{"get, update, delete of a missing user", missing},
		{"update is a compare-and-swap on the version", compareAndSwap},
		{"unique keys are unique within an environment", uniqueKeys},
		{"keys are released by update, delete and put", keysReleased},
		{"put replaces a document and keeps no keys", put},
		{"list pages through ids in byte order", list},
		{"environments are separate", environments},
		{"concurrent creates of one key: exactly one wins", concurrentCreates},
		{"concurrent read-modify-writes lose nothing", concurrentUpdates},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			tt.fn(t, s, newEnv())
		})
	}
}

var envSeq atomic.Int64

// newEnv returns an environment id no other run uses.
func newEnv() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("storetest-%s-%d", hex.EncodeToString(b[:]), envSeq.Add(1))
}

func key(attr, value string) string { return attr + "\x00" + value }

func mustCreate(t *testing.T, s server.Store, env string, r server.Record) server.Record {
	t.Helper()
	got, err := s.Create(context.Background(), env, r)
	if err != nil {
		t.Fatalf("Create(%s): %v", r.ID, err)
	}
	return got
}

func bytesKept(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	doc := []byte("{\"id\": \"u1\",  \"n\": 1.50, \"s\": \"caf\u00e9 \\u00e9\", \"big\": 12345678901234567890}")
	r := mustCreate(t, s, env, server.Record{ID: "u1", Doc: doc})
	if r.Version == 0 {
		t.Error("Create returned version 0")
	}
	got, err := s.Get(ctx, env, "u1")
	if err != nil || !bytes.Equal(got.Doc, doc) || got.Version != r.Version {
		t.Fatalf("Get = %q v%d, %v; want the bytes as created, v%d", got.Doc, got.Version, err, r.Version)
	}
	doc2 := []byte(`{"id":"u1","x":[1.0,2e3]}`)
	if _, err := s.Update(ctx, env, server.Record{ID: "u1", Doc: doc2}, r.Version); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, env, "u1"); !bytes.Equal(got.Doc, doc2) {
		t.Errorf("after Update, Get = %q", got.Doc)
	}
}

func createExists(t *testing.T, s server.Store, env string) {
	mustCreate(t, s, env, server.Record{ID: "u1", Doc: []byte(`{}`)})
	if _, err := s.Create(context.Background(), env, server.Record{ID: "u1", Doc: []byte(`{"x":1}`)}); !errors.Is(err, server.ErrExists) {
		t.Errorf("second Create: %v, want ErrExists", err)
	}
}

func missing(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	if _, err := s.Get(ctx, env, "nobody"); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("Get: %v", err)
	}
	if _, err := s.Update(ctx, env, server.Record{ID: "nobody", Doc: []byte(`{}`)}, 1); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("Update: %v", err)
	}
	if err := s.Delete(ctx, env, "nobody"); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("Delete: %v", err)
	}
}

func compareAndSwap(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	r := mustCreate(t, s, env, server.Record{ID: "u1", Doc: []byte(`{"v":0}`)})
	next, err := s.Update(ctx, env, server.Record{ID: "u1", Doc: []byte(`{"v":1}`)}, r.Version)
	if err != nil || next.Version <= r.Version {
		t.Fatalf("Update: %+v, %v", next, err)
	}
	if _, err := s.Update(ctx, env, server.Record{ID: "u1", Doc: []byte(`{"v":2}`)}, r.Version); !errors.Is(err, server.ErrConflict) {
		t.Errorf("Update with a stale version: %v, want ErrConflict", err)
	}
	if got, _ := s.Get(ctx, env, "u1"); string(got.Doc) != `{"v":1}` {
		t.Errorf("a stale update changed the document: %s", got.Doc)
	}
}

func uniqueKeys(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	mustCreate(t, s, env, server.Record{ID: "u1", Doc: []byte(`{}`), Keys: []string{key("username", `"joe"`), key("badge", `"B1"`)}})
	var kt *server.KeyTakenError
	_, err := s.Create(ctx, env, server.Record{ID: "u2", Doc: []byte(`{}`), Keys: []string{key("username", `"joe"`)}})
	if !errors.As(err, &kt) || kt.ExistingID != "u1" || server.KeyAttribute(kt.Key) != "username" {
		t.Errorf("Create with a taken username: %v", err)
	}
	_, err = s.Create(ctx, env, server.Record{ID: "u2", Doc: []byte(`{}`), Keys: []string{key("badge", `"B1"`)}})
	if !errors.As(err, &kt) || kt.ExistingID != "u1" || server.KeyAttribute(kt.Key) != "badge" {
		t.Errorf("Create with a taken badge: %v", err)
	}
	if _, err := s.Get(ctx, env, "u2"); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("a refused Create stored the user: %v", err)
	}
	r2 := mustCreate(t, s, env, server.Record{ID: "u2", Doc: []byte(`{}`), Keys: []string{key("username", `"ann"`)}})
	_, err = s.Update(ctx, env, server.Record{ID: "u2", Doc: []byte(`{"x":1}`), Keys: []string{key("username", `"joe"`)}}, r2.Version)
	if !errors.As(err, &kt) || kt.ExistingID != "u1" {
		t.Errorf("Update to a taken username: %v", err)
	}
	if got, _ := s.Get(ctx, env, "u2"); string(got.Doc) != `{}` {
		t.Errorf("a refused Update changed the document: %s", got.Doc)
	}
	// A user keeps its own keys through an update.
	if _, err := s.Update(ctx, env, server.Record{ID: "u2", Doc: []byte(`{"y":1}`), Keys: []string{key("username", `"ann"`)}}, r2.Version); err != nil {
		t.Errorf("Update keeping its own key: %v", err)
	}
}

func keysReleased(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	r := mustCreate(t, s, env, server.Record{ID: "u1", Doc: []byte(`{}`), Keys: []string{key("username", `"a"`)}})
	if _, err := s.Update(ctx, env, server.Record{ID: "u1", Doc: []byte(`{}`), Keys: []string{key("username", `"b"`)}}, r.Version); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, env, server.Record{ID: "u2", Doc: []byte(`{}`), Keys: []string{key("username", `"a"`)}})
	if err := s.Delete(ctx, env, "u1"); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, env, server.Record{ID: "u3", Doc: []byte(`{}`), Keys: []string{key("username", `"b"`)}})
	if err := s.Put(ctx, env, "u3", []byte(`{"put":true}`)); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, s, env, server.Record{ID: "u4", Doc: []byte(`{}`), Keys: []string{key("username", `"b"`)}})
}

func put(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	doc := []byte(`not even JSON`)
	if err := s.Put(ctx, env, "u1", doc); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, env, "u1")
	if err != nil || !bytes.Equal(r.Doc, doc) {
		t.Fatalf("Get after Put = %q, %v", r.Doc, err)
	}
	if err := s.Put(ctx, env, "u1", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	r2, _ := s.Get(ctx, env, "u1")
	if string(r2.Doc) != `{}` || r2.Version == r.Version {
		t.Errorf("a second Put: %q v%d after v%d", r2.Doc, r2.Version, r.Version)
	}
	if _, err := s.Update(ctx, env, server.Record{ID: "u1", Doc: []byte(`{"x":1}`)}, r2.Version); err != nil {
		t.Errorf("Update after Put: %v", err)
	}
}

func list(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	ids := []string{"b", "a", "C", "aa", "é", "B", "0", "z9", "z10"}
	for _, id := range ids {
		mustCreate(t, s, env, server.Record{ID: id, Doc: []byte(`{"id":"` + id + `"}`)})
	}
	want := slices.Clone(ids)
	slices.Sort(want) // byte order
	var got []string
	for after := ""; ; {
		page, err := s.List(ctx, env, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 2 {
			t.Fatalf("List returned %d > limit 2", len(page))
		}
		for _, r := range page {
			got = append(got, r.ID)
			if string(r.Doc) != `{"id":"`+r.ID+`"}` || r.Version == 0 {
				t.Errorf("List record %+v", r)
			}
		}
		if len(page) < 2 {
			break
		}
		after = page[len(page)-1].ID
	}
	if !slices.Equal(got, want) {
		t.Errorf("List order %q, want %q", got, want)
	}
}

func environments(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	other := newEnv()
	mustCreate(t, s, env, server.Record{ID: "u1", Doc: []byte(`{"e":1}`), Keys: []string{key("username", `"joe"`)}})
	mustCreate(t, s, other, server.Record{ID: "u1", Doc: []byte(`{"e":2}`), Keys: []string{key("username", `"joe"`)}})
	if err := s.DeleteEnvironment(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, other, "u1"); !errors.Is(err, server.ErrNotFound) {
		t.Errorf("DeleteEnvironment kept a user: %v", err)
	}
	if r, err := s.Get(ctx, env, "u1"); err != nil || string(r.Doc) != `{"e":1}` {
		t.Errorf("DeleteEnvironment of another environment removed %v, %v", r, err)
	}
	mustCreate(t, s, other, server.Record{ID: "u2", Doc: []byte(`{}`), Keys: []string{key("username", `"joe"`)}})
}

func concurrentCreates(t *testing.T, s server.Store, env string) {
	const n = 20
	var wg sync.WaitGroup
	var won atomic.Int64
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.Create(context.Background(), env, server.Record{ID: fmt.Sprintf("u%02d", i), Doc: []byte(`{}`),
				Keys: []string{key("username", `"same"`)}})
			var kt *server.KeyTakenError
			switch {
			case err == nil:
				won.Add(1)
			case !errors.As(err, &kt):
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Create: %v", err)
	}
	if won.Load() != 1 {
		t.Errorf("%d concurrent creates of one username succeeded, want 1", won.Load())
	}
}

func concurrentUpdates(t *testing.T, s server.Store, env string) {
	ctx := context.Background()
	mustCreate(t, s, env, server.Record{ID: "u1", Doc: []byte(`0`)})
	const workers, each = 10, 10
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				for attempt := 0; ; attempt++ {
					if attempt > 1000 {
						t.Error("an update never went through")
						return
					}
					r, err := s.Get(ctx, env, "u1")
					if err != nil {
						t.Error(err)
						return
					}
					var n int
					fmt.Sscan(string(r.Doc), &n)
					_, err = s.Update(ctx, env, server.Record{ID: "u1", Doc: []byte(fmt.Sprint(n + 1))}, r.Version)
					if err == nil {
						break
					}
					if !errors.Is(err, server.ErrConflict) {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if r, _ := s.Get(ctx, env, "u1"); string(r.Doc) != fmt.Sprint(workers*each) {
		t.Errorf("after %d increments the document is %s: updates were lost", workers*each, r.Doc)
	}
}
