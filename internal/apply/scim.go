package apply

import (
	"fmt"
	"slices"
	"strings"

	"github.com/amendlib/amend/internal/catalog"
	"github.com/amendlib/amend/internal/filter"
	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
)

// PatchOpSchema is the schema URN a SCIM PATCH body may name (S1).
const PatchOpSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// SCIM is the method of a SCIM PATCH (S1-S5).
const SCIM Method = 3

// SCIMOutcome is what ApplySCIM found. Malformed holds the faults of the
// body's operations themselves (S5: malformed operations, filters that do
// not parse, noTarget), judged before authorization of the change list;
// when it is empty, Outcome is judged as a JSON PATCH's (S4).
type SCIMOutcome struct {
	Outcome
	Malformed []Fault
}

// ApplySCIM applies a SCIM PATCH body (RFC 7644 section 3.5.2 operations)
// to a stored user (S1-S5): the operations apply in order to a working
// copy, all or nothing; then what changed is judged as an application/json
// PATCH would be (S4): a change of a server-managed, dedicated or disabled
// attribute is a CONSTRAINT_VIOLATION on its path, an unknown attribute in
// a path is INVALID_VALUE, and the rest (required attributes, the change
// list, the values to validate, W1, O7, L3) is the JSON PATCH's. r.Body is
// the SCIM body; maxOps bounds its operations.
func ApplySCIM(r Request, maxOps int) SCIMOutcome {
	s := &scimRun{r: r, cat: r.Catalogue, work: newDocument(r.Stored.Members(), 4)}
	ops := s.read(maxOps)
	if len(s.malformed) > 0 {
		return SCIMOutcome{Malformed: s.malformed}
	}
	for _, op := range ops {
		if !s.apply(op) {
			return SCIMOutcome{Malformed: s.malformed}
		}
	}
	a := &applier{r: r, cat: r.Catalogue, doc: newDocument(r.Stored.Members(), len(s.touched)),
		removed: s.removed, inBody: func(string) int { return -1 }}
	a.r.Method = SCIM
	a.out.Faults = s.faults
	a.out.Ignored = s.ignored
	s.judge(a)
	a.required()
	a.diff()
	a.checks()
	a.finish()
	return SCIMOutcome{Outcome: a.out}
}

type scimOp struct {
	index int
	op    string // add, replace, remove
	path  *scimPath
	value jsonx.Value
	has   bool // value present
}

type scimRun struct {
	r         Request
	cat       *catalog.Catalogue
	work      document
	touched   []string // top-level attributes the operations changed
	removed   map[string]bool
	malformed []Fault
	faults    []Fault // S4: unknown attributes in paths, judged with V
	ignored   []Ignored
}

func (s *scimRun) bad(target string, kind FaultKind, msg string) {
	s.malformed = append(s.malformed, Fault{Path: target, Kind: kind, Message: msg})
}

// read checks the body's shape (S1) and every operation's syntax (S2, S5).
func (s *scimRun) read(maxOps int) []scimOp {
	body := s.r.Body
	for _, m := range body.Members() {
		switch m.Name {
		case "Operations":
		case "schemas":
			ok := m.Value.Kind == jsonx.Array
			if ok {
				ok = slices.ContainsFunc(m.Value.Members(), func(it jsonx.Member) bool {
					return it.Value.Kind == jsonx.String && it.Value.Str == PatchOpSchema
				})
			}
			if !ok {
				s.bad("schemas", Invalid, "schemas must be an array holding "+PatchOpSchema)
			}
		default:
			s.ignored = append(s.ignored, Ignored{Path: m.Name, Reason: Unknown})
		}
	}
	opsV, ok := body.Get("Operations")
	opsV = jsonx.Expand(opsV)
	switch {
	case !ok:
		s.bad("Operations", Required, "Operations is required: an array of add, replace and remove operations")
		return nil
	case opsV.Kind != jsonx.Array || opsV.Len() == 0:
		s.bad("Operations", Invalid, "Operations must be a non-empty array of operations")
		return nil
	case opsV.Len() > maxOps:
		s.malformed = append(s.malformed, Fault{Path: "Operations", Kind: TooLarge, Limit: maxOps,
			Message: fmt.Sprintf("Operations holds more than %d operations", maxOps)})
		return nil
	}
	ops := make([]scimOp, 0, opsV.Len())
	for i, it := range opsV.Members() {
		if op, ok := s.readOp(i, it.Value); ok {
			ops = append(ops, op)
		}
	}
	return ops
}

