package fuzz

import (
	"fmt"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"pgregory.net/rapid"
)

// The HTTP methods a generator draws bodies for.
const (
	MethodPatch = "PATCH"
	MethodPut   = "PUT"
)

// HelpDesk is the name of the embedder's own ADMIN role that [Environment]
// sometimes defines (A2, A4) and [Actor] sometimes assigns.
const HelpDesk = "Help Desk"

// Clock is the clock of every environment [Environment] draws: a fixed
// instant, so that results are reproducible (O1, O3).
func Clock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC) }

// Environment draws a valid environment configuration: one to six custom
// attributes of every kind (STRING plain, with an enumeration some of whose
// values are archived, or with a regular expression; BOOLEAN; JSON; COMPLEX
// with STRING and JSON sub-attributes; any of them multi-valued, required,
// unique or disabled; the first is always enabled), sometimes a disabled
// standard attribute, zero to three identity providers, and sometimes PingID
// (W1), self-service turned off (A3), strict unknown attributes (D5) and the
// [HelpDesk] role. Its Clock is [Clock]; its Limits are the defaults.
// user.NewEnvironment accepts every configuration it draws.
func Environment() *rapid.Generator[user.Config] {
	return rapid.Custom(func(t *rapid.T) user.Config {
		cfg := user.Config{Clock: Clock}
		n := rapid.IntRange(1, 6).Draw(t, "custom attributes")
		for i := 0; i < n; i++ {
			cfg.Attributes = append(cfg.Attributes, drawCustom(t, i))
		}
		if rapid.IntRange(0, 3).Draw(t, "disable a standard attribute") == 0 {
			off := false
			name := rapid.SampledFrom([]string{"nickname", "title", "type", "externalId", "preferredLanguage"}).Draw(t, "disabled standard attribute")
			cfg.Attributes = append(cfg.Attributes, schema.Attribute{Name: name, SchemaType: schema.SchemaStandard, Enabled: &off})
		}
		if k := rapid.IntRange(0, 3).Draw(t, "identity providers"); k > 0 {
			cfg.IdentityProviders = map[string]string{}
			for i := 1; i <= k; i++ {
				cfg.IdentityProviders[fmt.Sprintf("idp-%d", i)] = rapid.SampledFrom([]string{"GOOGLE", "SAML", "OPENID_CONNECT", "FACEBOOK"}).Draw(t, "identity provider type")
			}
		}
		cfg.PingIDConnected = rapid.IntRange(0, 4).Draw(t, "PingID") == 0
		if rapid.IntRange(0, 4).Draw(t, "self-service off") == 0 {
			off := false
			cfg.CanUsersUpdateSelf = &off
		}
		if rapid.IntRange(0, 4).Draw(t, "strict") == 0 {
			cfg.Options.UnknownAttributes = "reject"
		}
		if rapid.Bool().Draw(t, "help desk role") {
			grant := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"email", "name", "title", "address.countryCode", cfg.Attributes[0].Name}), 1, 3, rapid.ID[string]).Draw(t, "help desk grant")
			cfg.Roles = map[string]policy.Role{HelpDesk: {SchemaAttributes: grant}}
		}
		return cfg
	})
}

