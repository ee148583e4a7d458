package jsonx

import (
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"pgregory.net/rapid"
)

// genJSON draws a JSON text of up to depth levels with random white space,
// escapes, number forms and member orders: the inputs on which unread
// values must behave like read ones.
func genJSON(depth int) *rapid.Generator[string] {
	ws := rapid.SampledFrom([]string{"", "", "", " ", "\n  ", "\t"})
	str := rapid.SampledFrom([]string{`""`, `"a"`, `"b"`, `"\u0061"`, `"x\"y"`, `"\\"`, `"é"`, `"\u00e9"`,
		`"\ud83d\ude00"`, `"😀"`, `"a b"`, `"\/"`, `"\n"`, `"\u001f"`, `"}"`, `"]"`, `","`})
	num := rapid.SampledFrom([]string{"0", "1", "1.0", "-0", "1e2", "12345678901234567890", "-2.5E-3"})
	name := rapid.SampledFrom([]string{`"a"`, `"b"`, `"c"`, `"\u0063"`, `"a b"`, `"}"`, `"k\"q"`})
	var gen func(d int) *rapid.Generator[string]
	gen = func(d int) *rapid.Generator[string] {
		return rapid.Custom(func(t *rapid.T) string {
			kind := rapid.IntRange(0, 6).Draw(t, "kind")
			switch {
			case d == depth:
				kind = rapid.IntRange(5, 6).Draw(t, "container") // the top is a container
			case d == 0 && kind >= 5:
				kind = rapid.IntRange(0, 4).Draw(t, "scalar")
			}
			switch kind {
			case 0:
				return str.Draw(t, "string")
			case 1:
				return num.Draw(t, "number")
			case 2:
				return rapid.SampledFrom([]string{"true", "false"}).Draw(t, "bool")
			case 3:
				return "null"
			case 4:
				return str.Draw(t, "string2")
			case 5:
				n := rapid.IntRange(0, 4).Draw(t, "items")
				var b strings.Builder
				b.WriteString("[" + ws.Draw(t, "ws"))
				for i := range n {
					if i > 0 {
						b.WriteString(ws.Draw(t, "ws") + "," + ws.Draw(t, "ws"))
					}
					b.WriteString(gen(d-1).Draw(t, "item"))
				}
				b.WriteString(ws.Draw(t, "ws") + "]")
				return b.String()
			}
			names := rapid.SliceOfDistinct(name, func(s string) string {
				var u string
				_ = json.Unmarshal([]byte(s), &u)
				return u
			}).Draw(t, "names")
			var b strings.Builder
			b.WriteString("{" + ws.Draw(t, "ws"))
			for i, nm := range names {
				if i > 0 {
					b.WriteString(ws.Draw(t, "ws") + "," + ws.Draw(t, "ws"))
				}
				b.WriteString(nm + ws.Draw(t, "ws") + ":" + ws.Draw(t, "ws") + gen(d-1).Draw(t, "value"))
			}
			b.WriteString(ws.Draw(t, "ws") + "}")
			return b.String()
		})
	}
	return gen(depth)
}

// sameAccess checks that the accessors of a (possibly unread) and f (read
// whole) agree at every level.
func sameAccess(t *rapid.T, a, f Value) {
	if a.Kind != f.Kind {
		t.Fatalf("kind %d, want %d", a.Kind, f.Kind)
	}
	if a.Kind < Array {
		if a.Str != f.Str {
			t.Fatalf("text %q, want %q", a.Str, f.Str)
		}
		return
	}
	if a.Len() != f.Len() {
		t.Fatalf("Len %d, want %d", a.Len(), f.Len())
	}
	ms := a.Members()
	i := 0
	for name, v := range a.All() {
		if name != ms[i].Name || name != f.ms()[i].Name {
			t.Fatalf("member %d: All gives %q, Members %q, want %q", i, name, ms[i].Name, f.ms()[i].Name)
		}
		if a.Kind == Object {
			g, ok := a.Get(name)
			if !ok || !Equal(g, f.ms()[i].Value) {
				t.Fatalf("Get(%q) = %v %v", name, g, ok)
			}
		}
		sameAccess(t, v, f.ms()[i].Value)
		sameAccess(t, ms[i].Value, f.ms()[i].Value)
		i++
	}
	if _, ok := a.Get("no such member"); ok {
		t.Fatal("Get found a member that is not there")
	}
}

