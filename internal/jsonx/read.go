package jsonx

import (
	"fmt"
	"hash/maphash"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Problem says why Parse refused its input.
type Problem uint8

// The reasons Parse refuses input.
const (
	Syntax    Problem = iota + 1 // not JSON: bad token, truncated, empty
	BadUTF8                      // invalid UTF-8 or a lone surrogate escape
	Duplicate                    // a member name repeated in one object
	Trailing                     // data after the value
	TooDeep                      // nesting beyond the limit
)

// Error is the error Parse returns.
type Error struct {
	Problem Problem
	Offset  int // byte offset where the problem was found
	Msg     string
}

func (e *Error) Error() string { return "jsonx: " + e.Describe() }

// Describe says what is wrong and where, in the caller's terms and without
// the package name, for messages that reach a client (E3.1).
func (e *Error) Describe() string { return fmt.Sprintf("%s at byte %d", e.Msg, e.Offset) }

// Parse reads exactly one JSON value from data, every level of it. maxDepth
// limits nesting: the outermost array or object is level 1; 0 means no
// nesting is allowed beyond scalars. data is not retained.
func Parse(data []byte, maxDepth int) (Value, error) {
	return parse(data, maxDepth, false)
}

// ParseLazy is Parse, with the same checks and errors, that reads only an
// outermost object into memory: the containers nested in it, and an
// outermost array, stay unread, as compact text (Value). A request that looks at a few members of
// a large document pays for reading its bytes once and for those members
// (BenchmarkCompare/patch-json-4096k).
func ParseLazy(data []byte, maxDepth int) (Value, error) {
	return parse(data, maxDepth, true)
}

// ParseShared is ParseLazy without the copy of data: the strings of the
// value, and its unread texts, share data's bytes. The caller must leave
// data unchanged while it uses the value, and copy every string it keeps
// beyond that (package user: a stored document read in a request, whose
// results hold no string of it; TestResultsDoNotAliasInputs). A value of
// 4 MiB then costs no copy of its bytes (BenchmarkCompare/patch-json-4096k).
func ParseShared(data []byte, maxDepth int) (Value, error) {
	p := parser{src: unsafe.String(unsafe.SliceData(data), len(data)), maxDepth: min(maxDepth, MaxDepth), lazy: true}
	return p.run(len(data))
}

func parse(data []byte, maxDepth int, lazy bool) (Value, error) {
	// One string copy of the input: unescaped strings and names are slices
	// of it, which saves an allocation per string (BenchmarkCompare).
	p := parser{src: string(data), maxDepth: min(maxDepth, MaxDepth), lazy: lazy}
	return p.run(len(data))
}

// run reads the one value of the input.
func (p *parser) run(size int) (Value, error) {
	// Size the member stack from the input length so it rarely grows and
	// is not much larger than the outermost object, whose members it ends
	// up holding: PingOne's example user has a top-level member for every
	// 160 bytes, one with 200 custom attributes for every 60 (push
	// extrapolates when the guess is short).
	n := min(size/96+8, 4096)
	p.members = make([]Member, 0, n)
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return Value{}, p.fail(Trailing, "trailing data after the value")
	}
	return v, nil
}

type parser struct {
	src      string // the input: strings are slices of it
	pos      int
	maxDepth int
	scratch  []byte
	// members is a stack shared by all open objects and arrays: a
	// container collects its children on top and copies them to an
	// exact-size slice when it closes, instead of growing a slice by
	// doubling (BenchmarkCompare: the largest allocation source).
	members []Member
	// slots and seed serve the duplicate check of large objects.
	slots []int32
	seed  maphash.Seed // made on first use
	// slab is the free tail of a chunk that nested objects' members are
	// carved from, so that many small objects (a user's _links) cost one
	// allocation between them (BenchmarkParse: -20% time).
	slab []Member
	// lazy keeps the containers below the outermost one unread
	// (ParseLazy); arraysUnread keeps the arrays below it unread
	// (readObjects).
	lazy, arraysUnread bool
	// names is the stack of the member names of the unread objects being
	// checked, for the duplicate check; spaced records white space met
	// inside an unread container.
	names  []string
	spaced bool
	// closed is the number of members of the container checkObject or
	// checkArray checked last.
	closed int
}

