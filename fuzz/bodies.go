package fuzz

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"pgregory.net/rapid"
)

// PatchBody draws a PATCH body that succeeds when an actor allowed to change
// every attribute ([Admin]) sends it for the stored user in environment cfg:
// valid new values (V2, V4), resent values, nulls for attributes that are not
// required (P3), partial COMPLEX objects with nulls and unknown members (P4,
// D5), RFC 7396 merge patches for JSON attributes (P6), whole arrays (P5),
// identity provider changes and resets (I1, I3), any value for server-managed
// and disabled attributes (D3, D6), equal values for dedicated ones (D4), and
// unknown attributes unless cfg rejects them. stored must be a JSON object.
func PatchBody(cfg user.Config, stored []byte) *rapid.Generator[[]byte] {
	g := gen{newCatalogue(cfg)}
	doc := mustObject(stored)
	return rapid.Custom(func(t *rapid.T) []byte { return marshal(g.patchBody(t, doc)) })
}

func (g gen) patchBody(t *rapid.T, doc map[string]any) map[string]any {
	body := map[string]any{}
	for _, a := range g.c.attrs {
		if a.name == "password" || rapid.IntRange(0, 3).Draw(t, "send "+a.name) > 0 {
			continue
		}
		switch {
		case a.disabled:
			body[a.name] = drawJSON(t, 1, true)
		case a.name == "identityProvider":
			body[a.name] = g.identityProviderPatch(t, doc)
		case a.class == serverManaged:
			if rapid.Bool().Draw(t, "null "+a.name) {
				body[a.name] = nil
			} else {
				body[a.name] = drawJSON(t, 1, false)
			}
		case a.class == dedicated || a.isComplex() && !hasWritable(a):
			if v, ok := g.equalProtected(t, a, doc); ok {
				body[a.name] = v
			}
		case a.name == "username" && g.c.cfg.PingIDConnected:
			body[a.name] = doc[a.name]
		default:
			if v, ok := g.patchValue(t, a, doc[a.name]); ok {
				body[a.name] = v
			}
		}
	}
	if g.c.cfg.Options.UnknownAttributes != "reject" && rapid.IntRange(0, 3).Draw(t, "unknown") == 0 {
		body[rapid.SampledFrom([]string{"timeZone", "Title", "favouriteColour"}).Draw(t, "unknown name")] = drawJSON(t, 1, false)
	}
	return body
}

// patchValue draws the PATCH member of a writable attribute (P2-P6).
func (g gen) patchValue(t *rapid.T, a *attr, stored any) (any, bool) {
	choice := rapid.IntRange(0, 3).Draw(t, "how "+a.name)
	switch {
	case choice == 0 && !a.required:
		return nil, true
	case choice == 1 && stored != nil:
		return stored, true
	case a.typ == schema.JSON && !a.multi:
		return mergePatchValue(2).Draw(t, a.name+" merge patch"), true
	case a.isComplex() && choice == 2:
		m := map[string]any{}
		for _, s := range a.subs {
			if s.class != writable || !rapid.Bool().Draw(t, "send "+a.name+"."+s.name) {
				continue
			}
			switch {
			case !a.required && rapid.IntRange(0, 2).Draw(t, "null "+a.name+"."+s.name) == 0:
				m[s.name] = nil
			case s.typ == schema.JSON:
				m[s.name] = mergePatchValue(2).Draw(t, a.name+"."+s.name+" merge patch")
			default:
				if v, ok := g.single(t, s, false); ok {
					m[s.name] = v
				}
			}
		}
		if g.c.cfg.Options.UnknownAttributes != "reject" && rapid.IntRange(0, 5).Draw(t, "unknown sub-attribute") == 0 {
			m["giveN"] = "x"
		}
		return m, true
	}
	return g.value(t, a, false)
}

// identityProviderPatch draws an identityProvider member: a known id, a
// reset (I3), an empty object, sometimes with a type to ignore (D3).
func (g gen) identityProviderPatch(t *rapid.T, doc map[string]any) any {
	switch rapid.IntRange(0, 3).Draw(t, "identity provider change") {
	case 0:
		return nil
	case 1:
		return map[string]any{"id": nil}
	case 2:
		if len(g.c.idps) > 0 {
			m := map[string]any{"id": rapid.SampledFrom(g.c.idps).Draw(t, "identity provider id")}
			if rapid.Bool().Draw(t, "send type") {
				m["type"] = "SAML"
			}
			return m
		}
	}
	return map[string]any{}
}

