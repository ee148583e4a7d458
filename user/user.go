package user

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/amendlib/amend/internal/apply"
	"github.com/amendlib/amend/internal/catalog"
	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/policy"
)

// Environment is a built, immutable environment. It is safe for concurrent
// use by multiple goroutines. Build it with NewEnvironment: the methods of a
// nil or zero Environment return a 500 UNEXPECTED_ERROR saying so.
type Environment struct {
	cat         *catalog.Catalogue
	id          string
	populations []Population
	popSet      map[string]bool // the ids of populations; nil when none is listed
	idps        map[string]string
	pingID      bool
	reject      bool
	settings    policy.Settings
	limits      Limits
	clock       func() time.Time
	newID       func() string
}

// NewEnvironment checks cfg and builds its environment. It refuses, with an
// error naming the attribute, every schema that L4 forbids or that is
// inconsistent, unknown option values, negative limits and a MaxDepth over
// MaxDepthCeiling. When several entries are wrong, the error names the same
// one on every build. cfg is not retained.
func NewEnvironment(cfg Config) (*Environment, error) {
	l, err := cfg.Limits.withDefaults()
	if err != nil {
		return nil, err
	}
	cat, err := catalog.New(cfg.Attributes, catalog.Limits{MaxValues: l.MaxValues,
		MaxCustomAttributes: l.MaxCustomAttributes, MaxEnumeratedValues: l.MaxEnumeratedValues, MaxCustomBytes: l.MaxCustomBytes})
	if err != nil {
		return nil, err
	}
	e := &Environment{cat: cat, id: cfg.ID, pingID: cfg.PingIDConnected, limits: l, clock: cfg.Clock, newID: cfg.NewID,
		idps: map[string]string{}, settings: policy.Settings{Roles: map[string]policy.Role{}}}
	if e.id == "" {
		e.id = DefaultEnvironmentID
	}
	switch cfg.Options.UnknownAttributes {
	case "", "ignore":
	case "reject":
		e.reject = true
	default:
		return nil, fmt.Errorf("user: options.unknownAttributes is %q, want \"ignore\" or \"reject\"", cfg.Options.UnknownAttributes)
	}
	// Map entries are checked in key order, so that the error names the
	// same entry on every build.
	for _, id := range slices.Sorted(maps.Keys(cfg.IdentityProviders)) {
		typ := cfg.IdentityProviders[id]
		if id == "" || typ == "" {
			return nil, fmt.Errorf("user: identity provider %q: ids and types must not be empty", id)
		}
		e.idps[id] = typ
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Roles)) {
		switch {
		case name == "":
			return nil, errors.New("user: a role has an empty name")
		case name == policy.IdentityDataAdmin:
			return nil, fmt.Errorf("user: role %q is built in and cannot be redefined", name)
		}
		e.settings.Roles[name] = policy.Role{SchemaAttributes: slices.Clone(cfg.Roles[name].SchemaAttributes)}
	}
	defaults, seen := 0, map[string]bool{}
	for _, p := range cfg.Populations {
		switch {
		case p.ID == "":
			return nil, errors.New("user: a population has an empty id")
		case seen[p.ID]:
			return nil, fmt.Errorf("user: population %q is listed twice", p.ID)
		}
		seen[p.ID] = true
		if p.Default {
			defaults++
		}
	}
	if defaults > 1 {
		return nil, errors.New("user: more than one population is the default")
	}
	e.populations = slices.Clone(cfg.Populations)
	if len(e.populations) > 0 {
		// Built once: apply only reads it.
		e.popSet = make(map[string]bool, len(e.populations))
		for _, p := range e.populations {
			e.popSet[p.ID] = true
		}
	}
	if cfg.CanUsersUpdateSelf != nil {
		e.settings.CanUsersUpdateSelf = new(bool)
		*e.settings.CanUsersUpdateSelf = *cfg.CanUsersUpdateSelf
	}
	if e.clock == nil {
		e.clock = time.Now
	}
	if e.newID == nil {
		e.newID = randomUUID
	}
	return e, nil
}

