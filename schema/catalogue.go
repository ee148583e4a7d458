package schema

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/santhosh-tekuri/jsonschema/v5"
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

// Limits are the per-request and per-schema limits of the rulebook. A zero
// field means the default.
type Limits struct {
	// MaxValues is the most values a multi-valued attribute holds (L2);
	// 0 means 1,000.
	MaxValues int
	// MaxCustomAttributes is the most custom attributes a schema has (L4);
	// 0 means 200.
	MaxCustomAttributes int
	// MaxEnumeratedValues is the most enumerated values of one attribute
	// (L4); 0 means 100.
	MaxEnumeratedValues int
}

func (l Limits) withDefaults() Limits {
	if l.MaxValues <= 0 {
		l.MaxValues = 1000
	}
	if l.MaxCustomAttributes <= 0 {
		l.MaxCustomAttributes = 200
	}
	if l.MaxEnumeratedValues <= 0 {
		l.MaxEnumeratedValues = 100
	}
	return l
}

// Attr is one attribute of a catalogue: a top-level attribute or a
// sub-attribute of a COMPLEX one. Attrs are read-only.
type Attr struct {
	Name  string // member name
	Path  string // dotted path: "name.given"
	Type  Type
	Class Class
	// Multi is true for multi-valued attributes (arrays).
	Multi    bool
	Required bool
	Unique   bool
	Disabled bool
	Custom   bool
	// Subs are the sub-attributes of a COMPLEX attribute.
	Subs []*Attr
	// Operation names the dedicated operation of a Dedicated attribute.
	Operation string
	// Default is the value a stored user lacking a Dedicated attribute is
	// compared with (D4); HasDefault is false when there is none.
	Default    jsonx.Value
	HasDefault bool

	// Constraints of a STRING value.
	MinLength, MaxLength int // 0: none
	Pattern              string
	Format               string
	Enum                 []EnumeratedValue

	re        *regexp.Regexp
	validator *jsonschema.Schema // top-level writable attributes only
}

