// Package catalog is the attribute catalogue of an environment's users: the
// standard PingOne attributes with their constraints (V2), adjusted by
// STANDARD entries and extended by CUSTOM schema attributes (V4), checked
// against L4 when built, and the validator of the values a request sets (V1,
// V3-V5, L2, L5). Only package user and its internal helpers use it.
package catalog

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
)

// Class says who may set an attribute.
type Class uint8

// The attribute classes of the rulebook.
const (
	// Writable attributes are set by PUT and PATCH (D2, custom attributes).
	Writable Class = iota
	// ServerManaged attributes are never set from a body (D3).
	ServerManaged
	// Dedicated attributes belong to an operation of their own (D4).
	Dedicated
)

// Limits are the limits the catalogue applies. Zero fields mean the
// defaults.
type Limits struct {
	MaxValues           int // L2; 0 means 1,000
	MaxCustomAttributes int // L4; 0 means 200
	MaxEnumeratedValues int // L4; 0 means 100
	// MaxCustomBytes is L3's budget: a custom string longer than it is
	// refused by L3 whatever it holds, so its pattern is not run on it.
	// 0 means no budget.
	MaxCustomBytes int
}

// WithDefaults returns l with zero fields set to the rulebook's defaults.
func (l Limits) WithDefaults() Limits {
	if l.MaxValues == 0 {
		l.MaxValues = 1000
	}
	if l.MaxCustomAttributes == 0 {
		l.MaxCustomAttributes = 200
	}
	if l.MaxEnumeratedValues == 0 {
		l.MaxEnumeratedValues = 100
	}
	return l
}

// Attr is one attribute of a catalogue: a top-level attribute or a
// sub-attribute of a COMPLEX one. Attrs are read-only once built.
type Attr struct {
	Name  string // member name
	Path  string // dotted path: "name.given"
	Type  schema.Type
	Class Class
	// Multi is true for multi-valued attributes (arrays).
	Multi    bool
	Required bool
	Unique   bool
	Disabled bool
	Custom   bool
	// Subs are the sub-attributes of a COMPLEX attribute.
	Subs []*Attr
	// Advice says how a Dedicated attribute changes instead (D4): "use the
	// enabled operation".
	Advice string
	// Default is the value a stored user lacking a Dedicated attribute is
	// compared with (D4); HasDefault is false when there is none.
	Default    jsonx.Value
	HasDefault bool

	// Constraints of a STRING value.
	MinLength, MaxLength int    // in code points; 0: none
	Pattern              string // the pattern reported as allowedPattern
	Format               string // the JSON Schema format name, for the schema document
	Enum                 []schema.EnumeratedValue

	subs   map[string]*Attr // by name, for COMPLEX attributes with many subs
	text   *textClass       // a standard attribute's character class
	re     *matcher         // a custom pattern (see anchor)
	whole  string           // a custom pattern anchored on its parse, for the schema document
	format func(string) bool
	enum   map[string]bool // value -> archived
	active []string        // the values that are not archived
}

