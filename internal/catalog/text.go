package catalog

import (
	"unicode"

	"github.com/amendlib/amend/schema"
)

// textClass is the character class of a standard STRING attribute (V2),
// checked rune by rune instead of with a regular expression. pattern is the
// equivalent expression, reported as allowedPattern and written in the JSON
// Schema document; TestTextClasses checks that the two agree on every rune.
type textClass struct {
	pattern string
	ascii   [128]bool
	tables  []*unicode.RangeTable
	extra   string // runes allowed besides the tables
	exact   int    // when > 0, the value has exactly this many runes
}

func newTextClass(pattern string, extra string, tables ...*unicode.RangeTable) *textClass {
	tc := &textClass{pattern: pattern, tables: tables, extra: extra}
	for c := rune(0); c < 128; c++ {
		tc.ascii[c] = tc.slow(c)
	}
	return tc
}

func (tc *textClass) slow(r rune) bool {
	for _, x := range tc.extra {
		if r == x {
			return true
		}
	}
	return unicode.In(r, tc.tables...)
}

// match reports whether every rune of s is in the class (and, for an exact
// class, whether s has that many runes).
func (tc *textClass) match(s string) bool {
	n := 0
	for _, r := range s {
		n++
		if r < 128 {
			if !tc.ascii[r] {
				return false
			}
		} else if !tc.slow(r) {
			return false
		}
	}
	return tc.exact == 0 || n == tc.exact
}

// The character classes of V2.
var (
	// u1Text: letters, marks, spaces, symbols, numbers, punctuation.
	u1Text = newTextClass(`^[\p{L}\p{M}\p{Zs}\p{S}\p{N}\p{P}]*$`, "", unicode.L, unicode.M, unicode.Zs, unicode.S, unicode.N, unicode.P)
	// nameText: letters, marks, numbers, space, apostrophe, dot, hyphen.
	nameText = newTextClass(`^[\p{L}\p{M}\p{N}' .-]*$`, "' .-", unicode.L, unicode.M, unicode.N)
	// streetText: letters, marks, numbers, spaces, punctuation, newlines.
	streetText = newTextClass(`^[\p{L}\p{M}\p{N}\p{Zs}\p{P}\n\r]*$`, "\n\r", unicode.L, unicode.M, unicode.N, unicode.Zs, unicode.P)
	// countryCode: exactly two upper-case letters A-Z.
	countryCode = func() *textClass {
		tc := newTextClass(`^[A-Z]{2}$`, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		tc.exact = 2
		return tc
	}()
)

// The format names of the JSON Schema document. They are prefixed so that
// no validator's own format of that name is used by accident.
const (
	formatEmail          = "amend-email"
	formatTimeZone       = "amend-time-zone"
	formatLanguageTag    = "amend-language-tag"
	formatAcceptLanguage = "amend-accept-language"
	formatHTTPURL        = "amend-http-url"
	formatPhone          = "amend-phone"
)

// formatChecks maps the format names to schema's checks.
var formatChecks = map[string]func(string) bool{
	formatEmail:          schema.IsEmail,
	formatTimeZone:       schema.IsTimeZone,
	formatLanguageTag:    schema.IsLanguageTag,
	formatAcceptLanguage: schema.IsAcceptLanguage,
	formatHTTPURL:        schema.IsHTTPURL,
	formatPhone:          schema.IsPhone,
}

// Formats returns the format checks by the names the JSON Schema document
// uses, each adapted to a JSON Schema validator's signature: values that are
// not strings pass, as the type keyword reports them.
func Formats() map[string]func(any) bool {
	out := make(map[string]func(any) bool, len(formatChecks))
	for name, f := range formatChecks {
		out[name] = func(v any) bool {
			s, ok := v.(string)
			return !ok || f(s)
		}
	}
	return out
}