// Sub returns the sub-attribute named name, or nil.
func (a *Attr) Sub(name string) *Attr {
	for _, s := range a.Subs {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// SubHint returns the sub-attribute name that differs from name only by
// case, or "".
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
func (a *Attr) IsComplexSingle() bool { return a.Type == Complex && !a.Multi }

// Catalogue is the immutable set of attributes of an environment's user: the
// standard ones adjusted by STANDARD entries, plus CUSTOM ones. It is safe for
// concurrent use.
type Catalogue struct {
	attrs  []*Attr
	byName map[string]*Attr
	byFold map[string]string // lower-case name -> name, for hints
	limits Limits
	doc    []byte // the JSON Schema of the user document
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
func (c *Catalogue) JSONSchema() []byte { return c.doc }

const (
	u1Text     = `^[\p{L}\p{M}\p{Zs}\p{S}\p{N}\p{P}]*$`
	nameText   = `^[\p{L}\p{M}\p{N}' .-]*$`
	streetText = `^[\p{L}\p{M}\p{N}\p{Zs}\p{P}\n\r]*$`
)

func text(name string, min, max int, pattern, format string) *Attr {
	return &Attr{Name: name, Type: String, MinLength: min, MaxLength: max, Pattern: pattern, Format: format}
}

func fixed(name string, t Type, class Class) *Attr {
	return &Attr{Name: name, Type: t, Class: class}
}

func multi(a *Attr) *Attr { a.Multi = true; return a }

func dedicated(name string, t Type, op string, def *jsonx.Value) *Attr {
	a := &Attr{Name: name, Type: t, Class: Dedicated, Operation: op}
	if def != nil {
		a.Default, a.HasDefault = *def, true
	}
	return a
}

func complexOf(name string, subs ...*Attr) *Attr {
	return &Attr{Name: name, Type: Complex, Subs: subs}
}

func ptr(v jsonx.Value) *jsonx.Value { return &v }

// standard returns a fresh copy of the standard PingOne user attributes
// (D2-D4, V2).
func standard() []*Attr {
	username := text("username", 1, 128, u1Text, "")
	username.Required, username.Unique = true, true
	return []*Attr{
		fixed("id", String, ServerManaged),
		fixed("environment", Complex, ServerManaged),
		fixed("createdAt", String, ServerManaged),
		fixed("updatedAt", String, ServerManaged),
		fixed("_links", JSON, ServerManaged),
		fixed("lastSignOn", Complex, ServerManaged),
		multi(fixed("memberOfGroupIDs", String, ServerManaged)),
		multi(fixed("memberOfGroupNames", String, ServerManaged)),
		fixed("emailVerified", Boolean, ServerManaged),
		username,
		text("email", 0, 0, "", formatEmail),
		text("externalId", 1, 1024, "", ""),
		text("accountId", 1, 256, "", ""),
		complexOf("name",
			text("given", 1, 256, u1Text, ""),
			text("middle", 1, 256, u1Text, ""),
			text("family", 1, 256, nameText, ""),
			text("formatted", 1, 256, nameText, ""),
			text("honorificPrefix", 1, 256, "", ""),
			text("honorificSuffix", 1, 256, "", ""),
		),
		text("nickname", 1, 256, u1Text, ""),
		text("title", 1, 256, u1Text, ""),
		text("type", 1, 256, u1Text, ""),
		text("preferredLanguage", 1, 256, "", formatAcceptLanguage),
		text("locale", 0, 0, "", formatLanguageTag),
		text("timezone", 0, 0, "", formatTimeZone),
		text("primaryPhone", 1, 32, "", formatPhone),
		text("mobilePhone", 1, 32, "", formatPhone),
		complexOf("photo", text("href", 0, 0, "", formatHTTPURL)),
		complexOf("address",
			text("streetAddress", 1, 256, streetText, ""),
			text("locality", 1, 256, u1Text, ""),
			text("region", 1, 256, u1Text, ""),
			text("postalCode", 1, 40, "", ""),
			text("zipCode", 1, 40, "", ""),
			text("countryCode", 0, 0, `^[A-Z]{2}$`, ""),
		),
		complexOf("identityProvider",
			text("id", 0, 0, "", ""),
			fixed("type", String, ServerManaged),
		),
		complexOf("population", dedicated("id", String, "population", nil)),
		complexOf("account",
			dedicated("status", String, "account lock and unlock", ptr(jsonx.Str("OK"))),
			dedicated("canAuthenticate", Boolean, "account lock and unlock", ptr(jsonx.Bool(true))),
			fixed("lockedAt", String, ServerManaged),
			fixed("secondsUntilUnlock", JSON, ServerManaged),
			fixed("unlockAt", String, ServerManaged),
		),
		complexOf("lifecycle",
			dedicated("status", String, "user lifecycle (verification)", ptr(jsonx.Str("ACCOUNT_OK"))),
			dedicated("suppressVerificationCode", Boolean, "user lifecycle (verification)", nil),
		),
		dedicated("enabled", Boolean, "enabled", ptr(jsonx.Bool(true))),
		dedicated("mfaEnabled", Boolean, "mfaEnabled", ptr(jsonx.Bool(false))),
		dedicated("verifyStatus", String, "identity verification", ptr(jsonx.Str("NOT_INITIATED"))),
		dedicated("password", JSON, "password", nil),
	}
}

// coreNames are the attributes PingOne lists with schemaType CORE.
var coreNames = map[string]bool{
	"id": true, "environment": true, "population": true, "username": true, "createdAt": true,
	"updatedAt": true, "enabled": true, "lifecycle": true, "mfaEnabled": true, "identityProvider": true,
	"account": true, "password": true, "verifyStatus": true, "lastSignOn": true, "_links": true,
	"memberOfGroupIDs": true, "memberOfGroupNames": true, "emailVerified": true,
}

// New builds the catalogue of an environment from PingOne schema attributes
// (see Attribute). It refuses, naming the attribute, everything L4 forbids
// and every inconsistent definition. attrs is not retained.
func New(attrs []Attribute, limits Limits) (*Catalogue, error) {
	c := &Catalogue{limits: limits.withDefaults(), byName: map[string]*Attr{}, byFold: map[string]string{}}
	c.attrs = standard()
	for _, a := range c.attrs {
		c.index(a)
	}
	customs := 0
	for _, def := range attrs {
		switch st := def.SchemaType; st {
		case SchemaCore, SchemaStandard:
			a := c.byName[def.Name]
			if a == nil || a.Custom {
				return nil, fmt.Errorf("schema: attribute %q: no %s attribute of that name", def.Name, st)
			}
			if st == SchemaCore || coreNames[def.Name] {
				// CORE attributes cannot be adjusted; restating them is harmless.
				continue
			}
			a.Disabled = !def.IsEnabled()
			if def.Unique != nil {
				a.Unique = *def.Unique
			}
		case "", SchemaCustom:
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
	if err := c.compile(); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Catalogue) index(a *Attr) {
	a.Path = a.Name
	for _, s := range a.Subs {
		s.Path = a.Name + "." + s.Name
	}
	c.byName[a.Name] = a
	c.byFold[strings.ToLower(a.Name)] = a.Name
}

var namePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]*$`)

// custom checks one CUSTOM definition (L4, V4) and builds its Attr; parent is
// the COMPLEX attribute of a sub-attribute.
func (c *Catalogue) custom(def Attribute, parent *Attr) (*Attr, error) {
	name := def.Name
	if parent != nil {
		name = parent.Name + "." + def.Name
	}
	fail := func(format string, args ...any) error {
		return fmt.Errorf("schema: attribute %q: %s", name, fmt.Sprintf(format, args...))
	}
	if len(def.Name) > 256 || !namePattern.MatchString(def.Name) {
		return nil, fail("a name starts with a letter followed by letters, digits or hyphens, at most 256 characters (L4)")
	}
	if parent != nil && def.SchemaType != "" && def.SchemaType != SchemaCustom {
		return nil, fail("sub-attributes of a custom attribute are CUSTOM")
	}
	a := &Attr{Name: def.Name, Type: def.Type, Multi: def.MultiValued, Required: def.Required,
		Disabled: !def.IsEnabled(), Custom: true}
	if def.Unique != nil {
		a.Unique = *def.Unique
	}
	switch def.Type {
	case String, Boolean, JSON:
	case Complex:
		if parent != nil {
			return nil, fail("a sub-attribute cannot be COMPLEX")
		}
	case "":
		return nil, fail("type is missing")
	default:
		return nil, fail("unknown type %q (want STRING, BOOLEAN, JSON or COMPLEX)", def.Type)
	}
	if parent != nil {
		if def.Type != String && def.Type != JSON {
			return nil, fail("a sub-attribute is STRING or JSON, not %s", def.Type)
		}
		if def.MultiValued {
			return nil, fail("a sub-attribute cannot be multi-valued")
		}
		if def.Required || def.Unique != nil && *def.Unique || !def.IsEnabled() {
			return nil, fail("required, unique and enabled are set on the COMPLEX attribute, not its sub-attributes")
		}
	}
	if len(def.SubAttributes) > 0 && def.Type != Complex {
		return nil, fail("subAttributes are allowed only on a COMPLEX attribute")
	}
	if def.Type == Complex && len(def.SubAttributes) == 0 {
		return nil, fail("a COMPLEX attribute needs subAttributes")
	}
	if (len(def.EnumeratedValues) > 0 || def.RegexValidation != nil) && def.Type != String {
		return nil, fail("enumeratedValues and regexValidation apply to STRING attributes only")
	}
	if len(def.EnumeratedValues) > 0 && def.RegexValidation != nil {
		return nil, fail("enumeratedValues and regexValidation cannot be combined")
	}
	if len(def.EnumeratedValues) > c.limits.MaxEnumeratedValues {
		return nil, fail("more than %d enumerated values (L4)", c.limits.MaxEnumeratedValues)
	}
	seen := map[string]bool{}
	for _, e := range def.EnumeratedValues {
		if seen[e.Value] {
			return nil, fail("enumerated value %q repeated", e.Value)
		}
		seen[e.Value] = true
	}
	a.Enum = append([]EnumeratedValue(nil), def.EnumeratedValues...)
	if def.RegexValidation != nil {
		if def.RegexValidation.Pattern == "" {
			return nil, fail("regexValidation.pattern is empty")
		}
		re, err := regexp.Compile(`^(?:` + def.RegexValidation.Pattern + `)$`)
		if err != nil {
			return nil, fail("regexValidation.pattern does not compile: %v", err)
		}
		a.Pattern, a.re = def.RegexValidation.Pattern, re
		for _, ex := range def.RegexValidation.ValuesPatternShouldMatch {
			if !re.MatchString(ex) {
				return nil, fail("regexValidation.pattern does not match %q, listed in valuesPatternShouldMatch", ex)
			}
		}
		for _, ex := range def.RegexValidation.ValuesPatternShouldNotMatch {
			if re.MatchString(ex) {
				return nil, fail("regexValidation.pattern matches %q, listed in valuesPatternShouldNotMatch", ex)
			}
		}
	}
	subNames := map[string]string{}
	for _, sd := range def.SubAttributes {
		s, err := c.custom(sd, a)
		if err != nil {
			return nil, err
		}
		if other, ok := subNames[strings.ToLower(sd.Name)]; ok {
			return nil, fail("sub-attribute %q collides with %q (names are unique regardless of case, L4)", sd.Name, other)
		}
		subNames[strings.ToLower(sd.Name)] = sd.Name
		a.Subs = append(a.Subs, s)
	}
	return a, nil
}