// drawCustom draws the i-th custom attribute of an environment.
func drawCustom(t *rapid.T, i int) schema.Attribute {
	kind := rapid.SampledFrom([]string{"note", "tShirt", "code", "flag", "prefs", "badge"}).Draw(t, "custom kind")
	a := schema.Attribute{Name: fmt.Sprintf("%s%d", kind, i), SchemaType: schema.SchemaCustom}
	switch kind {
	case "note":
		a.Type = schema.String
	case "tShirt":
		a.Type = schema.String
		vals := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"S", "M", "L", "XL", "red", "green"}), 1, 4, rapid.ID[string]).Draw(t, "enumerated values")
		for j, v := range vals {
			a.EnumeratedValues = append(a.EnumeratedValues, schema.EnumeratedValue{Value: v,
				Archived: j > 0 && rapid.IntRange(0, 3).Draw(t, "archived") == 0})
		}
	case "code":
		a.Type = schema.String
		a.RegexValidation = &schema.RegexValidation{Pattern: rapid.SampledFrom(regexPatterns()).Draw(t, "pattern")}
	case "flag":
		a.Type = schema.Boolean
	case "prefs":
		a.Type = schema.JSON
	case "badge":
		a.Type = schema.Complex
		names := rapid.SliceOfNDistinct(rapid.SampledFrom([]string{"label", "meta", "code", "level"}), 1, 3, rapid.ID[string]).Draw(t, "sub-attributes")
		for _, n := range names {
			sub := schema.Attribute{Name: n, Type: schema.String}
			switch n {
			case "meta":
				sub.Type = schema.JSON
			case "code":
				sub.RegexValidation = &schema.RegexValidation{Pattern: rapid.SampledFrom(regexPatterns()).Draw(t, "sub pattern")}
			}
			a.SubAttributes = append(a.SubAttributes, sub)
		}
	}
	a.MultiValued = rapid.IntRange(0, 3).Draw(t, "multi-valued") == 0
	a.Required = rapid.IntRange(0, 5).Draw(t, "required") == 0
	if rapid.IntRange(0, 5).Draw(t, "unique") == 0 {
		u := true
		a.Unique = &u
	}
	if i > 0 && !a.Required && rapid.IntRange(0, 7).Draw(t, "disabled") == 0 {
		off := false
		a.Enabled = &off
	}
	return a
}

// regexPatterns are the regular expressions of generated STRING attributes;
// "not valid!" matches none of them.
func regexPatterns() []string {
	return []string{`[A-Z]{3}-[0-9]{2}`, `[a-z]+`, `\d{4}`, `(foo|bar)[0-9]?`}
}

// gen draws values for one environment.
type gen struct {
	c *catalogue
}

// Document draws a stored user that is valid for cfg: id, environment,
// population, username, standard attributes with valid values (V2), values of
// custom attributes (V4; required ones always, archived enumerated values
// sometimes, disabled ones too), the identity provider (I1), dedicated and
// server-managed attributes, and, unless cfg rejects them, an unknown
// attribute. The document is a JSON object with sorted members, nested
// members included. It is valid against the environment's JSON Schema.
func Document(cfg user.Config) *rapid.Generator[[]byte] {
	g := gen{newCatalogue(cfg)}
	return rapid.Custom(func(t *rapid.T) []byte { return marshal(g.document(t)) })
}

func (g gen) document(t *rapid.T) map[string]any {
	doc := map[string]any{
		"id":        rapid.StringMatching(`[0-9a-f]{8}`).Draw(t, "id"),
		"createdAt": "2024-05-06T07:08:09.123Z",
	}
	if rapid.IntRange(0, 9).Draw(t, "no environment") > 0 {
		doc["environment"] = map[string]any{"id": rapid.SampledFrom([]string{"env-1", "env-2"}).Draw(t, "environment id")}
	}
	if rapid.IntRange(0, 9).Draw(t, "no population") > 0 {
		doc["population"] = map[string]any{"id": rapid.SampledFrom([]string{"pop-1", "pop-2"}).Draw(t, "population id")}
	}
	if rapid.Bool().Draw(t, "updatedAt") {
		doc["updatedAt"] = "2025-01-01T00:00:00.000Z"
	}
	for _, a := range g.c.attrs {
		switch {
		case a.name == "identityProvider":
			if v, ok := g.storedIdentityProvider(t); ok {
				doc[a.name] = v
			}
		case a.class != writable || a.isComplex() && !hasWritable(a):
			if v, ok := g.storedProtected(t, a); ok {
				doc[a.name] = v
			}
		case a.required || rapid.Bool().Draw(t, "has "+a.name):
			if v, ok := g.value(t, a, true); ok {
				doc[a.name] = v
			}
		}
	}
	if g.c.cfg.Options.UnknownAttributes != "reject" && rapid.IntRange(0, 3).Draw(t, "unknown") == 0 {
		doc["legacyId"] = anyText(1, 8).Draw(t, "legacyId")
	}
	return doc
}

func hasWritable(a *attr) bool {
	for _, s := range a.subs {
		if s.class == writable {
			return true
		}
	}
	return false
}

