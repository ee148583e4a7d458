package apply

import (
	"fmt"

	"github.com/amendlib/amend/internal/filter"
)

// scimPath is a parsed SCIM PATCH path (S2): attr, attr.sub, attr[filter]
// or attr[filter].sub. Names are the environment's, case-sensitive (D7).
type scimPath struct {
	text   string
	attr   string
	sub    string // "" when none
	filter filter.Node
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
		for i < len(s) && filter.IsNameByte(s[i]) {
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
		f, err := filter.Parse(s[i+1:end], false)
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
