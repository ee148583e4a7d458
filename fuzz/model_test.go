package fuzz_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// The model: a small environment whose rules fit on a page, implemented the
// obvious way, against which amend runs long random sequences of PUT and
// PATCH by several actors. After every step the two documents, or the two
// errors, must be the same.
//
// The environment: the standard attributes username, title and nickname, and
// four custom ones: color (STRING, enumerated), code (STRING, regex), badge
// (COMPLEX: label STRING, meta JSON) and prefs (JSON).

// modelWritable are the writable attributes the model knows, in the order
// the model checks them.
func modelWritable() []string {
	return []string{"username", "title", "nickname", "color", "code", "badge", "prefs"}
}

// modelActor is an actor and what the model says it may change.
type modelActor struct {
	name  string
	actor policy.Actor
	// refused: a whole-request refusal (A2, A3).
	refused bool
	// grant: nil for every attribute, else the paths granted (A4).
	grant []string
}

func modelActors() []modelActor {
	idaOver := func(sc policy.RoleScope) policy.Actor {
		return policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{{Name: policy.IdentityDataAdmin, Scope: sc}}}
	}
	return []modelActor{
		{name: "admin", actor: idaOver(policy.RoleScope{Type: policy.RoleScopeOrganization})},
		{name: "population admin", actor: idaOver(policy.RoleScope{Type: policy.RoleScopePopulation, ID: "pop-1"})},
		{name: "other population's admin", actor: idaOver(policy.RoleScope{Type: policy.RoleScopePopulation, ID: "pop-2"}), refused: true},
		{name: "self", actor: policy.Actor{Type: policy.User, UserID: "u1", Scopes: []policy.Scope{{Name: policy.ScopeUpdateUser}}}},
		{name: "self, profile scope", actor: policy.Actor{Type: policy.User, UserID: "u1", Scopes: []policy.Scope{
			{Name: "p1:update:user:profile", SchemaAttributes: []string{"title", "badge.label", "prefs"}}}},
			grant: []string{"title", "badge.label", "prefs"}},
		{name: "another user", actor: policy.Actor{Type: policy.User, UserID: "u2", Scopes: []policy.Scope{{Name: policy.ScopeUpdateUser}}}, refused: true},
	}
}

// covers reports whether the actor may change path (A4: a grant of the
// COMPLEX attribute covers its sub-attributes).
func (a modelActor) covers(path string) bool {
	if a.grant == nil {
		return true
	}
	top, _, _ := strings.Cut(path, ".")
	for _, g := range a.grant {
		if g == path || g == top {
			return true
		}
	}
	return false
}

// modelFault is one detail of an error, as callers see it (E4).
type modelFault struct{ Code, Target string }

// modelError is an error as callers see it.
type modelError struct {
	Status int
	Code   string
	Faults []modelFault
}

// mergePatch is RFC 7396 (P6).
func mergePatch(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	} else {
		t = copyObject(t)
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}

