package policy

import "strings"

// ActorType says what kind of token an actor holds (A1).
type ActorType string

// The actor types.
const (
	// Admin is a token carrying role assignments.
	Admin ActorType = "ADMIN"
	// User is a user's own token carrying scopes.
	User ActorType = "USER"
)

// RoleScopeType says what a role assignment covers (A2).
type RoleScopeType string

// The role scope types (A2).
const (
	RoleScopeOrganization RoleScopeType = "ORGANIZATION"
	RoleScopeEnvironment  RoleScopeType = "ENVIRONMENT"
	RoleScopePopulation   RoleScopeType = "POPULATION"
)

// IdentityDataAdmin is the built-in role that may update every writable
// attribute (A2).
const IdentityDataAdmin = "Identity Data Admin"

// The self-service scopes (A4, X1).
const (
	// ScopeUpdateUser grants every writable attribute of the user's own
	// account; p1:update:user:{suffix} scopes grant their schemaAttributes.
	ScopeUpdateUser       = "p1:update:user"
	scopeUpdateUserPrefix = "p1:update:user:"
	// ScopeUpdateUserMFAEnabled lets a user use the mfaEnabled operation on
	// their own account (X1); ScopeUpdateUser does not.
	ScopeUpdateUserMFAEnabled = "p1:update:userMfaEnabled"
)

// Actor is who sends the request. Its JSON form is the conformance case
// format's:
//
//	{"type":"ADMIN","roles":[{"name":"Identity Data Admin","scope":{"type":"ENVIRONMENT","id":"..."}}]}
//	{"type":"USER","userId":"...","scopes":[{"name":"p1:update:user:contact","schemaAttributes":["email"]}]}
type Actor struct {
	Type ActorType `json:"type"`
	// UserID is the id of a USER actor's own user.
	UserID string `json:"userId,omitempty"`
	// Roles are an ADMIN actor's role assignments.
	Roles []RoleAssignment `json:"roles,omitempty"`
	// Scopes are a USER actor's scopes.
	Scopes []Scope `json:"scopes,omitempty"`
}

// RoleAssignment is one role granted to an ADMIN actor over a scope.
type RoleAssignment struct {
	Name  string    `json:"name"`
	Scope RoleScope `json:"scope"`
}

// RoleScope is what a role assignment covers: the whole ORGANIZATION, one
// ENVIRONMENT or one POPULATION, named by ID.
type RoleScope struct {
	Type RoleScopeType `json:"type"`
	ID   string        `json:"id,omitempty"`
}

// Scope is one OAuth scope of a USER actor. SchemaAttributes, when not nil,
// lists the attributes the scope covers ("*" for all, "name" for a COMPLEX
// attribute and its sub-attributes, "name.given" for one sub-attribute); an
// empty, non-nil list covers nothing. nil means the scope's default:
// everything writable for p1:update:user, nothing for a
// p1:update:user:{suffix} scope (A4).
//
// The JSON form round-trips exactly (A4): a nil list is omitted and an empty
// one is written as [], so marshalling and unmarshalling never widens or
// narrows a scope.
type Scope struct {
	Name             string   `json:"name"`
	SchemaAttributes []string `json:"schemaAttributes,omitzero"`
}

// Role is an entry of the role table: the attributes the role may update
// (["*"] for all). A nil or empty list grants nothing; the JSON form keeps
// the difference between them, as Scope's does.
type Role struct {
	SchemaAttributes []string `json:"schemaAttributes,omitzero"`
}

// Target holds the facts about the stored user that authorization looks at.
// Every field fails closed: its zero value grants the least, so a stored
// document of an odd shape matches no role scope and counts as federated
// (A2, A3).
type Target struct {
	// UserID is the stored id when it is a string, "" otherwise.
	UserID string
	// EnvironmentID is the stored environment.id when environment is an
	// object whose id is a non-empty string, "" otherwise.
	EnvironmentID string
	// NoEnvironment is true when the stored user has no environment member
	// at all; ENVIRONMENT-scoped roles then apply (A2). A member that is
	// present but holds no string id (null, a string, an array, {"id":
	// null}) matches no ENVIRONMENT scope.
	NoEnvironment bool
	// PopulationID is the stored population.id when population is an object
	// whose id is a non-empty string, "" otherwise; "" matches no
	// POPULATION scope.
	PopulationID string
	// PingOneUser is true when the stored user authenticates with PingOne,
	// not with an authoritative identity provider (A3). Working it out needs
	// the environment's identity providers, so the caller does it; the zero
	// value counts as federated.
	PingOneUser bool
}

