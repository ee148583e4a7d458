package jsonx

import "strings"

// The functions of this file read the text of unread values: JSON that a
// parser has validated already (Value), so they check nothing and never
// fail. Each runs in time linear in the text it is given. The text may hold
// white space between tokens when its input did: it is skipped here and
// left out by Append, not removed when the input is read (BenchmarkCompare/
// put-roundtrip: compacting the indented texts of PingOne's example user
// took a fifth of the time of a PUT).

// isSpace reports whether c is JSON white space.
func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// skipSpace returns the index of the first byte at or after i that is not
// white space.
func skipSpace(s string, i int) int {
	for i < len(s) && s[i] <= ' ' && isSpace(s[i]) {
		i++
	}
	return i
}

// cursor walks the members of the object or array text s, one level deep,
// in order: next returns them one by one (empty names for items). Nested
// containers come unread, marked as holding white space when s does;
// strings are decoded, which allocates only for strings with escapes.
type cursor struct {
	s      string
	i      int // where the next member starts; -1 after the last
	spaced bool
}

func openCursor(s string, spaced bool) cursor {
	i := skipSpace(s, 1)
	if s[i] == '}' || s[i] == ']' {
		return cursor{s: s, i: -1}
	}
	return cursor{s: s, i: i, spaced: spaced}
}

func (c *cursor) next() (name string, v Value, ok bool) {
	if c.i < 0 {
		return "", Value{}, false
	}
	s, i := c.s, c.i
	if s[0] == '{' {
		end, escaped := scanString(s, i)
		name = s[i+1 : end-1]
		if escaped {
			name = unquote(s[i:end])
		}
		i = skipSpace(s, skipSpace(s, end)+1) // past the colon
	}
	if s[i] == '"' {
		// Strings, the most common values, are read in one pass.
		end, escaped := scanString(s, i)
		v = Value{Kind: String, Str: s[i+1 : end-1]}
		if escaped {
			v.Str = unquote(s[i:end])
		}
		i = end
	} else {
		end := skipValue(s, i)
		v = rawValue(s[i:end], c.spaced)
		i = end
	}
	i = skipSpace(s, i)
	c.i = -1
	if s[i] == ',' {
		c.i = skipSpace(s, i+1)
	}
	return name, v, true
}

// eachRaw yields the members of the unread container v until yield returns
// false.
func eachRaw(v Value, yield func(string, Value) bool) {
	c := openCursor(v.Str, v.spaced())
	for {
		name, x, ok := c.next()
		if !ok || !yield(name, x) {
			return
		}
	}
}

// readLevel returns the n members of the unread container v, one level
// deep, in a slice of their exact number: growing the slice as they come
// would cost up to three times their memory
// (BenchmarkHostile/stored-name-many-members). Value.Len gives n, from the
// count the parser made or by counting.
func readLevel(v Value, n int) []Member {
	if n == 0 {
		return nil
	}
	ms := make([]Member, 0, n)
	c := openCursor(v.Str, v.spaced())
	for {
		name, x, ok := c.next()
		if !ok {
			return ms
		}
		ms = append(ms, Member{Name: name, Value: x})
	}
}

// countRaw returns the number of members of the object or array text s.
func countRaw(s string) int {
	i := skipSpace(s, 1)
	if s[i] == '}' || s[i] == ']' {
		return 0
	}
	obj := s[0] == '{'
	for n := 1; ; n++ {
		if obj {
			i = skipSpace(s, skipSpace(s, skipString(s, i))+1)
		}
		i = skipSpace(s, skipValue(s, i))
		if s[i] != ',' {
			return n
		}
		i = skipSpace(s, i+1)
	}
}

// readFull reads the compact text s whole, every level.
func readFull(s string) Value { return reread(s, false) }

// readObjects reads the compact text s with every object in it, keeping
// the arrays nested in it unread: what a merge patch descends into
// (MergePatch).
func readObjects(s string) Value { return reread(s, true) }

