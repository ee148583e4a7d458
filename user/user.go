package user

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/patch"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
)

// Config describes an environment. Its JSON form is the "environment" object
// of the conformance case format; every member is optional and every zero
// value means the documented default.
type Config struct {
	// Attributes are PingOne schema attribute objects: CUSTOM ones add
	// attributes, STANDARD ones adjust built-in ones (enabled, unique).
	// nil means the standard user only. In JSON, a plain array or PingOne's
	// listing envelope {"_embedded": {"attributes": [...]}}.
	Attributes schema.Attributes `json:"attributes,omitempty"`
	// IdentityProviders maps external identity provider ids to their types
	// (GOOGLE, SAML, OPENID_CONNECT, ...) (I1). nil means none.
	IdentityProviders map[string]string `json:"identityProviders,omitempty"`
	// PingIDConnected forbids changing username (W1).
	PingIDConnected bool `json:"pingIdConnected,omitempty"`
	// CanUsersUpdateSelf lets USER actors update their own account (A3);
	// nil means true.
	CanUsersUpdateSelf *bool `json:"canUsersUpdateSelf,omitempty"`
	// Options are behaviour switches.
	Options Options `json:"options"`
	// Roles are the embedder's own ADMIN roles (A2, A4), added to the
	// built-in Identity Data Admin, which cannot be redefined. nil means
	// none.
	Roles map[string]policy.Role `json:"roles,omitempty"`
	// Limits; the zero value means the rulebook's defaults.
	Limits Limits `json:"-"`
	// Clock gives the time set as updatedAt (O3); nil means time.Now.
	Clock func() time.Time `json:"-"`
}

// Options are behaviour switches of an environment.
type Options struct {
	// UnknownAttributes is "ignore" (the default, also for "") or "reject":
	// unknown attributes in a body are then 400 INVALID_DATA (D5).
	UnknownAttributes string `json:"unknownAttributes,omitempty"`
}

// Limits bound what a request may hold. A zero field means the default.
type Limits struct {
	// MaxBodyBytes: the largest body (L1); 0 means 1 MiB (1,048,576 bytes).
	MaxBodyBytes int
	// MaxDepth: the deepest nesting of a body, the body object being level
	// 1 (L1); 0 means 64.
	MaxDepth int
	// MaxValues: the most values of a multi-valued attribute (L2); 0 means
	// 1,000.
	MaxValues int
	// MaxCustomBytes: the budget of one user's custom attribute values as
	// compact JSON (L3); 0 means 16 KiB (16,384 bytes).
	MaxCustomBytes int
	// MaxCustomAttributes: the most custom attributes of a schema (L4); 0
	// means 200.
	MaxCustomAttributes int
	// MaxEnumeratedValues: the most enumerated values of one attribute
	// (L4); 0 means 100.
	MaxEnumeratedValues int
}

// storedMaxDepth bounds the nesting of stored documents so that no input can
// exhaust the stack; a deeper stored document is UNEXPECTED_ERROR.
const storedMaxDepth = 10000

// Environment is a built, immutable environment. It is safe for concurrent
// use by multiple goroutines.
type Environment struct {
	cat      *schema.Catalogue
	idps     map[string]string
	pingID   bool
	reject   bool
	settings policy.Settings
	limits   Limits
	clock    func() time.Time
}

