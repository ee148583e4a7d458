package fuzz

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// OperationFunc is the code the laws of the dedicated operations check: the
// Apply method of *user.Environment, or your own server's.
type OperationFunc func(op user.Operation, stored []byte, actor policy.Actor, body []byte) (*user.Result, error)

// CreateFunc is the code the laws of create check: the Create method of
// *user.Environment, or your own server's.
type CreateFunc func(actor policy.Actor, body []byte) (*user.Result, error)

// EnvironmentSubject returns the Subject of amend's own environment for cfg:
// its Patch, Put, PatchSCIM, Apply and Create. It fails when
// user.NewEnvironment refuses cfg.
func EnvironmentSubject(cfg user.Config) (*Subject, error) {
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		return nil, fmt.Errorf("fuzz: the environment: %w", err)
	}
	s, err := NewSubject(cfg, env.Patch, env.Put)
	if err != nil {
		return nil, err
	}
	s.PatchSCIM, s.Apply, s.Create = env.PatchSCIM, env.Apply, env.Create
	return s, nil
}

// now is the clock of cfg.
func now(cfg user.Config) time.Time {
	if cfg.Clock != nil {
		return cfg.Clock()
	}
	return time.Now()
}

// OperationBody draws a body that op accepts (X2-X7) for the stored user of
// environment cfg: a boolean for enabled and mfaEnabled, a status for
// verifyStatus, a population the environment lists (or any id when it lists
// none), an identity provider of the environment in either shape or a
// reset, no unlockAt or one in the future for lock, and nothing for unlock.
// stored must be a JSON object.
func OperationBody(cfg user.Config, stored []byte, op user.Operation) *rapid.Generator[[]byte] {
	idps := sortedKeys(cfg.IdentityProviders)
	return rapid.Custom(func(t *rapid.T) []byte {
		body := map[string]any{}
		switch op {
		case user.OperationEnabled, user.OperationMFAEnabled:
			body[string(op)] = rapid.Bool().Draw(t, string(op))
		case user.OperationVerifyStatus:
			body["verifyStatus"] = rapid.SampledFrom([]string{"NOT_INITIATED", "ENABLED", "DISABLED"}).Draw(t, "verifyStatus")
		case user.OperationPopulation:
			ids := []string{"pop-1", "pop-2", "pop-3"}
			if len(cfg.Populations) > 0 {
				ids = nil
				for _, p := range cfg.Populations {
					ids = append(ids, p.ID)
				}
			}
			body["id"] = rapid.SampledFrom(ids).Draw(t, "population")
		case user.OperationIdentityProvider:
			if len(idps) == 0 || rapid.IntRange(0, 3).Draw(t, "reset") == 0 {
				return []byte(rapid.SampledFrom([]string{``, `{}`, `{"id":null}`, `{"identityProvider":{}}`}).Draw(t, "reset body"))
			}
			id := rapid.SampledFrom(idps).Draw(t, "identity provider")
			if rapid.Bool().Draw(t, "nested") {
				body["identityProvider"] = map[string]any{"id": id}
			} else {
				body["id"] = id
			}
		case user.OperationLock:
			if rapid.Bool().Draw(t, "unlockAt") {
				at := now(cfg).Add(time.Duration(rapid.IntRange(1, 1000).Draw(t, "hours")) * time.Hour)
				body["unlockAt"] = at.UTC().Format(time.RFC3339)
			}
		}
		if len(body) == 0 && rapid.Bool().Draw(t, "no body") {
			return nil
		}
		return marshal(body)
	})
}

// operationAttributes are the attributes an operation may change (X2-X7),
// updatedAt aside.
func operationAttributes(op user.Operation) []string {
	switch op {
	case user.OperationEnabled:
		return []string{"enabled", "account"}
	case user.OperationLock, user.OperationUnlock:
		return []string{"account"}
	}
	return []string{string(op)}
}

