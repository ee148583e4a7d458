package schema

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/santhosh-tekuri/jsonschema/v5"
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
// request sets it, and returns every violation, sorted by path. For a
// single-valued COMPLEX attribute, value holds only the sub-attributes the
// request changed (V1). stored is the attribute's stored value (Null when
// absent): an archived enumerated value already stored there stays valid.
func (c *Catalogue) Validate(a *Attr, value, stored jsonx.Value) []Violation {
	var out []Violation
	if !a.Custom {
		value, out = c.empties(a, value)
		if a.Type != Complex && len(out) > 0 {
			return out
		}
	}
	if a.validator == nil {
		return out
	}
	if a.Type == JSON && !a.Multi {
		// The schema of a single-valued JSON attribute is "not null"; check
		// it without converting the whole value (BenchmarkCompare
		// patch-json-256k: the conversion was a third of the time).
		if value.IsNull() {
			out = append(out, Violation{Path: a.Path, Problem: Invalid, Message: a.Path + " must not be null"})
		}
		return out
	}
	err := a.validator.Validate(jsonx.Any(value))
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		out = c.leaves(a, ve, out)
	} else if err != nil {
		out = append(out, Violation{Path: a.Path, Problem: Invalid, Message: err.Error()})
	}
	out = unknownInElements(a, value, out)
	out = archived(a, value, stored, out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return dedupe(out)
}

// empties reports "" for writable standard attributes as Empty (V3) and
// returns value without them, so the schema does not report them again.
// identityProvider.id is not checked here: "" is an unknown id (I2).
func (c *Catalogue) empties(a *Attr, value jsonx.Value) (jsonx.Value, []Violation) {
	emptyLeaf := func(s *Attr, v jsonx.Value) bool {
		return s.Class == Writable && s.Type == String && v.Kind == jsonx.String && v.Str == "" && s.Path != "identityProvider.id"
	}
	if a.Type != Complex {
		if emptyLeaf(a, value) {
			return jsonx.NullValue, []Violation{{Path: a.Path, Problem: Empty, Message: a.Path + " must not be empty"}}
		}
		return value, nil
	}
	if value.Kind != jsonx.Object {
		return value, nil
	}
	var out []Violation
	kept := make([]jsonx.Member, 0, len(value.Members))
	for _, m := range value.Members {
		if s := a.Sub(m.Name); s != nil && emptyLeaf(s, m.Value) {
			out = append(out, Violation{Path: s.Path, Problem: Empty, Message: s.Path + " must not be empty"})
			continue
		}
		kept = append(kept, m)
	}
	return jsonx.Obj(kept), out
}

func (c *Catalogue) leaves(a *Attr, ve *jsonschema.ValidationError, out []Violation) []Violation {
	if len(ve.Causes) > 0 {
		for _, cause := range ve.Causes {
			out = c.leaves(a, cause, out)
		}
		return out
	}
	keyword := ve.KeywordLocation[strings.LastIndexByte(ve.KeywordLocation, '/')+1:]
	leaf, path := a, a.Path
	segs := strings.Split(strings.TrimPrefix(ve.InstanceLocation, "/"), "/")
	if ve.InstanceLocation == "" {
		segs = nil
	}
	if a.Multi && len(segs) > 0 {
		segs = segs[1:]
	}
	if a.Type == Complex && len(segs) > 0 && keyword != "additionalProperties" {
		if s := a.Sub(pointerUnescape(segs[0])); s != nil {
			leaf, path = s, s.Path
		}
	}
	v := Violation{Path: path, Problem: Invalid}
	switch keyword {
	case "maxItems":
		v.Problem, v.Maximum = TooMany, c.limits.MaxValues
		v.Message = fmt.Sprintf("%s holds more than %d values", path, c.limits.MaxValues)
	case "pattern":
		v.AllowedPattern = leaf.Pattern
		v.Message = fmt.Sprintf("%s does not match the pattern %s", path, leaf.Pattern)
	case "enum":
		v.AllowedValues = activeValues(leaf)
		v.Message = fmt.Sprintf("%s is not one of the allowed values", path)
	case "minLength", "maxLength":
		v.MinLength, v.MaxLength = leaf.MinLength, leaf.MaxLength
		v.Message = fmt.Sprintf("%s must be %d to %d characters long", path, leaf.MinLength, leaf.MaxLength)
	case "format":
		v.Message = fmt.Sprintf("%s is not a valid %s", path, strings.TrimPrefix(leaf.Format, "amend-"))
	case "additionalProperties":
		return out // reported by unknownInElements, with the member's path
	default:
		v.Message = fmt.Sprintf("%s has the wrong type or shape", path)
	}
	return append(out, v)
}