// NewEnvironment checks cfg and builds its environment. It refuses, with an
// error naming the attribute, every schema that L4 forbids or that is
// inconsistent, and unknown option values. cfg is not retained.
func NewEnvironment(cfg Config) (*Environment, error) {
	l := cfg.Limits
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 1 << 20
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 64
	}
	if l.MaxCustomBytes <= 0 {
		l.MaxCustomBytes = 16 << 10
	}
	cat, err := schema.New(cfg.Attributes, schema.Limits{MaxValues: l.MaxValues,
		MaxCustomAttributes: l.MaxCustomAttributes, MaxEnumeratedValues: l.MaxEnumeratedValues})
	if err != nil {
		return nil, err
	}
	sl := cat.Limits()
	l.MaxValues, l.MaxCustomAttributes, l.MaxEnumeratedValues = sl.MaxValues, sl.MaxCustomAttributes, sl.MaxEnumeratedValues
	e := &Environment{cat: cat, pingID: cfg.PingIDConnected, limits: l, clock: cfg.Clock,
		idps: map[string]string{}, settings: policy.Settings{Roles: map[string]policy.Role{}}}
	switch cfg.Options.UnknownAttributes {
	case "", "ignore":
	case "reject":
		e.reject = true
	default:
		return nil, fmt.Errorf("user: options.unknownAttributes is %q, want \"ignore\" or \"reject\"", cfg.Options.UnknownAttributes)
	}
	for id, typ := range cfg.IdentityProviders {
		if id == "" || typ == "" {
			return nil, fmt.Errorf("user: identity provider %q: ids and types must not be empty", id)
		}
		e.idps[id] = typ
	}
	for name, r := range cfg.Roles {
		if name == "" {
			return nil, errors.New("user: a role has an empty name")
		}
		if name == policy.IdentityDataAdmin {
			return nil, fmt.Errorf("user: role %q is built in and cannot be redefined", name)
		}
		e.settings.Roles[name] = policy.Role{SchemaAttributes: append([]string(nil), r.SchemaAttributes...)}
	}
	e.settings.DenySelfUpdate = cfg.CanUsersUpdateSelf != nil && !*cfg.CanUsersUpdateSelf
	if e.clock == nil {
		e.clock = time.Now
	}
	return e, nil
}

// Limits returns the environment's limits with defaults applied.
func (e *Environment) Limits() Limits { return e.limits }

// JSONSchema returns the JSON Schema (draft 2020-12) of the environment's
// user document. The caller must not modify the returned bytes.
func (e *Environment) JSONSchema() []byte { return e.cat.JSONSchema() }

// Change is one changed leaf of the document (O5).
type Change = patch.Change

// Ignored is one body member that was ignored (O6).
type Ignored = patch.Ignored

// Result is a successful update.
type Result struct {
	// Document is the new stored document, ready to store and to return
	// (O2). When Changes is empty it is a copy of the stored bytes, byte for
	// byte (O3), and the caller may skip the write.
	Document []byte
	// Changes lists the changed leaves sorted by path (O5).
	Changes []Change
	// Ignored lists the body members ignored, sorted by path (O6).
	Ignored []Ignored
	// Unique lists the paths of unique attributes the request adds or
	// replaces, sorted (O7): the caller checks them against other users and
	// reports a clash with UniquenessViolation.
	Unique []string
}

// Patch applies a PATCH body (application/json) to the stored user document
// on behalf of actor (rules P1-P7). stored and body are not modified or
// retained. On failure the error is an *Error.
func (e *Environment) Patch(stored []byte, actor policy.Actor, body []byte) (*Result, error) {
	return e.update(patch.Patch, stored, actor, body)
}

// Put applies a PUT body, which replaces the writable attributes of the
// stored user document, on behalf of actor (rules U1-U5). stored and body are
// not modified or retained. On failure the error is an *Error.
func (e *Environment) Put(stored []byte, actor policy.Actor, body []byte) (*Result, error) {
	return e.update(patch.Put, stored, actor, body)
}