// CreateBody draws a create body that succeeds for an actor allowed to
// create in environment cfg (C1, C2): valid writable and custom attributes
// as for a PUT onto an empty user, sometimes enabled and mfaEnabled, and a
// population when the environment has no default one.
func CreateBody(cfg user.Config) *rapid.Generator[[]byte] {
	g := gen{newCatalogue(cfg)}
	return rapid.Custom(func(t *rapid.T) []byte {
		body := map[string]any{}
		for _, a := range g.c.attrs {
			if a.class != writable || a.disabled || a.name == "identityProvider" {
				continue
			}
			if a.name == "username" || a.required || rapid.IntRange(0, 2).Draw(t, "send "+a.name) == 0 {
				if v, ok := g.value(t, a, false); ok {
					body[a.name] = v
				}
			}
		}
		if ids := g.c.idps; len(ids) > 0 && rapid.Bool().Draw(t, "identity provider") {
			body["identityProvider"] = map[string]any{"id": rapid.SampledFrom(ids).Draw(t, "identity provider id")}
		}
		hasDefault := slices.ContainsFunc(cfg.Populations, func(p user.Population) bool { return p.Default })
		if !hasDefault || rapid.Bool().Draw(t, "population") {
			ids := []string{"pop-1", "pop-2"}
			if len(cfg.Populations) > 0 {
				ids = nil
				for _, p := range cfg.Populations {
					ids = append(ids, p.ID)
				}
			}
			body["population"] = map[string]any{"id": rapid.SampledFrom(ids).Draw(t, "population id")}
		}
		for _, k := range []string{"enabled", "mfaEnabled"} {
			if rapid.Bool().Draw(t, "send "+k) {
				body[k] = rapid.Bool().Draw(t, k)
			}
		}
		return marshal(body)
	})
}

// creator is an ADMIN allowed to create users in any environment and
// population (C3, C5).
var creator = policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
	{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}}

// LawOperationScope: an operation an allowed actor sends with a valid body
// succeeds and changes nothing but its own attributes: enabled and
// account.canAuthenticate for enabled, account for lock and unlock, the
// operation's attribute otherwise, and updatedAt when something changed
// (X1-X9, O3).
func LawOperationScope(t *rapid.T, s *Subject) {
	if s.Apply == nil {
		return
	}
	const law = "an-operation-changes-only-its-attributes (X1-X9)"
	stored := Document(s.Config).Draw(t, "stored")
	op := rapid.SampledFrom(user.Operations()).Draw(t, "operation")
	body := OperationBody(s.Config, stored, op).Draw(t, "body")
	res, err := s.Apply(op, stored, creator, body) // a POPULATION-scoped admin may not move a user out (X4)
	if err != nil {
		t.Fatalf("%s: %s with a valid body refused: %v\nstored: %s\nbody: %s", law, op, err, stored, body)
	}
	own := append(operationAttributes(op), "updatedAt")
	before, after := mustObject(stored), mustObject(res.Document)
	for _, k := range sortedKeys(before) {
		if !slices.Contains(own, k) {
			if d := cmp.Diff(before[k], after[k]); d != "" {
				t.Fatalf("%s: %s changed %s (-stored +result):\n%s\nbody: %s", law, op, k, d, body)
			}
		}
	}
	for _, k := range sortedKeys(after) {
		if _, ok := before[k]; !ok && !slices.Contains(own, k) {
			t.Fatalf("%s: %s added %s\nbody: %s", law, op, k, body)
		}
	}
	if res.Changes != nil && len(res.Changes) == 0 {
		if d := sameJSON(stored, res.Document); d != "" {
			t.Fatalf("%s: no change listed, but the document changed (O3):\n%s", law, d)
		}
	}
}