func copyObject(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// leaves lists the leaves of a document the model can change (O5): the
// simple attributes, prefs as a whole, and badge's sub-attributes, or badge
// itself when whole is set (badge is not an object before or after).
func leaves(doc map[string]any, whole bool) map[string]any {
	out := map[string]any{}
	for _, k := range modelWritable() {
		v, ok := doc[k]
		if !ok {
			continue
		}
		if b, isObj := v.(map[string]any); k == "badge" && isObj && !whole {
			for s, sv := range b {
				out["badge."+s] = sv
			}
			continue
		}
		out[k] = v
	}
	return out
}

// modelApply is the reference: the new document, or the error (P1-P6, U1,
// U2, A2-A5, V3, V4, E3, O3).
func modelApply(stored map[string]any, method string, body map[string]any, who modelActor, now string) (map[string]any, *modelError) {
	if who.refused {
		return nil, &modelError{403, user.CodeAccessFailed, []modelFault{{user.DetailInsufficientPermissions, ""}}}
	}
	doc := copyObject(stored)
	if method == "PUT" {
		for _, k := range modelWritable() {
			delete(doc, k)
			v, ok := body[k]
			if !ok || v == nil {
				continue
			}
			if b, isObj := v.(map[string]any); k == "badge" && isObj {
				nb := map[string]any{}
				for _, s := range []string{"label", "meta"} {
					if b[s] != nil {
						nb[s] = b[s]
					}
				}
				if len(nb) > 0 {
					doc[k] = nb
				}
				continue
			}
			doc[k] = v
		}
	} else {
		for _, k := range modelWritable() {
			v, ok := body[k]
			switch {
			case !ok:
			case v == nil:
				delete(doc, k)
			case k == "prefs":
				doc[k] = mergePatch(doc[k], v)
			case k == "badge":
				b, isObj := v.(map[string]any)
				if !isObj {
					doc[k] = v
					break
				}
				cur, _ := doc[k].(map[string]any)
				nb := map[string]any{}
				for s, sv := range cur {
					nb[s] = sv
				}
				if lv, ok := b["label"]; ok {
					nb["label"] = lv
					if lv == nil {
						delete(nb, "label")
					}
				}
				if mv, ok := b["meta"]; ok {
					nb["meta"] = mergePatch(nb["meta"], mv)
					if mv == nil {
						delete(nb, "meta")
					}
				}
				delete(doc, k)
				if len(nb) > 0 {
					doc[k] = nb
				}
			default:
				doc[k] = v
			}
		}
	}
	isObj := func(v any, ok bool) bool { _, obj := v.(map[string]any); return obj || !ok }
	b1, ok1 := stored["badge"]
	b2, ok2 := doc["badge"]
	whole := !isObj(b1, ok1) || !isObj(b2, ok2)
	before, after := leaves(stored, whole), leaves(doc, whole)
	var changed []string
	for _, m := range []map[string]any{before, after} {
		for p := range m {
			if !cmp.Equal(before[p], after[p]) && !contains(changed, p) {
				changed = append(changed, p)
			}
		}
	}
	sort.Strings(changed)
	var denied []modelFault
	for _, p := range changed {
		if !who.covers(p) {
			denied = append(denied, modelFault{user.DetailInsufficientPermissions, p})
		}
	}
	if len(denied) > 0 {
		return nil, &modelError{403, user.CodeAccessFailed, denied}
	}
	var faults []modelFault
	code := regexp.MustCompile(`^[A-Z]{3}$`)
	for _, p := range changed {
		v, present := after[p]
		s, isString := v.(string)
		switch {
		case p == "username" && !present:
			faults = append(faults, modelFault{user.DetailRequiredValue, p})
		case !present || p == "prefs" || p == "badge.meta":
		case (p == "username" || p == "title" || p == "nickname") && s == "" && isString:
			faults = append(faults, modelFault{user.DetailEmptyValue, p})
		case !isString, p == "badge", // badge is a leaf only when it is not an object
			p == "color" && s != "red" && s != "green" && s != "blue",
			p == "code" && !code.MatchString(s):
			faults = append(faults, modelFault{user.DetailInvalidValue, p})
		}
	}
	if len(faults) > 0 {
		return nil, &modelError{400, user.CodeInvalidData, faults}
	}
	if len(changed) > 0 {
		doc["updatedAt"] = now
	}
	return doc, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// modelBody draws a body from values the model knows, valid and not.
func modelBody(t *rapid.T, method string) map[string]any {
	jsonish := rapid.SampledFrom([]any{
		map[string]any{"a": json.Number("1")}, map[string]any{"a": nil, "b": map[string]any{"c": true}},
		map[string]any{"b": map[string]any{"c": nil, "d": json.Number("1.0")}}, []any{json.Number("12345678901234567890"), nil},
		"text", json.Number("0"), false, map[string]any{},
	})
	choices := map[string]*rapid.Generator[any]{
		"username": rapid.SampledFrom([]any{"alice", "bob", nil, "", 7}),
		"title":    rapid.SampledFrom([]any{"Engineer", "Manager", "", nil, 5}),
		"nickname": rapid.SampledFrom([]any{"Al", "Bobby", nil}),
		"color":    rapid.SampledFrom([]any{"red", "green", "purple", "", nil}),
		"code":     rapid.SampledFrom([]any{"ABC", "XYZ", "abc", nil}),
		"prefs":    rapid.OneOf(jsonish, rapid.Just[any](nil)),
		"badge": rapid.Custom(func(t *rapid.T) any {
			if rapid.IntRange(0, 5).Draw(t, "badge shape") == 0 {
				return rapid.SampledFrom([]any{nil, "x"}).Draw(t, "badge")
			}
			b := map[string]any{}
			if rapid.Bool().Draw(t, "label") {
				b["label"] = rapid.SampledFrom([]any{"gold", "silver", nil}).Draw(t, "label value")
			}
			if rapid.Bool().Draw(t, "meta") {
				b["meta"] = rapid.OneOf(jsonish, rapid.Just[any](nil)).Draw(t, "meta value")
			}
			if rapid.IntRange(0, 4).Draw(t, "unknown sub") == 0 {
				b["giveN"] = "x"
			}
			return b
		}),
		"id":       rapid.Just[any]("someone-else"),
		"Nickname": rapid.Just[any]("unknown"),
	}
	body := map[string]any{}
	if method == "PUT" && rapid.IntRange(0, 9).Draw(t, "put without username") > 0 {
		body["username"] = rapid.SampledFrom([]any{"alice", "bob"}).Draw(t, "username")
	}
	for _, k := range []string{"username", "title", "nickname", "color", "code", "badge", "prefs", "id", "Nickname"} {
		if rapid.IntRange(0, 2).Draw(t, "send "+k) == 0 {
			body[k] = choices[k].Draw(t, k)
		}
	}
	return body
}

// machine runs amend and the model side by side.
type machine struct {
	env    *user.Environment
	now    *time.Time     // the environment's clock
	stored []byte         // amend's document
	model  map[string]any // the model's document
	steps  int
}

// modelEnvironment builds the model's environment once; its clock reads
// *now, which each machine owns in turn.
func modelEnvironment(t *testing.T, now *time.Time) *user.Environment {
	env, err := user.NewEnvironment(user.Config{
		Attributes: []schema.Attribute{
			{Name: "color", Type: schema.String, EnumeratedValues: []schema.EnumeratedValue{{Value: "red"}, {Value: "green"}, {Value: "blue"}}},
			{Name: "code", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "[A-Z]{3}"}},
			{Name: "badge", Type: schema.Complex, SubAttributes: []schema.Attribute{{Name: "label", Type: schema.String}, {Name: "meta", Type: schema.JSON}}},
			{Name: "prefs", Type: schema.JSON},
		},
		Clock: func() time.Time { return *now },
	})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func newMachine(t *rapid.T, env *user.Environment, now *time.Time) *machine {
	*now = time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC)
	m := &machine{env: env, now: now}
	m.stored = []byte(`{"id":"u1","environment":{"id":"env-1"},"population":{"id":"pop-1"},"username":"alice","createdAt":"2024-01-01T00:00:00.000Z"}`)
	m.model = decodeModel(t, m.stored)
	return m
}

func decodeModel(t *rapid.T, b []byte) map[string]any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return v
}

