// Package apply holds the merge mechanics of amend: how a PATCH or PUT body
// combines with a stored user (rules P, U, I, D3-D7, W1, L3 and O3-O7).
//
// Apply reports facts in its own terms: the changed leaves, the ignored
// members, the values to validate and the rules broken (Faults). It does not
// authorize or validate values; package user does that and turns the facts
// into errors.
package apply

import (
	"fmt"
	"slices"
	"strings"

	"github.com/amendlib/amend/internal/catalog"
	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
)

// Method is PUT or PATCH.
type Method uint8

// The methods.
const (
	Patch Method = iota + 1
	Put
)

// Op is the kind of a Change.
type Op string

// The change operations (O5).
const (
	Add     Op = "add"
	Replace Op = "replace"
	Remove  Op = "remove"
)

// Change is one changed leaf (O5).
type Change struct {
	Op   Op
	Path string
}

// Reason says why a body member was ignored (O6).
type Reason string

// The reasons.
const (
	Unknown  Reason = "unknown"
	Disabled Reason = "disabled"
	ReadOnly Reason = "read-only"
)

// Ignored is one body member that was ignored (O6).
type Ignored struct {
	Path   string
	Reason Reason
	Hint   string
}

// FaultKind is the kind of a Fault.
type FaultKind uint8

// The faults Apply reports.
const (
	// Constraint: a dedicated-operation attribute would change (D4), a
	// password was sent, or username would change with PingID connected (W1).
	Constraint FaultKind = iota + 1
	// UnknownIdentityProvider: identityProvider.id is not known (I2).
	UnknownIdentityProvider
	// UnknownAttribute: an unknown attribute with unknown attributes rejected
	// (D5 strict).
	UnknownAttribute
	// Required: a required attribute removed or missing (P3, U2).
	Required
	// TooLarge: the custom attribute values exceed their budget (L3).
	TooLarge
	// Invalid: a value of the wrong type, or not one of the allowed values
	// (X9, C5); AllowedValues lists them where they apply.
	Invalid
	// InvalidFilter: a SCIM filter that does not parse or does not fit its
	// attribute (S5).
	InvalidFilter
)

// Fault is one rule a request breaks, found while applying it.
type Fault struct {
	Path    string
	Kind    FaultKind
	Message string
	Limit   int // TooLarge: the budget in bytes
	// AllowedValues are the values an Invalid value may take, when the rule
	// lists them.
	AllowedValues []string
}

// Set is a top-level attribute the request adds or replaces, for
// validation: Value holds its new value (for a single-valued COMPLEX
// attribute holding an object, only the sub-attributes that changed), Stored
// its stored value (Null when absent).
type Set struct {
	Attr   *catalog.Attr
	Value  jsonx.Value
	Stored jsonx.Value
}

// Request is everything Apply needs. Stored and Body are JSON objects.
type Request struct {
	Method    Method
	Stored    jsonx.Value
	Body      jsonx.Value
	Catalogue *catalog.Catalogue
	// IdentityProviders maps identity provider ids to their types (I1).
	IdentityProviders map[string]string
	// RejectUnknown makes unknown attributes faults instead of ignored (D5).
	RejectUnknown bool
	// PingIDConnected forbids changing username (W1).
	PingIDConnected bool
	// MaxCustomBytes is the L3 budget; 0 means no limit.
	MaxCustomBytes int
	// InputBytes is the length of the stored and body texts together, or 0
	// when unknown. The compact form of the custom values never exceeds it,
	// so when it is within MaxCustomBytes the L3 sum is not computed.
	InputBytes int
	// Now is the updatedAt value set when something changes (O3).
	Now string
}

// Outcome is what Apply found. When Faults is empty and Changes is not, the
// Document is the new stored document with updatedAt set; when Changes is
// empty it equals the stored document.
type Outcome struct {
	Document jsonx.Value
	Changes  []Change
	Ignored  []Ignored
	Unique   []string
	Sets     []Set
	Faults   []Fault
}