// LawLockUnlock: locking an account that is not locked, then unlocking it,
// restores account.status and leaves account.canAuthenticate following
// enabled (X6).
func LawLockUnlock(t *rapid.T, s *Subject) {
	if s.Apply == nil {
		return
	}
	const law = "lock-then-unlock-restores-the-account (X6)"
	doc := mustObject(Document(s.Config).Draw(t, "stored"))
	delete(doc, "account") // not locked: status OK by default (D4)
	stored := marshal(doc)
	actor := creator
	lockBody := OperationBody(s.Config, stored, user.OperationLock).Draw(t, "lock body")
	locked, err := s.Apply(user.OperationLock, stored, actor, lockBody)
	if err != nil {
		t.Fatalf("%s: lock: %v\nstored: %s", law, err, stored)
	}
	lockedAccount, _ := mustObject(locked.Document)["account"].(map[string]any)
	if lockedAccount["status"] != "LOCKED" || lockedAccount["canAuthenticate"] != false {
		t.Fatalf("%s: after the lock, account is %v", law, lockedAccount)
	}
	unlocked, err := s.Apply(user.OperationUnlock, locked.Document, actor, nil)
	if err != nil {
		t.Fatalf("%s: unlock: %v\nstored: %s", law, err, locked.Document)
	}
	account, _ := mustObject(unlocked.Document)["account"].(map[string]any)
	enabled := doc["enabled"] != false
	if status := account["status"]; status != nil && status != "OK" {
		t.Fatalf("%s: after the unlock, account.status is %v", law, status)
	}
	if can, ok := account["canAuthenticate"]; ok && can != enabled {
		t.Fatalf("%s: after the unlock, account.canAuthenticate is %v, enabled %v", law, can, enabled)
	}
	if _, ok := account["lockedAt"]; ok {
		t.Fatalf("%s: after the unlock, account.lockedAt stays", law)
	}
}

// LawCreatedPutItself: a created user, sent back as a PUT of itself, changes
// nothing (C1, C2, U3, O3).
func LawCreatedPutItself(t *rapid.T, s *Subject) {
	if s.Create == nil {
		return
	}
	const law = "a-created-user-put-of-itself-changes-nothing (C1, U3)"
	body := CreateBody(s.Config).Draw(t, "create body")
	created, err := s.Create(creator, body)
	if err != nil {
		t.Fatalf("%s: a valid create refused: %v\nbody: %s", law, err, body)
	}
	res, err := s.Put(created.Document, creator, created.Document)
	if err != nil {
		t.Fatalf("%s: the PUT of the created user refused: %v\nuser: %s", law, err, created.Document)
	}
	if len(res.Changes) > 0 || sameJSON(created.Document, res.Document) != "" {
		t.Fatalf("%s: changes %v\n%s", law, res.Changes, sameJSON(created.Document, res.Document))
	}
}

// scimOperation is one operation of a SCIM PATCH body.
type scimOperation struct {
	Op    string `json:"op"`
	Path  string `json:"path,omitempty"`
	Value any    `json:"value,omitempty"`
}

func scimBody(ops ...scimOperation) []byte {
	return marshal(map[string]any{"Operations": toAny(ops)})
}

// toAny turns a value into the generic form marshal writes.
func toAny(v any) any {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	out, err := decode(data)
	if err != nil {
		panic(err)
	}
	return out
}

// scimReplaceable returns the attributes whose SCIM replace equals their
// JSON PATCH: writable, enabled, not JSON (a JSON PATCH merges it, a SCIM
// replace sets it whole, S3), and not identityProvider.
func (c *catalogue) scimReplaceable() []*attr {
	var out []*attr
	for _, a := range c.attrs {
		if a.class == writable && !a.disabled && a.typ != schema.JSON && a.name != "identityProvider" && !(a.isComplex() && !hasWritable(a)) {
			out = append(out, a)
		}
	}
	return out
}

