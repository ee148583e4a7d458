package fuzz

import (
	"regexp"
	"strings"

	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"pgregory.net/rapid"
)

// class says who may set an attribute (D2, D3, D4).
type class uint8

const (
	writable class = iota
	serverManaged
	dedicated
)

// attr is what the generators know about one attribute or sub-attribute of
// an environment: its shape, its class and how to draw a valid value.
type attr struct {
	name     string
	typ      schema.Type
	class    class
	multi    bool
	required bool
	disabled bool
	custom   bool
	regex    bool // a STRING attribute with a regular expression
	subs     []*attr
	// value draws one valid value of a STRING, BOOLEAN or JSON attribute (an
	// element, for a multi-valued one); nil when no value is valid (an
	// enumeration whose values are all archived).
	value *rapid.Generator[any]
	// enum holds every enumerated value, archived ones included.
	enum []schema.EnumeratedValue
	// def is the D4 default of a dedicated attribute, nil when it has none.
	def any
}

// isComplex reports whether a is a single-valued COMPLEX attribute.
func (a *attr) isComplex() bool { return a.typ == schema.Complex && !a.multi }

// catalogue is the generators' view of an environment.
type catalogue struct {
	attrs  []*attr
	byName map[string]*attr
	idps   []string // sorted identity provider ids
	cfg    user.Config
}

func (c *catalogue) lookup(name string) *attr { return c.byName[name] }

// newCatalogue builds the generators' view of cfg. It trusts cfg to be valid
// (user.NewEnvironment accepts it).
func newCatalogue(cfg user.Config) *catalogue {
	c := &catalogue{byName: map[string]*attr{}, cfg: cfg, idps: sortedKeys(cfg.IdentityProviders)}
	for _, a := range standardAttrs() {
		c.add(a)
	}
	for _, def := range cfg.Attributes {
		switch def.SchemaType {
		case schema.SchemaCore:
		case schema.SchemaStandard:
			if a := c.byName[def.Name]; a != nil && !coreName(def.Name) {
				a.disabled = !def.IsEnabled()
			}
		default:
			c.add(customAttr(def))
		}
	}
	return c
}

func (c *catalogue) add(a *attr) {
	c.attrs = append(c.attrs, a)
	c.byName[a.name] = a
}

func coreName(name string) bool {
	switch name {
	case "id", "environment", "population", "username", "createdAt", "updatedAt", "enabled",
		"lifecycle", "mfaEnabled", "identityProvider", "account", "password", "verifyStatus",
		"lastSignOn", "_links", "memberOfGroupIDs", "memberOfGroupNames", "emailVerified":
		return true
	}
	return false
}

// customAttr builds the view of one CUSTOM attribute (V4).
func customAttr(def schema.Attribute) *attr {
	a := &attr{name: def.Name, typ: def.Type, multi: def.MultiValued, required: def.Required,
		disabled: !def.IsEnabled(), custom: true, enum: def.EnumeratedValues, regex: def.RegexValidation != nil}
	switch def.Type {
	case schema.String:
		a.value = customString(def)
	case schema.Boolean:
		a.value = rapid.Bool().AsAny()
	case schema.JSON:
		a.value = jsonValue(3)
	case schema.Complex:
		for _, sd := range def.SubAttributes {
			a.subs = append(a.subs, customAttr(sd))
		}
	}
	return a
}

// customString draws valid values of a custom STRING attribute: a
// non-archived enumerated value, a string matching the regular expression,
// or any text.
func customString(def schema.Attribute) *rapid.Generator[any] {
	switch {
	case len(def.EnumeratedValues) > 0:
		var vals []string
		for _, e := range def.EnumeratedValues {
			if !e.Archived {
				vals = append(vals, e.Value)
			}
		}
		if len(vals) == 0 {
			return nil
		}
		return rapid.SampledFrom(vals).AsAny()
	case def.RegexValidation != nil:
		re := regexp.MustCompile(`^(?:` + def.RegexValidation.Pattern + `)$`)
		return rapid.StringMatching(def.RegexValidation.Pattern).Filter(func(s string) bool {
			return re.MatchString(s) && safeText(s)
		}).AsAny()
	}
	return anyText(0, 12).AsAny()
}

// safeText reports whether s holds only runes that encoding/json and amend
// write the same way (no <, >, &, U+2028, U+2029 or control characters).
func safeText(s string) bool {
	return !strings.ContainsAny(s, "<>&\u2028\u2029") && strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0
}