type applier struct {
	r       Request
	body    []jsonx.Member        // the body's members
	inBody  func(name string) int // index of a body member, -1 when absent
	cat     *catalog.Catalogue
	doc     document
	touched []string // names given to set or del, with repeats
	out     Outcome
	// unknowns counts the unknown members refused under the strict option;
	// lastUnknown is the index of the last one listed in out.Faults.
	unknowns, lastUnknown int
	// removed holds the attributes a SCIM remove names whole (P3).
	removed map[string]bool
}

// Apply applies a PATCH or PUT body to a stored user under the rules of the
// rulebook (P, U, I, D3-D7, W1, L3, O3-O7). It never modifies its inputs.
// Authorization and value validation are the caller's: Apply reports what
// would change (Changes, Sets) and the faults of its own rules. The cost is
// linear in the sizes of the stored document and the body (L5).
func Apply(r Request) Outcome {
	body := r.Body.Members()
	inBody, known := knownIndex(body, r.Catalogue)
	a := &applier{r: r, body: body, inBody: inBody, cat: r.Catalogue, doc: newDocument(r.Stored.Members(), known)}
	if unknown := len(body) - known; unknown > 8 {
		// One entry each (O6), in a list of its size from the start
		// (BenchmarkHostile/unknown-members).
		a.out.Ignored = make([]Ignored, 0, unknown)
	}
	for _, m := range body {
		if r.Method == Put && m.Value.IsNull() && a.writable(m.Name) {
			continue // U1: X: null in a PUT is exactly omission
		}
		a.member(m.Name, m.Value)
	}
	if r.Method == Put {
		a.putOmitted()
	}
	a.required()
	a.diff()
	a.checks()
	a.finish()
	return a.out
}

// knownIndex returns the lookup of the body members that name attributes of
// the catalogue, the only names inBody is asked for, and how many there
// are. A body of many unknown members costs no index entry for them
// (BenchmarkHostile/unknown-members: an index of every member took a fifth
// of the memory of the request).
func knownIndex(body []jsonx.Member, cat *catalog.Catalogue) (func(string) int, int) {
	known := 0
	var index map[string]int
	for i, m := range body {
		if cat.Lookup(m.Name) == nil {
			continue
		}
		known++
		if len(body) > 8 {
			if index == nil {
				index = map[string]int{}
			}
			index[m.Name] = i
		}
	}
	if len(body) <= 8 {
		return func(name string) int { return jsonx.Index(body, name) }, known
	}
	return func(name string) int {
		if i, ok := index[name]; ok {
			return i
		}
		return -1
	}, known
}

// writable reports whether name is a writable attribute that a PUT removes
// when omitted (U1): not unknown, disabled, server-managed or dedicated.
func (a *applier) writable(name string) bool {
	attr := a.cat.Lookup(name)
	if attr == nil || attr.Disabled {
		return false
	}
	if attr.IsComplexSingle() && len(attr.Subs) > 0 {
		return attr.HasWritableSub()
	}
	return attr.Class == catalog.Writable
}

// putBodyHas reports whether a PUT body gives name a value: null is omission
// for a writable attribute (U1).
func (a *applier) putBodyHas(name string) bool {
	i := a.inBody(name)
	return i >= 0 && !(a.body[i].Value.IsNull() && a.writable(name))
}

func (a *applier) get(name string) (jsonx.Value, bool) { return a.doc.get(name) }

func (a *applier) stored(name string) (jsonx.Value, bool) { return a.doc.stored(name) }

func (a *applier) set(name string, v jsonx.Value) {
	a.touched = append(a.touched, name)
	a.doc.set(name, v)
}

func (a *applier) del(name string) {
	a.touched = append(a.touched, name)
	a.doc.del(name)
}