// step sends one request to amend and to the model and compares them.
func (m *machine) step(t *rapid.T, method string) {
	who := rapid.SampledFrom(modelActors()).Draw(t, "actor")
	body := modelBody(t, method)
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	*m.now = m.now.Add(time.Second + time.Millisecond)
	m.steps++
	now := m.now.UTC().Format("2006-01-02T15:04:05.000Z")
	wantDoc, wantErr := modelApply(m.model, method, body, who, now)

	fn := m.env.Patch
	if method == "PUT" {
		fn = m.env.Put
	}
	res, err := fn(m.stored, who.actor, raw)
	var gotErr *modelError
	var ue *user.Error
	switch {
	case errors.As(err, &ue):
		gotErr = &modelError{ue.Status, ue.Code, nil}
		for _, d := range ue.Details {
			gotErr.Faults = append(gotErr.Faults, modelFault{d.Code, d.Target})
		}
	case err != nil:
		t.Fatalf("step %d: %v is not a *user.Error", m.steps, err)
	}
	if d := cmp.Diff(wantErr, gotErr); d != "" {
		t.Fatalf("step %d: %s by %s of %s to %s: error (-model +amend):\n%s", m.steps, method, who.name, raw, m.stored, d)
	}
	if err != nil {
		return
	}
	got := decodeModel(t, res.Document)
	if d := cmp.Diff(wantDoc, got); d != "" {
		t.Fatalf("step %d: %s by %s of %s to %s: document (-model +amend):\n%s", m.steps, method, who.name, raw, m.stored, d)
	}
	m.stored, m.model = res.Document, wantDoc
}

// TestModel runs random sequences of PUT and PATCH by six actors against the
// model (P1-P7, U1-U3, A2-A5, V3-V5, D3, D5, E3, O3, O4), comparing the
// documents or the errors after every step.
func TestModel(t *testing.T) {
	var now time.Time
	env := modelEnvironment(t, &now)
	rapid.Check(t, func(t *rapid.T) {
		m := newMachine(t, env, &now)
		t.Repeat(map[string]func(*rapid.T){
			"patch": func(t *rapid.T) { m.step(t, "PATCH") },
			"put":   func(t *rapid.T) { m.step(t, "PUT") },
			"": func(t *rapid.T) {
				if _, ok := m.model["username"]; !ok {
					t.Fatalf("the user lost its username (P3, U2): %s", m.stored)
				}
			},
		})
	})
}