func (e *Environment) update(method patch.Method, storedBytes []byte, actor policy.Actor, bodyBytes []byte) (*Result, error) {
	// E3.0: the stored document.
	stored, err := jsonx.Parse(storedBytes, storedMaxDepth)
	if err != nil || stored.Kind != jsonx.Object {
		msg := "the stored user document is not a JSON object"
		if err != nil {
			msg += ": " + err.Error()
		}
		return nil, &Error{Status: http.StatusInternalServerError, Code: CodeUnexpectedError, Message: msg}
	}
	// E3.1: the body.
	body, rerr := e.readBody(bodyBytes)
	if rerr != nil {
		return nil, rerr
	}
	// E3.2: whole-request refusals.
	grant, denial := policy.Decide(actor, e.target(stored), e.settings)
	if denial != nil {
		return nil, &Error{Status: http.StatusForbidden, Code: CodeAccessFailed,
			Message: "the actor may not update this user",
			Details: []Detail{{Code: DetailInsufficientPermissions, Message: denial.Reason}}}
	}
	out := patch.Apply(patch.Request{
		Method: method, Stored: stored, Body: body, Catalogue: e.cat,
		IdentityProviders: e.idps, RejectUnknown: e.reject, PingIDConnected: e.pingID,
		MaxCustomBytes: e.limits.MaxCustomBytes, InputBytes: len(storedBytes) + len(bodyBytes), Now: e.now(),
	})
	// E3.2: every change outside the grant (A5).
	if denied := e.denied(grant, stored, out); len(denied) > 0 {
		return nil, &Error{Status: http.StatusForbidden, Code: CodeAccessFailed,
			Message: "the actor may not update some of the attributes this request changes", Details: denied}
	}
	// E3.3: every rule the change breaks.
	if details := e.invalid(out); len(details) > 0 {
		return nil, &Error{Status: http.StatusBadRequest, Code: CodeInvalidData,
			Message: "the request could not be completed: some values are not valid", Details: details}
	}
	res := &Result{Changes: out.Changes, Ignored: out.Ignored, Unique: out.Unique}
	if len(out.Changes) == 0 {
		res.Document = bytes.Clone(storedBytes)
	} else {
		res.Document = jsonx.Append(make([]byte, 0, len(storedBytes)+len(bodyBytes)+32), out.Document)
	}
	if res.Changes == nil {
		res.Changes = []Change{}
	}
	if res.Ignored == nil {
		res.Ignored = []Ignored{}
	}
	if res.Unique == nil {
		res.Unique = []string{}
	}
	return res, nil
}

func (e *Environment) now() string {
	return e.clock().UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// readBody applies E3.1 and L1 to a body.
func (e *Environment) readBody(b []byte) (jsonx.Value, *Error) {
	if len(b) > e.limits.MaxBodyBytes {
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: fmt.Sprintf("the request body is larger than %d bytes", e.limits.MaxBodyBytes),
			Details: []Detail{{Code: DetailSizeLimitExceeded, Message: "the request body is too large",
				InnerError: &InnerError{MaximumValue: intp(e.limits.MaxBodyBytes)}}}}
	}
	v, err := jsonx.Parse(b, e.limits.MaxDepth)
	var perr *jsonx.Error
	if errors.As(err, &perr) && perr.Problem == jsonx.TooDeep {
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: fmt.Sprintf("the request body is nested deeper than %d levels", e.limits.MaxDepth),
			Details: []Detail{{Code: DetailSizeLimitExceeded, Message: "the request body is nested too deeply",
				InnerError: &InnerError{MaximumValue: intp(e.limits.MaxDepth)}}}}
	}
	if err != nil {
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: "the request body is not valid JSON",
			Details: []Detail{{Code: DetailInvalidValue, Message: err.Error()}}}
	}
	if v.Kind != jsonx.Object {
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: "the request body is not a JSON object",
			Details: []Detail{{Code: DetailInvalidValue, Message: "the request body must be a JSON object"}}}
	}
	return v, nil
}

// target collects the facts about the stored user that authorization uses.
// Odd shapes fail closed (A2, A3): see policy.Target.
func (e *Environment) target(stored jsonx.Value) policy.Target {
	var t policy.Target
	if id, ok := stored.Get("id"); ok && id.Kind == jsonx.String {
		t.UserID = id.Str
	}
	env, hasEnv := stored.Get("environment")
	t.NoEnvironment = !hasEnv
	t.EnvironmentID = stringMember(env, "id")
	pop, _ := stored.Get("population")
	t.PopulationID = stringMember(pop, "id")
	t.PingOneUser = e.pingOneUser(stored)
	return t
}

// stringMember returns v.name when v is an object holding a string there,
// and "" otherwise.
func stringMember(v jsonx.Value, name string) string {
	if s, ok := v.Get(name); ok && s.Kind == jsonx.String {
		return s.Str
	}
	return ""
}

