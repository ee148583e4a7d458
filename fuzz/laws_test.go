package fuzz_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/amendlib/amend/fuzz"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
	"pgregory.net/rapid"
)

// poolSize is how many generated environments a test builds up front:
// building one compiles its JSON Schema for LawResultsValidate, so checks
// draw from a pool instead of building their own.
const poolSize = 40

// pool is poolSize environments drawn by fuzz.Environment (with fixed
// seeds, so a failure names a reproducible environment), each as a Subject of
// amend's own Patch and Put and as one of roundTrip's wrappers.
type pool struct {
	own, wrapped []*fuzz.Subject
}

func newPool(t testing.TB, size int) pool {
	t.Helper()
	var p pool
	for seed := 0; seed < size; seed++ {
		cfg := fuzz.Environment().Example(seed)
		env, err := user.NewEnvironment(cfg)
		if err != nil {
			t.Fatalf("Environment seed %d drew a configuration NewEnvironment refuses (L4): %v", seed, err)
		}
		own, err := fuzz.EnvironmentSubject(cfg)
		if err != nil {
			t.Fatal(err)
		}
		wrapped, err := fuzz.NewSubject(cfg, roundTrip(env.Patch), roundTrip(env.Put))
		if err != nil {
			t.Fatal(err)
		}
		p.own, p.wrapped = append(p.own, own), append(p.wrapped, wrapped)
	}
	return p
}

// draw picks a subject of the pool.
func draw(t *rapid.T, pool []*fuzz.Subject) *fuzz.Subject {
	return pool[rapid.IntRange(0, len(pool)-1).Draw(t, "environment seed")]
}

// TestLaws runs every law of fuzz.Laws against amend itself, one subtest per
// law naming the rule ids it checks; then what amend promises beyond the
// laws (O3); then every law through an embedder's wrapper. Run with
// -rapid.checks=N for more cases.
func TestLaws(t *testing.T) {
	p := newPool(t, poolSize)
	for _, law := range fuzz.Laws() {
		t.Run(law.Name, func(t *testing.T) {
			t.Logf("rules %s", law.Rules)
			rapid.Check(t, func(t *rapid.T) { law.Check(t, draw(t, p.own)) })
		})
	}
	t.Run("nothing changed returns the stored bytes (P7, U3, O3)", func(t *testing.T) {
		testStoredBytes(t, p.own)
	})
	t.Run("every law through a wrapper", func(t *testing.T) {
		rapid.Check(t, func(t *rapid.T) { fuzz.CheckLaws(t, draw(t, p.wrapped)) })
	})
}

// testStoredBytes checks what LawEmptyPatch and LawPutStored cannot ask of
// every implementation: amend returns the stored bytes exactly when nothing
// changes (P7, U3, O3).
func testStoredBytes(t *testing.T, pool []*fuzz.Subject) {
	rapid.Check(t, func(t *rapid.T) {
		s := draw(t, pool)
		stored := fuzz.Document(s.Config).Draw(t, "stored")
		for _, m := range []struct {
			name string
			fn   fuzz.UpdateFunc
			body []byte
		}{{"PATCH {}", s.Patch, []byte(`{}`)}, {"PUT of the stored document", s.Put, stored}} {
			res, err := m.fn(stored, fuzz.Admin(stored).Draw(t, "actor"), m.body)
			if err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
			if !bytes.Equal(res.Document, stored) || len(res.Changes) != 0 {
				t.Fatalf("%s: got %s with changes %v, want the stored bytes %s", m.name, res.Document, res.Changes, stored)
			}
		}
	})
}

// roundTrip is an embedder's wrapper: it stores documents as decoded JSON
// and re-encodes them with encoding/json around amend, as a server backed by
// a document store might. TestLaws runs every law through it, showing that
// the laws check other code than amend's own entry points (P1, P7, U3, O1,
// E3 and the rest).
func roundTrip(fn fuzz.UpdateFunc) fuzz.UpdateFunc {
	reencode := func(b []byte) []byte {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v map[string]any
		if err := dec.Decode(&v); err != nil {
			return b // not an object: let amend report it
		}
		var out bytes.Buffer
		enc := json.NewEncoder(&out)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic(err)
		}
		return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
	}
	return func(stored []byte, actor policy.Actor, body []byte) (*user.Result, error) {
		res, err := fn(reencode(stored), actor, body)
		if err != nil {
			return nil, err
		}
		res.Document = reencode(res.Document)
		return res, nil
	}
}

// FuzzLaws shares TestLaws' property with go test -fuzz through
// rapid.MakeFuzz: the fuzzer's bytes drive rapid's draws (every law of
// fuzz.Laws).
func FuzzLaws(f *testing.F) {
	p := newPool(f, 8)
	for seed := uint64(1); seed <= 4; seed++ {
		b := make([]byte, 64<<10) // plenty of draws, from a fixed linear congruential sequence
		x := seed
		for i := range b {
			x = x*6364136223846793005 + 1442695040888963407
			b[i] = byte(x >> 56)
		}
		f.Add(b)
	}
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) { fuzz.CheckLaws(t, draw(t, p.own)) }))
}
