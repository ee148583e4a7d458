package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// TestParseRefuses checks every refusal of E3.1 and L1's depth limit.
func TestParseRefuses(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name, in string
		want     Problem
	}{
		{"empty", "", Syntax},
		{"whitespace only", " \n\t ", Syntax},
		{"truncated object", `{"a": 1`, Syntax},
		{"truncated string", `{"a": "b`, Syntax},
		{"bare word", `{"a": nul}`, Syntax},
		{"single quotes", `{'a': 1}`, Syntax},
		{"trailing comma", `{"a": 1,}`, Syntax},
		{"leading zero", `{"a": 01}`, Syntax},
		{"number without digits", `{"a": -}`, Syntax},
		{"fraction without digits", `{"a": 1.}`, Syntax},
		{"exponent without digits", `{"a": 1e}`, Syntax},
		{"raw newline in string", "{\"a\": \"x\ny\"}", Syntax},
		{"raw NUL in string", "{\"a\": \"x\x00\"}", Syntax},
		{"bad escape", `{"a": "\q"}`, Syntax},
		{"short unicode escape", `{"a": "\u12"}`, Syntax},
		{"invalid UTF-8 in string", "{\"a\": \"\xff\"}", BadUTF8},
		{"invalid UTF-8 outside string", "{\"a\": \xc3}", BadUTF8},
		{"overlong encoding", "{\"a\": \"\xc0\xaf\"}", BadUTF8},
		{"encoded surrogate", "{\"a\": \"\xed\xa0\x80\"}", BadUTF8},
		{"lone high surrogate", `{"a": "\ud800"}`, BadUTF8},
		{"lone low surrogate", `{"a": "\udc00"}`, BadUTF8},
		{"high surrogate then letter", `{"a": "\ud800x"}`, BadUTF8},
		{"two high surrogates", `{"a": "\ud800\ud800"}`, BadUTF8},
		{"duplicate at top", `{"a": 1, "a": 2}`, Duplicate},
		{"duplicate deep", `{"a": [{"c": 1, "c": 1}]}`, Duplicate},
		{"duplicate by escape", `{"a": 1, "\u0061": 2}`, Duplicate},
		{"duplicate in large object", `{` + members(40) + `, "m7": 0}`, Duplicate},
		{"trailing data", `{} {}`, Trailing},
		{"trailing garbage", `{"a": 1} x`, Trailing},
		{"too deep", deep(4), TooDeep},
		{"too deep objects", `{"a":{"a":{"a":{"a":{}}}}}`, TooDeep},
		{"BOM", "\xef\xbb\xbf{}", Syntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in), 3)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error = %v, want a *Error", tt.in, err)
			}
			if pe.Problem != tt.want {
				t.Errorf("Parse(%q) problem = %d (%v), want %d", tt.in, pe.Problem, err, tt.want)
			}
		})
	}
}

func members(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(`"m` + itoa(i) + `": 0`)
	}
	return b.String()
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestParseAccepts checks values the reader must accept and keep exactly
// (O4: numbers by their text; D7: names as written).
func TestParseAccepts(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"big integer", `{"n":12345678901234567890}`, `{"n":12345678901234567890}`},
		{"exponent form kept", `{"n":1.0E+2}`, `{"n":1.0E+2}`},
		{"negative zero", `{"n":-0.0}`, `{"n":-0.0}`},
		{"surrogate pair", `{"s":"\ud83d\ude00"}`, `{"s":"😀"}`},
		{"escapes", `{"s":"\"\\\/\b\f\n\r\t\u0001"}`, `{"s":"\"\\/\b\f\n\r\t\u0001"}`},
		{"member order kept", `{"b":1,"a":2}`, `{"b":1,"a":2}`},
		{"names are case-sensitive", `{"a":1,"A":2}`, `{"a":1,"A":2}`},
		{"white space", " { \"a\" : [ 1 , true , false , null ] } ", `{"a":[1,true,false,null]}`},
		{"depth at the limit", `[[[1]]]`, `[[[1]]]`},
		{"empty containers", `{"a":{},"b":[]}`, `{"a":{},"b":[]}`},
		{"UTF-8 kept raw", `{"s":"é€"}`, `{"s":"é€"}`},
		{"U+2028 kept raw", "{\"s\":\"\u2028<>&\"}", "{\"s\":\"\u2028<>&\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Parse([]byte(tt.in), 3)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			got := string(Append(nil, v))
			if got != tt.want {
				t.Errorf("Append(Parse(%q)) = %s, want %s", tt.in, got, tt.want)
			}
			if n := Size(v); n != len(got) {
				t.Errorf("Size = %d, want len(Append) = %d", n, len(got))
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("output %q is not valid JSON", got)
			}
		})
	}
}

