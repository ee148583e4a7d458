package patch

import (
	"errors"
	"fmt"

	"github.com/amendlib/amend/internal/jsonx"
)

// MaxDepth is the deepest nesting MergePatch reads, the outermost value
// being level 1.
const MaxDepth = 10000

// Error reports an input of MergePatch that is not acceptable JSON.
type Error struct {
	// Input is "target" or "patch".
	Input string
	// Offset is the byte offset in that input where the problem was found.
	Offset int
	// Reason says what is wrong, in English.
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("patch: the %s is not acceptable JSON: %s at byte %d", e.Input, e.Reason, e.Offset)
}

// MergePatch applies the RFC 7396 JSON Merge Patch patch to target and
// returns the result as compact JSON. An empty target (no bytes) is an
// absent one: the patch is merged into null, so nulls inside it are
// dropped. Numbers keep their exact text, member order is kept, and strings
// are written with only the escaping JSON requires. Neither input is
// modified. A target or patch that is not one JSON value without duplicate
// member names, in UTF-8, nested at most MaxDepth levels, is an *Error.
func MergePatch(target, patch []byte) ([]byte, error) {
	t := jsonx.NullValue
	if len(target) > 0 {
		var err error
		if t, err = parse("target", target); err != nil {
			return nil, err
		}
	}
	p, err := parse("patch", patch)
	if err != nil {
		return nil, err
	}
	return jsonx.Append(make([]byte, 0, len(target)+len(patch)), jsonx.MergePatch(t, p)), nil
}

func parse(input string, data []byte) (jsonx.Value, error) {
	v, err := jsonx.Parse(data, MaxDepth)
	var perr *jsonx.Error
	if errors.As(err, &perr) {
		return v, &Error{Input: input, Offset: perr.Offset, Reason: perr.Msg}
	}
	return v, err
}
