package user_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
)

// fuzzCase is the part of a conformance case the fuzz targets use as seed.
type fuzzCase struct {
	Environment struct {
		Attributes        schema.Attributes `json:"attributes"`
		IdentityProviders map[string]string `json:"identityProviders"`
	} `json:"environment"`
	Actor   json.RawMessage `json:"actor"`
	Stored  json.RawMessage `json:"stored"`
	Request struct {
		Method  string          `json:"method"`
		Body    json.RawMessage `json:"body"`
		RawBody *string         `json:"rawBody"`
	} `json:"request"`
}

// conformanceSeeds reads every case of testdata/conformance: its stored
// document, body and actor become one seed of each fuzz target, and the
// union of the cases' environments (the first definition of each custom
// attribute name, every identity provider) is the fuzzed environment.
func conformanceSeeds(f *testing.F) (*user.Environment, []fuzzCase) {
	f.Helper()
	files, err := filepath.Glob("../testdata/conformance/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no conformance cases: %v", err)
	}
	var cases []fuzzCase
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var cs []fuzzCase
		if err := json.Unmarshal(data, &cs); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		cases = append(cases, cs...)
	}
	cfg := user.Config{Clock: fixedClock, IdentityProviders: map[string]string{}}
	seen := map[string]bool{}
	for _, c := range cases {
		for id, typ := range c.Environment.IdentityProviders {
			cfg.IdentityProviders[id] = typ
		}
		for _, a := range c.Environment.Attributes {
			if seen[strings.ToLower(a.Name)] || a.SchemaType == schema.SchemaStandard || a.SchemaType == schema.SchemaCore {
				continue
			}
			trial := cfg
			trial.Attributes = append(append(schema.Attributes{}, cfg.Attributes...), a)
			if _, err := user.NewEnvironment(trial); err != nil {
				continue // a case's deliberately broken schema
			}
			seen[strings.ToLower(a.Name)] = true
			cfg.Attributes = trial.Attributes
		}
	}
	return newEnv(f, cfg), cases
}

// seed adds every conformance case to f.
func seed(f *testing.F, cases []fuzzCase) {
	for _, c := range cases {
		body := []byte(c.Request.Body)
		if c.Request.RawBody != nil {
			body = []byte(*c.Request.RawBody)
		}
		f.Add([]byte(c.Stored), body, []byte(c.Actor))
	}
}

// checkUpdate is the oracle of both fuzz targets: no panic (the fuzzer
// reports one), an error is a *user.Error of an allowed class (E1-E3), a
// result is a JSON object that amend reads back unchanged (D1, O2, O3),
// inputs are not modified and the answer is the same twice (O1).
func checkUpdate(t *testing.T, env *user.Environment, fn func([]byte, policy.Actor, []byte) (*user.Result, error), stored, body, actorJSON []byte) {
	var actor policy.Actor
	_ = json.Unmarshal(actorJSON, &actor) // not an actor: the zero actor, refused as a whole (A1)
	storedCopy, bodyCopy := bytes.Clone(stored), bytes.Clone(body)
	res, err := fn(stored, actor, body)
	if !bytes.Equal(stored, storedCopy) || !bytes.Equal(body, bodyCopy) {
		t.Fatal("an input was modified (O1)")
	}
	res2, err2 := fn(stored, actor, body)
	if d := cmp.Diff(res, res2); d != "" {
		t.Fatalf("two answers to one request (O1) (-first +second):\n%s", d)
	}
	if d := cmp.Diff(errorFacts(err), errorFacts(err2)); d != "" {
		t.Fatalf("two errors for one request (O1) (-first +second):\n%s", d)
	}
	if err != nil {
		var ue *user.Error
		if !errors.As(err, &ue) {
			t.Fatalf("the error %T is not a *user.Error (E1): %v", err, err)
		}
		want := map[string]int{user.CodeInvalidRequest: http.StatusBadRequest, user.CodeInvalidData: http.StatusBadRequest,
			user.CodeAccessFailed: http.StatusForbidden, user.CodeUnexpectedError: http.StatusInternalServerError}
		if status, ok := want[ue.Code]; !ok || status != ue.Status {
			t.Fatalf("status %d with code %q (E3)", ue.Status, ue.Code)
		}
		if res != nil {
			t.Fatal("a result beside the error (E3)")
		}
		return
	}
	var doc map[string]json.RawMessage
	if !json.Valid(res.Document) || json.Unmarshal(res.Document, &doc) != nil {
		t.Fatalf("the result is not a JSON object (D1, O2): %s", res.Document)
	}
	again, err := env.Patch(res.Document, admin, []byte(`{}`))
	if err != nil || !bytes.Equal(again.Document, res.Document) {
		t.Fatalf("amend does not read back its own result (O3): %v\n%s", err, res.Document)
	}
}

// errorFacts is what callers may branch on in an error (E4).
func errorFacts(err error) any {
	var ue *user.Error
	if !errors.As(err, &ue) {
		return err != nil
	}
	return []any{ue.Status, ue.Code, details(ue)}
}

// FuzzPatch fuzzes PATCH over stored document, body and actor bytes, seeded
// with every conformance case (E3, O1, O2).
func FuzzPatch(f *testing.F) {
	env, cases := conformanceSeeds(f)
	seed(f, cases)
	f.Fuzz(func(t *testing.T, stored, body, actor []byte) {
		checkUpdate(t, env, env.Patch, stored, body, actor)
	})
}

// FuzzPut fuzzes PUT over stored document, body and actor bytes, seeded with
// every conformance case (E3, O1, O2).
func FuzzPut(f *testing.F) {
	env, cases := conformanceSeeds(f)
	seed(f, cases)
	f.Fuzz(func(t *testing.T, stored, body, actor []byte) {
		checkUpdate(t, env, env.Put, stored, body, actor)
	})
}

// FuzzPatchSCIM fuzzes SCIM PATCH over stored document, body and actor
// bytes, seeded with every conformance case, the SCIM PATCH ones included
// (S1-S5, E3, O1, O2).
func FuzzPatchSCIM(f *testing.F) {
	env, cases := conformanceSeeds(f)
	seed(f, cases)
	f.Fuzz(func(t *testing.T, stored, body, actor []byte) {
		checkUpdate(t, env, env.PatchSCIM, stored, body, actor)
	})
}

// FuzzOperations fuzzes the dedicated operations (X1-X9) over stored
// document, body and actor bytes; op picks the operation.
func FuzzOperations(f *testing.F) {
	env, cases := conformanceSeeds(f)
	ops := user.Operations()
	for i, c := range cases {
		body := []byte(c.Request.Body)
		if c.Request.RawBody != nil {
			body = []byte(*c.Request.RawBody)
		}
		f.Add([]byte(c.Stored), body, []byte(c.Actor), uint8(i%len(ops)))
	}
	f.Fuzz(func(t *testing.T, stored, body, actor []byte, op uint8) {
		o := ops[int(op)%len(ops)]
		checkUpdate(t, env, func(s []byte, a policy.Actor, b []byte) (*user.Result, error) { return env.Apply(o, s, a, b) }, stored, body, actor)
	})
}