// equalProtected draws a body member for a dedicated attribute (or a COMPLEX
// one made of dedicated and server-managed sub-attributes) that changes
// nothing (D3, D4): the stored value, the default when nothing is stored, or
// null when there is neither.
func (g gen) equalProtected(t *rapid.T, a *attr, doc map[string]any) (any, bool) {
	stored := doc[a.name]
	if !a.isComplex() {
		switch {
		case stored != nil:
			return stored, true
		case a.def != nil:
			return a.def, true
		}
		return nil, true
	}
	sm, _ := stored.(map[string]any)
	m := map[string]any{}
	for _, s := range a.subs {
		if !rapid.Bool().Draw(t, "send "+a.name+"."+s.name) {
			continue
		}
		switch {
		case s.class == serverManaged:
			m[s.name] = drawJSON(t, 0, false)
		case sm[s.name] != nil:
			m[s.name] = sm[s.name]
		case s.def != nil:
			m[s.name] = s.def
		default:
			m[s.name] = nil
		}
	}
	return m, true
}

// PutBody draws a PUT body that succeeds when an actor allowed to change
// every attribute ([Admin]) sends it for the stored user in environment cfg:
// the stored document (as a GET returns it) with writable attributes kept,
// dropped, nulled or replaced by valid values (U1), username and required
// custom attributes always present (U2), server-managed members kept, dropped
// or replaced by anything (D3, U3), dedicated ones kept or dropped (D4, U4),
// identity provider changes and resets (I3), and unknown attributes unless
// cfg rejects them. stored must be a JSON object.
func PutBody(cfg user.Config, stored []byte) *rapid.Generator[[]byte] {
	g := gen{newCatalogue(cfg)}
	doc := mustObject(stored)
	return rapid.Custom(func(t *rapid.T) []byte { return marshal(g.putBody(t, doc)) })
}

func (g gen) putBody(t *rapid.T, doc map[string]any) map[string]any {
	body := clone(doc).(map[string]any)
	for _, a := range g.c.attrs {
		choice := rapid.IntRange(0, 3).Draw(t, "how "+a.name)
		if choice == 0 {
			continue // keep what the GET returned
		}
		switch {
		case a.name == "password":
		case a.name == "identityProvider":
			switch choice {
			case 1:
				delete(body, a.name)
			default:
				body[a.name] = g.identityProviderPatch(t, doc)
			}
		case a.class == dedicated || a.isComplex() && !hasWritable(a):
			delete(body, a.name) // omitted: the stored value stays (D4)
		case a.class == serverManaged || a.disabled:
			if choice == 1 {
				delete(body, a.name)
			} else {
				body[a.name] = drawJSON(t, 1, false)
			}
		case a.name == "username" && g.c.cfg.PingIDConnected:
		case choice == 1 && !a.required:
			delete(body, a.name)
		case choice == 2 && !a.required:
			body[a.name] = nil
		default:
			if v, ok := g.value(t, a, false); ok {
				body[a.name] = v
			}
		}
	}
	if g.c.cfg.Options.UnknownAttributes != "reject" && rapid.IntRange(0, 3).Draw(t, "unknown") == 0 {
		body["timeZone"] = "Europe/Paris"
	}
	return body
}

// Invalid is a request body that breaks one rule, with the error an actor
// allowed to change every attribute ([Admin]) must get for it.
type Invalid struct {
	// Rule is the rule id the body breaks (see InvalidRules).
	Rule string
	// Method is MethodPatch or MethodPut.
	Method string
	// Body is the request body.
	Body []byte
	// Status and Code are the error's class (E3).
	Status int
	Code   string
	// Detail and Target are a detail the error must carry (V3, V5); Target
	// is empty for a whole-request problem.
	Detail, Target string
}

// InvalidRules lists the rules InvalidBody can break in environment cfg:
// "E3.1" (malformed JSON, duplicate members, not an object, bad UTF-8), "L1"
// (too deep, too large), "P3" (username null), "U2" (PUT without username;
// for PATCH, username null), "D4" (a dedicated attribute changed), "V2" (a
// standard value breaking its format), "V3" (an empty standard value), "I2"
// (an unknown identity provider), and when cfg allows them "V4" (a custom
// value of the wrong type or outside its enumeration or pattern), "L2" (too
// many values), "L3" (custom values too large) and "W1" (username changed
// under PingID).
func InvalidRules(cfg user.Config) []string {
	c := newCatalogue(cfg)
	rules := []string{"E3.1", "L1", "P3", "U2", "D4", "V2", "V3", "I2"}
	if len(c.brokenCustoms()) > 0 {
		rules = append(rules, "V4")
	}
	if len(c.multiCustoms()) > 0 {
		rules = append(rules, "L2")
	}
	if len(c.bigCustoms()) > 0 {
		rules = append(rules, "L3")
	}
	if cfg.PingIDConnected {
		rules = append(rules, "W1")
	}
	return rules
}

