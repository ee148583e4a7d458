package apply

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/amendlib/amend/internal/jsonx"
)

// scimPath is a parsed SCIM PATCH path (S2): attr, attr.sub, attr[filter]
// or attr[filter].sub. Names are the environment's, case-sensitive (D7).
type scimPath struct {
	text   string
	attr   string
	sub    string // "" when none
	filter filterNode
}

// pathError is a path that does not parse; filterErr tells a filter that
// does not parse (INVALID_FILTER, S5) from the rest of the path.
type pathError struct {
	msg       string
	filterErr bool
}

func (e *pathError) Error() string { return e.msg }

// parsePath parses a SCIM PATCH path.
func parsePath(s string) (*scimPath, error) {
	p := &scimPath{text: s}
	i := 0
	name := func() (string, bool) {
		start := i
		for i < len(s) && isNameByte(s[i]) {
			i++
		}
		return s[start:i], i > start
	}
	var ok bool
	if p.attr, ok = name(); !ok {
		return nil, &pathError{msg: fmt.Sprintf("the path %q does not start with an attribute name", s)}
	}
	if i < len(s) && s[i] == '[' {
		end := matchingBracket(s, i)
		if end < 0 {
			return nil, &pathError{msg: fmt.Sprintf("the filter of the path %q has no closing ]", s), filterErr: true}
		}
		f, err := parseFilter(s[i+1 : end])
		if err != nil {
			return nil, &pathError{msg: fmt.Sprintf("the filter of the path %q does not parse: %v", s, err), filterErr: true}
		}
		p.filter = f
		i = end + 1
	}
	if i < len(s) && s[i] == '.' {
		i++
		if p.sub, ok = name(); !ok {
			return nil, &pathError{msg: fmt.Sprintf("the path %q has no sub-attribute name after the dot", s)}
		}
	}
	if i != len(s) {
		return nil, &pathError{msg: fmt.Sprintf("the path %q has unexpected text at %q", s, s[i:])}
	}
	return p, nil
}

// isNameByte reports whether c may appear in an attribute name: letters,
// digits, hyphens and underscores (L4 names, and SCIM's ATTRNAME).
func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '$'
}

// matchingBracket returns the index of the ] that closes the [ at open,
// skipping string literals, or -1.
func matchingBracket(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '"':
			for i++; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// filterNode is a parsed filter (RFC 7644 section 3.4.2.2).
type filterNode interface {
	// match reports whether the element el matches. For the elements of a
	// multi-valued simple attribute, the attribute path "value" names the
	// element itself.
	match(el jsonx.Value, simple bool) bool
}

type logical struct {
	and         bool
	left, right filterNode
}

type negation struct{ inner filterNode }

type comparison struct {
	attr string
	op   string // eq ne co sw ew pr gt ge lt le
	val  jsonx.Value
}

func (l logical) match(el jsonx.Value, simple bool) bool {
	if l.and {
		return l.left.match(el, simple) && l.right.match(el, simple)
	}
	return l.left.match(el, simple) || l.right.match(el, simple)
}

func (n negation) match(el jsonx.Value, simple bool) bool { return !n.inner.match(el, simple) }

func (c comparison) match(el jsonx.Value, simple bool) bool {
	var v jsonx.Value
	var ok bool
	if simple {
		v, ok = el, c.attr == "value"
	} else {
		v, ok = el.Get(c.attr)
	}
	if !ok {
		v = jsonx.NullValue
	}
	switch c.op {
	case "pr":
		switch v.Kind {
		case jsonx.Null:
			return false
		case jsonx.String:
			return v.Str != ""
		case jsonx.Array, jsonx.Object:
			return len(v.Members) > 0
		}
		return true
	case "eq":
		return filterEqual(v, c.val)
	case "ne":
		return !filterEqual(v, c.val)
	case "co", "sw", "ew":
		if v.Kind != jsonx.String || c.val.Kind != jsonx.String {
			return false
		}
		switch c.op {
		case "co":
			return strings.Contains(v.Str, c.val.Str)
		case "sw":
			return strings.HasPrefix(v.Str, c.val.Str)
		}
		return strings.HasSuffix(v.Str, c.val.Str)
	}
	// gt ge lt le: strings lexicographically, numbers by value.
	var cmp int
	switch {
	case v.Kind == jsonx.String && c.val.Kind == jsonx.String:
		cmp = strings.Compare(v.Str, c.val.Str)
	case v.Kind == jsonx.Number && c.val.Kind == jsonx.Number:
		a, _, aerr := big.ParseFloat(v.Str, 10, 200, big.ToNearestEven)
		b, _, berr := big.ParseFloat(c.val.Str, 10, 200, big.ToNearestEven)
		if aerr != nil || berr != nil {
			return false
		}
		cmp = a.Cmp(b)
	default:
		return false
	}
	switch c.op {
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	}
	return cmp <= 0
}

// filterEqual is eq: strings exactly (case-sensitive, S2), numbers by value,
// booleans, and null matching an absent or null value.
func filterEqual(v, lit jsonx.Value) bool {
	if v.Kind == jsonx.Number && lit.Kind == jsonx.Number {
		a, _, aerr := big.ParseFloat(v.Str, 10, 200, big.ToNearestEven)
		b, _, berr := big.ParseFloat(lit.Str, 10, 200, big.ToNearestEven)
		return aerr == nil && berr == nil && a.Cmp(b) == 0
	}
	return v.Kind == lit.Kind && (v.Kind != jsonx.String || v.Str == lit.Str)
}

// filterParser is a recursive-descent parser of RFC 7644's filter grammar,
// limited to what a valuePath filter needs: comparisons of sub-attributes
// (no nested valuePath), and, or, not and parentheses. Keywords are
// case-insensitive; attribute names are not (D7).
type filterParser struct {
	s     string
	i     int
	depth int
}

const maxFilterDepth = 64

func parseFilter(s string) (filterNode, error) {
	p := &filterParser{s: s}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q", p.s[p.i:])
	}
	return n, nil
}

