package catalog

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
)

// Problem is the kind of a Violation.
type Problem uint8

// The problems validation reports (V3).
const (
	// Empty is "" for a writable standard attribute.
	Empty Problem = iota + 1
	// Invalid is a wrong type, pattern, format, length or enumeration.
	Invalid
	// TooMany is a multi-valued attribute with more values than L2 allows.
	TooMany
)

// Violation is one problem of one attribute path (V5).
type Violation struct {
	Path    string // dotted: "name.given", "tShirt"
	Problem Problem
	Message string
	// Facts for the error's innerError, where they apply.
	AllowedPattern       string
	AllowedValues        []string
	MinLength, MaxLength int // 0: none
	Maximum              int // TooMany: the limit
}

// Validate checks value, the new value of the top-level attribute a as a
// request sets it, and returns every violation, one per (path, problem),
// sorted by path (V5). For a single-valued COMPLEX attribute, value holds
// only the sub-attributes the request changed (V1). stored is the
// attribute's stored value (Null when absent): an archived enumerated value
// already stored there stays valid (V4).
//
// The cost is linear in the size of value and stored (L5): a multi-valued
// attribute over L2 is reported without looking at its elements, elements
// with the same problem add nothing after the first, and enumerations and
// stored values are looked up through maps.
func (c *Catalogue) Validate(a *Attr, value, stored jsonx.Value) []Violation {
	v := validator{stored: stored, attr: a, budget: c.limits.MaxCustomBytes}
	switch {
	case !a.Multi:
		v.single(a, value, false)
	case value.Kind != jsonx.Array:
		v.add(a.Path, Invalid).Message = a.Path + " must be an array"
	case value.Len() > c.limits.MaxValues:
		v.out = append(v.out, Violation{Path: a.Path, Problem: TooMany, Maximum: c.limits.MaxValues,
			Message: fmt.Sprintf("%s holds more than %d values", a.Path, c.limits.MaxValues)})
	default:
		for _, el := range value.All() {
			v.single(a, el, true)
		}
	}
	if v.unlisted > 0 {
		// Written once, not per name (L5: a message per unknown name cost
		// 12 bytes per input byte; BenchmarkHostile/mc-distinct-unknown-members).
		x := &v.out[v.lastUnknown]
		x.Message = fmt.Sprintf("%s is not a sub-attribute of %s; %d more unknown members of its elements are not listed",
			x.Path, a.Path, v.unlisted)
	}
	// (path, problem) pairs are unique, so the order is total.
	slices.SortFunc(v.out, func(x, y Violation) int {
		if c := strings.Compare(x.Path, y.Path); c != 0 {
			return c
		}
		return int(x.Problem) - int(y.Problem)
	})
	return v.out
}

type violationKey struct {
	path    string
	problem Problem
}

type validator struct {
	attr   *Attr
	budget int // L3's budget, see Limits.MaxCustomBytes
	stored jsonx.Value
	out    []Violation
	seen   map[violationKey]bool // once out is long enough to make a scan costly
	// have holds, per leaf, the strings stored at its place, collected on the
	// first archived value met there (V4).
	have map[*Attr]map[string]bool
	// unknown holds the unknown member names met in the elements of a
	// multi-valued COMPLEX attribute (D5).
	unknown     map[string]bool
	unlisted    int // unknown names past MaxUnknownPaths
	lastUnknown int // the index in out of the last unknown name reported
}

// has reports whether (path, problem) is already reported.
func (v *validator) has(path string, p Problem) bool {
	if v.seen != nil {
		return v.seen[violationKey{path, p}]
	}
	for _, x := range v.out {
		if x.Path == path && x.Problem == p {
			return true
		}
	}
	return false
}

// add reports one violation unless its (path, problem) is reported already,
// and returns it for the caller to fill in its message and facts, or nil:
// violations of one kind are counted, not materialised per element, and a
// message is written once per violation, not per bad element (L5).
func (v *validator) add(path string, p Problem) *Violation {
	if v.has(path, p) {
		return nil
	}
	v.out = append(v.out, Violation{Path: path, Problem: p})
	if v.seen != nil {
		v.seen[violationKey{path, p}] = true
	} else if len(v.out) > 16 {
		v.seen = make(map[violationKey]bool, 2*len(v.out))
		for _, x := range v.out {
			v.seen[violationKey{x.Path, x.Problem}] = true
		}
	}
	return &v.out[len(v.out)-1]
}