// storedIdentityProvider draws the stored identityProvider member (I1, I4).
func (g gen) storedIdentityProvider(t *rapid.T) (any, bool) {
	switch rapid.IntRange(0, 2).Draw(t, "identity provider") {
	case 0:
		return nil, false
	case 1:
		if len(g.c.idps) > 0 {
			id := rapid.SampledFrom(g.c.idps).Draw(t, "identity provider id")
			return map[string]any{"id": id, "type": g.c.cfg.IdentityProviders[id]}, true
		}
	}
	return map[string]any{"type": "PING_ONE"}, true
}

// storedProtected draws a stored server-managed or dedicated attribute (D3,
// D4); password is never stored.
func (g gen) storedProtected(t *rapid.T, a *attr) (any, bool) {
	if !rapid.Bool().Draw(t, "has "+a.name) {
		return nil, false
	}
	switch a.name {
	case "id", "environment", "population", "createdAt", "updatedAt", "password":
		return nil, false // drawn by document, or never stored
	case "_links":
		return map[string]any{"self": map[string]any{"href": "https://api.example.com/users/1"}}, true
	case "lastSignOn":
		return map[string]any{"at": "2025-02-03T04:05:06.789Z", "remoteIp": "192.0.2.1"}, true
	case "memberOfGroupIDs", "memberOfGroupNames":
		return rapid.SliceOfN(rapid.SampledFrom([]any{"g1", "g2", "Sales"}), 0, 2).Draw(t, a.name), true
	case "emailVerified", "enabled", "mfaEnabled":
		return rapid.Bool().Draw(t, a.name), true
	case "verifyStatus":
		return rapid.SampledFrom([]any{"NOT_INITIATED", "ENABLED", "DISABLED"}).Draw(t, a.name), true
	case "account":
		return map[string]any{"status": rapid.SampledFrom([]any{"OK", "LOCKED"}).Draw(t, "account.status"),
			"canAuthenticate": rapid.Bool().Draw(t, "account.canAuthenticate")}, true
	case "lifecycle":
		return map[string]any{"status": rapid.SampledFrom([]any{"ACCOUNT_OK", "VERIFICATION_REQUIRED"}).Draw(t, "lifecycle.status")}, true
	}
	return nil, false
}

// value draws a valid value of a writable or custom attribute; stored allows
// archived enumerated values (V1). ok is false when no value is valid.
func (g gen) value(t *rapid.T, a *attr, stored bool) (any, bool) {
	if !a.multi {
		return g.single(t, a, stored)
	}
	n := rapid.IntRange(0, 3).Draw(t, a.name+" values")
	s := make([]any, 0, n)
	for i := 0; i < n; i++ {
		v, ok := g.single(t, a, stored)
		if !ok {
			return nil, false
		}
		s = append(s, v)
	}
	return s, true
}

func (g gen) single(t *rapid.T, a *attr, stored bool) (any, bool) {
	switch {
	case a.typ == schema.Complex:
		m := map[string]any{}
		var first *attr
		for _, s := range a.subs {
			if s.class != writable || s.value == nil && len(s.enum) == 0 {
				continue
			}
			if first == nil {
				first = s
			}
			if rapid.Bool().Draw(t, "has "+a.name+"."+s.name) {
				if v, ok := g.single(t, s, stored); ok {
					m[s.name] = v
				}
			}
		}
		if len(m) == 0 && first != nil {
			if v, ok := g.single(t, first, stored); ok {
				m[first.name] = v
			}
		}
		return m, len(m) > 0
	case stored && len(a.enum) > 0:
		vals := make([]any, len(a.enum))
		for i, e := range a.enum {
			vals[i] = e.Value
		}
		return rapid.SampledFrom(vals).Draw(t, a.name), true
	case a.value == nil:
		return nil, false
	}
	return a.value.Draw(t, a.name), true
}

// Admin draws actors that may update every writable attribute of the stored
// user (A2): an Identity Data Admin whose role assignment covers the user
// through the organization, the user's environment or its population,
// sometimes beside assignments that do not apply. stored must be a JSON
// object.
func Admin(stored []byte) *rapid.Generator[policy.Actor] {
	f := storedFacts(mustObject(stored))
	return rapid.Custom(func(t *rapid.T) policy.Actor {
		scopes := []policy.RoleScope{{Type: policy.RoleScopeOrganization}}
		switch {
		case !f.hasEnv: // any environment scope covers a user without one
			scopes = append(scopes, policy.RoleScope{Type: policy.RoleScopeEnvironment, ID: "env-any"})
		case f.env != "":
			scopes = append(scopes, policy.RoleScope{Type: policy.RoleScopeEnvironment, ID: f.env})
		}
		if f.pop != "" {
			scopes = append(scopes, policy.RoleScope{Type: policy.RoleScopePopulation, ID: f.pop})
		}
		a := policy.Actor{Type: policy.Admin}
		if rapid.Bool().Draw(t, "extra role") {
			a.Roles = append(a.Roles, policy.RoleAssignment{Name: "Auditor", Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}})
		}
		a.Roles = append(a.Roles, policy.RoleAssignment{Name: policy.IdentityDataAdmin, Scope: rapid.SampledFrom(scopes).Draw(t, "scope")})
		return a
	})
}