func (a *applier) ignore(path string, reason Reason, hint string) {
	if len(a.out.Ignored) == cap(a.out.Ignored) {
		// Doubling: append grows a large slice by a quarter, which for a
		// body of many unknown members allocated the list five times over
		// (BenchmarkHostile/unknown-members).
		a.out.Ignored = append(make([]Ignored, 0, 2*cap(a.out.Ignored)+4), a.out.Ignored...)
	}
	a.out.Ignored = append(a.out.Ignored, Ignored{Path: path, Reason: reason, Hint: hint})
}

func (a *applier) fault(path string, kind FaultKind, msg string) {
	a.out.Faults = append(a.out.Faults, Fault{Path: path, Kind: kind, Message: msg})
}

// unknown handles a body member that names no attribute (D5).
func (a *applier) unknown(path, hint string) {
	if !a.r.RejectUnknown {
		a.ignore(path, Unknown, hint)
		return
	}
	if a.unknowns++; a.unknowns > MaxUnknownFaults {
		// L5: the error does not grow without bound; the last fault listed
		// counts the others (checks writes its message, once).
		return
	}
	msg := path + " is not an attribute of this environment's users"
	if hint != "" {
		msg += " (did you mean " + hint + "?)"
	}
	a.fault(path, UnknownAttribute, msg)
	a.lastUnknown = len(a.out.Faults) - 1
}

// MaxUnknownFaults is the most unknown attributes a request rejected under
// D5's strict option lists, one detail each; the last one counts the
// others.
const MaxUnknownFaults = 1000

// member applies one top-level body member.
func (a *applier) member(name string, v jsonx.Value) {
	attr := a.cat.Lookup(name)
	switch {
	case attr == nil:
		a.unknown(name, a.cat.Hint(name))
	case attr.Disabled:
		a.ignore(name, Disabled, "")
	case attr.Name == "identityProvider" && !attr.Custom:
		a.identityProvider(attr, v)
	case attr.IsComplexSingle() && len(attr.Subs) > 0 && !attr.Custom && !attr.HasWritableSub():
		a.fixedComplex(attr, v)
	case attr.IsComplexSingle() && len(attr.Subs) > 0:
		a.complex(attr, v)
	case attr.Class == catalog.ServerManaged:
		a.ignore(name, ReadOnly, "")
	case attr.Class == catalog.Dedicated:
		sv, ok := a.stored(name)
		a.dedicated(attr, sv, ok, v)
	case v.IsNull():
		a.del(name)
	case a.r.Method == Patch && attr.Type == schema.JSON && !attr.Multi:
		sv, _ := a.doc.original(name)
		a.set(name, jsonx.MergePatch(sv, v))
	default:
		a.set(name, v)
	}
}

// dedicated checks a body value for a dedicated-operation attribute (D4):
// equal to the stored value (or its default) it is ignored, otherwise it is
// a fault. Stored null counts as nothing stored.
func (a *applier) dedicated(attr *catalog.Attr, sv jsonx.Value, has bool, v jsonx.Value) {
	if has && sv.IsNull() {
		has = false
	}
	if attr.Path == "password" {
		a.fault(attr.Path, Constraint, operationMessage(attr.Path, attr.Advice))
		return
	}
	cur, curOK := sv, has
	if !has && attr.HasDefault {
		cur, curOK = attr.Default, true
	}
	equal := v.IsNull() && !has || !v.IsNull() && curOK && jsonx.Equal(cur, v)
	if equal {
		a.ignore(attr.Path, ReadOnly, "")
		return
	}
	a.fault(attr.Path, Constraint, operationMessage(attr.Path, attr.Advice))
}

func operationMessage(path, advice string) string {
	return fmt.Sprintf("%s cannot be changed by PUT or PATCH; %s", path, advice)
}