// Sub returns the sub-attribute named name (case-sensitive, D7), or nil.
func (a *Attr) Sub(name string) *Attr {
	if a.subs != nil {
		return a.subs[name]
	}
	for _, s := range a.Subs {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// SubHint returns the path of the sub-attribute whose name differs from name
// only by case, or "".
func (a *Attr) SubHint(name string) string {
	for _, s := range a.Subs {
		if strings.EqualFold(s.Name, name) {
			return s.Path
		}
	}
	return ""
}

// IsComplexSingle reports whether a is a single-valued COMPLEX attribute,
// whose sub-attributes are paths of their own.
func (a *Attr) IsComplexSingle() bool { return a.Type == schema.Complex && !a.Multi }

// HasWritableSub reports whether some sub-attribute of a COMPLEX attribute
// is writable (name, address), as opposed to population, account and
// lifecycle, whose sub-attributes are all server-managed or dedicated.
func (a *Attr) HasWritableSub() bool {
	for _, s := range a.Subs {
		if s.Class == Writable {
			return true
		}
	}
	return false
}

// ActiveValues returns the enumerated values that are not archived; the
// caller must not modify the slice.
func (a *Attr) ActiveValues() []string { return a.active }

// Catalogue is the immutable set of attributes of an environment's user: the
// standard ones adjusted by STANDARD entries, plus CUSTOM ones. It is safe for
// concurrent use.
type Catalogue struct {
	attrs  []*Attr
	byName map[string]*Attr
	byFold map[string]string // lower-case name -> name, for hints
	limits Limits
	doc    func() []byte // the JSON Schema document, written on first use
}

// Attrs returns the top-level attributes in catalogue order. The slice must
// not be modified.
func (c *Catalogue) Attrs() []*Attr { return c.attrs }

// Lookup returns the top-level attribute named name (case-sensitive, D7), or
// nil.
func (c *Catalogue) Lookup(name string) *Attr { return c.byName[name] }

// Hint returns the attribute name that differs from name only by case, or "".
func (c *Catalogue) Hint(name string) string { return c.byFold[strings.ToLower(name)] }

// Limits returns the catalogue's limits with defaults applied.
func (c *Catalogue) Limits() Limits { return c.limits }

// JSONSchema returns the JSON Schema (draft 2020-12) of the user document.
// The caller must not modify the returned bytes.
func (c *Catalogue) JSONSchema() []byte { return c.doc() }

func text(name string, min, max int, tc *textClass, format string) *Attr {
	a := &Attr{Name: name, Type: schema.String, MinLength: min, MaxLength: max, text: tc, Format: format}
	if tc != nil {
		a.Pattern = tc.pattern
	}
	if format != "" {
		a.format = formatChecks[format]
	}
	return a
}

func fixed(name string, t schema.Type, class Class) *Attr {
	return &Attr{Name: name, Type: t, Class: class}
}

func multi(a *Attr) *Attr { a.Multi = true; return a }

func dedicated(name string, t schema.Type, op string, def *jsonx.Value) *Attr {
	a := &Attr{Name: name, Type: t, Class: Dedicated, Advice: op}
	if def != nil {
		a.Default, a.HasDefault = *def, true
	}
	return a
}

func complexOf(name string, subs ...*Attr) *Attr {
	return &Attr{Name: name, Type: schema.Complex, Subs: subs}
}

func ptr(v jsonx.Value) *jsonx.Value { return &v }

// How each dedicated attribute changes (D4, X2-X8): D4's messages name the
// operation, which exists (user.Operation), or say that PingOne's own is out
// of amend's scope.
const (
	OpEnabled      = "use the enabled operation"
	OpMFAEnabled   = "use the mfaEnabled operation"
	OpPopulation   = "use the population operation"
	OpAccount      = "use the lock or unlock operation"
	OpVerifyStatus = "use the verifyStatus operation"
	OpLifecycle    = "it is set by an import and by PingOne's verification operations, which amend does not implement"
	OpPassword     = "use PingOne's password operations, which amend does not implement"
)

// standard returns a fresh copy of the standard PingOne user attributes
// (D2-D4, V2).
func standard() []*Attr {
	username := text("username", 1, 128, u1Text, "")
	username.Required, username.Unique = true, true
	return []*Attr{
		fixed("id", schema.String, ServerManaged),
		fixed("environment", schema.Complex, ServerManaged),
		fixed("createdAt", schema.String, ServerManaged),
		fixed("updatedAt", schema.String, ServerManaged),
		fixed("_links", schema.JSON, ServerManaged),
		fixed("lastSignOn", schema.Complex, ServerManaged),
		multi(fixed("memberOfGroupIDs", schema.String, ServerManaged)),
		multi(fixed("memberOfGroupNames", schema.String, ServerManaged)),
		fixed("emailVerified", schema.Boolean, ServerManaged),
		username,
		text("email", 0, 0, nil, formatEmail),
		text("externalId", 1, 1024, nil, ""),
		text("accountId", 1, 256, nil, ""),
		complexOf("name",
			text("given", 1, 256, u1Text, ""),
			text("middle", 1, 256, u1Text, ""),
			text("family", 1, 256, nameText, ""),
			text("formatted", 1, 256, nameText, ""),
			text("honorificPrefix", 1, 256, nil, ""),
			text("honorificSuffix", 1, 256, nil, ""),
		),
		text("nickname", 1, 256, u1Text, ""),
		text("title", 1, 256, u1Text, ""),
		text("type", 1, 256, u1Text, ""),
		text("preferredLanguage", 1, 256, nil, formatAcceptLanguage),
		text("locale", 0, 0, nil, formatLanguageTag),
		text("timezone", 0, 0, nil, formatTimeZone),
		text("primaryPhone", 1, 32, nil, formatPhone),
		text("mobilePhone", 1, 32, nil, formatPhone),
		complexOf("photo", text("href", 0, 0, nil, formatHTTPURL)),
		complexOf("address",
			text("streetAddress", 1, 256, streetText, ""),
			text("locality", 1, 256, u1Text, ""),
			text("region", 1, 256, u1Text, ""),
			text("postalCode", 1, 40, nil, ""),
			text("zipCode", 1, 40, nil, ""),
			text("countryCode", 0, 0, countryCode, ""),
		),
		complexOf("identityProvider",
			text("id", 0, 0, nil, ""),
			fixed("type", schema.String, ServerManaged),
		),
		complexOf("population", dedicated("id", schema.String, OpPopulation, nil)),
		complexOf("account",
			dedicated("status", schema.String, OpAccount, ptr(jsonx.Str("OK"))),
			dedicated("canAuthenticate", schema.Boolean, OpAccount, ptr(jsonx.Bool(true))),
			fixed("lockedAt", schema.String, ServerManaged),
			fixed("secondsUntilUnlock", schema.JSON, ServerManaged),
			fixed("unlockAt", schema.String, ServerManaged),
		),
		complexOf("lifecycle",
			dedicated("status", schema.String, OpLifecycle, ptr(jsonx.Str("ACCOUNT_OK"))),
			dedicated("suppressVerificationCode", schema.Boolean, OpLifecycle, nil),
		),
		dedicated("enabled", schema.Boolean, OpEnabled, ptr(jsonx.Bool(true))),
		dedicated("mfaEnabled", schema.Boolean, OpMFAEnabled, ptr(jsonx.Bool(false))),
		dedicated("verifyStatus", schema.String, OpVerifyStatus, ptr(jsonx.Str("NOT_INITIATED"))),
		dedicated("password", schema.JSON, OpPassword, nil),
	}
}

// coreNames are the attributes PingOne lists with schemaType CORE; a
// STANDARD entry cannot adjust them (username stays unique, V4).
var coreNames = map[string]bool{
	"id": true, "environment": true, "population": true, "username": true, "createdAt": true,
	"updatedAt": true, "enabled": true, "lifecycle": true, "mfaEnabled": true, "identityProvider": true,
	"account": true, "password": true, "verifyStatus": true, "lastSignOn": true, "_links": true,
	"memberOfGroupIDs": true, "memberOfGroupNames": true, "emailVerified": true,
}

// New builds the catalogue of an environment from PingOne schema attributes.
// It refuses, naming the attribute, everything L4 forbids and every
// inconsistent definition; entries are checked in listing order, so the
// error is the same on every build. attrs is not retained.
func New(attrs []schema.Attribute, limits Limits) (*Catalogue, error) {
	c := &Catalogue{limits: limits.WithDefaults(), byName: map[string]*Attr{}, byFold: map[string]string{}}
	c.attrs = standard()
	for _, a := range c.attrs {
		c.index(a)
	}
	customs := 0
	listed := map[string]string{} // lower-case name -> name, over the whole listing (L4)
	for _, def := range attrs {
		if other, ok := listed[strings.ToLower(def.Name)]; ok {
			return nil, fmt.Errorf("schema: attribute %q: listed twice (with %q); a name appears at most once in a listing (L4)", def.Name, other)
		}
		listed[strings.ToLower(def.Name)] = def.Name
		switch st := def.SchemaType; st {
		case schema.SchemaCore, schema.SchemaStandard:
			a := c.byName[def.Name]
			if a == nil || a.Custom {
				return nil, fmt.Errorf("schema: attribute %q: no %s attribute of that name", def.Name, st)
			}
			if st == schema.SchemaCore || coreNames[def.Name] {
				continue // CORE attributes cannot be adjusted; restating them is harmless
			}
			a.Disabled = !def.IsEnabled()
			if def.Unique != nil {
				a.Unique = *def.Unique
			}
		case "", schema.SchemaCustom:
			customs++
			if customs > c.limits.MaxCustomAttributes {
				return nil, fmt.Errorf("schema: attribute %q: more than %d custom attributes (L4)", def.Name, c.limits.MaxCustomAttributes)
			}
			if other, ok := c.byFold[strings.ToLower(def.Name)]; ok {
				return nil, fmt.Errorf("schema: attribute %q: name collides with %q (names are unique regardless of case, L4)", def.Name, other)
			}
			a, err := c.custom(def, nil)
			if err != nil {
				return nil, err
			}
			c.attrs = append(c.attrs, a)
			c.index(a)
		default:
			return nil, fmt.Errorf("schema: attribute %q: unknown schemaType %q", def.Name, st)
		}
	}
	c.doc = sync.OnceValue(c.jsonSchema)
	return c, nil
}

func (c *Catalogue) index(a *Attr) {
	a.Path = a.Name
	for _, s := range a.Subs {
		s.Path = a.Name + "." + s.Name
	}
	if len(a.Subs) > 8 {
		a.subs = make(map[string]*Attr, len(a.Subs))
		for _, s := range a.Subs {
			a.subs[s.Name] = s
		}
	}
	c.byName[a.Name] = a
	c.byFold[strings.ToLower(a.Name)] = a.Name
}

// validName is L4's name rule: a letter followed by letters, digits or
// hyphens, at most 256 characters.
func validName(s string) bool {
	if s == "" || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c != '-' && (c < '0' || c > '9')) {
			return false
		}
	}
	return true
}