func (s *scimRun) readOp(i int, v jsonx.Value) (scimOp, bool) {
	at := fmt.Sprintf("Operations[%d]", i)
	op := scimOp{index: i}
	if v.Kind != jsonx.Object {
		s.bad(at, Invalid, at+" must be an object with op, path and value")
		return op, false
	}
	var pathText *string
	opName, hasOp := jsonx.Value{}, false
	for _, m := range v.Members() { // read once here
		switch m.Name {
		case "op":
			opName, hasOp = m.Value, true
		case "path":
			if m.Value.Kind != jsonx.String {
				s.bad(at, Invalid, at+".path must be a string")
				return op, false
			}
			pathText = &m.Value.Str
		case "value":
			op.value, op.has = jsonx.Expand(m.Value), true // read once: the operation looks at it again
		}
	}
	// The target of a malformed operation is its path when the path
	// parses, Operations[i] otherwise (S5).
	target := at
	if pathText != nil {
		p, err := parsePath(*pathText)
		if err != nil {
			if err.(*pathError).filterErr {
				s.bad(*pathText, InvalidFilter, err.Error())
			} else {
				s.bad(at, Invalid, err.Error())
			}
			return op, false
		}
		op.path, target = p, p.text
	}
	if hasOp && opName.Kind == jsonx.String {
		op.op = strings.ToLower(opName.Str)
	}
	switch {
	case op.op != "add" && op.op != "replace" && op.op != "remove":
		s.bad(target, Invalid, at+".op must be add, replace or remove")
		return op, false
	case op.op == "remove" && op.path == nil:
		s.bad(at, Invalid, at+": remove needs a path")
		return op, false
	case op.op != "remove" && !op.has:
		s.bad(target, Invalid, at+": "+op.op+" needs a value")
		return op, false
	case op.op != "remove" && op.path == nil && op.value.Kind != jsonx.Object:
		s.bad(at, Invalid, at+": without a path, the value is an object of attributes")
		return op, false
	}
	if op.path != nil {
		return op, s.checkPath(&op)
	}
	for _, m := range op.value.Members() {
		if attr := s.cat.Lookup(m.Name); attr != nil && !kindFits(attr, nil, false, op.op, m.Value) {
			s.bad(at, Invalid, fmt.Sprintf("%s: the value of %s is of the wrong kind", at, m.Name))
			return op, false
		}
	}
	return op, true
}

// checkPath checks what the catalogue says of an operation's path: a filter
// applies to a multi-valued attribute, and the value is of the kind the
// path takes (S5). An unknown attribute, in the path or its filter, is left
// for when the operation applies: INVALID_VALUE on the path, judged with V
// (S4).
func (s *scimRun) checkPath(op *scimOp) bool {
	p := op.path
	attr := s.cat.Lookup(p.attr)
	if attr == nil {
		return true
	}
	if p.filter != nil && !attr.Multi {
		s.bad(p.text, Invalid, fmt.Sprintf("the path %q has a filter, but %s is single-valued", p.text, p.attr))
		return false
	}
	var sub *catalog.Attr
	if p.sub != "" {
		if sub = attr.Sub(p.sub); sub == nil {
			return true
		}
	}
	if p.filter != nil && unknownInFilter(attr, p.filter) {
		return true
	}
	if op.op != "remove" && !kindFits(attr, sub, p.filter != nil, op.op, op.value) {
		s.bad(p.text, Invalid, fmt.Sprintf("the value for %q is of the wrong kind", p.text))
		return false
	}
	return true
}

// unknownInFilter reports whether a filter compares something that is not
// a sub-attribute of the elements of attr, or "value" for a multi-valued
// simple attribute.
func unknownInFilter(attr *catalog.Attr, f filter.Node) bool {
	for _, c := range filter.Comparisons(f) {
		if attr.Type == schema.Complex && attr.Sub(c.Attr) == nil || attr.Type != schema.Complex && c.Attr != "value" {
			return true
		}
	}
	return false
}