// fixedComplex handles population, account and lifecycle: every
// sub-attribute is server-managed or dedicated. An object is compared sub
// by sub (D3, D4); another value equal to the stored one, whatever its
// shape, is ignored.
func (a *applier) fixedComplex(attr *catalog.Attr, v jsonx.Value) {
	sv, has := a.stored(attr.Name)
	switch {
	case v.Kind == jsonx.Object:
		for _, m := range v.Members() {
			s := attr.Sub(m.Name)
			switch {
			case s == nil:
				a.unknown(attr.Name+"."+m.Name, attr.SubHint(m.Name))
			case s.Class == catalog.Dedicated:
				ssv, ok := sv.Get(s.Name)
				a.dedicated(s, ssv, ok, m.Value)
			default:
				a.ignore(s.Path, ReadOnly, "")
			}
		}
	case has && jsonx.Equal(sv, v) || v.IsNull() && (!has || sv.IsNull()):
		a.ignore(attr.Name, ReadOnly, "") // resent unchanged, whatever the shape (D4)
	case v.IsNull() && sv.Kind == jsonx.Object:
		// D4: null where sub-attributes are stored is a violation for
		// each dedicated one stored.
		before := len(a.out.Faults)
		for _, s := range attr.Subs {
			if ssv, ok := sv.Get(s.Name); ok && !ssv.IsNull() && s.Class == catalog.Dedicated {
				a.dedicated(s, ssv, ok, jsonx.NullValue)
			}
		}
		if len(a.out.Faults) == before {
			a.ignore(attr.Name, ReadOnly, "")
		}
	default:
		// A wrong shape, or a change of a stored value of the wrong shape.
		a.fault(attr.Name, Constraint, operationMessage(attr.Name, attr.Subs[0].Advice))
	}
}

// complex applies a writable single-valued COMPLEX attribute: merged one
// level deep by PATCH (P4), replaced whole by PUT (U1). Unknown sub-attributes
// already stored are kept by both.
func (a *applier) complex(attr *catalog.Attr, v jsonx.Value) {
	if v.IsNull() {
		a.del(attr.Name)
		return
	}
	if v.Kind != jsonx.Object {
		a.set(attr.Name, v) // wrong shape: validation reports it (V5)
		return
	}
	sv, has := a.stored(attr.Name)
	v = jsonx.Expand(v)
	body := v.Members()
	var base []jsonx.Member
	if sv.Kind == jsonx.Object {
		base = make([]jsonx.Member, 0, sv.Len()+len(body))
		for _, m := range sv.Members() {
			if a.r.Method == Patch || attr.Sub(m.Name) == nil {
				base = append(base, m)
			}
		}
	}
	// Find the body's few sub-attributes among the stored members by
	// scanning; index them only for a large body (L5).
	find := func(name string) int { return jsonx.Index(base, name) }
	if len(body) > 8 {
		find = jsonx.Indexer(base) // of the stored members; new ones are appended after them
	}
	var dead []bool // stored members the body removes
	for _, m := range body {
		s := attr.Sub(m.Name)
		switch {
		case s == nil:
			a.unknown(attr.Name+"."+m.Name, attr.SubHint(m.Name))
			continue
		case s.Class != catalog.Writable:
			a.ignore(s.Path, ReadOnly, "")
			continue
		}
		i := find(m.Name) // member names of the body are unique (E3.1)
		switch {
		case m.Value.IsNull():
			if i >= 0 {
				if dead == nil {
					dead = make([]bool, len(base))
				}
				dead[i] = true
			}
		case s.Type == schema.JSON && a.r.Method == Patch && i >= 0:
			base[i].Value = jsonx.MergePatch(base[i].Value, m.Value) // P6
		case s.Type == schema.JSON && a.r.Method == Patch:
			base = append(base, jsonx.Member{Name: m.Name, Value: jsonx.MergePatch(jsonx.NullValue, m.Value)})
		case i >= 0:
			base[i].Value = m.Value
		default:
			base = append(base, jsonx.Member{Name: m.Name, Value: m.Value})
		}
	}
	if dead != nil {
		kept := base[:0]
		for i, m := range base {
			if i >= len(dead) || !dead[i] {
				kept = append(kept, m)
			}
		}
		base = kept
	}
	switch {
	case len(base) > 0:
		a.set(attr.Name, jsonx.Obj(base))
	case has:
		a.del(attr.Name)
	default:
		// P4: {} for an absent COMPLEX attribute changes nothing.
	}
}