// custom checks one CUSTOM definition (L4, V4) and builds its Attr; parent is
// the COMPLEX attribute of a sub-attribute.
func (c *Catalogue) custom(def schema.Attribute, parent *Attr) (*Attr, error) {
	name := def.Name
	if parent != nil {
		name = parent.Name + "." + def.Name
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("schema: attribute %q: %s", name, fmt.Sprintf(format, args...))
	}
	if !validName(def.Name) {
		return nil, fail("a name starts with a letter followed by letters, digits or hyphens, at most 256 characters (L4)")
	}
	if parent != nil && def.SchemaType != "" && def.SchemaType != schema.SchemaCustom {
		return nil, fail("sub-attributes of a custom attribute are CUSTOM")
	}
	a := &Attr{Name: def.Name, Type: def.Type, Multi: def.MultiValued, Required: def.Required,
		Disabled: !def.IsEnabled(), Custom: true}
	if def.Unique != nil {
		a.Unique = *def.Unique
	}
	switch def.Type {
	case schema.String, schema.Boolean, schema.JSON:
	case schema.Complex:
		if parent != nil {
			return nil, fail("a sub-attribute cannot be COMPLEX")
		}
	case "":
		return nil, fail("type is missing")
	default:
		return nil, fail("unknown type %q (want STRING, BOOLEAN, JSON or COMPLEX)", def.Type)
	}
	if parent != nil {
		if def.Type != schema.String && def.Type != schema.JSON {
			return nil, fail("a sub-attribute is STRING or JSON, not %s", def.Type)
		}
		if def.MultiValued {
			return nil, fail("a sub-attribute cannot be multi-valued")
		}
		if def.Required || def.Unique != nil && *def.Unique || !def.IsEnabled() {
			return nil, fail("required, unique and enabled are set on the COMPLEX attribute, not its sub-attributes")
		}
	}
	if len(def.SubAttributes) > 0 && def.Type != schema.Complex {
		return nil, fail("subAttributes are allowed only on a COMPLEX attribute")
	}
	if def.Type == schema.Complex && len(def.SubAttributes) == 0 {
		return nil, fail("a COMPLEX attribute needs subAttributes")
	}
	if (len(def.EnumeratedValues) > 0 || def.RegexValidation != nil) && def.Type != schema.String {
		return nil, fail("enumeratedValues and regexValidation apply to STRING attributes only")
	}
	if len(def.EnumeratedValues) > 0 && def.RegexValidation != nil {
		return nil, fail("enumeratedValues and regexValidation cannot be combined")
	}
	if len(def.EnumeratedValues) > c.limits.MaxEnumeratedValues {
		return nil, fail("more than %d enumerated values (L4)", c.limits.MaxEnumeratedValues)
	}
	if len(def.EnumeratedValues) > 0 {
		a.Enum = append([]schema.EnumeratedValue(nil), def.EnumeratedValues...)
		a.enum = make(map[string]bool, len(a.Enum))
		a.active = []string{}
		for _, e := range a.Enum {
			if _, dup := a.enum[e.Value]; dup {
				return nil, fail("enumerated value %q repeated", e.Value)
			}
			a.enum[e.Value] = e.Archived
			if !e.Archived {
				a.active = append(a.active, e.Value)
			}
		}
	}
	if rv := def.RegexValidation; rv != nil {
		if rv.Pattern == "" {
			return nil, fail("regexValidation.pattern is empty")
		}
		re, whole, err := anchor(rv.Pattern)
		if err != nil {
			return nil, fail("regexValidation.pattern does not compile as Go RE2 syntax: %v", err)
		}
		a.Pattern, a.re, a.whole = rv.Pattern, re, whole
		for _, ex := range rv.ValuesPatternShouldMatch {
			if !fullMatch(re, ex) {
				return nil, fail("regexValidation.pattern does not match %q, listed in valuesPatternShouldMatch", ex)
			}
		}
		for _, ex := range rv.ValuesPatternShouldNotMatch {
			if fullMatch(re, ex) {
				return nil, fail("regexValidation.pattern matches %q, listed in valuesPatternShouldNotMatch", ex)
			}
		}
	}
	subNames := map[string]string{}
	for _, sd := range def.SubAttributes {
		if other, ok := subNames[strings.ToLower(sd.Name)]; ok {
			return nil, fail("sub-attribute %q collides with %q (names are unique regardless of case, L4)", sd.Name, other)
		}
		s, err := c.custom(sd, a)
		if err != nil {
			return nil, err
		}
		subNames[strings.ToLower(sd.Name)] = sd.Name
		a.Subs = append(a.Subs, s)
	}
	return a, nil
}