// carve returns a copy of ms in exact-size memory, taken from the slab when
// ms is small. A new chunk is sized from the input still to read, so its
// unused tail stays below the size of that input; a chunk is replaced only
// for an object smaller than the chunk that does not fit in what is left,
// so the memory left behind is less than that object's own.
func (p *parser) carve(ms []Member) []Member {
	if len(ms) > len(p.slab) {
		chunk := min((len(p.src)-p.pos)/128, 1024)
		if len(ms) >= chunk {
			return append([]Member(nil), ms...)
		}
		p.slab = make([]Member, chunk)
	}
	out := p.slab[:len(ms):len(ms)]
	p.slab = p.slab[len(ms):]
	copy(out, ms)
	return out
}

func (p *parser) fail(pr Problem, msg string) *Error {
	return &Error{Problem: pr, Offset: p.pos, Msg: msg}
}

func (p *parser) skipSpace() {
	src, i := p.src, p.pos
	for i < len(src) && src[i] <= ' ' && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	if i != p.pos {
		p.spaced = true
	}
	p.pos = i
}

func (p *parser) value(depth int) (Value, error) {
	if p.pos >= len(p.src) {
		return Value{}, p.fail(Syntax, "unexpected end of input")
	}
	switch c := p.src[p.pos]; {
	case c == '{' || c == '[':
		// ParseLazy reads the outermost object only; an outermost array,
		// which is no user document, stays unread as well (TestParseMemoryBound:
		// an array of a million tiny items would take 48 bytes each).
		if p.lazy && (depth >= 1 || c == '[') || p.arraysUnread && depth >= 1 && c == '[' {
			return p.unread(depth + 1)
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str(true)
		return Value{Kind: String, Str: s}, err
	}
	return p.scalar()
}

// scalar reads a number or a literal, or reports the character that
// starts no value.
func (p *parser) scalar() (Value, error) {
	switch c := p.src[p.pos]; {
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return Value{Kind: True}, p.literal("true")
	case c == 'f':
		return Value{Kind: False}, p.literal("false")
	case c == 'n':
		return Value{Kind: Null}, p.literal("null")
	case c >= utf8.RuneSelf && !utf8.FullRuneInString(p.src[p.pos:]):
		return Value{}, p.fail(BadUTF8, "invalid UTF-8")
	}
	if r, _ := utf8.DecodeRuneInString(p.src[p.pos:]); r == utf8.RuneError {
		return Value{}, p.fail(BadUTF8, "invalid UTF-8")
	}
	return Value{}, p.fail(Syntax, fmt.Sprintf("unexpected character %q", p.src[p.pos]))
}

// unread checks the container at p.pos, at level depth, as object and
// array would, and returns it unread: its text, with the count of its
// members and whether white space sits between its tokens.
func (p *parser) unread(depth int) (Value, error) {
	start := p.pos
	p.spaced = false
	kind := Object
	var err error
	if p.src[p.pos] == '{' {
		err = p.checkObject(depth)
	} else {
		kind = Array
		err = p.checkArray(depth)
	}
	if err != nil {
		return Value{}, err
	}
	v := Value{Kind: kind, Str: p.src[start:p.pos], mn: uint32(min(p.closed+1, spacedBit-1))}
	if p.spaced {
		v.mn |= spacedBit
	}
	return v, nil
}

// check checks the value at p.pos, at container level depth, without
// keeping it.
func (p *parser) check(depth int) error {
	if p.pos >= len(p.src) {
		return p.fail(Syntax, "unexpected end of input")
	}
	switch c := p.src[p.pos]; c {
	case '{':
		return p.checkObject(depth + 1)
	case '[':
		return p.checkArray(depth + 1)
	case '"':
		_, err := p.str(false)
		return err
	}
	_, err := p.scalar()
	return err
}

// checkObject is object without keeping the members: the same checks,
// errors and offsets.
func (p *parser) checkObject(depth int) error {
	if depth > p.maxDepth {
		return p.fail(TooDeep, "nesting too deep")
	}
	start := p.pos
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		p.closed = 0
		return nil
	}
	base := len(p.names)
	defer func() { p.names = p.names[:base] }()
	var seen uint64 // a one-word Bloom filter of the names so far
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return p.fail(Syntax, "expected a member name")
		}
		at := p.pos
		name, err := p.str(true)
		if err != nil {
			return err
		}
		if n := len(p.names) - base; n < linearLimit {
			// Names are compared only when the filter has seen one like
			// it (BenchmarkParseLazy: comparing every pair of a small
			// object's names took a fifth of the time).
			if bit := nameBit(name); seen&bit == 0 {
				seen |= bit
			} else if slices.Contains(p.names[base:], name) {
				return &Error{Problem: Duplicate, Offset: at, Msg: fmt.Sprintf("duplicate member %q", name)}
			}
		}
		if len(p.names) == cap(p.names) {
			// Doubling, as push does for the member stack.
			p.names = append(make([]string, 0, 2*cap(p.names)+16), p.names...)
		}
		p.names = append(p.names, name)
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return p.fail(Syntax, "expected ':'")
		}
		p.pos++
		p.skipSpace()
		if err := p.check(depth); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return p.fail(Syntax, "unterminated object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			names := p.names[base:]
			p.closed = len(names)
			if len(names) > linearLimit {
				if dup, ok := p.duplicate(len(names), func(i int) string { return names[i] }); ok {
					return &Error{Problem: Duplicate, Offset: start, Msg: fmt.Sprintf("duplicate member %q", dup)}
				}
			}
			return nil
		default:
			return p.fail(Syntax, "expected ',' or '}'")
		}
	}
}