// TestLazyAgrees checks that ParseLazy and the unread values it returns
// behave exactly like Parse and read values: the same errors at the same
// offsets, and the same answers from Equal, Size, Any, Canonical, the
// accessors, MergePatch and a write and read back.
func TestLazyAgrees(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genJSON(4).Draw(t, "doc")
		full, err := Parse([]byte(in), 64)
		if err != nil {
			t.Fatalf("Parse(%s): %v", in, err)
		}
		lazy, err := ParseLazy([]byte(in), 64)
		if err != nil {
			t.Fatalf("ParseLazy(%s): %v", in, err)
		}
		if !Equal(lazy, full) || !Equal(full, lazy) || !Equal(lazy, lazy) {
			t.Fatal("the lazy and full values differ")
		}
		if Size(lazy) != Size(full) {
			t.Fatalf("Size %d, want %d", Size(lazy), Size(full))
		}
		if !reflect.DeepEqual(Any(lazy), Any(full)) {
			t.Fatal("Any differs")
		}
		if string(Append(nil, Canonical(lazy))) != string(Append(nil, Canonical(full))) {
			t.Fatal("Canonical differs")
		}
		out := Append(nil, lazy)
		if !json.Valid(out) || strings.ContainsAny(string(out), "\n\t") {
			t.Fatalf("written as %q: not compact JSON", out)
		}
		back, err := Parse(out, 64)
		if err != nil || !Equal(back, full) {
			t.Fatalf("%s written as %s reads back as %v", in, out, err)
		}
		sameAccess(t, lazy, full)
		sameAccess(t, Expand(lazy), full)
		sameAccess(t, Full(lazy), full)

		// A second document: Equal and MergePatch on unread values agree
		// with the read ones in every combination.
		in2 := genJSON(4).Draw(t, "doc2")
		full2, _ := Parse([]byte(in2), 64)
		lazy2, err := ParseLazy([]byte(in2), 64)
		if err != nil {
			t.Fatal(err)
		}
		want := Equal(full, full2)
		for _, p := range [][2]Value{{lazy, lazy2}, {lazy, full2}, {full, lazy2}} {
			if Equal(p[0], p[1]) != want || Equal(p[1], p[0]) != want {
				t.Fatalf("Equal(%s, %s) is not %v for every form", in, in2, want)
			}
		}
		merged := MergePatch(full, full2)
		for _, p := range [][2]Value{{lazy, lazy2}, {lazy, full2}, {full, lazy2}} {
			if got := MergePatch(p[0], p[1]); !Equal(got, merged) || !Equal(Full(got), merged) {
				t.Fatalf("MergePatch(%s, %s) = %s, want %s", in, in2, Append(nil, got), Append(nil, merged))
			}
		}
		// A near copy, one token changed for another of the same length:
		// unread texts that differ only deep inside.
		pair := rapid.SampledFrom([][2]string{{`"a"`, `"c"`}, {"true", "null"}, {"1", "2"}, {`"\u0061"`, `"\u0062"`}}).Draw(t, "swap")
		if in3 := strings.Replace(in, pair[0], pair[1], 1); in3 != in {
			if full3, err := Parse([]byte(in3), 64); err == nil {
				lazy3, _ := ParseLazy([]byte(in3), 64)
				want := Equal(full, full3)
				if Equal(lazy, lazy3) != want || Equal(lazy3, lazy) != want || Equal(lazy, full3) != want {
					t.Fatalf("Equal(%s, %s) is not %v for every form", in, in3, want)
				}
			}
		}
		// Members of the top level compared one by one, as apply does.
		if lazy.Kind == Object && lazy2.Kind == Object {
			for name, v := range lazy.All() {
				if w, ok := lazy2.Get(name); ok {
					fv, _ := full.Get(name)
					fw, _ := full2.Get(name)
					if Equal(v, w) != Equal(fv, fw) || Equal(Expand(v), w) != Equal(fv, fw) {
						t.Fatalf("member %q compares differently", name)
					}
				}
			}
		}
	})
}