// anchor compiles a regexValidation pattern (L4). The pattern must compile
// on its own, so nothing it contains can escape the anchoring:
// "[0-9]{3})|(?:.*" does not compile and is refused, "\Q1.5" compiles and is
// kept. The anchored expression is written from the parsed pattern, never
// pasted from its text: whole is "^(?:" + the parse tree's own text + ")$",
// used when that text parses back to the same tree (always, for the
// patterns tried in TestRegexAnchoring); otherwise the whole-value test runs
// the pattern itself in leftmost-longest mode (see fullMatch).
func anchor(pattern string) (*matcher, string, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, "", err
	}
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, "", err
	}
	text := parsed.String()
	whole := `^(?:` + text + `)$`
	if again, err := syntax.Parse(text, syntax.Perl); err == nil && again.Equal(parsed) {
		if anchored, err := regexp.Compile(whole); err == nil {
			return &matcher{re: anchored, anchored: true}, whole, nil
		}
	}
	re.Longest()
	return &matcher{re: re}, whole, nil
}

// matcher is a compiled regexValidation pattern.
type matcher struct {
	re       *regexp.Regexp
	anchored bool // re is the anchored form; otherwise it is in leftmost-longest mode
}

// fullMatch reports whether re matches the whole of s. re is either anchored
// (then a match is a whole match) or in leftmost-longest mode: a match that
// spans s starts at the leftmost possible position, 0, and no match from 0
// is longer, so the longest match from the leftmost start spans s exactly
// when some match does.
func fullMatch(m *matcher, s string) bool {
	if m.anchored {
		return m.re.MatchString(s)
	}
	loc := m.re.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}