// Settings are the environment's authorization settings.
type Settings struct {
	// Roles are the embedder's own ADMIN roles, added to the built-in
	// Identity Data Admin, which always grants every attribute; nil means
	// none.
	Roles map[string]Role
	// CanUsersUpdateSelf lets USER actors update their own account (A3);
	// nil means true, as in user.Config.
	CanUsersUpdateSelf *bool
}

// Denial is a whole-request refusal (A2, A3): the actor may change nothing.
type Denial struct {
	Reason string
}

// Grant is the set of attribute paths an actor may change. The zero Grant
// allows nothing.
type Grant struct {
	all   bool
	paths map[string]bool
	// noIdentityProvider: USER actors never change identityProvider (A3).
	noIdentityProvider bool
}

// Covers reports whether the grant allows changing path, a top-level
// attribute ("email") or a sub-attribute ("name.given").
func (g Grant) Covers(path string) bool {
	top, _, _ := strings.Cut(path, ".")
	if g.noIdentityProvider && top == "identityProvider" {
		return false
	}
	return g.all || g.paths[path] || g.paths[top]
}

// CoversAny reports whether the grant allows changing attr or any of its
// sub-attributes: for a COMPLEX attribute that goes between absent and {}
// (O5).
func (g Grant) CoversAny(attr string) bool {
	if g.Covers(attr) {
		return true
	}
	if g.noIdentityProvider && attr == "identityProvider" {
		return false
	}
	for p := range g.paths {
		if strings.HasPrefix(p, attr+".") {
			return true
		}
	}
	return false
}

func (g *Grant) add(list []string) {
	for _, p := range list {
		if p == "*" {
			g.all = true
			continue
		}
		if g.paths == nil {
			g.paths = map[string]bool{}
		}
		g.paths[p] = true
	}
}

// Decide works out what actor may change on the user described by t (A2-A4).
// A non-nil Denial refuses the whole request.
func Decide(actor Actor, t Target, s Settings) (Grant, *Denial) {
	switch actor.Type {
	case Admin:
		return decideAdmin(actor, t, s)
	case User:
		return decideUser(actor, t, s)
	}
	return Grant{}, &Denial{Reason: "the actor is neither an ADMIN nor a USER"}
}

func decideAdmin(actor Actor, t Target, s Settings) (Grant, *Denial) {
	var g Grant
	applies := false
	for _, role := range applicableRoles(actor, t, s) {
		applies = true
		g.add(role.SchemaAttributes)
	}
	if !applies {
		return Grant{}, &Denial{Reason: "no role assignment of the actor grants user updates over this user"}
	}
	return g, nil
}

// applicableRoles returns the roles of the table that actor's assignments
// grant over the user described by t (A2).
func applicableRoles(actor Actor, t Target, s Settings) []Role {
	var out []Role
	for _, ra := range actor.Roles {
		if !scopeCovers(ra.Scope, t) {
			continue
		}
		role, ok := s.Roles[ra.Name]
		if ra.Name == IdentityDataAdmin {
			role, ok = Role{SchemaAttributes: []string{"*"}}, true
		}
		if ok {
			out = append(out, role)
		}
	}
	return out
}

// AllAttributes is the attribute of MayOperate that create and delete need:
// a role whose list is "*" (C5).
const AllAttributes = "*"