// The character sets of V2, restricted to runes both JSON encoders write as
// themselves.
const (
	letters     = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßЖ漢"
	digits      = "0123456789"
	punctuation = `.,-'!?@#%_()/:*"\`
	symbols     = "+=|~^$€©"
)

func textOf(alphabet string, min, max int) *rapid.Generator[string] {
	return rapid.StringOfN(rapid.RuneFrom([]rune(alphabet)), min, max, -1)
}

// u1Text draws V2's general text: letters, marks, spaces, symbols, numbers,
// punctuation.
func u1Text(min, max int) *rapid.Generator[string] {
	return textOf(letters+digits+punctuation+symbols+" ", min, max)
}

// nameText draws V2's name text: letters, marks, numbers, space, apostrophe,
// dot, hyphen.
func nameText(min, max int) *rapid.Generator[string] {
	return textOf(letters+digits+" '.-", min, max)
}

// anyText draws text for attributes without a character rule.
func anyText(min, max int) *rapid.Generator[string] {
	return textOf(letters+digits+punctuation+symbols+" ", min, max)
}

func str(g *rapid.Generator[string]) *rapid.Generator[any] { return g.AsAny() }

func pick(vals ...string) *rapid.Generator[any] { return rapid.SampledFrom(vals).AsAny() }

func textAttr(name string, g *rapid.Generator[any]) *attr {
	return &attr{name: name, typ: schema.String, value: g}
}

func complexAttr(name string, subs ...*attr) *attr {
	return &attr{name: name, typ: schema.Complex, subs: subs}
}

func fixedAttr(name string, t schema.Type, cl class) *attr {
	return &attr{name: name, typ: t, class: cl}
}

func dedicatedAttr(name string, t schema.Type, def any) *attr {
	return &attr{name: name, typ: t, class: dedicated, def: def}
}

// standardAttrs lists the standard PingOne user attributes (D2, D3, D4) with
// generators of valid values (V2).
func standardAttrs() []*attr {
	username := textAttr("username", str(u1Text(1, 20)))
	username.required = true
	groups := func(name string) *attr {
		a := fixedAttr(name, schema.String, serverManaged)
		a.multi = true
		return a
	}
	return []*attr{
		fixedAttr("id", schema.String, serverManaged),
		fixedAttr("environment", schema.Complex, serverManaged),
		fixedAttr("createdAt", schema.String, serverManaged),
		fixedAttr("updatedAt", schema.String, serverManaged),
		fixedAttr("_links", schema.JSON, serverManaged),
		fixedAttr("lastSignOn", schema.Complex, serverManaged),
		groups("memberOfGroupIDs"),
		groups("memberOfGroupNames"),
		fixedAttr("emailVerified", schema.Boolean, serverManaged),
		username,
		textAttr("email", str(rapid.StringMatching(`[a-z0-9]{1,8}(\.[a-z0-9]{1,4})?@[a-z]{1,8}\.(com|org|example)`))),
		textAttr("externalId", str(anyText(1, 16))),
		textAttr("accountId", str(anyText(1, 16))),
		complexAttr("name",
			textAttr("given", str(u1Text(1, 12))),
			textAttr("middle", str(u1Text(1, 12))),
			textAttr("family", str(nameText(1, 12))),
			textAttr("formatted", str(nameText(1, 20))),
			textAttr("honorificPrefix", pick("Dr.", "Ms.", "Mr.", "Prof.")),
			textAttr("honorificSuffix", pick("PhD", "Jr.", "III")),
		),
		textAttr("nickname", str(u1Text(1, 12))),
		textAttr("title", str(u1Text(1, 12))),
		textAttr("type", str(u1Text(1, 12))),
		textAttr("preferredLanguage", pick("en", "fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5", "de-DE", "*", "pt-BR;q=1")),
		textAttr("locale", pick("en-GB", "zh-Hant-TW", "fr", "x-private", "i-klingon", "es-419")),
		textAttr("timezone", pick("Europe/Paris", "UTC", "America/Argentina/Buenos_Aires", "Asia/Tokyo", "US/Eastern")),
		textAttr("primaryPhone", str(rapid.StringMatching(`\+1 555 [0-9]{3} [0-9]{4}`))),
		textAttr("mobilePhone", str(rapid.StringMatching(`\+44 [0-9]{4} [0-9]{6}`))),
		complexAttr("photo", textAttr("href", str(rapid.StringMatching(`https://img\.example\.com/[a-z]{1,8}\.png`)))),
		complexAttr("address",
			textAttr("streetAddress", pick("123 Main St.", "Flat 4, 2 Rue de l'Église", "1 Infinite Loop\nSuite 5")),
			textAttr("locality", str(u1Text(1, 12))),
			textAttr("region", str(u1Text(1, 12))),
			textAttr("postalCode", str(rapid.StringMatching(`[0-9]{5}`))),
			textAttr("zipCode", str(rapid.StringMatching(`[0-9]{5}(-[0-9]{4})?`))),
			textAttr("countryCode", str(rapid.StringMatching(`[A-Z]{2}`))),
		),
		complexAttr("identityProvider",
			textAttr("id", nil), // drawn from the environment's providers
			fixedAttr("type", schema.String, serverManaged),
		),
		complexAttr("population", dedicatedAttr("id", schema.String, nil)),
		complexAttr("account",
			dedicatedAttr("status", schema.String, "OK"),
			dedicatedAttr("canAuthenticate", schema.Boolean, true),
			fixedAttr("lockedAt", schema.String, serverManaged),
			fixedAttr("secondsUntilUnlock", schema.JSON, serverManaged),
			fixedAttr("unlockAt", schema.String, serverManaged),
		),
		complexAttr("lifecycle",
			dedicatedAttr("status", schema.String, "ACCOUNT_OK"),
			dedicatedAttr("suppressVerificationCode", schema.Boolean, nil),
		),
		dedicatedAttr("enabled", schema.Boolean, true),
		dedicatedAttr("mfaEnabled", schema.Boolean, false),
		dedicatedAttr("verifyStatus", schema.String, "NOT_INITIATED"),
		dedicatedAttr("password", schema.JSON, nil),
	}
}

// protectedPaths lists the top-level attributes that hold only
// server-managed or dedicated values (D3, D4); updatedAt and
// identityProvider.type are left out, as requests change them (O3, I1).
func protectedPaths() []string {
	return []string{"id", "environment", "createdAt", "_links", "lastSignOn", "memberOfGroupIDs",
		"memberOfGroupNames", "emailVerified", "account", "population", "lifecycle", "enabled",
		"mfaEnabled", "verifyStatus", "password"}
}