// LawSCIMReplaceIsPatch: a SCIM replace of a whole attribute (not a JSON
// one) gives the answer a JSON PATCH of that attribute gives: the same
// document, or the same error (S3, S4).
func LawSCIMReplaceIsPatch(t *rapid.T, s *Subject) {
	if s.PatchSCIM == nil {
		return
	}
	const law = "scim-replace-is-json-patch (S3, S4)"
	g := gen{newCatalogue(s.Config)}
	stored := Document(s.Config).Draw(t, "stored")
	a := rapid.SampledFrom(g.c.scimReplaceable()).Draw(t, "attribute")
	v, ok := g.value(t, a, false)
	if !ok || a.name == "username" && s.Config.PingIDConnected {
		return
	}
	actor := Admin(stored).Draw(t, "actor")
	if rapid.Bool().Draw(t, "any actor") {
		actor = Actor(stored).Draw(t, "any actor")
	}
	scim, serr := s.PatchSCIM(stored, actor, scimBody(scimOperation{Op: "replace", Path: a.name, Value: v}))
	patch, perr := s.Patch(stored, actor, marshal(map[string]any{a.name: v}))
	if (serr == nil) != (perr == nil) {
		t.Fatalf("%s: %s: SCIM %v, PATCH %v", law, a.name, serr, perr)
	}
	if serr != nil {
		se, _ := checkError(serr)
		pe, _ := checkError(perr)
		if d := cmp.Diff(errorFacts(pe), errorFacts(se)); d != "" {
			t.Fatalf("%s: %s: errors differ (-PATCH +SCIM):\n%s", law, a.name, d)
		}
		return
	}
	if d := sameJSON(patch.Document, scim.Document); d != "" {
		t.Fatalf("%s: %s: documents differ (-PATCH +SCIM):\n%s", law, a.name, d)
	}
}

// LawSCIMAddPresent: adding to a multi-valued attribute an element it
// already holds changes nothing (S3, O3).
func LawSCIMAddPresent(t *rapid.T, s *Subject) {
	if s.PatchSCIM == nil {
		return
	}
	const law = "scim-add-of-a-present-element-changes-nothing (S3)"
	doc := mustObject(Document(s.Config).Draw(t, "stored"))
	var names []string
	for _, k := range sortedKeys(doc) {
		if a := newCatalogue(s.Config).lookup(k); a != nil && a.multi && a.class == writable && !a.disabled {
			if arr, ok := doc[k].([]any); ok && len(arr) > 0 {
				names = append(names, k)
			}
		}
	}
	if len(names) == 0 {
		return
	}
	name := rapid.SampledFrom(names).Draw(t, "attribute")
	el := rapid.SampledFrom(doc[name].([]any)).Draw(t, "element")
	stored := marshal(doc)
	res, err := s.PatchSCIM(stored, Admin(stored).Draw(t, "actor"), scimBody(scimOperation{Op: "add", Path: name, Value: []any{el}}))
	if err != nil {
		t.Fatalf("%s: %v\nstored: %s", law, err, stored)
	}
	if len(res.Changes) > 0 || sameJSON(stored, res.Document) != "" {
		t.Fatalf("%s: %s changed: %v %s", law, name, res.Changes, sameJSON(stored, res.Document))
	}
}

// LawSCIMAllOrNothing: operations that would succeed, followed by one that
// fails (a filter that selects nothing, or an unknown op), fail as a whole:
// the answer is the error and nothing else (S3, S5).
func LawSCIMAllOrNothing(t *rapid.T, s *Subject) {
	if s.PatchSCIM == nil {
		return
	}
	const law = "scim-a-failing-operation-changes-nothing (S3, S5)"
	g := gen{newCatalogue(s.Config)}
	stored := Document(s.Config).Draw(t, "stored")
	var ops []scimOperation
	for n := rapid.IntRange(0, 3).Draw(t, "good operations"); n > 0; n-- {
		a := rapid.SampledFrom(g.c.scimReplaceable()).Draw(t, "attribute")
		if v, ok := g.value(t, a, false); ok && a.name != "username" {
			ops = append(ops, scimOperation{Op: "replace", Path: a.name, Value: v})
		}
	}
	bad := rapid.SampledFrom([]scimOperation{
		{Op: "frobnicate", Path: "title", Value: "x"},
		{Op: "remove"},
		{Op: "replace", Path: "title[", Value: "x"},
	}).Draw(t, "failing operation")
	ops = append(ops, bad)
	res, err := s.PatchSCIM(stored, Admin(stored).Draw(t, "actor"), scimBody(ops...))
	if err == nil {
		t.Fatalf("%s: accepted: %s", law, res.Document)
	}
	ue, problem := checkError(err)
	if problem != "" || ue.Status != http.StatusBadRequest || ue.Code != user.CodeInvalidData {
		t.Fatalf("%s: %v %s", law, err, problem)
	}
}