func (c *catalogue) customs(keep func(*attr) bool) []*attr {
	var out []*attr
	for _, a := range c.attrs {
		if a.custom && !a.disabled && keep(a) {
			out = append(out, a)
		}
	}
	return out
}

// brokenCustoms are the custom attributes that some value breaks (V4).
func (c *catalogue) brokenCustoms() []*attr {
	return c.customs(func(a *attr) bool { return a.multi || a.typ != schema.JSON })
}

// multiCustoms are the multi-valued custom attributes whose values are small
// enough for L2 to trip before L3.
func (c *catalogue) multiCustoms() []*attr {
	return c.customs(func(a *attr) bool { return a.multi && (a.typ == schema.Boolean || a.typ == schema.JSON) })
}

// bigCustoms are the custom attributes that take a long string (L3).
func (c *catalogue) bigCustoms() []*attr {
	return c.customs(func(a *attr) bool {
		return !a.multi && (a.typ == schema.JSON || a.typ == schema.String && len(a.enum) == 0 && !a.regex)
	})
}

// InvalidBody draws a body for method (MethodPatch or MethodPut) that breaks
// rule, one of InvalidRules(cfg), for the stored user in environment cfg:
// a valid body (PatchBody, PutBody) with one member made invalid, or for E3.1
// and L1 a body that is not acceptable at all. It panics on a rule that
// InvalidRules(cfg) does not list. stored must be a JSON object.
func InvalidBody(cfg user.Config, stored []byte, method, rule string) *rapid.Generator[Invalid] {
	g := gen{newCatalogue(cfg)}
	doc := mustObject(stored)
	listed := false
	for _, r := range InvalidRules(cfg) {
		listed = listed || r == rule
	}
	if !listed {
		panic(fmt.Sprintf("fuzz: InvalidBody: rule %q is not one of InvalidRules(cfg)", rule))
	}
	return rapid.Custom(func(t *rapid.T) Invalid { return g.invalid(t, doc, method, rule) })
}

