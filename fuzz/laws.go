package fuzz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"pgregory.net/rapid"
)

// UpdateFunc is the code a law checks: PATCH or PUT of one environment. The
// Patch and Put methods of *user.Environment are UpdateFuncs; so is any
// wrapper of yours that takes the stored document, the actor and the body and
// returns the new document (with its change list) or a *user.Error (wrapped
// or not). An UpdateFunc must not keep or modify its arguments.
type UpdateFunc func(stored []byte, actor policy.Actor, body []byte) (*user.Result, error)

// Subject is the code the laws check: the configuration of an environment
// and the PATCH and PUT that implement it. Build it with NewSubject, once per
// environment; it is immutable and safe for concurrent use.
type Subject struct {
	// Config describes the environment Patch and Put implement; the laws
	// draw documents and bodies for it.
	Config user.Config
	// Patch and Put are the code under test.
	Patch, Put UpdateFunc
	// PatchSCIM, Apply and Create are the SCIM PATCH, the dedicated
	// operations and the create under test; the laws of a nil one pass
	// without drawing. EnvironmentSubject sets them all.
	PatchSCIM UpdateFunc
	Apply     OperationFunc
	Create    CreateFunc
	// schema is the compiled JSON Schema of the environment's user; nil
	// when the Subject was not built by NewSubject.
	schema *jsonschema.Schema
}

// NewSubject returns the Subject for cfg, patch and put. It compiles the
// environment's JSON Schema once (LawResultsValidate uses it), with a
// jsonschema compiler of its own that loads no URL, and fails when
// user.NewEnvironment refuses cfg.
func NewSubject(cfg user.Config, patch, put UpdateFunc) (*Subject, error) {
	sch, err := compileSchema(cfg)
	if err != nil {
		return nil, err
	}
	return &Subject{Config: cfg, Patch: patch, Put: put, schema: sch}, nil
}

// A Law is a property every correct implementation of the rulebook has.
type Law struct {
	// Name is a short name for test output: "patch-twice-is-patch-once".
	Name string
	// Rules are the rule ids the law checks: "P1-P6".
	Rules string
	// Check draws its inputs for the subject's environment with t, sends
	// them to the subject's Patch or Put (or both), and fails t when the law
	// does not hold.
	Check func(t *rapid.T, s *Subject)
}

// Laws returns every law, in a fixed order. The slice is new on each call.
func Laws() []Law {
	return []Law{
		{"empty-patch-changes-nothing", "P7, O3", LawEmptyPatch},
		{"patch-twice-is-patch-once", "P1-P6, O3", LawPatchTwice},
		{"put-twice-is-put-once", "U1-U4, O3", LawPutTwice},
		{"put-of-the-stored-document-changes-nothing", "U3, D4, I3, I4, O3", LawPutStored},
		{"patch-keeps-absent-attributes-byte-for-byte", "P1", LawPatchKeepsAbsent},
		{"protected-attributes-never-change", "D3, D4, U3, U4", LawProtected},
		{"invalid-bodies-are-refused", "E3, V1-V5, D4, L1-L3, W1", LawInvalidRefused},
		{"results-validate-against-the-schema", "V1-V4, D1, O2", LawResultsValidate},
		{"pure-and-deterministic", "O1", LawPure},
		{"errors-are-typed", "E1-E3, V5", LawErrors},
		{"an-operation-changes-only-its-attributes", "X1-X9, O3", LawOperationScope},
		{"lock-then-unlock-restores-the-account", "X6", LawLockUnlock},
		{"a-created-user-put-of-itself-changes-nothing", "C1, C2, U3, O3", LawCreatedPutItself},
		{"scim-replace-is-json-patch", "S3, S4", LawSCIMReplaceIsPatch},
		{"scim-add-of-a-present-element-changes-nothing", "S3, O3", LawSCIMAddPresent},
		{"scim-a-failing-operation-changes-nothing", "S3, S5", LawSCIMAllOrNothing},
	}
}

// CheckLaws runs every law of Laws once with t, each drawing its own inputs.
// A failure names the law.
func CheckLaws(t *rapid.T, s *Subject) {
	t.Helper()
	for _, l := range Laws() {
		l.Check(t, s)
	}
}