// kindFits reports whether a value is of the JSON kind its target takes
// (S5): a sub-attribute's type, an element of a multi-valued attribute (for
// a filter, or one value added), an array of elements for a whole
// multi-valued attribute, the attribute's type otherwise. null removes and
// fits everything.
func kindFits(attr, sub *catalog.Attr, element bool, op string, v jsonx.Value) bool {
	if v.IsNull() {
		return true
	}
	single := func(t schema.Type, v jsonx.Value) bool {
		switch t {
		case schema.String:
			return v.Kind == jsonx.String
		case schema.Boolean:
			return v.Kind == jsonx.True || v.Kind == jsonx.False
		case schema.Complex:
			return v.Kind == jsonx.Object
		}
		return true // JSON
	}
	switch {
	case sub != nil:
		return single(sub.Type, v)
	case !attr.Multi || element:
		return single(attr.Type, v)
	case v.Kind == jsonx.Array:
		for _, it := range v.All() {
			if !single(attr.Type, it) {
				return false
			}
		}
		return true
	}
	return op == "add" && single(attr.Type, v) // one value appended
}

func (s *scimRun) touch(name string) {
	if !slices.Contains(s.touched, name) {
		s.touched = append(s.touched, name)
	}
}

func (s *scimRun) unknownPath(path string) {
	s.faults = append(s.faults, Fault{Path: path, Kind: UnknownAttribute,
		Message: path + " is not an attribute of this environment's users"})
}

// apply applies one operation to the working copy, and reports whether it
// could (false: noTarget, recorded as malformed).
func (s *scimRun) apply(op scimOp) bool {
	if op.path == nil { // add or replace of an object of attributes
		for _, m := range op.value.Members() {
			attr := s.cat.Lookup(m.Name)
			if attr == nil {
				s.unknownPath(m.Name)
				continue
			}
			s.whole(op.op, attr, m.Value)
		}
		return true
	}
	p := op.path
	attr := s.cat.Lookup(p.attr)
	if attr == nil {
		s.unknownPath(p.text)
		return true
	}
	var sub *catalog.Attr
	if p.sub != "" {
		if sub = attr.Sub(p.sub); sub == nil || attr.Type != schema.Complex {
			s.unknownPath(p.text)
			return true
		}
	}
	if p.filter != nil && unknownInFilter(attr, p.filter) {
		s.unknownPath(p.text) // an unknown attribute in the filter (S4)
		return true
	}
	switch {
	case p.filter == nil && sub == nil && op.op == "remove":
		s.touch(attr.Name)
		if s.removed == nil {
			s.removed = map[string]bool{}
		}
		s.removed[attr.Name] = true
		s.work.del(attr.Name)
	case p.filter == nil && sub == nil:
		s.whole(op.op, attr, op.value)
	case p.filter == nil && !attr.Multi:
		s.setSub(attr, sub, op.op == "remove", op.value)
	default:
		return s.elements(op, attr, sub)
	}
	return true
}

// whole applies add or replace of a whole attribute (S3).
func (s *scimRun) whole(op string, attr *catalog.Attr, v jsonx.Value) {
	s.touch(attr.Name)
	cur, has := s.work.get(attr.Name)
	switch {
	case v.IsNull():
		s.work.del(attr.Name)
	case attr.Multi && op == "add":
		// The value, an array or one value, is appended, except elements
		// equal to one already there.
		var items []jsonx.Member
		if has && cur.Kind == jsonx.Array {
			items = slices.Clone(cur.Members())
		}
		add := []jsonx.Member{{Value: v}}
		if v.Kind == jsonx.Array {
			add = v.Members()
		}
		// Elements are compared through their canonical text, so that the
		// cost stays linear however many there are (L5).
		have := make(map[string]bool, len(items)+len(add))
		for _, it := range items {
			have[string(jsonx.Append(nil, jsonx.Canonical(it.Value)))] = true
		}
		for _, it := range add {
			key := string(jsonx.Append(nil, jsonx.Canonical(it.Value)))
			if !have[key] {
				have[key] = true
				items = append(items, jsonx.Member{Value: it.Value})
			}
		}
		s.work.set(attr.Name, jsonx.Arr(items))
	case attr.IsComplexSingle() && v.Kind == jsonx.Object:
		// Sub-attributes are set, the others kept (RFC 7644 3.5.2.1, 3.5.2.3).
		var ms []jsonx.Member
		if has && cur.Kind == jsonx.Object {
			ms = slices.Clone(cur.Members())
		}
		for _, m := range v.Members() {
			i := jsonx.Index(ms, m.Name)
			switch {
			case m.Value.IsNull() && i >= 0:
				ms = slices.Delete(ms, i, i+1)
			case m.Value.IsNull():
			case i >= 0:
				ms[i].Value = m.Value
			default:
				ms = append(ms, m)
			}
		}
		s.work.set(attr.Name, jsonx.Obj(ms))
	default:
		s.work.set(attr.Name, v) // a JSON attribute is a leaf; a wrong shape is V's
	}
}