func (p *filterParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

// keyword consumes word (case-insensitive) when it is next and followed by
// a space or a parenthesis.
func (p *filterParser) keyword(word string) bool {
	p.space()
	end := p.i + len(word)
	if end > len(p.s) || !strings.EqualFold(p.s[p.i:end], word) {
		return false
	}
	if end < len(p.s) && p.s[end] != ' ' && p.s[end] != '(' {
		return false
	}
	p.i = end
	return true
}

func (p *filterParser) or() (filterNode, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("or") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = logical{left: left, right: right}
	}
	return left, nil
}

func (p *filterParser) and() (filterNode, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.keyword("and") {
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = logical{and: true, left: left, right: right}
	}
	return left, nil
}

func (p *filterParser) unary() (filterNode, error) {
	if p.depth++; p.depth > maxFilterDepth {
		return nil, errors.New("the filter is nested too deeply")
	}
	defer func() { p.depth-- }()
	if p.keyword("not") {
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != '(' {
			return nil, errors.New("not is followed by a parenthesised filter")
		}
		inner, err := p.group()
		if err != nil {
			return nil, err
		}
		return negation{inner}, nil
	}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		return p.group()
	}
	return p.comparison()
}

func (p *filterParser) group() (filterNode, error) {
	p.i++ // (
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ')' {
		return nil, errors.New("a parenthesis is not closed")
	}
	p.i++
	return n, nil
}

var filterOps = []string{"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr"}

func (p *filterParser) comparison() (filterNode, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) && isNameByte(p.s[p.i]) {
		p.i++
	}
	if p.i == start {
		return nil, fmt.Errorf("expected an attribute name at %q", p.s[start:])
	}
	c := comparison{attr: p.s[start:p.i]}
	if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == '[') {
		return nil, fmt.Errorf("a filter compares sub-attributes of the elements: %q is not one", p.s[start:])
	}
	p.space()
	opStart := p.i
	for p.i < len(p.s) && p.s[p.i] != ' ' && p.s[p.i] != ')' {
		p.i++
	}
	op := strings.ToLower(p.s[opStart:p.i])
	known := false
	for _, o := range filterOps {
		known = known || o == op
	}
	if !known {
		return nil, fmt.Errorf("unknown operator %q", p.s[opStart:p.i])
	}
	c.op = op
	if op == "pr" {
		return c, nil
	}
	p.space()
	v, n, err := literal(p.s[p.i:])
	if err != nil {
		return nil, err
	}
	p.i += n
	switch {
	case (v.Kind == jsonx.True || v.Kind == jsonx.False || v.Kind == jsonx.Null) && op != "eq" && op != "ne":
		return nil, fmt.Errorf("%s cannot compare with %s", op, p.s[p.i-n:p.i])
	case v.Kind != jsonx.String && (op == "co" || op == "sw" || op == "ew"):
		return nil, fmt.Errorf("%s compares strings only", op)
	}
	c.val = v
	return c, nil
}

// literal reads a JSON string, number, true, false or null at the start of
// s and returns it and its length in bytes.
func literal(s string) (jsonx.Value, int, error) {
	end := 0
	switch {
	case strings.HasPrefix(s, `"`):
		end = 1
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' {
				end++
			}
			end++
		}
		end++
	default:
		for end < len(s) && s[end] != ' ' && s[end] != ')' {
			end++
		}
	}
	if end == 0 || end > len(s) {
		return jsonx.Value{}, 0, errors.New("expected a value to compare with")
	}
	v, err := jsonx.Parse([]byte(s[:end]), 1)
	if err != nil || v.Kind == jsonx.Object || v.Kind == jsonx.Array {
		return jsonx.Value{}, 0, fmt.Errorf("%q is not a string, number, true, false or null", s[:end])
	}
	return v, end, nil
}
