package jsonx

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"unicode/utf16"
	"unicode/utf8"
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

// Parse reads exactly one JSON value from data. maxDepth limits nesting: the
// outermost array or object is level 1; 0 means no nesting is allowed beyond
// scalars. data is not retained.
func Parse(data []byte, maxDepth int) (Value, error) {
	// One string copy of the input: unescaped strings and names are slices
	// of it, which saves an allocation per string (BenchmarkCompare).
	p := parser{data: data, src: string(data), maxDepth: maxDepth}
	// Size the member stack from the input length so it rarely grows and
	// is not much larger than the outermost object, whose members it ends
	// up holding: PingOne's example user has a top-level member for every
	// 160 bytes.
	n := min(len(data)/160+8, 4096)
	p.members = make([]Member, 0, n)
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return Value{}, p.fail(Trailing, "trailing data after the value")
	}
	return v, nil
}

type parser struct {
	data     []byte
	src      string // data as a string, for slicing strings without copies
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
}

// carve returns a copy of ms in exact-size memory, taken from the slab when
// ms is small. A new chunk is sized from the input still to read, so its
// unused tail stays below the size of that input; a chunk is replaced only
// for an object smaller than the chunk that does not fit in what is left,
// so the memory left behind is less than that object's own.
func (p *parser) carve(ms []Member) []Member {
	if len(ms) > len(p.slab) {
		chunk := min((len(p.data)-p.pos)/128, 1024)
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
	data, i := p.data, p.pos
	for i < len(data) && data[i] <= ' ' && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	p.pos = i
}

func (p *parser) value(depth int) (Value, error) {
	if p.pos >= len(p.data) {
		return Value{}, p.fail(Syntax, "unexpected end of input")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		return Value{Kind: String, Str: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return Value{Kind: True}, p.literal("true")
	case c == 'f':
		return Value{Kind: False}, p.literal("false")
	case c == 'n':
		return Value{Kind: Null}, p.literal("null")
	case c >= utf8.RuneSelf && !utf8.FullRune(p.data[p.pos:]):
		return Value{}, p.fail(BadUTF8, "invalid UTF-8")
	}
	if r, _ := utf8.DecodeRune(p.data[p.pos:]); r == utf8.RuneError {
		return Value{}, p.fail(BadUTF8, "invalid UTF-8")
	}
	return Value{}, p.fail(Syntax, fmt.Sprintf("unexpected character %q", p.data[p.pos]))
}

func (p *parser) literal(word string) error {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		return p.fail(Syntax, "invalid literal")
	}
	p.pos += len(word)
	return nil
}

func (p *parser) number() (Value, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case p.pos < len(p.data) && p.data[p.pos] >= '1' && p.data[p.pos] <= '9':
		p.digits()
	default:
		return Value{}, p.fail(Syntax, "invalid number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if p.digits() == 0 {
			return Value{}, p.fail(Syntax, "invalid number")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.digits() == 0 {
			return Value{}, p.fail(Syntax, "invalid number")
		}
	}
	return Value{Kind: Number, Str: p.src[start:p.pos]}, nil // a slice of the one copy of the input
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}

// str reads a string starting at the opening quote and returns its decoded
// text.
func (p *parser) str() (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes. Runs of printable ASCII are skipped with one
	// table lookup per byte, on local copies the compiler keeps in
	// registers (BenchmarkCompare/put-roundtrip: str was 13% of CPU).
	data, i := p.data, p.pos
	for i < len(data) {
		// Eight bytes at a time while none of them needs a look.
		for i+8 <= len(data) && plainWord(binary.LittleEndian.Uint64(data[i:])) {
			i += 8
		}
		if i >= len(data) {
			break
		}
		c := data[i]
		if strASCII[c] {
			i++
			continue
		}
		if c == '"' {
			p.pos = i + 1
			return p.src[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			p.pos = i
			return "", p.fail(Syntax, "control character in string")
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			p.pos = i
			return "", p.fail(BadUTF8, "invalid UTF-8 in string")
		}
		i += size
	}
	p.pos = i
	buf := append(p.scratch[:0], p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			p.scratch = buf
			return string(buf), nil
		case c == '\\':
			if p.pos+1 >= len(p.data) {
				return "", p.fail(Syntax, "truncated escape")
			}
			e := p.data[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 || p.pos+1 >= len(p.data) || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
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
				buf = utf8.AppendRune(buf, r)
			default:
				return "", p.fail(Syntax, "invalid escape")
			}
		case c < 0x20:
			return "", p.fail(Syntax, "control character in string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.fail(BadUTF8, "invalid UTF-8 in string")
			}
			buf = append(buf, p.data[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return "", p.fail(Syntax, "unterminated string")
}

func (p *parser) hex4() (rune, error) {
	if len(p.data)-p.pos < 4 {
		return 0, p.fail(Syntax, "truncated unicode escape")
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
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
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return Value{Kind: Array, Members: []Member{}}, nil
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
		if p.pos >= len(p.data) {
			return Value{}, p.fail(Syntax, "unterminated array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return Value{Kind: Array, Members: p.close(base, depth)}, nil
		default:
			return Value{}, p.fail(Syntax, "expected ',' or ']'")
		}
	}
}

// push puts m on the member stack, doubling the stack when it is full:
// append grows large slices by a quarter, which for a large array or object
// copied the stack about five times over (TestParseMemoryBound's one-element
// arrays: 43 MB allocated for 400 kB of input).
func (p *parser) push(m Member) {
	if len(p.members) == cap(p.members) {
		p.members = slices.Grow(p.members, len(p.members)+1)
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
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return Value{Kind: Object, Members: []Member{}}, nil
	}
	base := len(p.members)
	defer func() { p.members = p.members[:base] }()
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return Value{}, p.fail(Syntax, "expected a member name")
		}
		at := p.pos
		name, err := p.str()
		if err != nil {
			return Value{}, err
		}
		if n := len(p.members) - base; n < linearLimit && Index(p.members[base:], name) >= 0 {
			return Value{}, &Error{Problem: Duplicate, Offset: at, Msg: fmt.Sprintf("duplicate member %q", name)}
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
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
		if p.pos >= len(p.data) {
			return Value{}, p.fail(Syntax, "unterminated object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			ms := p.close(base, depth)
			if len(ms) > linearLimit {
				if dup, ok := p.duplicate(ms); ok {
					return Value{}, &Error{Problem: Duplicate, Offset: start, Msg: fmt.Sprintf("duplicate member %q", dup)}
				}
			}
			return Value{Kind: Object, Members: ms}, nil
		default:
			return Value{}, p.fail(Syntax, "expected ',' or '}'")
		}
	}
}

// duplicate reports the first name of ms that an earlier member already
// has. It uses an open-addressing hash table of member positions with a
// random seed per parse, cleared in time proportional to ms, so the check
// stays linear in the size of the input whatever the names (sorting them
// cost 10% of BenchmarkCompare/patch-json-256k).
func (p *parser) duplicate(ms []Member) (string, bool) {
	size := 1
	for size < 2*len(ms) {
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
	for i, m := range ms {
		for j := maphash.String(p.seed, m.Name) & mask; ; j = (j + 1) & mask {
			k := slots[j]
			if k == 0 {
				slots[j] = int32(i + 1)
				break
			}
			if ms[k-1].Name == m.Name {
				return m.Name, true
			}
		}
	}
	return "", false
}