// setSub sets (or removes) a sub-attribute of a single-valued COMPLEX
// attribute.
func (s *scimRun) setSub(attr, sub *catalog.Attr, remove bool, v jsonx.Value) {
	s.touch(attr.Name)
	cur, _ := s.work.get(attr.Name)
	var ms []jsonx.Member
	if cur.Kind == jsonx.Object {
		ms = slices.Clone(cur.Members())
	}
	i := jsonx.Index(ms, sub.Name)
	switch {
	case (remove || v.IsNull()) && i >= 0:
		ms = slices.Delete(ms, i, i+1)
	case remove || v.IsNull():
	case i >= 0:
		ms[i].Value = v
	default:
		ms = append(ms, jsonx.Member{Name: sub.Name, Value: v})
	}
	s.work.set(attr.Name, jsonx.Obj(ms))
}

// elements applies an operation to the elements of a multi-valued
// attribute that its filter selects (all of them without a filter): replace
// or merge them (add), set or remove their sub-attribute, or remove them.
// A filter that selects nothing is noTarget for add and replace (S3, S5).
func (s *scimRun) elements(op scimOp, attr, sub *catalog.Attr) bool {
	cur, _ := s.work.get(attr.Name)
	var items []jsonx.Member
	if cur.Kind == jsonx.Array {
		items = cur.Members()
	}
	simple := attr.Type != schema.Complex
	var out []jsonx.Member
	matched := 0
	for _, it := range items {
		if op.path.filter != nil && !matchElement(op.path.filter, it.Value, simple) {
			out = append(out, it)
			continue
		}
		matched++
		switch {
		case op.op == "remove" && sub == nil:
			// removed: not kept
		case sub != nil:
			var ms []jsonx.Member
			if it.Value.Kind == jsonx.Object {
				ms = slices.Clone(it.Value.Members())
			}
			i := jsonx.Index(ms, sub.Name)
			switch {
			case (op.op == "remove" || op.value.IsNull()) && i >= 0:
				ms = slices.Delete(ms, i, i+1)
			case op.op == "remove" || op.value.IsNull():
			case i >= 0:
				ms[i].Value = op.value
			default:
				ms = append(ms, jsonx.Member{Name: sub.Name, Value: op.value})
			}
			out = append(out, jsonx.Member{Value: jsonx.Obj(ms)})
		case op.op == "add" && !simple && op.value.Kind == jsonx.Object && it.Value.Kind == jsonx.Object:
			merged := slices.Clone(it.Value.Members())
			for _, m := range op.value.Members() {
				if i := jsonx.Index(merged, m.Name); i >= 0 {
					merged[i].Value = m.Value
				} else {
					merged = append(merged, m)
				}
			}
			out = append(out, jsonx.Member{Value: jsonx.Obj(merged)})
		default:
			out = append(out, jsonx.Member{Value: op.value})
		}
	}
	if matched == 0 {
		if op.op == "remove" {
			return true // no match changes nothing
		}
		s.bad(op.path.text, Invalid, fmt.Sprintf("noTarget: no element of %s matches %q", attr.Name, op.path.text))
		return false
	}
	s.touch(attr.Name)
	if len(out) == 0 {
		s.work.del(attr.Name) // the attribute goes when no element is left
		return true
	}
	s.work.set(attr.Name, jsonx.Arr(out))
	return true
}

// matchElement matches an element of a multi-valued attribute: its
// sub-attributes, or for a simple attribute the element itself as "value".
// Strings compare exactly (S2).
func matchElement(f filter.Node, el jsonx.Value, simple bool) bool {
	return f.Match(func(attr string) jsonx.Value {
		if simple {
			if attr == "value" {
				return el
			}
			return jsonx.NullValue
		}
		v, ok := el.Get(attr)
		if !ok {
			return jsonx.NullValue
		}
		return v
	}, false)
}