// identityProvider applies identityProvider (I1-I4). v is the body value; on
// PUT an omitted identityProvider arrives as Null.
func (a *applier) identityProvider(attr *catalog.Attr, v jsonx.Value) {
	switch v.Kind {
	case jsonx.Null:
		a.resetIdentityProvider()
		return
	case jsonx.Object:
	default:
		a.set(attr.Name, v) // wrong shape: validation reports it
		return
	}
	id, hasID := jsonx.Value{}, false
	for _, m := range v.Members() {
		switch s := attr.Sub(m.Name); {
		case s == nil:
			a.unknown(attr.Name+"."+m.Name, attr.SubHint(m.Name))
		case s.Class != catalog.Writable:
			a.ignore(s.Path, ReadOnly, "")
		default:
			id, hasID = m.Value, true
		}
	}
	switch {
	case !hasID && a.r.Method == Patch:
	case !hasID || id.IsNull():
		a.resetIdentityProvider()
	default:
		a.setIdentityProvider(id)
	}
}

// resetIdentityProvider makes PingOne the identity provider (I3, I4).
func (a *applier) resetIdentityProvider() {
	sv, has := a.stored("identityProvider")
	if nv, ok := ResetValue(sv, has); ok {
		a.set("identityProvider", nv)
	}
}

// ResetValue returns what a reset to PingOne makes of the stored
// identityProvider sv, present when has (I3), and whether it changes: a user
// without an id (identityProvider absent, null, or an object without an id)
// is a PingOne user already and is left alone (I4); an object with an id
// loses it and gets the type PING_ONE, its other members kept; a value of
// another shape (a string, an array) is replaced by {"type": "PING_ONE"}
// (O5: one leaf).
func ResetValue(sv jsonx.Value, has bool) (jsonx.Value, bool) {
	switch {
	case !has || sv.IsNull():
		return jsonx.Value{}, false
	case sv.Kind != jsonx.Object:
		return jsonx.Obj([]jsonx.Member{{Name: "type", Value: jsonx.Str("PING_ONE")}}), true
	}
	if id, ok := sv.Get("id"); !ok || id.IsNull() {
		return jsonx.Value{}, false
	}
	return ResetIdentityProvider(sv), true
}

// ResetIdentityProvider returns the stored identityProvider object sv with
// its id removed and its type PING_ONE (I3); other members are kept.
func ResetIdentityProvider(sv jsonx.Value) jsonx.Value {
	var ms []jsonx.Member
	for _, m := range sv.Members() {
		if m.Name != "id" && m.Name != "type" {
			ms = append(ms, m)
		}
	}
	ms = append(ms, jsonx.Member{Name: "type", Value: jsonx.Str("PING_ONE")})
	return jsonx.Obj(ms)
}

// setIdentityProvider sets an id and derives the type from it (I1, I2).
func (a *applier) setIdentityProvider(id jsonx.Value) {
	sv, _ := a.stored("identityProvider")
	nv, changed, unknown := SetValue(sv, id, a.r.IdentityProviders)
	if unknown {
		a.fault("identityProvider.id", UnknownIdentityProvider, fmt.Sprintf("identityProvider.id %q names no identity provider of this environment", id.Str))
	}
	if changed {
		a.set("identityProvider", nv)
	}
}

// SetValue returns what setting the id id makes of the stored
// identityProvider sv (I1, I2, X9): the id, and the type the environment
// maps it to. It changes nothing when the id and the derived type are
// already stored, or when the stored id is resent but the environment no
// longer knows it (V1: an untouched stored value stays). unknown is true
// for a string id the environment does not know.
func SetValue(sv, id jsonx.Value, idps map[string]string) (nv jsonx.Value, changed, unknown bool) {
	if sv.Kind != jsonx.Object {
		sv = jsonx.Value{}
	}
	cur, ok := sv.Get("id")
	same := ok && jsonx.Equal(cur, id)
	nv, known := SetIdentityProvider(sv, id, idps)
	if same && (!known || jsonx.Equal(nv, sv)) {
		return sv, false, false
	}
	return nv, true, !known && id.Kind == jsonx.String
}