// TestEqual checks O5's comparison: numbers by text, objects order-free.
func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`1`, `1`, true},
		{`1`, `1.0`, false},
		{`{"a":1,"b":2}`, `{"b":2,"a":1}`, true},
		{`{"a":1}`, `{"a":1,"b":2}`, false},
		{`[1,2]`, `[2,1]`, false},
		{`"é"`, `"e\u0301"`, false},
		{`null`, `false`, false},
		{`{"a":{"b":[1,{"c":null}]}}`, `{"a":{"b":[1,{"c":null}]}}`, true},
	}
	for _, tt := range tests {
		a, _ := Parse([]byte(tt.a), 10)
		b, _ := Parse([]byte(tt.b), 10)
		if got := Equal(a, b); got != tt.want {
			t.Errorf("Equal(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestParseLarge checks that large inputs are read in linear time and that
// the control characters JSON requires escaped come out escaped.
func TestParseLarge(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("{" + members(200000) + "}")
	v, err := Parse(b.Bytes(), 64)
	if err != nil {
		t.Fatal(err)
	}
	if v.Len() != 200000 {
		t.Fatalf("got %d members", v.Len())
	}
	s := string(Append(nil, Str("a\x1fb")))
	if s != `"a\u001fb"` {
		t.Errorf("control character written as %s", s)
	}
}

// TestParseStringsAgree compares decoded strings with encoding/json for
// strings whose special bytes sit at every offset of the word scan.
func TestParseStringsAgree(t *testing.T) {
	specials := []string{`\"`, `\\`, `\n`, `\u00e9`, "é", "😀", `\ud83d\ude00`, "\x7f"}
	for _, sp := range specials {
		for pre := 0; pre < 20; pre++ {
			for post := 0; post < 10; post++ {
				in := `"` + strings.Repeat("x", pre) + sp + strings.Repeat("y", post) + `"`
				var want string
				if err := json.Unmarshal([]byte(in), &want); err != nil {
					t.Fatalf("encoding/json refused %s: %v", in, err)
				}
				v, err := Parse([]byte(in), 8)
				if err != nil || v.Str != want {
					t.Fatalf("Parse(%s) = %q, %v; want %q", in, v.Str, err, want)
				}
			}
		}
	}
	for _, bad := range []string{"\x01", "\xff", "\xc3"} {
		for pre := 0; pre < 20; pre++ {
			in := `"` + strings.Repeat("x", pre) + bad + `xxxxxxxxx"`
			if _, err := Parse([]byte(in), 8); err == nil {
				t.Fatalf("Parse(%q) accepted a control byte or bad UTF-8", in)
			}
		}
	}
}

// TestDuplicateLargeObjects checks the hash-table duplicate check of objects
// beyond linearLimit: a repeat anywhere is found and reported by name, and
// distinct names that share prefixes are not taken for repeats.
func TestDuplicateLargeObjects(t *testing.T) {
	for _, n := range []int{linearLimit + 1, 100, 5000} {
		names := make([]string, n)
		for i := range names {
			names[i] = fmt.Sprintf(`"%s%d"`, strings.Repeat("p", i%7), i)
		}
		doc := func(names []string) string {
			var b strings.Builder
			b.WriteString("[0,{")
			for i, nm := range names {
				if i > 0 {
					b.WriteByte(',')
				}
				b.WriteString(nm + ":0")
			}
			b.WriteString("}]")
			return b.String()
		}
		if _, err := Parse([]byte(doc(names)), 8); err != nil {
			t.Fatalf("%d distinct names: %v", n, err)
		}
		for _, pos := range [][2]int{{0, n - 1}, {n - 2, n - 1}, {n / 2, n/2 + 1}, {3, n - 4}} {
			dup := append([]string(nil), names...)
			dup[pos[1]] = dup[pos[0]]
			_, err := Parse([]byte(doc(dup)), 8)
			var e *Error
			if !errors.As(err, &e) || e.Problem != Duplicate || !strings.Contains(e.Msg, strings.Trim(dup[pos[0]], `"`)) {
				t.Fatalf("%d names, %v repeated: got %v", n, pos, err)
			}
		}
	}
}

// TestParseMemoryBound checks that the bytes Parse allocates stay within a
// fixed multiple of the input for the shapes that cost most per input byte:
// many tiny containers, many names, deep nesting (L5). A body within L1 thus
// costs a bounded amount of memory before E3.1 accepts or refuses it. The
// worst for Parse is a flat array of one-digit numbers nested in an object,
// as in {"tags":[1,1,...]}: about 105 bytes per input byte (145 under the
// race detector, whose allocations are larger), a 48-byte Member per two
// input bytes on the doubling stack and again in its array. ParseLazy, which
// the library uses, reads only the outermost level and stays under 24
// (many top-level names: 12). The figures of every shape are logged with -v.
func TestParseMemoryBound(t *testing.T) {
	var names strings.Builder
	names.WriteString("{")
	for i := range 50000 {
		if i > 0 {
			names.WriteString(",")
		}
		fmt.Fprintf(&names, `"k%d":0`, i)
	}
	names.WriteString("}")
	shapes := map[string]string{
		"one-element arrays": "[" + strings.Repeat(`[0],`, 100000) + `[]]`,
		"flat numbers":       `{"tags":[` + strings.Repeat(`1,`, 200000) + `1]}`,
		"tiny objects":       "[" + strings.Repeat(`{"a":0},`, 100000) + `{}]`,
		"empty containers":   "[" + strings.Repeat(`{},[],`, 100000) + `0]`,
		"many names":         names.String(),
		"deep objects":       strings.Repeat(`{"a":`, 5000) + "0" + strings.Repeat("}", 5000),
		"deep arrays":        strings.Repeat(`[`, 5000) + strings.Repeat("]", 5000),
	}
	for name, in := range shapes {
		for _, lazy := range []bool{false, true} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := parse([]byte(in), 10000, lazy)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			bound := uint64(115) // flat numbers, the worst: 105 (see docs/benchmarks.md)
			if raceEnabled {
				bound = 160 // 145 under the race detector
			}
			if lazy {
				bound = 24
			}
			if alloc > bound*uint64(len(in))+1<<16 {
				t.Errorf("%s (lazy %v): %d bytes allocated for %d bytes of input", name, lazy, alloc, len(in))
			}
			t.Logf("%-20s lazy %-5v %6.1f bytes allocated per input byte", name, lazy, float64(alloc)/float64(len(in)))
		}
	}
}

// TestPlainWord checks the eight-bytes-at-a-time string scan against the
// byte table for every byte value at every position of a word, with every
// other byte plain or special.
func TestPlainWord(t *testing.T) {
	for _, filler := range []byte{'a', ' ', '~', '"', 0x80, 0x1f} {
		for pos := 0; pos < 8; pos++ {
			for c := 0; c < 256; c++ {
				var b [8]byte
				for i := range b {
					b[i] = filler
				}
				b[pos] = byte(c)
				want := true
				for _, x := range b {
					want = want && strASCII[x]
				}
				w := uint64(0)
				for i := 7; i >= 0; i-- {
					w = w<<8 | uint64(b[i])
				}
				if got := plainWord(w); got != want {
					t.Fatalf("plainWord(% x) = %v, want %v", b, got, want)
				}
			}
		}
	}
}
