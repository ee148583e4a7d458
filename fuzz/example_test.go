package fuzz_test

import (
	"errors"
	"fmt"

	"github.com/amendlib/amend/fuzz"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
	"pgregory.net/rapid"
)

// Generators draw inputs that are valid for an environment: here a stored
// user and a PATCH body that an allowed actor sends successfully (P1-P6).
// Example(seed) draws one value outside a test; tests use Draw.
func ExamplePatchBody() {
	cfg := fuzz.Environment().Example(1)
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		panic(err)
	}
	stored := fuzz.Document(cfg).Example(1)
	body := fuzz.PatchBody(cfg, stored).Example(1)
	admin := fuzz.Admin(stored).Example(1)

	_, err = env.Patch(stored, admin, body)
	fmt.Println("accepted:", err == nil)
	// Output:
	// accepted: true
}

// InvalidBody draws a body that breaks one rule, with the error it must
// draw: here a PATCH that changes mfaEnabled (D4).
func ExampleInvalidBody() {
	cfg := user.Config{}
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		panic(err)
	}
	stored := []byte(`{"id":"u1","username":"joe","mfaEnabled":false}`)
	inv := fuzz.InvalidBody(cfg, stored, fuzz.MethodPatch, "D4").Example(3)

	_, err = env.Patch(stored, fuzz.Admin(stored).Example(3), inv.Body)
	var e *user.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status == inv.Status, e.Code == inv.Code)
	}
	fmt.Println(inv.Rule, inv.Status, inv.Code, inv.Detail)
	// Output:
	// true true
	// D4 400 INVALID_DATA CONSTRAINT_VIOLATION
}

// Laws lists every law with the rule ids it checks.
func ExampleLaws() {
	for _, l := range fuzz.Laws() {
		fmt.Printf("%s (%s)\n", l.Name, l.Rules)
	}
	// Output:
	// empty-patch-changes-nothing (P7, O3)
	// patch-twice-is-patch-once (P1-P6, O3)
	// put-twice-is-put-once (U1-U4, O3)
	// put-of-the-stored-document-changes-nothing (U3, D4, I3, I4, O3)
	// patch-keeps-absent-attributes-byte-for-byte (P1)
	// protected-attributes-never-change (D3, D4, U3, U4)
	// invalid-bodies-are-refused (E3, V1-V5, D4, L1-L3, W1)
	// results-validate-against-the-schema (V1-V4, D1, O2)
	// pure-and-deterministic (O1)
	// errors-are-typed (E1-E3, V5)
	// an-operation-changes-only-its-attributes (X1-X9, O3)
	// lock-then-unlock-restores-the-account (X6)
	// a-created-user-put-of-itself-changes-nothing (C1, C2, U3, O3)
	// scim-replace-is-json-patch (S3, S4)
	// scim-add-of-a-present-element-changes-nothing (S3, O3)
	// scim-a-failing-operation-changes-nothing (S3, S5)
}

// userService stands for your own code: a store of user documents in front
// of amend, with its own update method.
type userService struct {
	env  *user.Environment
	docs map[string][]byte
}

// Update applies a PATCH or PUT to the user stored under id and stores the
// result.
func (s *userService) Update(method, id string, actor policy.Actor, body []byte) ([]byte, []user.Change, error) {
	update := s.env.Patch
	if method == "PUT" {
		update = s.env.Put
	}
	res, err := update(s.docs[id], actor, body)
	if err != nil {
		return nil, nil, err
	}
	s.docs[id] = res.Document
	return res.Document, res.Changes, nil
}

// adapter turns the service into a fuzz.UpdateFunc: it stores the law's
// document, sends the request, and returns what the service answered.
func adapter(s *userService, method string) fuzz.UpdateFunc {
	return func(stored []byte, actor policy.Actor, body []byte) (*user.Result, error) {
		s.docs["user-under-test"] = append([]byte(nil), stored...)
		doc, changes, err := s.Update(method, "user-under-test", actor, body)
		if err != nil {
			return nil, err
		}
		return &user.Result{Document: doc, Changes: changes}, nil
	}
}

// Testing your own code with the laws: wrap it in UpdateFuncs, build a
// Subject for the environment it serves, and run CheckLaws inside
// rapid.Check. In a test, pass the *testing.T to rapid.Check; an example
// has none, so this one uses exampleTB, which only records failure.
func Example_testYourServer() {
	cfg := fuzz.Environment().Example(7) // or your server's own configuration
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		panic(err)
	}
	svc := &userService{env: env, docs: map[string][]byte{}}
	subject, err := fuzz.NewSubject(cfg, adapter(svc, "PATCH"), adapter(svc, "PUT"))
	if err != nil {
		panic(err)
	}

	var t exampleTB // in a test: the *testing.T
	rapid.Check(&t, func(t *rapid.T) {
		fuzz.CheckLaws(t, subject)
	})
	fmt.Println("every law holds:", !t.Failed())
	// Output:
	// every law holds: true
}

// exampleTB is the least rapid.TB there is: it records failure and prints
// what a failing check reports.
type exampleTB struct{ failed bool }

func (*exampleTB) Helper()                      {}
func (*exampleTB) Name() string                 { return "Example_testYourServer" }
func (*exampleTB) Logf(string, ...any)          {}
func (*exampleTB) Log(...any)                   {}
func (*exampleTB) Skipf(string, ...any)         {}
func (*exampleTB) Skip(...any)                  {}
func (*exampleTB) SkipNow()                     {}
func (tb *exampleTB) Errorf(f string, a ...any) { tb.failed = true; fmt.Printf(f+"\n", a...) }
func (tb *exampleTB) Error(a ...any)            { tb.failed = true; fmt.Println(a...) }
func (tb *exampleTB) Fatalf(f string, a ...any) { tb.Errorf(f, a...) }
func (tb *exampleTB) Fatal(a ...any)            { tb.Error(a...) }
func (tb *exampleTB) FailNow()                  { tb.failed = true }
func (tb *exampleTB) Fail()                     { tb.failed = true }
func (tb *exampleTB) Failed() bool              { return tb.failed }