// TestLazyRefuses checks that ParseLazy refuses what Parse refuses with the
// same error, at the same offset, at any depth.
func TestLazyRefuses(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	bad := []string{
		"", `{"a": 1`, `{"a": {"b": 1`, `{"a": ["b"`, `{"a": [nul]}`, `{"a": {'a': 1}}`, `{"a": [1,]}`,
		`{"a": {"b": 01}}`, `{"a": [-]}`, `{"a": [1.]}`, "{\"a\": [\"x\ny\"]}", `{"a": ["\q"]}`,
		`{"a": {"b": "\u12"}}`, "{\"a\": [\"\xff\"]}", "{\"a\": [\xc3]}", `{"a": {"b": "\ud800"}}`,
		`{"a": {"c": 1, "c": 1}}`, `{"a": [{"c": 1, "\u0063": 1}]}`, `{"a": {` + members(40) + `, "m7": 0}}`,
		`{"a": [` + deep(3) + `]}`, `{"a": {"a": {"a": {"a": {}}}}}`, `{"a": []} x`, `{"a": {"b" 1}}`,
		`{"a": {"b": 1 "c": 2}}`, `{"a": [1 2]}`, `{"a": {1: 2}}`, `{"a": {"b": tru}}`, `{"a": [fals]}`,
	}
	for _, in := range bad {
		_, ferr := Parse([]byte(in), 3)
		_, lerr := ParseLazy([]byte(in), 3)
		var fe, le *Error
		if !errors.As(ferr, &fe) || !errors.As(lerr, &le) {
			t.Fatalf("%q: Parse %v, ParseLazy %v; want two *Error", in, ferr, lerr)
		}
		if *fe != *le {
			t.Errorf("%q: Parse %+v, ParseLazy %+v", in, *fe, *le)
		}
	}
}

// TestLazyLinear checks the costs that unread values must not multiply:
// deep paths compared or merged under a large unread value are read once,
// not once per level. Reading level by level would allocate the members of
// the path again at every level, about depth (5000) times what one reading
// allocates; the bytes allocated stay within a small multiple of the input.
// (The time is measured by BenchmarkLazyDeep.)
func TestLazyLinear(t *testing.T) {
	av, bv, pv, size := lazyDeep(t, 5000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if Equal(av, bv) {
		t.Fatal("different leaves compare equal")
	}
	merged := MergePatch(av, pv)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64*uint64(size) {
		t.Errorf("%d bytes allocated for %d bytes of input", alloc, size)
	}
	leaf := merged
	for leaf.Kind == Object {
		next, ok := leaf.Get("a")
		if !ok {
			break
		}
		leaf = next
	}
	if v, _ := leaf.Get("leaf"); v.Str != "3" {
		t.Errorf("the merge did not reach the leaf: %s", Append(nil, leaf))
	}
}

// BenchmarkLazyDeep compares and merges along a path 5,000 levels deep in
// a document of 1 MB: linear, a few nanoseconds per byte.
func BenchmarkLazyDeep(b *testing.B) {
	av, bv, pv, size := lazyDeep(b, 5000)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		Equal(av, bv)
		MergePatch(av, pv)
	}
}

// lazyDeep returns two unread values that differ only at the end of a path
// depth levels deep, beside a large array, and a patch of that leaf.
func lazyDeep(tb testing.TB, depth int) (a, b, patch Value, size int) {
	big := `[` + strings.Repeat(`"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",`, 20000) + `0]`
	doc := func(leaf string) string {
		return `{"a":` + strings.Repeat(`{"a":`, depth) + `{"big":` + big + `,"leaf":` + leaf + `}` + strings.Repeat("}", depth) + `}`
	}
	get := func(text string) Value {
		v, err := ParseLazy([]byte(text), MaxDepth)
		if err != nil {
			tb.Fatal(err)
		}
		a, _ := v.Get("a")
		return a
	}
	return get(doc("1")), get(doc("2")), get(`{"a":` + strings.Repeat(`{"a":`, depth) + `{"leaf":3}` + strings.Repeat("}", depth) + `}`), len(doc("1"))
}

// TestSkipString checks skipString on strings with runs of backslashes
// before quotes, at every offset of the word scan.
func TestSkipString(t *testing.T) {
	for _, body := range []string{``, `\\`, `\"`, `\\\"`, `a\\`, `\\\\\"x`, `é\u0022`} {
		for pre := range 17 {
			lit := `"` + strings.Repeat("x", pre) + body + `"`
			if !json.Valid([]byte(lit)) {
				t.Fatalf("bad case %s", lit)
			}
			if end := skipString(lit+`,1]`, 0); end != len(lit) {
				t.Errorf("skipString(%s) = %d, want %d", lit, end, len(lit))
			}
		}
	}
}

// TestMemberSize pins the size a read member takes (Value's layout): 48
// bytes on 64-bit machines.
func TestMemberSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) == 8 && unsafe.Sizeof(Member{}) != 48 {
		t.Errorf("a Member takes %d bytes, want 48", unsafe.Sizeof(Member{}))
	}
}