func reread(s string, arraysUnread bool) Value {
	p := parser{src: s, maxDepth: MaxDepth, arraysUnread: arraysUnread}
	p.members = make([]Member, 0, min(len(s)/16+8, 4096))
	v, err := p.value(0)
	if err != nil {
		// Unreachable: s was validated when it was first read.
		panic("jsonx: unread text does not parse: " + err.Error())
	}
	return v
}

// MaxDepth is the deepest nesting any parse accepts, whatever limit its
// caller gives: unread text is read again under it.
const MaxDepth = 1 << 20

// rawValue returns the value whose text is t, an unread container marked
// as holding white space when spaced.
func rawValue(t string, spaced bool) Value {
	switch t[0] {
	case '"':
		return Value{Kind: String, Str: unquote(t)}
	case '{', '[':
		k := Object
		if t[0] == '[' {
			k = Array
		}
		v := Value{Kind: k, Str: t}
		if spaced {
			v.mn = spacedBit
		}
		return v
	case 't':
		return Value{Kind: True}
	case 'f':
		return Value{Kind: False}
	case 'n':
		return Value{Kind: Null}
	}
	return Value{Kind: Number, Str: t}
}

// unquote decodes the string literal t, quotes included. Without escapes
// the result is a slice of t.
func unquote(t string) string {
	body := t[1 : len(t)-1]
	if strings.IndexByte(body, '\\') < 0 {
		return body
	}
	p := parser{src: t}
	s, err := p.str(true)
	if err != nil {
		panic("jsonx: unread string does not parse: " + err.Error()) // unreachable, as in readFull
	}
	return s
}

// skipString returns the index just after the string literal that starts
// with the quote at s[i]. Bytes are looked up four at a time in the table of
// those a string holds as they are (BenchmarkParseLazy/read-level: 30%
// faster than testing eight at once with word arithmetic, on the short
// strings of user documents).
func skipString(s string, i int) int {
	end, _ := scanString(s, i)
	return end
}

// scanString is skipString that also reports whether the string holds an
// escape.
func scanString(s string, i int) (end int, escaped bool) {
	i++
	for {
		for i+4 <= len(s) && plain[s[i]] && plain[s[i+1]] && plain[s[i+2]] && plain[s[i+3]] {
			i += 4
		}
		switch s[i] {
		case '"':
			return i + 1, escaped
		case '\\':
			i += 2 // the escaped byte, a quote maybe, is passed over
			escaped = true
		default:
			i++
		}
	}
}

// skipValue returns the index just after the value that starts at s[i].
func skipValue(s string, i int) int {
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{', '[':
		depth := 0
		for {
			switch s[i] {
			case '"':
				i = skipString(s, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(s) && s[i] != ',' && s[i] != '}' && s[i] != ']' && !isSpace(s[i]) {
		i++
	}
	return i
}

// appendCompact appends the JSON text s without the white space outside
// its strings.
func appendCompact(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '"':
			i = skipString(s, i)
		case c <= ' ' && isSpace(c):
			dst = append(dst, s[start:i]...)
			i = skipSpace(s, i)
			start = i
		default:
			i++
		}
	}
	return append(dst, s[start:]...)
}

// sizeRaw returns Size of the unread value v: the length of its text, less
// any white space outside strings, with each string that holds escapes
// counted as Append would write it.
func sizeRaw(v Value) int {
	s := v.Str
	n := len(s)
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			j = len(s) - i
		}
		if v.spaced() {
			for _, c := range []byte(s[i : i+j]) {
				if isSpace(c) {
					n--
				}
			}
		}
		if i+j == len(s) {
			return n
		}
		start := i + j
		end := skipString(s, start)
		if lit := s[start:end]; strings.IndexByte(lit, '\\') >= 0 {
			n += stringSize(unquote(lit)) - len(lit)
		}
		i = end
	}
}
