package jsonx

import (
	"bytes"
	"encoding/json"
	"sort"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The JSON kinds. The zero Kind is Null.
const (
	Null Kind = iota
	False
	True
	Number
	String
	Array
	Object
)

// Value is a JSON value. Numbers keep their exact text (O4).
// A Value is immutable by convention: functions in this package never modify
// their arguments and callers must not modify values they did not build.
//
// Objects and arrays share one field: an array's items are Members with
// empty names. One slice instead of two makes a Member 64 bytes instead of
// 88, and the parse of a user document is bound by allocation
// (BenchmarkParse: -25% bytes).
type Value struct {
	Kind    Kind
	Str     string   // String: the decoded text; Number: the literal text
	Members []Member // Object: the members in document order; Array: the items, names empty
}

// Member is one name/value pair of an object.
type Member struct {
	Name  string
	Value Value
}

// Convenience constructors.
var (
	NullValue = Value{Kind: Null}
)

// Str returns a string value.
func Str(s string) Value { return Value{Kind: String, Str: s} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{Kind: True}
	}
	return Value{Kind: False}
}

// Obj returns an object value with the given members (not copied).
func Obj(m []Member) Value { return Value{Kind: Object, Members: m} }

// IsNull reports whether v is JSON null.
func (v Value) IsNull() bool { return v.Kind == Null }

// Get returns the member of an object named name. ok is false when v is not
// an object or has no such member.
func (v Value) Get(name string) (Value, bool) {
	if v.Kind != Object {
		return Value{}, false
	}
	for i := range v.Members {
		if v.Members[i].Name == name {
			return v.Members[i].Value, true
		}
	}
	return Value{}, false
}

// Index returns the index of the member named name, or -1.
func Index(members []Member, name string) int {
	for i := range members {
		if members[i].Name == name {
			return i
		}
	}
	return -1
}

// Equal reports whether a and b are the same JSON value: numbers by their
// exact text, strings by code points, objects regardless of member order
// (O5).
func Equal(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Number, String:
		return a.Str == b.Str
	case Array:
		if len(a.Members) != len(b.Members) {
			return false
		}
		for i := range a.Members {
			if !Equal(a.Members[i].Value, b.Members[i].Value) {
				return false
			}
		}
		return true
	case Object:
		if len(a.Members) != len(b.Members) {
			return false
		}
		// Members usually come in the same order: compare by position and
		// look names up only where the orders differ, through an index for
		// large objects, so the cost stays linear.
		var index map[string]int
		for i, m := range a.Members {
			var o Value
			switch {
			case b.Members[i].Name == m.Name:
				o = b.Members[i].Value
			case len(b.Members) <= 16:
				j := Index(b.Members, m.Name)
				if j < 0 {
					return false
				}
				o = b.Members[j].Value
			default:
				if index == nil {
					index = make(map[string]int, len(b.Members))
					for j, bm := range b.Members {
						index[bm.Name] = j
					}
				}
				j, ok := index[m.Name]
				if !ok {
					return false
				}
				o = b.Members[j].Value
			}
			if !Equal(m.Value, o) {
				return false
			}
		}
		return true
	}
	return true
}

// Any converts v to the generic form encoding/json produces with UseNumber:
// map[string]any, []any, string, bool, json.Number and nil.
func Any(v Value) any {
	switch v.Kind {
	case False:
		return false
	case True:
		return true
	case Number:
		return json.Number(v.Str)
	case String:
		return v.Str
	case Array:
		out := make([]any, len(v.Members))
		for i, it := range v.Members {
			out[i] = Any(it.Value)
		}
		return out
	case Object:
		out := make(map[string]any, len(v.Members))
		for _, m := range v.Members {
			out[m.Name] = Any(m.Value)
		}
		return out
	}
	return nil
}

// Canonical returns v with object members sorted by name at every depth, for
// order-free comparison and display.
func Canonical(v Value) Value {
	switch v.Kind {
	case Array:
		items := make([]Member, len(v.Members))
		for i, it := range v.Members {
			items[i].Value = Canonical(it.Value)
		}
		return Value{Kind: Array, Members: items}
	case Object:
		ms := make([]Member, len(v.Members))
		for i, m := range v.Members {
			ms[i] = Member{Name: m.Name, Value: Canonical(m.Value)}
		}
		sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
		return Value{Kind: Object, Members: ms}
	}
	return v
}

// Indent returns v written with two-space indentation, for people.
func Indent(v Value) string {
	var buf bytes.Buffer
	if err := json.Indent(&buf, Append(nil, v), "", "  "); err != nil {
		return string(Append(nil, v))
	}
	return buf.String()
}