// notBuilt is the error of every method of an Environment that NewEnvironment
// did not build.
func notBuilt() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: CodeUnexpectedError,
		Message: "the user.Environment was not built with NewEnvironment"}
}

// Limits returns the environment's limits with defaults applied.
func (e *Environment) Limits() Limits {
	if e == nil {
		return Limits{}
	}
	return e.limits
}

// JSONSchema returns the JSON Schema (draft 2020-12) of the environment's
// user document: the published form of the rules the environment applies to
// values. The caller must not modify the returned bytes. A nil or zero
// Environment has none.
func (e *Environment) JSONSchema() []byte {
	if e == nil || e.cat == nil {
		return nil
	}
	return e.cat.JSONSchema()
}

// Op is the kind of a Change.
type Op string

// The change operations (O5).
const (
	Add     Op = "add"
	Replace Op = "replace"
	Remove  Op = "remove"
)

// Change is one changed leaf of the document (O5): a top-level attribute, or
// a sub-attribute of a COMPLEX one, in dotted form.
type Change struct {
	Op   Op     `json:"op"`
	Path string `json:"path"`
}

// Reason says why a body member was ignored (O6).
type Reason string

// The reasons.
const (
	Unknown  Reason = "unknown"   // not an attribute of the environment (D5)
	Disabled Reason = "disabled"  // a disabled attribute (D6)
	ReadOnly Reason = "read-only" // server-managed (D3), or a dedicated attribute resent unchanged (D4)
)

// Ignored is one body member that was ignored (O6).
type Ignored struct {
	Path   string `json:"path"`
	Reason Reason `json:"reason"`
	// Hint names the attribute an unknown member probably meant, when one
	// differs from it only by case.
	Hint string `json:"hint,omitempty"`
}

// Result is a successful update.
type Result struct {
	// Document is the new stored document, ready to store and to return
	// (O2). When Changes is empty it is a copy of the stored bytes, byte for
	// byte (O3), and the caller may skip the write. Otherwise it is compact
	// JSON: the values the request did not change are copied as they were
	// stored (the escapes in their strings kept, white space left out).
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
	return e.update(apply.Patch, stored, actor, body)
}

// Put applies a PUT body, which replaces the writable attributes of the
// stored user document, on behalf of actor (rules U1-U5). stored and body are
// not modified or retained. On failure the error is an *Error.
func (e *Environment) Put(stored []byte, actor policy.Actor, body []byte) (*Result, error) {
	return e.update(apply.Put, stored, actor, body)
}

func (e *Environment) update(method apply.Method, storedBytes []byte, actor policy.Actor, bodyBytes []byte) (*Result, error) {
	if e == nil || e.cat == nil {
		return nil, notBuilt()
	}
	stored, err := e.readStored(storedBytes) // E3.0
	if err != nil {
		return nil, err
	}
	body, err := e.readBody(bodyBytes) // E3.1
	if err != nil {
		return nil, err
	}
	grant, err := e.authorize(actor, e.target(stored)) // E3.2: whole-request refusals
	if err != nil {
		return nil, err
	}
	out := apply.Apply(apply.Request{
		Method: method, Stored: stored, Body: body, Catalogue: e.cat,
		IdentityProviders: e.idps, RejectUnknown: e.reject, PingIDConnected: e.pingID,
		MaxCustomBytes: e.limits.MaxCustomBytes, InputBytes: len(storedBytes) + len(bodyBytes), Now: e.now(),
	})
	return e.judge(grant, stored, storedBytes, out, len(bodyBytes))
}

