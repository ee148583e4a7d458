package jsonx

import (
	"bytes"
	"encoding/json"
	"iter"
	"math"
	"sort"
	"unsafe"
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
// An object or an array is either read, its members in memory, or unread:
// its already validated text is kept instead and read when asked for. ParseLazy reads only the outermost container, so a request pays for
// the members it looks at; an unread value is copied to the output as it
// is (BenchmarkCompare/patch-json-4096k: a custom JSON attribute of 4 MiB
// costs 2.6 times the time and 7 times the memory of reading its bytes once
// when every value is a 64-byte Member; docs/benchmarks.md). Members, All,
// Get and Len read either form.
//
// Objects and arrays share one field: an array's items are Members with
// empty names (one slice instead of two; BenchmarkParse: -25% bytes).
type Value struct {
	Kind Kind
	// A read Object's members in document order, a read Array's items
	// with empty names: the slice's length and pointer, without its
	// capacity, which with mn beside Kind makes a Member 48 bytes instead
	// of 64 (ms gives the slice; BenchmarkHostile/stored-many-members-put:
	// -25% bytes). For an unread container, mn is its number of members
	// plus one when the parser counted them, 0 when unknown, with
	// spacedBit set when its text holds white space.
	mn uint32
	// Str is a String's decoded text and a Number's literal text. For an
	// unread Object or Array it is the value's JSON text, as it was in
	// the input; read containers have none.
	Str string
	mp  *Member
}

// mk returns a read container of kind k holding ms, which must not be
// modified afterwards.
func mk(k Kind, ms []Member) Value {
	if len(ms) > math.MaxUint32 {
		panic("jsonx: more than 2^32 members") // unreachable: each takes input bytes
	}
	return Value{Kind: k, mn: uint32(len(ms)), mp: unsafe.SliceData(ms)}
}

// ms returns the members of a read container (none for an unread one).
func (v Value) ms() []Member {
	if v.mp == nil {
		return nil
	}
	return unsafe.Slice(v.mp, v.mn)
}

// spacedBit marks, in mn, an unread container whose text holds white space
// between its tokens.
const spacedBit = 1 << 31

// known returns the number of members of an unread container when the
// parser counted them.
func (v Value) known() (int, bool) {
	n := v.mn &^ spacedBit
	return int(n) - 1, n > 0
}

// spaced reports whether v is unread and its text holds white space.
func (v Value) spaced() bool { return v.unread() && v.mn&spacedBit != 0 }

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
func Obj(m []Member) Value { return mk(Object, m) }

// Arr returns an array value with the given items, whose names are empty
// (not copied).
func Arr(items []Member) Value { return mk(Array, items) }

// IsNull reports whether v is JSON null.
func (v Value) IsNull() bool { return v.Kind == Null }

// unread reports whether v is a container kept as text.
func (v Value) unread() bool { return v.Kind >= Array && v.Str != "" }

// Members returns the members of an object or the items of an array, nil
// for other values. For an unread value each call reads it again, one level
// deep: callers that look more than once keep the result, or use Expand.
// The slice must not be modified.
func (v Value) Members() []Member {
	if v.unread() {
		return readLevel(v, v.Len())
	}
	return v.ms()
}

// Expand returns v with its own members read; nested containers may stay
// unread. A value already read is returned as it is.
func Expand(v Value) Value {
	if v.unread() {
		return mk(v.Kind, readLevel(v, v.Len()))
	}
	return v
}

// Len returns the number of members of an object or items of an array, and
// 0 for other values, without reading an unread value into memory.
func (v Value) Len() int {
	if v.unread() {
		if n, ok := v.known(); ok {
			return n
		}
		return countRaw(v.Str)
	}
	return len(v.ms())
}

// All yields the members of an object or the items of an array (with empty
// names) in order, without reading an unread value into memory.
func (v Value) All() iter.Seq2[string, Value] {
	return func(yield func(string, Value) bool) {
		if v.unread() {
			eachRaw(v, yield)
			return
		}
		for _, m := range v.ms() {
			if !yield(m.Name, m.Value) {
				return
			}
		}
	}
}

// Get returns the member of an object named name. ok is false when v is not
// an object or has no such member.
func (v Value) Get(name string) (Value, bool) {
	if v.Kind != Object {
		return Value{}, false
	}
	if v.unread() {
		var found Value
		ok := false
		eachRaw(v, func(n string, x Value) bool {
			if n == name {
				found, ok = x, true
				return false
			}
			return true
		})
		return found, ok
	}
	for i := range v.ms() {
		if v.ms()[i].Name == name {
			return v.ms()[i].Value, true
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
// (O5). The cost is linear in the sizes of a and b: unread values with the
// same text are equal without being read; the first level is walked in
// place (an array) or read one level (an object); below it, a part that
// must be compared is read whole, once, as reading it level by level would
// read the text under a deep path once per level.
func Equal(a, b Value) bool { return equal(a, b, false) }

func equal(a, b Value, nested bool) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case Number, String:
		return a.Str == b.Str
	case Array, Object:
	default:
		return true
	}
	if a.unread() && b.unread() && a.Str == b.Str {
		return true
	}
	switch {
	case nested:
		if a.unread() {
			a = Full(a)
		}
		if b.unread() {
			b = Full(b)
		}
	case a.unread() || b.unread():
		// The first level is walked in place, in step: a merge keeps the
		// order of the members, so objects usually pair up by position.
		if eq, paired := equalInStep(a, b); paired {
			return eq
		}
		a, b = Expand(a), Expand(b)
	}
	if len(a.ms()) != len(b.ms()) {
		return false
	}
	if a.Kind == Array {
		for i := range a.ms() {
			if !equal(a.ms()[i].Value, b.ms()[i].Value, true) {
				return false
			}
		}
		return true
	}
	// Members usually come in the same order: compare by position and look
	// names up only where the orders differ, through an index for large
	// objects, so the cost stays linear.
	var index map[string]int
	for i, m := range a.ms() {
		var o Value
		switch {
		case b.ms()[i].Name == m.Name:
			o = b.ms()[i].Value
		case len(b.ms()) <= 16:
			j := Index(b.ms(), m.Name)
			if j < 0 {
				return false
			}
			o = b.ms()[j].Value
		default:
			if index == nil {
				index = make(map[string]int, len(b.ms()))
				for j, bm := range b.ms() {
					index[bm.Name] = j
				}
			}
			j, ok := index[m.Name]
			if !ok {
				return false
			}
			o = b.ms()[j].Value
		}
		if !equal(m.Value, o, true) {
			return false
		}
	}
	return true
}

// equalInStep compares two containers member by member in document order,
// without reading an unread one into memory (an array of 200,000 numbers
// would take 64 bytes per item). paired is false when two objects' members
// do not pair up by position, and the answer is then unknown.
func equalInStep(a, b Value) (eq, paired bool) {
	na, nb := memberIter(a), memberIter(b)
	for {
		xn, x, xok := na()
		yn, y, yok := nb()
		switch {
		case xok != yok:
			return false, true // sizes differ (names in an object are unique)
		case !xok:
			return true, true
		case xn != yn:
			return false, false
		case !equal(x, y, true):
			return false, true
		}
	}
}

// memberIter returns an iterator over the members of a container, read or
// not.
func memberIter(v Value) func() (string, Value, bool) {
	if v.unread() {
		c := openCursor(v.Str, v.spaced())
		return c.next
	}
	i := 0
	return func() (string, Value, bool) {
		if i == len(v.ms()) {
			return "", Value{}, false
		}
		i++
		return v.ms()[i-1].Name, v.ms()[i-1].Value, true
	}
}

// Full returns v with every level read: no container in it is unread. The
// cost is linear in the size of v.
func Full(v Value) Value {
	switch {
	case v.Kind < Array:
		return v
	case v.unread():
		return readFull(v.Str)
	}
	ms := make([]Member, len(v.ms()))
	for i, m := range v.ms() {
		ms[i] = Member{Name: m.Name, Value: Full(m.Value)}
	}
	return mk(v.Kind, ms)
}

// Any converts v to the generic form encoding/json produces with UseNumber:
// map[string]any, []any, string, bool, json.Number and nil.
func Any(v Value) any { return anyOf(Full(v)) }

func anyOf(v Value) any {
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
		out := make([]any, len(v.ms()))
		for i, it := range v.ms() {
			out[i] = anyOf(it.Value)
		}
		return out
	case Object:
		out := make(map[string]any, len(v.ms()))
		for _, m := range v.ms() {
			out[m.Name] = anyOf(m.Value)
		}
		return out
	}
	return nil
}

// Canonical returns v with object members sorted by name at every depth, for
// order-free comparison and display.
func Canonical(v Value) Value { return canonical(Full(v)) }

func canonical(v Value) Value {
	switch v.Kind {
	case Array:
		items := make([]Member, len(v.ms()))
		for i, it := range v.ms() {
			items[i].Value = canonical(it.Value)
		}
		return Arr(items)
	case Object:
		ms := make([]Member, len(v.ms()))
		for i, m := range v.ms() {
			ms[i] = Member{Name: m.Name, Value: canonical(m.Value)}
		}
		sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
		return Obj(ms)
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