// call sends one request and checks the contract every call keeps: exactly
// one of a result and an error (a refused request changes nothing, E3), and
// an error of the right shape (E1, E3).
func call(t *rapid.T, law string, fn UpdateFunc, stored []byte, actor policy.Actor, body []byte) (*user.Result, *user.Error) {
	t.Helper()
	res, err := fn(stored, actor, body)
	switch {
	case err == nil && res == nil:
		t.Fatalf("%s: neither a result nor an error", law)
	case err != nil && res != nil:
		t.Fatalf("%s: both a result and the error %v (a refused request changes nothing, E3)", law, err)
	case err != nil:
		ue, problem := checkError(err)
		if problem != "" {
			t.Fatalf("%s: %s (E1, E3): %v\nstored: %s\nbody: %s", law, problem, err, stored, body)
		}
		return nil, ue
	}
	if _, derr := decodeObject(res.Document); derr != nil {
		t.Fatalf("%s: the result document is not a JSON object (D1, O2): %v\n%s", law, derr, res.Document)
	}
	return res, nil
}

// checkError returns the *user.Error in err, or what is wrong with it.
func checkError(err error) (*user.Error, string) {
	var ue *user.Error
	if !errors.As(err, &ue) {
		return nil, fmt.Sprintf("the error %T is not a *user.Error", err)
	}
	allowed := map[string][]string{
		user.CodeUnexpectedError: nil,
		user.CodeInvalidRequest:  {user.DetailInvalidValue, user.DetailSizeLimitExceeded},
		user.CodeAccessFailed:    {user.DetailInsufficientPermissions},
		user.CodeInvalidData: {user.DetailRequiredValue, user.DetailEmptyValue, user.DetailInvalidValue,
			user.DetailConstraintViolation, user.DetailSizeLimitExceeded, user.DetailInvalidFilter, user.DetailUniquenessViolation},
	}
	status := map[string]int{user.CodeUnexpectedError: http.StatusInternalServerError,
		user.CodeInvalidRequest: http.StatusBadRequest, user.CodeAccessFailed: http.StatusForbidden,
		user.CodeInvalidData: http.StatusBadRequest}
	sentinel := map[string]error{user.CodeUnexpectedError: user.ErrUnexpected, user.CodeInvalidRequest: user.ErrInvalidRequest,
		user.CodeAccessFailed: user.ErrAccessFailed, user.CodeInvalidData: user.ErrInvalidData}
	codes, ok := allowed[ue.Code]
	switch {
	case !ok:
		return ue, fmt.Sprintf("unknown error code %q", ue.Code)
	case status[ue.Code] != ue.Status:
		return ue, fmt.Sprintf("status %d with code %s, want %d", ue.Status, ue.Code, status[ue.Code])
	case !errors.Is(err, sentinel[ue.Code]):
		return ue, fmt.Sprintf("errors.Is does not match the sentinel of %s (E2)", ue.Code)
	case ue.Code == user.CodeUnexpectedError && len(ue.Details) > 0:
		return ue, "UNEXPECTED_ERROR has details"
	case ue.Code == user.CodeInvalidRequest && (len(ue.Details) != 1 || ue.Details[0].HasTarget()):
		return ue, "INVALID_REQUEST needs exactly one detail without a target"
	case ue.Code != user.CodeUnexpectedError && len(ue.Details) == 0:
		return ue, "no details"
	}
	for i, d := range ue.Details {
		found := false
		for _, c := range codes {
			found = found || c == d.Code
		}
		if !found {
			return ue, fmt.Sprintf("detail code %s in a %s error", d.Code, ue.Code)
		}
		if ue.Code == user.CodeInvalidData && !d.HasTarget() {
			return ue, "an INVALID_DATA detail without a target (V5)"
		}
		if ue.Code == user.CodeAccessFailed && !d.HasTarget() && len(ue.Details) > 1 {
			return ue, "a whole-request refusal with more than one detail (A5)"
		}
		if i > 0 {
			p := ue.Details[i-1]
			if p.Target > d.Target || p.Target == d.Target && p.Code >= d.Code {
				return ue, "details not sorted by target then code, or repeated (V5)"
			}
		}
	}
	return ue, ""
}

// sameJSON returns a (-want +got) diff of two JSON documents compared as
// values (numbers by their exact text), without the members named in skip.
func sameJSON(want, got []byte, skip ...string) string {
	w, err1 := decode(want)
	g, err2 := decode(got)
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("not JSON: %v %v", err1, err2)
	}
	for _, k := range skip {
		if m, ok := w.(map[string]any); ok {
			delete(m, k)
		}
		if m, ok := g.(map[string]any); ok {
			delete(m, k)
		}
	}
	return cmp.Diff(w, g)
}