func (g gen) invalid(t *rapid.T, doc map[string]any, method, rule string) Invalid {
	var body map[string]any
	if method == MethodPut {
		body = g.putBody(t, doc)
	} else {
		body = g.patchBody(t, doc)
	}
	inv := Invalid{Rule: rule, Method: method, Status: http.StatusBadRequest, Code: user.CodeInvalidData}
	set := func(path string, v any, detail string) {
		top, sub, ok := strings.Cut(path, ".")
		if ok {
			v = map[string]any{sub: v}
		}
		body[top] = v
		inv.Detail, inv.Target = detail, path
	}
	switch rule {
	case "E3.1":
		inv.Code, inv.Detail = user.CodeInvalidRequest, user.DetailInvalidValue
		valid := string(marshal(body))
		inv.Body = []byte(rapid.SampledFrom([]string{
			valid[:len(valid)-1],                 // truncated
			valid + "{}",                         // trailing data
			"[" + valid + "]",                    // not an object
			`"` + valid[1:len(valid)-1] + `"`,    // a string
			`{"title":"a","title":"b"}`,          // duplicate member
			`{"name":{"given":"a","given":"a"}}`, // duplicate member, deeper
			"{\"title\":\"\xff\"}",               // not UTF-8
			`{"title":"\ud800"}`,                 // lone surrogate
			"",                                   // empty
			`{"title":"a",}`,                     // trailing comma
			`{"title":'a'}`,                      // not JSON
			"{\"title\":\"a\x01\"}",              // raw control character
			`{"x":[1,2,]}`,                       // trailing comma in an array
			`{"x":01}`,                           // leading zero
			`{"x":NaN}`,                          // not a JSON number
			"\xef\xbb\xbf{}",                     // a byte order mark
			`{"x":"` + strings.Repeat("é", 3) + `\` + `"}`, // unterminated string
		}).Draw(t, "malformed"))
		return inv
	case "L1":
		inv.Code, inv.Detail = user.CodeInvalidRequest, user.DetailSizeLimitExceeded
		depth, size := g.c.cfg.Limits.MaxDepth, g.c.cfg.Limits.MaxBodyBytes
		if depth <= 0 {
			depth = 64
		}
		if size <= 0 {
			size = 1 << 20
		}
		if rapid.Bool().Draw(t, "too large") {
			inv.Body = []byte(`{"x":"` + strings.Repeat("a", size) + `"}`)
		} else {
			open := rapid.SampledFrom([]string{"[", `{"a":`}).Draw(t, "nesting")
			closing := map[string]string{"[": "]", `{"a":`: "}"}[open]
			inv.Body = []byte(`{"a":` + strings.Repeat(open, depth) + "1" + strings.Repeat(closing, depth) + "}")
		}
		return inv
	case "P3":
		set("username", nil, user.DetailRequiredValue)
	case "U2":
		if method == MethodPut {
			delete(body, "username")
			inv.Detail, inv.Target = user.DetailRequiredValue, "username"
		} else {
			set("username", nil, user.DetailRequiredValue)
		}
	case "D4":
		g.breakDedicated(t, doc, set)
	case "V2":
		bad := rapid.SampledFrom([][2]string{
			{"email", "not an email"}, {"email", "Joe <joe@example.com>"}, {"address.countryCode", "usa"},
			{"timezone", "Mars/Base"}, {"timezone", "Local"}, {"locale", "en_US"}, {"photo.href", "ftp://example.com/a.png"},
			{"primaryPhone", "no digits"}, {"name.family", "@home"}, {"username", strings.Repeat("u", 129)},
			{"preferredLanguage", "en;q=2"}, {"title", "tab\there"}, {"address.postalCode", strings.Repeat("9", 41)},
		}).Draw(t, "bad standard value")
		if g.c.lookup(strings.SplitN(bad[0], ".", 2)[0]).disabled {
			bad = [2]string{"email", "not an email"}
		}
		set(bad[0], bad[1], user.DetailInvalidValue)
	case "V3":
		path := rapid.SampledFrom([]string{"email", "username", "name.given", "address.locality", "mobilePhone", "accountId"}).Draw(t, "emptied attribute")
		set(path, "", user.DetailEmptyValue)
	case "I2":
		set("identityProvider.id", rapid.SampledFrom([]string{"", "idp-unknown", "IDP-1"}).Draw(t, "unknown identity provider"), user.DetailInvalidValue)
	case "V4":
		a := rapid.SampledFrom(g.c.brokenCustoms()).Draw(t, "broken custom attribute")
		set(a.name, brokenValue(t, a), user.DetailInvalidValue)
	case "L2":
		a := rapid.SampledFrom(g.c.multiCustoms()).Draw(t, "overfull attribute")
		n := 1000
		if m := g.c.cfg.Limits.MaxValues; m > 0 {
			n = m
		}
		vals := make([]any, n+1)
		for i := range vals {
			vals[i] = true
			if a.typ == schema.JSON {
				vals[i] = 1
			}
		}
		set(a.name, vals, user.DetailSizeLimitExceeded)
	case "L3":
		a := rapid.SampledFrom(g.c.bigCustoms()).Draw(t, "oversized attribute")
		n := 16 << 10
		if m := g.c.cfg.Limits.MaxCustomBytes; m > 0 {
			n = m
		}
		set(a.name, strings.Repeat("z", n), user.DetailSizeLimitExceeded)
	case "W1":
		set("username", "changed-"+fmt.Sprint(doc["username"]), user.DetailConstraintViolation)
	}
	inv.Body = marshal(body)
	return inv
}

// brokenValue draws a value that custom attribute a refuses (V4).
func brokenValue(t *rapid.T, a *attr) any {
	if a.multi {
		return rapid.SampledFrom([]any{"not an array", map[string]any{"a": 1}}).Draw(t, "not an array")
	}
	switch {
	case a.typ == schema.Complex:
		return rapid.SampledFrom([]any{"x", []any{}, true}).Draw(t, "not an object")
	case a.typ == schema.Boolean:
		return rapid.SampledFrom([]any{"yes", 1, map[string]any{}}).Draw(t, "not a boolean")
	case len(a.enum) > 0:
		return rapid.SampledFrom([]any{"not-in-enum", 5}).Draw(t, "not enumerated")
	case a.regex:
		return rapid.SampledFrom([]any{"not valid!", false}).Draw(t, "not matching")
	}
	return rapid.SampledFrom([]any{5, true, []any{"a"}, map[string]any{}}).Draw(t, "not a string")
}

