// Package filter parses and evaluates the filters of RFC 7644 section
// 3.4.2.2: the valuePath filters of a SCIM PATCH path (S2) and the filter of
// the list endpoint (H1).
package filter

import (
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/amendlib/amend/internal/jsonx"
)

// IsNameByte reports whether c may appear in an attribute name: letters,
// digits, hyphens and underscores (L4 names, and SCIM's ATTRNAME).
func IsNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '$'
}

// Node is a parsed filter.
type Node interface {
	// Match reports whether the value get describes matches: get returns
	// an attribute path's value, and Null when it is absent. With fold,
	// strings compare case-insensitively.
	Match(get func(attr string) jsonx.Value, fold bool) bool
}

type logical struct {
	and         bool
	left, right Node
}

type negation struct{ inner Node }

// Comparison is one comparison of a filter.
type Comparison struct {
	Attr string
	Op   string // eq ne co sw ew pr gt ge lt le, lower-case
	Val  jsonx.Value
}

func (l logical) Match(get func(string) jsonx.Value, fold bool) bool {
	if l.and {
		return l.left.Match(get, fold) && l.right.Match(get, fold)
	}
	return l.left.Match(get, fold) || l.right.Match(get, fold)
}

func (n negation) Match(get func(string) jsonx.Value, fold bool) bool {
	return !n.inner.Match(get, fold)
}

// Match implements Node.
func (c Comparison) Match(get func(string) jsonx.Value, fold bool) bool {
	v := get(c.Attr)
	lit := c.Val
	if fold && v.Kind == jsonx.String && lit.Kind == jsonx.String {
		v, lit = jsonx.Str(strings.ToLower(v.Str)), jsonx.Str(strings.ToLower(lit.Str))
	}
	switch c.Op {
	case "pr":
		switch v.Kind {
		case jsonx.Null:
			return false
		case jsonx.String:
			return v.Str != ""
		case jsonx.Array, jsonx.Object:
			return v.Len() > 0
		}
		return true
	case "eq":
		return equal(v, lit)
	case "ne":
		return !equal(v, lit)
	case "co", "sw", "ew":
		if v.Kind != jsonx.String || lit.Kind != jsonx.String {
			return false
		}
		switch c.Op {
		case "co":
			return strings.Contains(v.Str, lit.Str)
		case "sw":
			return strings.HasPrefix(v.Str, lit.Str)
		}
		return strings.HasSuffix(v.Str, lit.Str)
	}
	// gt ge lt le: strings lexicographically, numbers by value.
	var cmp int
	switch {
	case v.Kind == jsonx.String && lit.Kind == jsonx.String:
		cmp = strings.Compare(v.Str, lit.Str)
	case v.Kind == jsonx.Number && lit.Kind == jsonx.Number:
		a, _, aerr := big.ParseFloat(v.Str, 10, 200, big.ToNearestEven)
		b, _, berr := big.ParseFloat(lit.Str, 10, 200, big.ToNearestEven)
		if aerr != nil || berr != nil {
			return false
		}
		cmp = a.Cmp(b)
	default:
		return false
	}
	switch c.Op {
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	}
	return cmp <= 0
}

// equal is eq: strings exactly, numbers by value, booleans, and null
// matching an absent or null value.
func equal(v, lit jsonx.Value) bool {
	if v.Kind == jsonx.Number && lit.Kind == jsonx.Number {
		a, _, aerr := big.ParseFloat(v.Str, 10, 200, big.ToNearestEven)
		b, _, berr := big.ParseFloat(lit.Str, 10, 200, big.ToNearestEven)
		return aerr == nil && berr == nil && a.Cmp(b) == 0
	}
	return v.Kind == lit.Kind && (v.Kind != jsonx.String || v.Str == lit.Str)
}

// filterParser is a recursive-descent parser of RFC 7644's filter grammar:
// comparisons of attributes (no nested valuePath), and, or, not and
// parentheses. Keywords are case-insensitive; attribute names are not (D7).
type filterParser struct {
	s      string
	i      int
	depth  int
	dotted bool
}

const maxFilterDepth = 64

// Parse parses a filter. With dotted, attribute paths may name a
// sub-attribute (name.given); otherwise they are plain names, as in a
// valuePath filter.
func Parse(s string, dotted bool) (Node, error) {
	p := &filterParser{s: s, dotted: dotted}
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

func (p *filterParser) or() (Node, error) {
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

func (p *filterParser) and() (Node, error) {
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

func (p *filterParser) unary() (Node, error) {
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

func (p *filterParser) group() (Node, error) {
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

func (p *filterParser) comparison() (Node, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) && (IsNameByte(p.s[p.i]) || p.dotted && p.s[p.i] == '.') {
		p.i++
	}
	if p.i == start {
		return nil, fmt.Errorf("expected an attribute name at %q", p.s[start:])
	}
	c := Comparison{Attr: p.s[start:p.i]}
	if p.i < len(p.s) && (p.s[p.i] == '.' || p.s[p.i] == '[') {
		return nil, fmt.Errorf("%q is not an attribute this filter can compare", p.s[start:])
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
	c.Op = op
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
	c.Val = v
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

// Comparisons returns the comparisons of a filter, in order.
func Comparisons(n Node) []Comparison {
	switch n := n.(type) {
	case logical:
		return append(Comparisons(n.left), Comparisons(n.right)...)
	case negation:
		return Comparisons(n.inner)
	case Comparison:
		return []Comparison{n}
	}
	return nil
}

// UsesNot reports whether a filter negates.
func UsesNot(n Node) bool {
	switch n := n.(type) {
	case logical:
		return UsesNot(n.left) || UsesNot(n.right)
	case negation:
		return true
	}
	return false
}