// single checks one value of a (an attribute, a sub-attribute or an element
// of a multi-valued attribute, when element is true).
func (v *validator) single(a *Attr, val jsonx.Value, element bool) {
	switch a.Type {
	case schema.String:
		if val.Kind != jsonx.String {
			if x := v.add(a.Path, Invalid); x != nil {
				x.Message = a.Path + " must be a string"
			}
			return
		}
		v.str(a, val.Str)
	case schema.Boolean:
		if val.Kind != jsonx.True && val.Kind != jsonx.False {
			if x := v.add(a.Path, Invalid); x != nil {
				x.Message = a.Path + " must be true or false"
			}
		}
	case schema.JSON:
		if val.IsNull() {
			if x := v.add(a.Path, Invalid); x != nil {
				x.Message = a.Path + " must not be null"
			}
		}
	case schema.Complex:
		if val.Kind != jsonx.Object {
			if x := v.add(a.Path, Invalid); x != nil {
				x.Message = a.Path + " must be an object of its sub-attributes"
			}
			return
		}
		for name, sv := range val.All() {
			s := a.Sub(name)
			switch {
			case s != nil:
				v.single(s, sv, element)
			case element && !v.unknown[name]:
				v.unknownMember(a, name)
			}
		}
	}
}

// MaxUnknownPaths is the most distinct unknown member names reported for
// the elements of one multi-valued COMPLEX attribute; the message of the
// last one counts the others (L5: one request cannot make the error grow
// without bound).
const MaxUnknownPaths = 1000

// unknownMember reports a member of an element of the multi-valued COMPLEX
// attribute a that names no sub-attribute: INVALID_VALUE at its dotted path
// (D5). Each name is reported once.
func (v *validator) unknownMember(a *Attr, name string) {
	if v.unknown == nil {
		v.unknown = map[string]bool{}
	}
	if len(v.unknown) >= MaxUnknownPaths {
		v.unlisted++ // counted in the last message when the walk ends
		return
	}
	v.unknown[name] = true
	// Names are unique here, so the path is new: no look-up needed.
	path := a.Path + "." + name
	v.out = append(v.out, Violation{Path: path, Problem: Invalid, Message: path + " is not a sub-attribute of " + a.Path})
	v.lastUnknown = len(v.out) - 1
	if v.seen != nil {
		v.seen[violationKey{path, Invalid}] = true
	}
}

// str checks a string value against a's constraints; the first one broken
// is the violation (one per path and problem, V5).
func (v *validator) str(a *Attr, s string) {
	if s == "" && !a.Custom && a.Class == Writable && a.Path != "identityProvider.id" {
		// V3: "" for a writable standard attribute is EMPTY_VALUE; for
		// identityProvider.id it is an unknown id (I2).
		if x := v.add(a.Path, Empty); x != nil {
			x.Message = a.Path + " must not be empty"
		}
		return
	}
	if a.MinLength > 0 || a.MaxLength > 0 {
		if n := utf8.RuneCountInString(s); n < a.MinLength || a.MaxLength > 0 && n > a.MaxLength {
			if x := v.add(a.Path, Invalid); x != nil {
				x.Message = fmt.Sprintf("%s must be %d to %d characters long", a.Path, a.MinLength, a.MaxLength)
				x.MinLength, x.MaxLength = a.MinLength, a.MaxLength
			}
			return
		}
	}
	// A custom value larger than L3's whole budget is refused by L3; its
	// pattern is not run on it, which would cost far more than reading it
	// (BenchmarkHostile/regex-long-string: 13 times the baseline).
	skipPattern := a.re != nil && v.budget > 0 && len(s) > v.budget
	if a.text != nil && !a.text.match(s) || a.re != nil && !skipPattern && !fullMatch(a.re, s) {
		if x := v.add(a.Path, Invalid); x != nil {
			x.Message = fmt.Sprintf("%s does not match the pattern %s", a.Path, a.Pattern)
			x.AllowedPattern = a.Pattern
		}
		return
	}
	if a.format != nil && !a.format(s) {
		if x := v.add(a.Path, Invalid); x != nil {
			x.Message = fmt.Sprintf("%s is not a valid %s", a.Path, strings.TrimPrefix(a.Format, "amend-"))
		}
		return
	}
	if a.enum != nil {
		archived, ok := a.enum[s]
		switch {
		case !ok:
			if x := v.add(a.Path, Invalid); x != nil {
				x.Message = a.Path + " is not one of the allowed values"
				x.AllowedValues = a.active
			}
		case archived && !v.stores(a, s):
			if x := v.add(a.Path, Invalid); x != nil {
				x.Message = fmt.Sprintf("%s: %q is archived", a.Path, s)
				x.AllowedValues = a.active
			}
		}
	}
}

// stores reports whether the attribute's stored value holds s at leaf's
// place: the value itself, an item of a multi-valued attribute, or the
// sub-attribute leaf of a COMPLEX value or of any of its elements (V1, V4).
func (v *validator) stores(leaf *Attr, s string) bool {
	have, ok := v.have[leaf]
	if !ok {
		if v.have == nil {
			v.have = map[*Attr]map[string]bool{}
		}
		have = map[string]bool{}
		v.have[leaf] = have
		sub := ""
		if leaf != v.attr {
			sub = leaf.Name
		}
		collect := func(x jsonx.Value) {
			if sub != "" {
				x, _ = x.Get(sub)
			}
			if x.Kind == jsonx.String {
				have[x.Str] = true
			}
		}
		if v.stored.Kind == jsonx.Array {
			for _, it := range v.stored.All() {
				collect(it)
			}
		} else {
			collect(v.stored)
		}
	}
	return have[s]
}