// judge turns what a request would do into its answer: the 403 of the
// changes outside the grant (E3.2, A5), then the 400 of every rule broken
// (E3.3), then the result.
func (e *Environment) judge(grant policy.Grant, stored jsonx.Value, storedBytes []byte, out apply.Outcome, extra int) (*Result, error) {
	if denied := e.denied(grant, stored, out); len(denied) > 0 {
		return nil, &Error{Status: http.StatusForbidden, Code: CodeAccessFailed,
			Message: "the actor may not update some of the attributes this request changes", Details: denied}
	}
	if details := e.invalid(out); len(details) > 0 {
		return nil, invalidData(details)
	}
	return e.result(storedBytes, out, extra), nil
}

// invalidData is the 400 INVALID_DATA of E3.3.
func invalidData(details []Detail) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeInvalidData,
		Message: "the request could not be completed: some values are not valid", Details: details}
}

// result builds the Result of an outcome without faults.
func (e *Environment) result(storedBytes []byte, out apply.Outcome, extra int) *Result {
	res := &Result{Changes: make([]Change, len(out.Changes)), Ignored: make([]Ignored, len(out.Ignored)), Unique: out.Unique}
	for i, c := range out.Changes {
		res.Changes[i] = Change{Op: Op(c.Op), Path: c.Path}
	}
	for i, ig := range out.Ignored {
		res.Ignored[i] = Ignored{Path: ig.Path, Reason: Reason(ig.Reason), Hint: ig.Hint}
	}
	if len(out.Changes) == 0 {
		res.Document = bytes.Clone(storedBytes)
		if res.Document == nil {
			res.Document = []byte{}
		}
	} else {
		res.Document = jsonx.Append(make([]byte, 0, len(storedBytes)+extra+32), out.Document)
	}
	if res.Unique == nil {
		res.Unique = []string{}
	}
	return res
}

func (e *Environment) now() string { return formatTime(e.clock()) }

// formatTime writes t in O3's form: UTC, milliseconds, RFC 3339.
func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z")
}

// readStored applies E3.0 to a stored document.
func (e *Environment) readStored(b []byte) (jsonx.Value, *Error) {
	// The stored bytes are not copied: no string of the stored document is
	// kept in a result or an error (TestResultsDoNotAliasInputs).
	stored, err := jsonx.ParseShared(b, MaxDepthCeiling)
	if err != nil || stored.Kind != jsonx.Object {
		msg := "the stored user document is not a JSON object"
		var perr *jsonx.Error
		if errors.As(err, &perr) {
			msg += ": " + perr.Describe()
		}
		return jsonx.Value{}, &Error{Status: http.StatusInternalServerError, Code: CodeUnexpectedError, Message: msg}
	}
	return stored, nil
}

// readBody applies E3.1 and L1 to a body.
func (e *Environment) readBody(b []byte) (jsonx.Value, *Error) {
	if len(b) > e.limits.MaxBodyBytes {
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: fmt.Sprintf("the request body is larger than %d bytes", e.limits.MaxBodyBytes),
			Details: []Detail{{Code: DetailSizeLimitExceeded, Message: "the request body is too large",
				InnerError: &InnerError{MaximumValue: intp(e.limits.MaxBodyBytes)}}}}
	}
	v, err := jsonx.ParseLazy(b, e.limits.MaxDepth)
	var perr *jsonx.Error
	if errors.As(err, &perr) && perr.Problem == jsonx.TooDeep {
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: fmt.Sprintf("the request body is nested deeper than %d levels", e.limits.MaxDepth),
			Details: []Detail{{Code: DetailSizeLimitExceeded, Message: "the request body is nested too deeply",
				InnerError: &InnerError{MaximumValue: intp(e.limits.MaxDepth)}}}}
	}
	if err != nil {
		msg := "the request body is not valid JSON"
		if perr != nil {
			msg = "the request body is not valid JSON: " + perr.Describe()
		}
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: "the request body is not valid JSON",
			Details: []Detail{{Code: DetailInvalidValue, Message: msg}}}
	}
	if v.Kind != jsonx.Object {
		return jsonx.Value{}, &Error{Status: http.StatusBadRequest, Code: CodeInvalidRequest,
			Message: "the request body is not a JSON object",
			Details: []Detail{{Code: DetailInvalidValue, Message: "the request body must be a JSON object"}}}
	}
	return v, nil
}