// checkArray is array without keeping the items.
func (p *parser) checkArray(depth int) error {
	if depth > p.maxDepth {
		return p.fail(TooDeep, "nesting too deep")
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		p.closed = 0
		return nil
	}
	for n := 1; ; n++ {
		p.skipSpace()
		if err := p.check(depth); err != nil {
			return err
		}
		p.skipSpace()
		if p.pos >= len(p.src) {
			return p.fail(Syntax, "unterminated array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.closed = n
			return nil
		default:
			return p.fail(Syntax, "expected ',' or ']'")
		}
	}
}

func (p *parser) literal(word string) error {
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		return p.fail(Syntax, "invalid literal")
	}
	p.pos += len(word)
	return nil
}

func (p *parser) number() (Value, error) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.src) && p.src[p.pos] == '0':
		p.pos++
	case p.pos < len(p.src) && p.src[p.pos] >= '1' && p.src[p.pos] <= '9':
		p.digits()
	default:
		return Value{}, p.fail(Syntax, "invalid number")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return Value{}, p.fail(Syntax, "invalid number")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return Value{}, p.fail(Syntax, "invalid number")
		}
	}
	return Value{Kind: Number, Str: p.src[start:p.pos]}, nil // a slice of the input
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

// str reads a string starting at the opening quote and returns its decoded
// text. When decode is false the string is only checked, and "" returned
// for one with escapes, which then costs no allocation.
func (p *parser) str(decode bool) (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes. Runs of printable ASCII are skipped with one
	// table lookup per byte, four at a time, on local copies the compiler
	// keeps in registers (BenchmarkCompare/put-roundtrip: str was 13% of
	// CPU). Testing eight bytes at once with word arithmetic was slower on
	// the short strings of user documents (BenchmarkParseLazy: -25%).
	src, i := p.src, p.pos
	for i < len(src) {
		if i-start >= 32 {
			// A long string: eight bytes at a time with word arithmetic
			// (BenchmarkHostile/regex-long-string: 1.7 times faster on a
			// string of 1 MiB than the table).
			for i+8 <= len(src) && plainWord(load64(src, i)) {
				i += 8
			}
		}
		for i+4 <= len(src) && strASCII[src[i]] && strASCII[src[i+1]] && strASCII[src[i+2]] && strASCII[src[i+3]] {
			i += 4
		}
		if i >= len(src) {
			break
		}
		c := src[i]
		if strASCII[c] {
			i++
			continue
		}
		if c == '"' {
			p.pos = i + 1
			return src[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			p.pos = i
			return "", p.fail(Syntax, "control character in string")
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		if r == utf8.RuneError && size == 1 {
			p.pos = i
			return "", p.fail(BadUTF8, "invalid UTF-8 in string")
		}
		i += size
	}
	p.pos = i
	var buf []byte
	if decode {
		buf = append(p.scratch[:0], src[start:p.pos]...)
	}
	for p.pos < len(src) {
		c := src[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !decode {
				return "", nil
			}
			p.scratch = buf
			return string(buf), nil
		case c == '\\':
			if p.pos+1 >= len(src) {
				return "", p.fail(Syntax, "truncated escape")
			}
			e := src[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
			case 'b':
				e = '\b'
			case 'f':
				e = '\f'
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 't':
				e = '\t'
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 || p.pos+1 >= len(src) || src[p.pos] != '\\' || src[p.pos+1] != 'u' {
						return "", p.fail(BadUTF8, "lone surrogate escape")
					}
					p.pos += 2
					r2, err := p.hex4()
					if err != nil {
						return "", err
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return "", p.fail(BadUTF8, "lone surrogate escape")
					}
				}
				if decode {
					buf = utf8.AppendRune(buf, r)
				}
				continue
			default:
				return "", p.fail(Syntax, "invalid escape")
			}
			if decode {
				buf = append(buf, e)
			}
		case c < 0x20:
			return "", p.fail(Syntax, "control character in string")
		case c < utf8.RuneSelf:
			if decode {
				buf = append(buf, c)
			}
			p.pos++
		default:
			r, size := utf8.DecodeRuneInString(src[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.fail(BadUTF8, "invalid UTF-8 in string")
			}
			if decode {
				buf = append(buf, src[p.pos:p.pos+size]...)
			}
			p.pos += size
		}
	}
	return "", p.fail(Syntax, "unterminated string")
}

func (p *parser) hex4() (rune, error) {
	if len(p.src)-p.pos < 4 {
		return 0, p.fail(Syntax, "truncated unicode escape")
	}
	var r rune
	for _, c := range p.src[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		case c >= 'A' && c <= 'F':
			r |= rune(c-'A') + 10
		default:
			return 0, p.fail(Syntax, "invalid unicode escape")
		}
	}
	p.pos += 4
	return r, nil
}

func (p *parser) array(depth int) (Value, error) {
	if depth > p.maxDepth {
		return Value{}, p.fail(TooDeep, "nesting too deep")
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		return mk(Array, nil), nil
	}
	base := len(p.members)
	defer func() { p.members = p.members[:base] }()
	for {
		p.skipSpace()
		it, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		p.push(Member{Value: it})
		p.skipSpace()
		if p.pos >= len(p.src) {
			return Value{}, p.fail(Syntax, "unterminated array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return mk(Array, p.close(base, depth)), nil
		default:
			return Value{}, p.fail(Syntax, "expected ',' or ']'")
		}
	}
}

// push puts m on the member stack. A full stack grows to the size the
// input read so far predicts, members per byte times the bytes of the
// input, and at least by half: append grows large slices by a quarter,
// which for a large array or object copied the stack about five times over
// (TestParseMemoryBound's one-element arrays: 43 MB allocated for 400 kB of
// input), and doubling left a stack up to twice too large
// (BenchmarkCompare/patch-200-custom: the outermost object's members took
// 2.3 bytes per input byte instead of 0.9).
func (p *parser) push(m Member) {
	if n := len(p.members); n == cap(p.members) {
		want := n + n/2 + 1
		if p.pos > 0 {
			want = max(want, int(float64(n)*float64(len(p.src))/float64(p.pos)*1.125))
		}
		p.members = slices.Grow(p.members, want-n)
	}
	p.members = append(p.members, m)
}

// close returns the children an array or object collected on the stack
// above base, in memory of their own.
func (p *parser) close(base, depth int) []Member {
	if depth == 1 {
		// The outermost container: nothing else will use the stack, so it
		// becomes the result instead of being copied (BenchmarkParse: one
		// allocation and copy fewer).
		return p.members[base:len(p.members):len(p.members)]
	}
	return p.carve(p.members[base:])
}

// strASCII[c] is true for the bytes a string holds as they are and that
// need no UTF-8 check: printable ASCII other than quote and backslash.
var strASCII = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// nameBit is the bit of a one-word Bloom filter that name sets: equal names
// set the same bit.
func nameBit(name string) uint64 {
	h := uint(len(name))
	if len(name) > 0 {
		h = h*31 + uint(name[0])*7 + uint(name[len(name)-1])
	}
	return 1 << (h & 63)
}

// plainWord reports whether none of the eight bytes of w is a quote, a
// backslash, a control character or a byte of a multi-byte UTF-8 sequence:
// the classic "has a byte less than n" and "has a zero byte" tests.
func plainWord(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := w ^ (ones * '"')
	slash := w ^ (ones * '\\')
	special := (w - ones*0x20) | (quote - ones) | (slash - ones)
	special &^= w // a byte with its high bit set is caught below, not here
	special |= w  // any byte ≥ 0x80
	return special&highs == 0
}

// load64 reads the eight bytes of s at i as a little-endian word; the
// compiler makes it one load.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// linearLimit is the member count up to which duplicate names are found by
// scanning as members arrive; larger objects are checked once, through a
// hash table, when they close.
const linearLimit = 16

func (p *parser) object(depth int) (Value, error) {
	if depth > p.maxDepth {
		return Value{}, p.fail(TooDeep, "nesting too deep")
	}
	start := p.pos
	p.pos++
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return mk(Object, nil), nil
	}
	base := len(p.members)
	defer func() { p.members = p.members[:base] }()
	for {
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return Value{}, p.fail(Syntax, "expected a member name")
		}
		at := p.pos
		name, err := p.str(true)
		if err != nil {
			return Value{}, err
		}
		if n := len(p.members) - base; n < linearLimit && Index(p.members[base:], name) >= 0 {
			return Value{}, &Error{Problem: Duplicate, Offset: at, Msg: fmt.Sprintf("duplicate member %q", name)}
		}
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return Value{}, p.fail(Syntax, "expected ':'")
		}
		p.pos++
		p.skipSpace()
		val, err := p.value(depth)
		if err != nil {
			return Value{}, err
		}
		p.push(Member{Name: name, Value: val})
		p.skipSpace()
		if p.pos >= len(p.src) {
			return Value{}, p.fail(Syntax, "unterminated object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			ms := p.close(base, depth)
			if len(ms) > linearLimit {
				if dup, ok := p.duplicate(len(ms), func(i int) string { return ms[i].Name }); ok {
					return Value{}, &Error{Problem: Duplicate, Offset: start, Msg: fmt.Sprintf("duplicate member %q", dup)}
				}
			}
			return mk(Object, ms), nil
		default:
			return Value{}, p.fail(Syntax, "expected ',' or '}'")
		}
	}
}

// duplicate reports the first of n names (name(i) is the i-th) that an
// earlier one repeats. It uses an open-addressing hash table of positions
// with a random seed per parse, cleared in time proportional to n, so the
// check stays linear in the size of the input whatever the names (sorting
// them cost 10% of BenchmarkCompare/patch-json-256k).
func (p *parser) duplicate(n int, name func(int) string) (string, bool) {
	size := 1
	for size < 2*n {
		size <<= 1
	}
	if cap(p.slots) < size {
		p.slots = make([]int32, size)
	}
	slots := p.slots[:size]
	clear(slots)
	if p.seed == (maphash.Seed{}) {
		p.seed = maphash.MakeSeed()
	}
	mask := uint64(size - 1)
	for i := range n {
		s := name(i)
		for j := maphash.String(p.seed, s) & mask; ; j = (j + 1) & mask {
			k := slots[j]
			if k == 0 {
				slots[j] = int32(i + 1)
				break
			}
			if name(int(k-1)) == s {
				return s, true
			}
		}
	}
	return "", false
}