// MayOperate reports whether actor may use the dedicated operation that
// changes attribute ("enabled", "mfaEnabled", "population",
// "identityProvider", "account", "verifyStatus") on the user described by t
// (X1), or, with AllAttributes, create or delete it (C3-C5). Decide's
// whole-request refusals (A2, A3) come first; MayOperate is the operation's
// own grant:
//
//   - an ADMIN needs an applicable assignment of Identity Data Admin, or of
//     an embedder role whose list holds attribute or "*" (for
//     AllAttributes, "*" only);
//   - a USER may only use the mfaEnabled operation, with the scope
//     p1:update:userMfaEnabled (p1:update:user does not cover it), unless
//     that scope's own schemaAttributes list leaves mfaEnabled out.
//
// An operation is an explicit act: the grant is needed even when it would
// change nothing.
func MayOperate(actor Actor, t Target, s Settings, attribute string) bool {
	switch actor.Type {
	case Admin:
		for _, role := range applicableRoles(actor, t, s) {
			for _, a := range role.SchemaAttributes {
				if a == "*" || a == attribute {
					return true
				}
			}
		}
	case User:
		if attribute != "mfaEnabled" {
			return false
		}
		for _, sc := range actor.Scopes {
			if sc.Name != ScopeUpdateUserMFAEnabled {
				continue
			}
			if sc.SchemaAttributes == nil {
				return true
			}
			for _, a := range sc.SchemaAttributes {
				if a == "*" || a == attribute {
					return true
				}
			}
		}
	}
	return false
}

// scopeCovers reports whether a role assignment's scope covers the target
// (A2). Odd stored shapes leave the target's ids empty, and an empty id
// matches nothing.
func scopeCovers(sc RoleScope, t Target) bool {
	switch sc.Type {
	case RoleScopeOrganization:
		return true
	case RoleScopeEnvironment:
		return t.NoEnvironment || sc.ID != "" && sc.ID == t.EnvironmentID
	case RoleScopePopulation:
		return sc.ID != "" && sc.ID == t.PopulationID
	}
	return false
}

func decideUser(actor Actor, t Target, s Settings) (Grant, *Denial) {
	switch {
	case actor.UserID == "" || actor.UserID != t.UserID:
		return Grant{}, &Denial{Reason: "a user may update only their own account"}
	case s.CanUsersUpdateSelf != nil && !*s.CanUsersUpdateSelf:
		return Grant{}, &Denial{Reason: "the environment does not let users update themselves"}
	case !t.PingOneUser:
		return Grant{}, &Denial{Reason: "a user who authenticates with an authoritative identity provider cannot update their own account"}
	}
	g := Grant{noIdentityProvider: true}
	for _, sc := range actor.Scopes {
		switch {
		case sc.Name == ScopeUpdateUser && sc.SchemaAttributes == nil:
			g.all = true
		case sc.Name == ScopeUpdateUser || strings.HasPrefix(sc.Name, scopeUpdateUserPrefix):
			g.add(sc.SchemaAttributes)
		}
	}
	return g, nil
}

// The self-service read scopes of the read view.
const (
	ScopeReadUser       = "p1:read:user"
	scopeReadUserPrefix = "p1:read:user:"
)

// DecideRead works out which attributes actor may see in a response. ADMIN
// actors and USER actors holding p1:read:user (without a schemaAttributes
// list) see every attribute. A USER actor whose read scopes are all
// p1:read:user:{suffix} scopes (or narrowed by schemaAttributes) sees only
// the attributes they list; a USER with no read scope sees none. Whether the
// actor may act on the user at all is Decide's business.
func DecideRead(actor Actor) Grant {
	if actor.Type != User {
		return Grant{all: true}
	}
	var g Grant
	for _, sc := range actor.Scopes {
		switch {
		case sc.Name == ScopeReadUser && sc.SchemaAttributes == nil:
			return Grant{all: true}
		case sc.Name == ScopeReadUser || strings.HasPrefix(sc.Name, scopeReadUserPrefix):
			g.add(sc.SchemaAttributes)
		}
	}
	return g
}

// Visible returns the sub-attribute names of attr the grant shows when it
// does not show attr whole ("name.given" shows "given" of "name").
func (g Grant) Visible(attr string) map[string]bool {
	out := map[string]bool{}
	for p := range g.paths {
		if top, sub, ok := strings.Cut(p, "."); ok && top == attr {
			out[sub] = true
		}
	}
	return out
}