// unknownInElements reports members of the elements of a multi-valued
// COMPLEX attribute that name no sub-attribute (D5), at their dotted path.
func unknownInElements(a *Attr, value jsonx.Value, out []Violation) []Violation {
	if !a.Multi || a.Type != Complex || value.Kind != jsonx.Array {
		return out
	}
	for _, el := range value.Members {
		if el.Value.Kind != jsonx.Object {
			continue // a wrong shape, reported by the schema (V5)
		}
		for _, m := range el.Value.Members {
			if a.Sub(m.Name) == nil {
				out = append(out, Violation{Path: a.Path + "." + m.Name, Problem: Invalid,
					Message: fmt.Sprintf("%s.%s is not a sub-attribute of %s", a.Path, m.Name, a.Path)})
			}
		}
	}
	return out
}

func pointerUnescape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

func activeValues(a *Attr) []string {
	out := []string{}
	for _, e := range a.Enum {
		if !e.Archived {
			out = append(out, e.Value)
		}
	}
	return out
}

// archived refuses archived enumerated values that the attribute does not
// already hold (V1, V4).
func archived(a *Attr, value, stored jsonx.Value, out []Violation) []Violation {
	check := func(leaf *Attr, vs, ss []jsonx.Value) {
		if len(leaf.Enum) == 0 {
			return
		}
		have := stringsOf(nil, ss...)
		for _, got := range stringsOf(nil, vs...) {
			for _, e := range leaf.Enum {
				if e.Archived && e.Value == got && !contains(have, got) {
					out = append(out, Violation{Path: leaf.Path, Problem: Invalid, AllowedValues: activeValues(leaf),
						Message: fmt.Sprintf("%s: %q is archived", leaf.Path, got)})
				}
			}
		}
	}
	if a.Type != Complex {
		check(a, []jsonx.Value{value}, []jsonx.Value{stored})
		return out
	}
	for _, s := range a.Subs {
		var vs, ss []jsonx.Value
		if a.Multi {
			vs, ss = subValues(value, s.Name), subValues(stored, s.Name)
		} else {
			v, _ := value.Get(s.Name)
			sv, _ := stored.Get(s.Name)
			vs, ss = []jsonx.Value{v}, []jsonx.Value{sv}
		}
		check(s, vs, ss)
	}
	return out
}

func subValues(arr jsonx.Value, name string) []jsonx.Value {
	var out []jsonx.Value
	if arr.Kind != jsonx.Array {
		return nil
	}
	for _, it := range arr.Members {
		if v, ok := it.Value.Get(name); ok {
			out = append(out, v)
		}
	}
	return out
}

// stringsOf appends to out the strings among vs and, for arrays, among their
// items.
func stringsOf(out []string, vs ...jsonx.Value) []string {
	for _, v := range vs {
		switch v.Kind {
		case jsonx.String:
			out = append(out, v.Str)
		case jsonx.Array:
			for _, it := range v.Members {
				out = stringsOf(out, it.Value)
			}
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dedupe keeps the first violation of each (path, problem); out is sorted by
// path.
func dedupe(out []Violation) []Violation {
	kept := out[:0]
	for _, v := range out {
		dup := false
		for i := len(kept) - 1; i >= 0 && kept[i].Path == v.Path; i-- {
			if kept[i].Problem == v.Problem {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, v)
		}
	}
	return kept
}