// LawEmptyPatch: an empty PATCH body changes nothing and succeeds (P7, O3),
// unless the actor may change nothing at all (A1-A3), which is a 403.
func LawEmptyPatch(t *rapid.T, s *Subject) {
	cfg, patch := s.Config, s.Patch
	const law = "empty-patch-changes-nothing (P7)"
	stored := Document(cfg).Draw(t, "stored")
	actor := Actor(stored).Draw(t, "actor")
	res, ue := call(t, law, patch, stored, actor, []byte(`{}`))
	if ue != nil {
		if ue.Status != http.StatusForbidden || len(ue.Details) != 1 || ue.Details[0].Target != "" {
			t.Fatalf("%s: %v", law, ue)
		}
		return
	}
	if len(res.Changes) != 0 {
		t.Fatalf("%s: changes %v", law, res.Changes)
	}
	if d := sameJSON(stored, res.Document); d != "" {
		t.Fatalf("%s: document (-stored +result):\n%s", law, d)
	}
}

// LawPatchTwice: a valid PATCH by an actor allowed to change everything
// succeeds, and sending it again to the result changes nothing (P1-P6, O3).
func LawPatchTwice(t *rapid.T, s *Subject) {
	cfg, patch := s.Config, s.Patch
	twice(t, "patch-twice-is-patch-once (P1-P6)", cfg, patch, PatchBody)
}

// LawPutTwice: a valid PUT by an actor allowed to change everything
// succeeds, and sending it again to the result changes nothing (U1-U4, O3).
func LawPutTwice(t *rapid.T, s *Subject) {
	cfg, put := s.Config, s.Put
	twice(t, "put-twice-is-put-once (U1-U4)", cfg, put, PutBody)
}

func twice(t *rapid.T, law string, cfg user.Config, fn UpdateFunc, bodies func(user.Config, []byte) *rapid.Generator[[]byte]) {
	t.Helper()
	stored := Document(cfg).Draw(t, "stored")
	actor := Admin(stored).Draw(t, "actor")
	body := bodies(cfg, stored).Draw(t, "body")
	once, ue := call(t, law, fn, stored, actor, body)
	if ue != nil {
		t.Fatalf("%s: a valid body by an allowed actor was refused: %v\nstored: %s\nbody: %s", law, ue, stored, body)
	}
	again, ue := call(t, law, fn, once.Document, actor, body)
	if ue != nil {
		t.Fatalf("%s: the second time: %v\nstored: %s\nbody: %s", law, ue, once.Document, body)
	}
	if len(again.Changes) != 0 {
		t.Fatalf("%s: the second time changed %v\nstored: %s\nbody: %s", law, again.Changes, once.Document, body)
	}
	if d := sameJSON(once.Document, again.Document); d != "" {
		t.Fatalf("%s: document (-once +twice):\n%s", law, d)
	}
}

// LawPutStored: a PUT of the stored document itself changes nothing, whoever
// sends it (U3, D4, I3, I4, O3); only a whole-request refusal (A1-A3) fails.
func LawPutStored(t *rapid.T, s *Subject) {
	cfg, put := s.Config, s.Put
	const law = "put-of-the-stored-document-changes-nothing (U3)"
	stored := Document(cfg).Draw(t, "stored")
	actor := Actor(stored).Draw(t, "actor")
	res, ue := call(t, law, put, stored, actor, stored)
	if ue != nil {
		if ue.Status != http.StatusForbidden || len(ue.Details) != 1 || ue.Details[0].Target != "" {
			t.Fatalf("%s: %v\nstored: %s", law, ue, stored)
		}
		return
	}
	if len(res.Changes) != 0 {
		t.Fatalf("%s: changes %v\nstored: %s", law, res.Changes, stored)
	}
	if d := sameJSON(stored, res.Document); d != "" {
		t.Fatalf("%s: document (-stored +result):\n%s", law, d)
	}
}