// pingOneUser is A3's fail-closed test: the stored user authenticates with
// PingOne only when identityProvider is absent or null, or an object whose
// type is absent or PING_ONE and whose id is absent, null or an id the
// environment maps to PING_ONE, with no other member. Every other shape
// counts as federated.
func (e *Environment) pingOneUser(stored jsonx.Value) bool {
	idp, ok := stored.Get("identityProvider")
	if !ok || idp.IsNull() {
		return true
	}
	if idp.Kind != jsonx.Object {
		return false
	}
	for _, m := range idp.Members {
		switch v := m.Value; m.Name {
		case "type":
			if v.Kind != jsonx.String || v.Str != "PING_ONE" {
				return false
			}
		case "id":
			if !v.IsNull() && (v.Kind != jsonx.String || e.idps[v.Str] != "PING_ONE") {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// denied lists the changes outside the grant (A5). identityProvider.type
// follows identityProvider.id and needs no permission of its own (D3).
func (e *Environment) denied(g policy.Grant, stored jsonx.Value, out patch.Outcome) []Detail {
	var ds []Detail
	for _, c := range out.Changes {
		if c.Path == "identityProvider.type" {
			continue
		}
		ok := g.Covers(c.Path)
		if !ok && e.wholeComplexEmpty(c.Path, stored, out.Document) {
			ok = g.CoversAny(c.Path)
		}
		if !ok {
			ds = append(ds, Detail{Code: DetailInsufficientPermissions, Target: c.Path,
				Message: fmt.Sprintf("the actor may not update %s", c.Path)})
		}
	}
	return ds
}

// wholeComplexEmpty reports whether path is a COMPLEX attribute that goes
// between absent and {} (O5: a grant of any sub-attribute covers it).
func (e *Environment) wholeComplexEmpty(path string, stored, doc jsonx.Value) bool {
	a := e.cat.Lookup(path)
	if a == nil || !a.IsComplexSingle() {
		return false
	}
	sv, sok := stored.Get(path)
	dv, dok := doc.Get(path)
	empty := func(v jsonx.Value) bool { return v.Kind == jsonx.Object && len(v.Members) == 0 }
	return !sok && empty(dv) || !dok && empty(sv)
}

// invalid maps the faults of patch and the violations of schema to details
// (V3, V5), one per (code, target), sorted by target then code.
func (e *Environment) invalid(out patch.Outcome) []Detail {
	var ds []Detail
	for _, f := range out.Faults {
		d := Detail{Target: f.Path, Message: f.Message}
		switch f.Kind {
		case patch.Constraint:
			d.Code = DetailConstraintViolation
		case patch.UnknownIdentityProvider, patch.UnknownAttribute:
			d.Code = DetailInvalidValue
		case patch.Required:
			d.Code = DetailRequiredValue
		case patch.TooLarge:
			d.Code = DetailSizeLimitExceeded
			d.InnerError = &InnerError{MaximumValue: intp(f.Limit)}
		}
		ds = append(ds, d)
	}
	for _, s := range out.Sets {
		for _, v := range e.cat.Validate(s.Attr, s.Value, s.Stored) {
			ds = append(ds, violationDetail(v))
		}
	}
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Target != ds[j].Target {
			return ds[i].Target < ds[j].Target
		}
		return ds[i].Code < ds[j].Code
	})
	var kept []Detail
	for _, d := range ds {
		if n := len(kept); n > 0 && kept[n-1].Target == d.Target && kept[n-1].Code == d.Code {
			continue
		}
		kept = append(kept, d)
	}
	return kept
}

func violationDetail(v schema.Violation) Detail {
	d := Detail{Target: v.Path, Message: v.Message, Code: DetailInvalidValue}
	switch v.Problem {
	case schema.Empty:
		d.Code = DetailEmptyValue
	case schema.TooMany:
		d.Code = DetailSizeLimitExceeded
		d.InnerError = &InnerError{MaximumValue: intp(v.Maximum)}
		return d
	}
	in := &InnerError{AllowedPattern: v.AllowedPattern, AllowedValues: v.AllowedValues}
	if v.MinLength > 0 {
		in.RangeMinimumValue = intp(v.MinLength)
	}
	if v.MaxLength > 0 {
		in.RangeMaximumValue = intp(v.MaxLength)
	}
	if in.AllowedPattern != "" || in.AllowedValues != nil || in.RangeMinimumValue != nil || in.RangeMaximumValue != nil {
		d.InnerError = in
	}
	return d
}