// facts are what authorization looks at in a stored user.
type facts struct {
	id, env, pop string
	hasEnv       bool
	paths        []string // attribute paths a scope may name
}

func storedFacts(doc map[string]any) facts {
	var f facts
	f.id, _ = doc["id"].(string)
	if e, ok := doc["environment"].(map[string]any); ok {
		f.env, _ = e["id"].(string)
		f.hasEnv = e["id"] != nil
	}
	if p, ok := doc["population"].(map[string]any); ok {
		f.pop, _ = p["id"].(string)
	}
	f.paths = []string{"*", "email", "name", "name.given", "address", "title", "username", "identityProvider"}
	for _, k := range sortedKeys(doc) {
		f.paths = append(f.paths, k)
		if m, ok := doc[k].(map[string]any); ok {
			for _, s := range sortedKeys(m) {
				f.paths = append(f.paths, k+"."+s)
			}
		}
	}
	return f
}

// Actor draws any actor for the stored user, allowed or not (A1-A4):
// ADMINs with zero to two role assignments (Identity Data Admin, [HelpDesk]
// or an unknown role, scoped to the organization, to the user's or another
// environment or population, or to an unknown scope type), USERs acting on
// their own account or another's with p1:update:user, narrowed or suffixed
// scopes listing some of the user's attributes, or unrelated scopes, and
// rarely an actor of no known type. stored must be a JSON object.
func Actor(stored []byte) *rapid.Generator[policy.Actor] {
	f := storedFacts(mustObject(stored))
	return rapid.Custom(func(t *rapid.T) policy.Actor {
		switch rapid.IntRange(0, 9).Draw(t, "actor type") {
		case 0:
			return policy.Actor{Type: "ROBOT", UserID: f.id}
		case 1, 2, 3, 4:
			a := policy.Actor{Type: policy.Admin}
			for n := rapid.IntRange(0, 2).Draw(t, "role assignments"); n > 0; n-- {
				sc := policy.RoleScope{Type: rapid.SampledFrom([]policy.RoleScopeType{policy.RoleScopeOrganization, policy.RoleScopeEnvironment, policy.RoleScopePopulation, "TENANT"}).Draw(t, "scope type")}
				switch sc.Type {
				case policy.RoleScopeEnvironment:
					sc.ID = rapid.SampledFrom([]string{f.env, "env-other"}).Draw(t, "environment")
				case policy.RoleScopePopulation:
					sc.ID = rapid.SampledFrom([]string{f.pop, "pop-other"}).Draw(t, "population")
				}
				a.Roles = append(a.Roles, policy.RoleAssignment{
					Name:  rapid.SampledFrom([]string{policy.IdentityDataAdmin, HelpDesk, "Auditor"}).Draw(t, "role"),
					Scope: sc})
			}
			return a
		}
		a := policy.Actor{Type: policy.User, UserID: rapid.SampledFrom([]string{f.id, f.id, "someone-else"}).Draw(t, "user id")}
		for n := rapid.IntRange(0, 2).Draw(t, "scopes"); n > 0; n-- {
			sc := policy.Scope{Name: rapid.SampledFrom([]string{policy.ScopeUpdateUser, "p1:update:user:profile", "openid"}).Draw(t, "scope")}
			if sc.Name != policy.ScopeUpdateUser || rapid.Bool().Draw(t, "narrowed") {
				sc.SchemaAttributes = rapid.SliceOfN(rapid.SampledFrom(f.paths), 0, 3).Draw(t, "schemaAttributes")
			}
			a.Scopes = append(a.Scopes, sc)
		}
		return a
	})
}