// judge turns the working copy into the applier's document (S4): writable
// attributes take their final values; a change of a server-managed,
// dedicated or disabled attribute is a CONSTRAINT_VIOLATION on its path,
// and an equal value is no change.
func (s *scimRun) judge(a *applier) {
	for _, name := range s.touched {
		attr := s.cat.Lookup(name)
		sv, sok := a.stored(name)
		wv, wok := s.work.get(name)
		switch {
		case attr.Disabled, attr.Class == catalog.ServerManaged:
			if wok != sok || wok && !jsonx.Equal(sv, wv) {
				a.fault(name, Constraint, name+" cannot be changed by a SCIM PATCH (mutability)")
			}
		case attr.Name == "identityProvider" && !attr.Custom:
			s.identityProvider(a, attr, sv, sok, wv, wok)
		case attr.IsComplexSingle() && len(attr.Subs) > 0 && !attr.HasWritableSub():
			s.fixed(a, attr, sv, sok, wv, wok)
		case attr.Class == catalog.Dedicated:
			v := wv
			if !wok {
				v = jsonx.NullValue
			}
			a.dedicated(attr, sv, sok, v)
		case !wok:
			a.del(name)
		case attr.IsComplexSingle() && len(attr.Subs) > 0 && wv.Kind == jsonx.Object:
			a.complexFinal(attr, sv, sok, wv)
		default:
			a.set(name, wv)
		}
	}
}

// fixed judges population, account and lifecycle sub-attribute by
// sub-attribute (D3, D4): every one that changes is a CONSTRAINT_VIOLATION.
func (s *scimRun) fixed(a *applier, attr *catalog.Attr, sv jsonx.Value, sok bool, wv jsonx.Value, wok bool) {
	objectOrAbsent := func(v jsonx.Value, ok bool) bool { return !ok || v.Kind == jsonx.Object || v.IsNull() }
	if !objectOrAbsent(sv, sok) || !objectOrAbsent(wv, wok) {
		if wok != sok || !jsonx.Equal(sv, wv) {
			a.fault(attr.Name, Constraint, operationMessage(attr.Name, attr.Subs[0].Advice))
		}
		return
	}
	for _, sub := range attr.Subs {
		ssv, has := sv.Get(sub.Name)
		wsv, whas := wv.Get(sub.Name)
		switch {
		case !has && !whas:
		case sub.Class == catalog.Dedicated:
			if !whas {
				wsv = jsonx.NullValue
			}
			a.dedicated(sub, ssv, has, wsv)
		case whas != has || !jsonx.Equal(ssv, wsv):
			a.fault(sub.Path, Constraint, sub.Path+" cannot be changed by a SCIM PATCH (mutability)")
		}
	}
}

// identityProvider judges identityProvider: its id is writable and its type
// follows it (I1); a change of the type alone is a CONSTRAINT_VIOLATION.
func (s *scimRun) identityProvider(a *applier, attr *catalog.Attr, sv jsonx.Value, sok bool, wv jsonx.Value, wok bool) {
	if wok && wv.Kind != jsonx.Object && !wv.IsNull() {
		a.set(attr.Name, wv) // a wrong shape: validation reports it
		return
	}
	storedID, _ := sv.Get("id")
	newID, hasNew := wv.Get("id")
	if hasNew && !newID.IsNull() {
		if !jsonx.Equal(storedID, newID) {
			a.setIdentityProvider(newID)
			return
		}
	} else {
		a.resetIdentityProvider()
	}
	storedType, hasStoredType := sv.Get("type")
	newType, hasNewType := wv.Get("type")
	if hasNewType != hasStoredType || hasNewType && !jsonx.Equal(storedType, newType) {
		if !(hasNew && !newID.IsNull()) && hasNewType && newType.Kind == jsonx.String && newType.Str == "PING_ONE" {
			return // a reset derives PING_ONE anyway
		}
		a.fault("identityProvider.type", Constraint, "identityProvider.type follows identityProvider.id and cannot be set (mutability)")
	}
}

// complexFinal sets a writable single-valued COMPLEX attribute to its final
// object. Sub-attributes the operations brought in that the attribute does
// not have are ignored and reported (D5), as in a JSON PATCH; stored ones
// stay. An object left empty removes the attribute (P4).
func (a *applier) complexFinal(attr *catalog.Attr, sv jsonx.Value, sok bool, wv jsonx.Value) {
	wms := wv.Members()
	ms := make([]jsonx.Member, 0, len(wms))
	for _, m := range wms {
		if attr.Sub(m.Name) == nil {
			if _, stored := sv.Get(m.Name); !stored {
				a.unknown(attr.Name+"."+m.Name, attr.SubHint(m.Name))
				continue
			}
		}
		ms = append(ms, m)
	}
	switch {
	case len(ms) > 0:
		a.set(attr.Name, jsonx.Obj(ms))
	case sok:
		a.del(attr.Name)
	}
}