// SetIdentityProvider returns the stored identityProvider object sv with a
// new id and the type the environment maps it to (I1); known is false when
// the id is not a string the environment knows (I2), and the type is then
// left as stored.
func SetIdentityProvider(sv, id jsonx.Value, idps map[string]string) (jsonx.Value, bool) {
	typ, known := "", false
	if id.Kind == jsonx.String {
		typ, known = idps[id.Str]
	}
	var ms []jsonx.Member
	for _, m := range sv.Members() {
		if m.Name != "id" && !(known && m.Name == "type") {
			ms = append(ms, m)
		}
	}
	ms = append(ms, jsonx.Member{Name: "id", Value: id})
	if known {
		ms = append(ms, jsonx.Member{Name: "type", Value: jsonx.Str(typ)})
	}
	return jsonx.Obj(ms), known
}

// putOmitted removes the writable attributes a PUT body omits (U1) and
// resets the identity provider when the body names none (I3).
func (a *applier) putOmitted() {
	for _, attr := range a.cat.Attrs() {
		if attr.Disabled || a.putBodyHas(attr.Name) {
			continue
		}
		switch {
		case attr.Name == "identityProvider" && !attr.Custom:
			a.resetIdentityProvider()
		case attr.IsComplexSingle() && len(attr.Subs) > 0:
			if attr.HasWritableSub() {
				a.complex(attr, jsonx.Obj(nil))
			}
		case attr.Class == catalog.Writable:
			if _, ok := a.get(attr.Name); ok {
				a.del(attr.Name)
			}
		}
	}
}

// required reports required attributes that the request removes, nulls or
// that a PUT lacks (P3, U2).
func (a *applier) required() {
	for _, attr := range a.cat.Attrs() {
		if !attr.Required || attr.Disabled {
			continue
		}
		v, present := a.get(attr.Name)
		if a.r.Method == Put {
			// U2: a COMPLEX attribute kept only by stored unknown
			// sub-attributes holds none of its own and is missing.
			if present && !(attr.IsComplexSingle() && v.Kind == jsonx.Object && !holdsKnownSub(attr, v)) {
				continue
			}
			a.fault(attr.Name, Required, attr.Name+" is required")
			continue
		}
		_, wasStored := a.stored(attr.Name)
		if a.r.Method == SCIM {
			// P3 as for a JSON PATCH: a remove of the whole attribute is a
			// null, and an attribute the operations emptied is removed.
			if !present && (a.removed[attr.Name] || wasStored && slices.Contains(a.touched, attr.Name)) {
				a.fault(attr.Name, Required, attr.Name+" is required and cannot be removed")
			}
			continue
		}
		i := a.inBody(attr.Name)
		if i < 0 {
			continue // P3: required attributes are checked only when a request removes or nulls them
		}
		switch {
		case a.body[i].Value.IsNull():
			a.fault(attr.Name, Required, attr.Name+" is required and cannot be removed")
		case wasStored && !present:
			a.fault(attr.Name, Required, attr.Name+" is required and cannot be removed")
		}
	}
}

// holdsKnownSub reports whether the object v holds a sub-attribute of attr.
func holdsKnownSub(attr *catalog.Attr, v jsonx.Value) bool {
	for name := range v.All() {
		if attr.Sub(name) != nil {
			return true
		}
	}
	return false
}