// authorize makes the whole-request decision of A2 and A3 about the
// target t (e.target of the stored user).
func (e *Environment) authorize(actor policy.Actor, t policy.Target) (policy.Grant, *Error) {
	grant, denial := policy.Decide(actor, t, e.settings)
	if denial != nil {
		return grant, refusal(denial.Reason, "")
	}
	return grant, nil
}

// refusal is a 403 of one detail: without a target for a whole-request
// refusal (A2, A3), with one for an operation's attribute (X1).
func refusal(reason, target string) *Error {
	msg := "the actor may not update this user"
	if target != "" {
		msg = fmt.Sprintf("the actor may not update %s", target)
	}
	return &Error{Status: http.StatusForbidden, Code: CodeAccessFailed, Message: msg,
		Details: []Detail{{Code: DetailInsufficientPermissions, Target: target, Message: reason}}}
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
	for name, v := range idp.All() {
		switch name {
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
func (e *Environment) denied(g policy.Grant, stored jsonx.Value, out apply.Outcome) []Detail {
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
	empty := func(v jsonx.Value) bool { return v.Kind == jsonx.Object && v.Len() == 0 }
	return !sok && empty(dv) || !dok && empty(sv)
}

// invalid maps the faults of apply and the violations of catalog to
// details (V3, V5), one per (code, target), sorted by target then code.
func (e *Environment) invalid(out apply.Outcome) []Detail {
	ds := make([]Detail, 0, len(out.Faults))
	for _, f := range out.Faults {
		ds = append(ds, faultDetail(f))
	}
	for _, s := range out.Sets {
		for _, v := range e.cat.Validate(s.Attr, s.Value, s.Stored) {
			ds = append(ds, violationDetail(v))
		}
	}
	return sortDetails(ds)
}

// sortDetails sorts details by target then code and keeps one per (code,
// target).
func sortDetails(ds []Detail) []Detail {
	slices.SortFunc(ds, func(x, y Detail) int {
		if c := strings.Compare(x.Target, y.Target); c != 0 {
			return c
		}
		if c := strings.Compare(x.Code, y.Code); c != 0 {
			return c
		}
		return strings.Compare(x.Message, y.Message) // a total order: the same details come out the same
	})
	return slices.CompactFunc(ds, func(x, y Detail) bool { return x.Target == y.Target && x.Code == y.Code })
}

// faultDetail maps one fault of apply to a detail (V3).
func faultDetail(f apply.Fault) Detail {
	d := Detail{Target: f.Path, Message: f.Message, EmptyTarget: f.Path == ""}
	switch f.Kind {
	case apply.Constraint:
		d.Code = DetailConstraintViolation
	case apply.UnknownIdentityProvider, apply.UnknownAttribute:
		d.Code = DetailInvalidValue
	case apply.Invalid:
		d.Code = DetailInvalidValue
		if f.AllowedValues != nil {
			d.InnerError = &InnerError{AllowedValues: slices.Clone(f.AllowedValues)}
		}
	case apply.InvalidFilter:
		d.Code = DetailInvalidFilter
	case apply.Required:
		d.Code = DetailRequiredValue
	case apply.TooLarge:
		d.Code = DetailSizeLimitExceeded
		d.InnerError = &InnerError{MaximumValue: intp(f.Limit)}
	}
	return d
}

func violationDetail(v catalog.Violation) Detail {
	d := Detail{Target: v.Path, Message: v.Message, Code: DetailInvalidValue}
	switch v.Problem {
	case catalog.Empty:
		d.Code = DetailEmptyValue
	case catalog.TooMany:
		d.Code = DetailSizeLimitExceeded
		d.InnerError = &InnerError{MaximumValue: intp(v.Maximum)}
		return d
	}
	in := &InnerError{AllowedPattern: v.AllowedPattern, AllowedValues: slices.Clone(v.AllowedValues)}
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