// LawPatchKeepsAbsent: after a successful PATCH, every top-level member the
// body does not name keeps its exact bytes, and no member appears that
// neither had, updatedAt excepted (P1, O3).
func LawPatchKeepsAbsent(t *rapid.T, s *Subject) {
	cfg, patch := s.Config, s.Patch
	const law = "patch-keeps-absent-attributes-byte-for-byte (P1)"
	stored := Document(cfg).Draw(t, "stored")
	actor := Admin(stored).Draw(t, "actor")
	if rapid.Bool().Draw(t, "any actor") {
		actor = Actor(stored).Draw(t, "actor")
	}
	body := PatchBody(cfg, stored).Draw(t, "body")
	res, ue := call(t, law, patch, stored, actor, body)
	if ue != nil {
		return
	}
	var before, after, named map[string]json.RawMessage
	if json.Unmarshal(stored, &before) != nil || json.Unmarshal(res.Document, &after) != nil || json.Unmarshal(body, &named) != nil {
		t.Fatalf("%s: cannot read the documents", law)
	}
	for k, v := range before {
		if _, ok := named[k]; ok || k == "updatedAt" {
			continue
		}
		if !bytes.Equal(v, after[k]) {
			t.Fatalf("%s: %s was %s and is %s\nbody: %s", law, k, v, after[k], body)
		}
	}
	for k, v := range after {
		_, inBody := named[k]
		if _, ok := before[k]; !ok && !inBody && k != "updatedAt" {
			t.Fatalf("%s: %s appeared (%s)\nbody: %s", law, k, v, body)
		}
	}
}

// LawProtected: whatever the request, when it succeeds the server-managed
// and dedicated attributes keep their stored values (D3, D4, U3, U4).
// Requests come from AnyRequest with random values added for those
// attributes.
func LawProtected(t *rapid.T, s *Subject) {
	cfg, patch, put := s.Config, s.Patch, s.Put
	const law = "protected-attributes-never-change (D3, D4)"
	r := AnyRequest(cfg).Draw(t, "request")
	if body, err := decodeObject(r.Body); err == nil && rapid.Bool().Draw(t, "add protected values") {
		for _, k := range protectedPaths() {
			if rapid.IntRange(0, 3).Draw(t, "send "+k) == 0 {
				body[k] = drawJSON(t, 1, true)
			}
		}
		r.Body = marshal(body)
	}
	res, ue := call(t, law, method(r.Method, patch, put), r.Stored, r.Actor, r.Body)
	if ue != nil {
		return
	}
	before, after := mustObject(r.Stored), mustObject(res.Document)
	for _, k := range protectedPaths() {
		if d := cmp.Diff(before[k], after[k]); d != "" {
			t.Fatalf("%s: %s %s changed (-stored +result):\n%s\nbody: %s", law, r.Method, k, d, r.Body)
		}
	}
}

func method(m string, patch, put UpdateFunc) UpdateFunc {
	if m == MethodPut {
		return put
	}
	return patch
}

// LawInvalidRefused: a body that breaks one rule, sent by an actor allowed
// to change everything, is refused with the error class of E3 and a detail
// naming the problem (V3, V5); nothing is returned but the error.
func LawInvalidRefused(t *rapid.T, s *Subject) {
	cfg, patch, put := s.Config, s.Patch, s.Put
	const law = "invalid-bodies-are-refused (E3)"
	stored := Document(cfg).Draw(t, "stored")
	actor := Admin(stored).Draw(t, "actor")
	m := rapid.SampledFrom([]string{MethodPatch, MethodPut}).Draw(t, "method")
	inv := InvalidBody(cfg, stored, m, rapid.SampledFrom(InvalidRules(cfg)).Draw(t, "rule")).Draw(t, "invalid body")
	res, ue := call(t, law, method(m, patch, put), stored, actor, inv.Body)
	if ue == nil {
		t.Fatalf("%s: %s %s body accepted: %s\nstored: %s\nbody: %s", law, m, inv.Rule, res.Document, stored, inv.Body)
	}
	if ue.Status != inv.Status || ue.Code != inv.Code {
		t.Fatalf("%s: %s %s body: got %d %s, want %d %s (%v)\nstored: %s\nbody: %s", law, m, inv.Rule, ue.Status, ue.Code, inv.Status, inv.Code, ue, stored, inv.Body)
	}
	for _, d := range ue.Details {
		if d.Code == inv.Detail && d.Target == inv.Target {
			return
		}
	}
	t.Fatalf("%s: %s %s body: no detail %s on %q in %v\nstored: %s\nbody: %s", law, m, inv.Rule, inv.Detail, inv.Target, ue, stored, inv.Body)
}