// breakDedicated sets a dedicated attribute to a value that differs from the
// stored one (D4).
func (g gen) breakDedicated(t *rapid.T, doc map[string]any, set func(string, any, string)) {
	cur := func(path string, def any) any {
		top, sub, ok := strings.Cut(path, ".")
		v := doc[top]
		if ok {
			m, _ := v.(map[string]any)
			v = m[sub]
		}
		if v == nil {
			return def
		}
		return v
	}
	path := rapid.SampledFrom([]string{"mfaEnabled", "enabled", "account.canAuthenticate", "account.status",
		"lifecycle.status", "verifyStatus", "population.id", "password"}).Draw(t, "dedicated attribute")
	var v any
	switch path {
	case "mfaEnabled":
		v = cur(path, false) != true
	case "enabled", "account.canAuthenticate":
		v = cur(path, true) != true
	case "account.status":
		v = map[bool]string{true: "LOCKED", false: "OK"}[cur(path, "OK") == "OK"]
	case "lifecycle.status":
		v = map[bool]string{true: "VERIFICATION_REQUIRED", false: "ACCOUNT_OK"}[cur(path, "ACCOUNT_OK") == "ACCOUNT_OK"]
	case "verifyStatus":
		v = map[bool]string{true: "ENABLED", false: "NOT_INITIATED"}[cur(path, "NOT_INITIATED") == "NOT_INITIATED"]
	case "population.id":
		v = "pop-" + fmt.Sprint(cur(path, "none")) + "-moved"
	case "password":
		v = rapid.SampledFrom([]any{"Secret123!", nil, map[string]any{"value": "x"}}).Draw(t, "password")
	}
	set(path, v, user.DetailConstraintViolation)
}

// Request is one update request: the method, the stored document, the actor
// and the body.
type Request struct {
	Method string
	Stored []byte
	Actor  policy.Actor
	Body   []byte
}

// AnyRequest draws any request for environment cfg: a stored document from
// Document(cfg), an actor from Admin or Actor (half each), the method, and a body that is valid
// (PatchBody, PutBody), breaks one rule (InvalidBody), gives attributes
// values of random shapes, or is a valid body with bytes cut, inserted or
// replaced. Such requests may succeed or fail; laws check what holds either
// way.
func AnyRequest(cfg user.Config) *rapid.Generator[Request] {
	g := gen{newCatalogue(cfg)}
	rules := InvalidRules(cfg)
	return rapid.Custom(func(t *rapid.T) Request {
		doc := g.document(t)
		r := Request{Method: rapid.SampledFrom([]string{MethodPatch, MethodPut}).Draw(t, "method"), Stored: marshal(doc)}
		if rapid.Bool().Draw(t, "allowed actor") {
			r.Actor = Admin(r.Stored).Draw(t, "actor")
		} else {
			r.Actor = Actor(r.Stored).Draw(t, "actor")
		}
		switch rapid.IntRange(0, 4).Draw(t, "body kind") {
		case 0:
			r.Body = marshal(g.patchBody(t, doc))
		case 1:
			r.Body = marshal(g.putBody(t, doc))
		case 2:
			r.Body = g.invalid(t, doc, r.Method, rapid.SampledFrom(rules).Draw(t, "rule")).Body
		case 3:
			r.Body = marshal(g.shapes(t))
		default:
			r.Body = mutate(t, marshal(g.patchBody(t, doc)))
		}
		return r
	})
}

// shapes draws a body whose members name attributes and sub-attributes of
// the environment (and close misspellings) with values of random shapes.
func (g gen) shapes(t *rapid.T) map[string]any {
	var names []string
	for _, a := range g.c.attrs {
		names = append(names, a.name)
	}
	body := map[string]any{}
	for n := rapid.IntRange(1, 4).Draw(t, "members"); n > 0; n-- {
		a := g.c.lookup(rapid.SampledFrom(names).Draw(t, "attribute"))
		if len(a.subs) > 0 && rapid.Bool().Draw(t, "by sub-attribute") {
			m := map[string]any{}
			for _, s := range a.subs {
				if rapid.Bool().Draw(t, "send "+s.name) {
					m[s.name] = drawJSON(t, 1, true)
				}
			}
			body[a.name] = m
			continue
		}
		if rapid.Bool().Draw(t, "null") {
			body[a.name] = nil
		} else {
			body[a.name] = drawJSON(t, 2, true)
		}
	}
	return body
}

// mutate cuts, inserts or replaces a few bytes of a body.
func mutate(t *rapid.T, b []byte) []byte {
	out := append([]byte(nil), b...)
	for n := rapid.IntRange(1, 3).Draw(t, "mutations"); n > 0; n-- {
		i := rapid.IntRange(0, len(out)).Draw(t, "at")
		c := rapid.SampledFrom([]byte(`{}[]",:\ 0anu`+"\xff\x00")).Draw(t, "byte")
		switch rapid.IntRange(0, 2).Draw(t, "mutation") {
		case 0:
			out = out[:i]
		case 1:
			out = append(out[:i], append([]byte{c}, out[i:]...)...)
		default:
			if i < len(out) {
				out[i] = c
			}
		}
	}
	return out
}