// diff lists the changed leaves of the touched attributes (O5) and the
// values to validate.
func (a *applier) diff() {
	names := a.touched
	slices.Sort(names)
	names = slices.Compact(names)
	for _, name := range names {
		attr := a.cat.Lookup(name)
		sv, sok := a.doc.original(name) // compared in place, unless Diff lists sub-attributes
		if attr != nil && attr.IsComplexSingle() {
			sv, sok = a.stored(name)
		}
		dv, dok := a.get(name)
		before := len(a.out.Changes)
		a.out.Changes = Diff(a.out.Changes, attr, name, sv, sok, dv, dok)
		if attr == nil || !dok || len(a.out.Changes) == before {
			continue
		}
		a.sets(attr, sv, dv, a.out.Changes[before:])
	}
	slices.SortStableFunc(a.out.Changes, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
}

// Diff appends to out the changed leaves of attribute name (O5), between
// its stored value sv (present when sok) and its new value dv (present when
// dok). attr may be nil for an attribute the catalogue does not know.
func Diff(out []Change, attr *catalog.Attr, name string, sv jsonx.Value, sok bool, dv jsonx.Value, dok bool) []Change {
	if !hasSubPaths(attr, sv, sok, dv, dok) {
		return leaf(out, name, "", sv, sok, dv, dok)
	}
	// Members usually keep their positions (a merge keeps the stored order
	// and appends new members), so they are paired by position, and looked
	// up through an index only where the orders differ (L5: no scan per
	// member; BenchmarkHostile/stored-name-many-members).
	olds, news := sv.Members(), dv.Members()
	var newIdx, oldIdx func(string) int
	for i, m := range olds {
		j := i
		if j >= len(news) || news[j].Name != m.Name {
			if newIdx == nil {
				newIdx = jsonx.Indexer(news)
			}
			j = newIdx(m.Name)
		}
		var d jsonx.Value
		if j >= 0 {
			d = news[j].Value
		}
		out = leaf(out, name, m.Name, m.Value, true, d, j >= 0)
	}
	for i, m := range news {
		if newIdx == nil {
			// Every stored member was found at its own position, so the
			// members after them are the new ones.
			if i >= len(olds) {
				out = leaf(out, name, m.Name, jsonx.Value{}, false, m.Value, true)
			}
			continue
		}
		if oldIdx == nil {
			oldIdx = jsonx.Indexer(olds)
		}
		if oldIdx(m.Name) < 0 {
			out = leaf(out, name, m.Name, jsonx.Value{}, false, m.Value, true)
		}
	}
	return out
}

// hasSubPaths reports whether the change of attr is listed sub-attribute by
// sub-attribute: attr is a single-valued COMPLEX attribute, each side is an
// object or absent, and it does not go between absent and {} (O5).
func hasSubPaths(attr *catalog.Attr, sv jsonx.Value, sok bool, dv jsonx.Value, dok bool) bool {
	if attr == nil || !attr.IsComplexSingle() || len(attr.Subs) == 0 {
		return false
	}
	objectOrAbsent := func(v jsonx.Value, ok bool) bool { return !ok || v.Kind == jsonx.Object }
	if !objectOrAbsent(sv, sok) || !objectOrAbsent(dv, dok) {
		return false
	}
	emptyVsAbsent := !sok && dv.Len() == 0 || !dok && sv.Len() == 0
	return !emptyVsAbsent
}

// leaf appends the change of one leaf, if any; its path is top, or top.sub
// when sub is not empty (built only for a change).
func leaf(out []Change, top, sub string, sv jsonx.Value, sok bool, dv jsonx.Value, dok bool) []Change {
	var op Op
	switch {
	case !sok && dok:
		op = Add
	case sok && !dok:
		op = Remove
	case sok && dok && !jsonx.Equal(sv, dv):
		op = Replace
	default:
		return out
	}
	path := top
	if sub != "" {
		path = top + "." + sub
	}
	return append(out, Change{Op: op, Path: path})
}

// sets records the new value of an added or replaced attribute for
// validation; for a COMPLEX object only its changed writable sub-attributes.
func (a *applier) sets(attr *catalog.Attr, sv, dv jsonx.Value, changes []Change) {
	if !attr.IsComplexSingle() || len(attr.Subs) == 0 || dv.Kind != jsonx.Object || len(changes) == 1 && changes[0].Path == attr.Name {
		a.out.Sets = append(a.out.Sets, Set{Attr: attr, Value: dv, Stored: sv})
		return
	}
	// The changed writable sub-attributes, picked in one pass over the new
	// members: an index of all of them cost four bytes per input byte for a
	// stored object of many members (BenchmarkHostile/stored-name-many-members).
	want := map[string]bool{}
	for _, c := range changes {
		sub := strings.TrimPrefix(c.Path, attr.Name+".")
		if s := attr.Sub(sub); c.Op != Remove && s != nil && s.Class == catalog.Writable {
			want[sub] = true
		}
	}
	var ms []jsonx.Member
	for _, m := range dv.Members() {
		if want[m.Name] {
			ms = append(ms, m)
		}
	}
	if len(ms) > 0 {
		a.out.Sets = append(a.out.Sets, Set{Attr: attr, Value: jsonx.Obj(ms), Stored: sv})
	}
}

// checks applies the rules that look at the whole change: W1, O7, L3.
func (a *applier) checks() {
	if a.unknowns > MaxUnknownFaults {
		f := &a.out.Faults[a.lastUnknown]
		f.Message = fmt.Sprintf("%s is not an attribute of this environment's users; %d more unknown attributes are not listed", f.Path, a.unknowns-MaxUnknownFaults)
	}
	customChanged := false
	for _, c := range a.out.Changes {
		top, _, _ := strings.Cut(c.Path, ".")
		attr := a.cat.Lookup(top)
		if attr == nil {
			continue
		}
		if top == "username" && !attr.Custom && a.r.PingIDConnected {
			a.fault("username", Constraint, "username cannot change while a PingID account is connected to the environment")
		}
		if c.Op == Remove {
			continue
		}
		if attr.Unique && !attr.Disabled {
			a.out.Unique = append(a.out.Unique, top)
		}
		if attr.Custom {
			customChanged = true
		}
	}
	slices.Sort(a.out.Unique)
	a.out.Unique = slices.Compact(a.out.Unique)
	a.out.Faults = slices.CompactFunc(a.out.Faults, func(x, y Fault) bool { return x.Path == y.Path && x.Kind == y.Kind })
	if customChanged && a.r.MaxCustomBytes > 0 && (a.r.InputBytes == 0 || a.r.InputBytes > a.r.MaxCustomBytes) {
		a.customBudget()
	}
}

// customBudget enforces L3: all custom values together, as compact JSON,
// within MaxCustomBytes.
func (a *applier) customBudget() {
	total := 0
	for _, m := range a.doc.members() {
		if attr := a.cat.Lookup(m.Name); attr != nil && attr.Custom {
			total += jsonx.Size(m.Value)
		}
	}
	if total <= a.r.MaxCustomBytes {
		return
	}
	target, biggest := "", -1
	for _, s := range a.out.Sets {
		if !s.Attr.Custom {
			continue
		}
		v, _ := a.get(s.Attr.Name)
		if n := jsonx.Size(v); n > biggest || n == biggest && s.Attr.Name < target {
			target, biggest = s.Attr.Name, n
		}
	}
	if target == "" {
		return
	}
	a.out.Faults = append(a.out.Faults, Fault{Path: target, Kind: TooLarge, Limit: a.r.MaxCustomBytes,
		Message: fmt.Sprintf("custom attribute values together take %d bytes, more than the %d allowed", total, a.r.MaxCustomBytes)})
}

// finish sorts the lists and sets updatedAt when something changed (O3, O6).
func (a *applier) finish() {
	slices.SortStableFunc(a.out.Ignored, func(x, y Ignored) int { return strings.Compare(x.Path, y.Path) })
	if len(a.out.Changes) == 0 {
		a.out.Document = a.r.Stored
		return
	}
	a.doc.set("updatedAt", jsonx.Str(a.r.Now))
	a.out.Document = jsonx.Obj(a.doc.members())
}