// LawResultsValidate: every successful result is a JSON object that
// validates as a whole against the environment's JSON Schema (types,
// patterns, lengths, enumerations, array sizes; V1-V4, D1, O2).
// Formats are not asserted: amend's own format checks are its business.
func LawResultsValidate(t *rapid.T, s *Subject) {
	cfg, patch, put := s.Config, s.Patch, s.Put
	const law = "results-validate-against-the-schema (V1-V4)"
	sch := s.schema
	if sch == nil {
		var err error
		if sch, err = compileSchema(cfg); err != nil {
			t.Fatalf("%s: %v", law, err)
		}
	}
	r := AnyRequest(cfg).Draw(t, "request")
	res, ue := call(t, law, method(r.Method, patch, put), r.Stored, r.Actor, r.Body)
	if ue != nil {
		return
	}
	doc, _ := decode(res.Document)
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("%s: %s result breaks the schema: %v\nstored: %s\nbody: %s\nresult: %s", law, r.Method, err, r.Stored, r.Body, res.Document)
	}
}

// compileSchema compiles the JSON Schema of cfg's user with a compiler of
// its own that loads no URL and asserts no format.
func compileSchema(cfg user.Config) (*jsonschema.Schema, error) {
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		return nil, fmt.Errorf("fuzz: the environment: %w", err)
	}
	doc := env.JSONSchema()
	var head struct {
		ID string `json:"$id"`
	}
	if err := json.Unmarshal(doc, &head); err != nil {
		return nil, fmt.Errorf("fuzz: reading the JSON Schema: %w", err)
	}
	if head.ID == "" {
		head.ID = "https://amendlib.invalid/fuzz/user.schema.json"
	}
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = false
	c.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("fuzz: loading %q refused: no URL is loaded", s)
	}
	if err := c.AddResource(head.ID, bytes.NewReader(doc)); err != nil {
		return nil, fmt.Errorf("fuzz: the JSON Schema: %w", err)
	}
	return c.Compile(head.ID)
}

// LawPure: inputs are not modified and the same request gives the same
// answer: byte-identical documents and equal lists, or equal errors (O1).
func LawPure(t *rapid.T, s *Subject) {
	cfg, patch, put := s.Config, s.Patch, s.Put
	const law = "pure-and-deterministic (O1)"
	r := AnyRequest(cfg).Draw(t, "request")
	fn := method(r.Method, patch, put)
	stored, body := bytes.Clone(r.Stored), bytes.Clone(r.Body)
	actorJSON, _ := json.Marshal(r.Actor)
	res1, ue1 := call(t, law, fn, r.Stored, r.Actor, r.Body)
	res2, ue2 := call(t, law, fn, r.Stored, r.Actor, r.Body)
	actorAfter, _ := json.Marshal(r.Actor)
	if !bytes.Equal(stored, r.Stored) || !bytes.Equal(body, r.Body) || !bytes.Equal(actorJSON, actorAfter) {
		t.Fatalf("%s: an input was modified", law)
	}
	if d := cmp.Diff(errorFacts(ue1), errorFacts(ue2)); d != "" {
		t.Fatalf("%s: errors differ (-first +second):\n%s", law, d)
	}
	if res1 != nil && res2 != nil {
		if !bytes.Equal(res1.Document, res2.Document) {
			t.Fatalf("%s: documents differ:\n%s\n%s", law, res1.Document, res2.Document)
		}
		if d := cmp.Diff(res1, res2); d != "" {
			t.Fatalf("%s: results differ (-first +second):\n%s", law, d)
		}
		res1.Document[0] = ' '
		if !bytes.Equal(stored, r.Stored) || !bytes.Equal(body, r.Body) {
			t.Fatalf("%s: the result shares memory with an input", law)
		}
	}
}

// errorFacts is what callers may branch on in an error (E4).
func errorFacts(ue *user.Error) any {
	if ue == nil {
		return nil
	}
	type detail struct{ Code, Target string }
	ds := []detail{}
	for _, d := range ue.Details {
		ds = append(ds, detail{d.Code, d.Target})
	}
	return struct {
		Status  int
		Code    string
		Details []detail
	}{ue.Status, ue.Code, ds}
}

// LawErrors: every error is a *user.Error whose status is one E3 allows
// (400, 403, 500) with the code of that class, matched by its sentinel
// (E2), with details of that class sorted by target then code (V5).
func LawErrors(t *rapid.T, s *Subject) {
	cfg, patch, put := s.Config, s.Patch, s.Put
	const law = "errors-are-typed (E1-E3)"
	r := AnyRequest(cfg).Draw(t, "request")
	_, ue := call(t, law, method(r.Method, patch, put), r.Stored, r.Actor, r.Body)
	if ue == nil {
		return
	}
	targets := make([]string, len(ue.Details))
	for i, d := range ue.Details {
		targets[i] = d.Target
	}
	if !sort.StringsAreSorted(targets) {
		t.Fatalf("%s: details not sorted by target: %v", law, targets)
	}
}
