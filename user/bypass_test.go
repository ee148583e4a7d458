package user_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The bypass tests of the authorization issue: every row is an attempt to
// change something the actor may not change. Each must be refused (403, or
// 400 where the rulebook says so) or be a no-op, and must leave the stored
// document unchanged: the stored bytes are not modified and no result with
// changes is returned.

// bypassStored is the stored user most rows attack. Its odd spacing makes the
// byte-for-byte checks of O1 and O3 meaningful.
const bypassStored = `{"id": "u1", "environment": {"id": "e1"}, "population": {"id": "p1"},
  "username": "joe@example.com", "email": "joe@example.com",
  "name": {"given": "Joe", "family": "Smith"}, "title": "Director",
  "address": {"locality": "Springfield"}, "prefs": {"theme": {"color": "blue"}, "n": 1},
  "identityProvider": {"type": "PING_ONE"}, "enabled": true, "mfaEnabled": false,
  "createdAt": "2022-10-11T16:54:38.125Z", "updatedAt": "2022-11-16T19:12:23.459Z"}`

// bypassResent is bypassStored as a GET-then-PUT client sends it back.
const bypassResent = `{"id": "u1", "environment": {"id": "e1"}, "population": {"id": "p1"},
  "username": "joe@example.com", "email": "joe@example.com",
  "name": {"given": "Joe", "family": "Smith"}, "title": "Director",
  "address": {"locality": "Springfield"}, "prefs": {"theme": {"color": "blue"}, "n": 1},
  "identityProvider": {"type": "PING_ONE"}, "enabled": true, "mfaEnabled": false,
  "createdAt": "2022-10-11T16:54:38.125Z", "updatedAt": "2022-11-16T19:12:23.459Z"}`

// bypassFederated authenticates with an authoritative identity provider.
const bypassFederated = `{"id": "u1", "environment": {"id": "e1"}, "population": {"id": "p1"},
  "username": "joe@example.com", "email": "joe@example.com",
  "identityProvider": {"type": "GOOGLE", "id": "idp-g"}, "updatedAt": "2022-11-16T19:12:23.459Z"}`

// bypassNoPopulation has neither population nor id.
const bypassNoPopulation = `{"environment": {"id": "e1"}, "username": "joe@example.com", "title": "Director"}`

// bypassEmptyAddress holds an empty COMPLEX address.
const bypassEmptyAddress = `{"id": "u1", "environment": {"id": "e1"}, "population": {"id": "p1"},
  "username": "joe@example.com", "address": {}}`

// bypassMuller holds a precomposed ü.
const bypassMuller = `{"id": "u1", "environment": {"id": "e1"}, "population": {"id": "p1"},
  "username": "joe@example.com", "name": {"given": "Jos\u00e9", "family": "M\u00fcller"}}`

func bypassReplace(s, old, new string) string {
	if !strings.Contains(s, old) {
		panic("bypassReplace: " + old + " not found")
	}
	return strings.Replace(s, old, new, 1)
}

func bypassConfig() user.Config {
	return user.Config{
		Attributes:        []schema.Attribute{{Name: "prefs", Type: schema.JSON}},
		Roles:             map[string]policy.Role{"Help Desk": {SchemaAttributes: []string{"email", "name.given"}}},
		IdentityProviders: map[string]string{"idp-g": "GOOGLE"},
		Clock:             func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC) },
	}
}

func bypassAdmin(role string, scopeType policy.RoleScopeType, id string) policy.Actor {
	return policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
		{Name: role, Scope: policy.RoleScope{Type: scopeType, ID: id}}}}
}

func bypassUser(id string, scopes ...policy.Scope) policy.Actor {
	return policy.Actor{Type: policy.User, UserID: id, Scopes: scopes}
}

var (
	bypassHelpDesk  = bypassAdmin("Help Desk", policy.RoleScopeOrganization, "")
	bypassUserFull  = bypassUser("u1", policy.Scope{Name: "p1:update:user"})
	bypassUserNone  = bypassUser("u1", policy.Scope{Name: "p1:read:user"})
	bypassUserEmail = bypassUser("u1", policy.Scope{Name: "p1:update:user:contact", SchemaAttributes: []string{"email"}})
	bypassUserGiven = bypassUser("u1", policy.Scope{Name: "p1:update:user:given", SchemaAttributes: []string{"name.given"}})
)

// bypassDetail is what callers branch on (E4): the detail code and target.
type bypassDetail struct {
	Code   string
	Target string
}

type bypassError struct {
	Status  int
	Code    string
	Details []bypassDetail
}

// bypassDenied is the 403 of A5: one detail per changed path outside the grant.
func bypassDenied(targets ...string) *bypassError {
	e := &bypassError{Status: http.StatusForbidden, Code: user.CodeAccessFailed}
	for _, t := range targets {
		e.Details = append(e.Details, bypassDetail{user.DetailInsufficientPermissions, t})
	}
	return e
}

// bypassRefused is a whole-request refusal (A2, A3): one detail, no target.
var bypassRefused = &bypassError{Status: http.StatusForbidden, Code: user.CodeAccessFailed,
	Details: []bypassDetail{{Code: user.DetailInsufficientPermissions}}}

// bypassMalformed is E3.1's 400 INVALID_REQUEST; the single untargeted
// INVALID_VALUE detail is the engine's documented form (DECISIONS-draft).
var bypassMalformed = &bypassError{Status: http.StatusBadRequest, Code: user.CodeInvalidRequest,
	Details: []bypassDetail{{Code: user.DetailInvalidValue}}}

func bypassInvalid(code, target string) *bypassError {
	return &bypassError{Status: http.StatusBadRequest, Code: user.CodeInvalidData,
		Details: []bypassDetail{{code, target}}}
}

type bypassCase struct {
	name   string
	rules  string // the rule ids the row checks
	config func(*user.Config)
	actor  policy.Actor
	put    bool // PUT instead of PATCH
	stored string
	body   string
	// want is the expected error; nil means the request must succeed as a
	// no-op: no changes, the stored bytes returned as they are (O3).
	want *bypassError
}

func bypassCases() []bypassCase {
	full := bypassResent
	cases := []bypassCase{
		// D5, D7: names that differ by case, spelling or escaping.
		{name: "wrong-case Email by an actor granted nothing is ignored", rules: "D5 D7 A5",
			actor: bypassUserNone, body: `{"Email": "x@y.z"}`},
		{name: "wrong-case Email with strict unknown attributes is a 400", rules: "D5 E3 A5",
			config: func(c *user.Config) { c.Options.UnknownAttributes = "reject" },
			actor:  bypassUserNone, body: `{"Email": "x@y.z"}`, want: bypassInvalid(user.DetailInvalidValue, "Email")},
		{name: "wrong-case Title by an email-only actor is ignored", rules: "D5 D7 A5",
			actor: bypassUserEmail, body: `{"Title": "Boss"}`},
		{name: "wrong-case sub-attribute name.Family is ignored", rules: "D5 D7 A5",
			actor: bypassUserGiven, body: `{"name": {"Family": "Jones"}}`},
		{name: "top-level member spelled name.family is ignored", rules: "D5 A5",
			actor: bypassUserGiven, body: `{"name.family": "Jones"}`},
		{name: "escaped spelling of email is email", rules: "A5 D7",
			actor: bypassUserNone, body: `{"\u0065mail": "x@y.z"}`, want: bypassDenied("email")},
		{name: "escaped spelling of title is title", rules: "A5 D7",
			actor: bypassUserEmail, body: `{"t\u0069tle": "Boss"}`, want: bypassDenied("title")},

		// A4, A5: COMPLEX sub-attributes outside the grant.
		{name: "COMPLEX sub-attribute outside the grant", rules: "A4 A5",
			actor: bypassUserGiven, body: `{"name": {"family": "Jones"}}`, want: bypassDenied("name.family")},
		{name: "forbidden sub-attribute next to a granted one", rules: "A4 A5",
			actor: bypassUserGiven, body: `{"name": {"given": "Jo", "family": "Jones"}}`, want: bypassDenied("name.family")},
		{name: "COMPLEX null removes a sub-attribute outside the grant", rules: "A4 A5 P4",
			actor: bypassHelpDesk, body: `{"name": null}`, want: bypassDenied("name.family")},
		{name: "removing a stored empty COMPLEX outside the grant", rules: "A5 O5",
			actor: bypassHelpDesk, stored: bypassEmptyAddress, body: `{"address": null}`, want: bypassDenied("address")},
		{name: "decomposed Unicode of a stored value is a change", rules: "A5 O5",
			actor: bypassHelpDesk, stored: bypassMuller, body: `{"name": {"family": "Mu\u0308ller"}}`, want: bypassDenied("name.family")},

		// A5, P6: deep changes inside a JSON attribute not granted.
		{name: "deep change inside a JSON attribute", rules: "A5 P6 O5",
			actor: bypassHelpDesk, body: `{"prefs": {"theme": {"color": "red"}}}`, want: bypassDenied("prefs")},
		{name: "deep deletion inside a JSON attribute", rules: "A5 P6",
			actor: bypassHelpDesk, body: `{"prefs": {"theme": {"color": null}}}`, want: bypassDenied("prefs")},
		{name: "number text change inside a JSON attribute", rules: "A5 O4 O5",
			actor: bypassHelpDesk, body: `{"prefs": {"n": 1.0}}`, want: bypassDenied("prefs")},
		{name: "JSON attribute replaced by a scalar", rules: "A5 P6",
			actor: bypassHelpDesk, body: `{"prefs": 1}`, want: bypassDenied("prefs")},
		{name: "JSON attribute nulled", rules: "A5 P6",
			actor: bypassHelpDesk, body: `{"prefs": null}`, want: bypassDenied("prefs")},
		{name: "JSON merge resending the stored value is a no-op", rules: "A5 P6",
			actor: bypassHelpDesk, body: `{"prefs": {"theme": {"color": "blue"}, "gone": null}}`},

		// E3.1: duplicate members, whatever the grant.
		{name: "duplicate top-level members", rules: "E3",
			actor: bypassUserEmail, body: `{"email":"a@b.c","email":"x@y.z"}`, want: bypassMalformed},
		{name: "duplicate members spelled differently", rules: "E3",
			actor: bypassUserEmail, body: `{"email":"a@b.c","\u0065mail":"x@y.z"}`, want: bypassMalformed},
		{name: "duplicate sub-attribute members", rules: "E3",
			actor: bypassUserGiven, body: `{"name":{"given":"A","given":"B"}}`, want: bypassMalformed},
		{name: "duplicate members deep inside a JSON value", rules: "E3",
			actor: bypassUserFull, body: `{"prefs":{"theme":{"color":"red","color":"blue"}}}`, want: bypassMalformed},

		// U5: PUT removals and edits outside a partial grant.
		{name: "PUT omitting a non-granted attribute", rules: "U5 U1",
			actor: bypassUserEmail, put: true, body: bypassReplace(full, `"title": "Director",`, ""),
			want: bypassDenied("title")},
		{name: "PUT omitting a non-granted JSON attribute", rules: "U5 U1",
			actor: bypassHelpDesk, put: true, body: bypassReplace(full, `"prefs": {"theme": {"color": "blue"}, "n": 1},`, ""),
			want: bypassDenied("prefs")},
		{name: "PUT nulling a non-granted attribute", rules: "U5 U1",
			actor: bypassUserEmail, put: true, body: bypassReplace(full, `"title": "Director"`, `"title": null`),
			want: bypassDenied("title")},
		{name: "PUT resending everything with one forbidden change", rules: "U5 A5",
			actor: bypassHelpDesk, put: true, body: bypassReplace(full, `"title": "Director"`, `"title": "Boss"`),
			want: bypassDenied("title")},
		{name: "PUT with one permitted and one forbidden change", rules: "U5 A5",
			actor: bypassHelpDesk, put: true,
			body: bypassReplace(bypassReplace(full, `"title": "Director"`, `"title": "Boss"`), `"email": "joe@example.com"`, `"email": "jo@example.com"`),
			want: bypassDenied("title")},
		{name: "minimal PUT by an email-only actor", rules: "U5 U1 O5",
			actor: bypassUserEmail, put: true, body: `{"username": "joe@example.com", "email": "jo@example.com"}`,
			want: bypassDenied("address.locality", "name.family", "name.given", "prefs", "title")},
		{name: "PUT without username by an email-only actor", rules: "U5 U2 E3",
			actor: bypassUserEmail, put: true, body: bypassReplace(full, `"username": "joe@example.com",`, ""),
			want: bypassDenied("username")},
		{name: "PUT resending everything by an actor granted nothing is a no-op", rules: "U5 A5 U3",
			actor: bypassUserNone, put: true, body: full},

		// A5, V5: wrong-shaped values of COMPLEX attributes outside the grant.
		{name: "wrong-shape string for a COMPLEX attribute", rules: "A5 V5",
			actor: bypassUserEmail, body: `{"address": "x"}`, want: bypassDenied("address")},
		{name: "wrong-shape array for a COMPLEX attribute", rules: "A5 V5",
			actor: bypassUserEmail, body: `{"name": ["Joe"]}`, want: bypassDenied("name")},
		{name: "wrong-shape sub-attribute", rules: "A5 V5",
			actor: bypassUserEmail, body: `{"name": {"given": 5}}`, want: bypassDenied("name.given")},
		{name: "PUT wrong-shape COMPLEX", rules: "U5 A5 V5",
			actor: bypassHelpDesk, put: true,
			body: bypassReplace(full, `"address": {"locality": "Springfield"}`, `"address": "x"`), want: bypassDenied("address")},

		// A3: identityProvider and federated users.
		{name: "identityProvider change by a USER with p1:update:user", rules: "A3",
			actor: bypassUserFull, body: `{"identityProvider": {"id": "idp-g"}}`, want: bypassDenied("identityProvider.id")},
		{name: "identityProvider change by a USER with *", rules: "A3 A4",
			actor: bypassUser("u1", policy.Scope{Name: "p1:update:user:all", SchemaAttributes: []string{"*"}}),
			body:  `{"identityProvider": {"id": "idp-g"}}`, want: bypassDenied("identityProvider.id")},
		{name: "identityProvider change by a USER granted identityProvider", rules: "A3 A4",
			actor: bypassUser("u1", policy.Scope{Name: "p1:update:user:idp", SchemaAttributes: []string{"identityProvider", "identityProvider.id"}}),
			body:  `{"identityProvider": {"id": "idp-g"}}`, want: bypassDenied("identityProvider.id")},
		{name: "identityProvider change by a USER through PUT", rules: "A3 U5",
			actor: bypassUserFull, put: true,
			body: bypassReplace(full, `"identityProvider": {"type": "PING_ONE"}`, `"identityProvider": {"id": "idp-g"}`),
			want: bypassDenied("identityProvider.id")},
		{name: "unknown identityProvider id by a USER is a 403 first", rules: "A3 E3 I2",
			actor: bypassUserFull, body: `{"identityProvider": {"id": "nope"}}`, want: bypassDenied("identityProvider.id")},
		{name: "identityProvider.type by a USER is ignored", rules: "A3 D3",
			actor: bypassUserFull, body: `{"identityProvider": {"type": "GOOGLE"}}`},
		{name: "identityProvider change by Help Desk", rules: "A4 A5",
			actor: bypassHelpDesk, body: `{"identityProvider": {"id": "idp-g"}}`, want: bypassDenied("identityProvider.id")},
		{name: "federated user updates self", rules: "A3",
			actor: bypassUserFull, stored: bypassFederated, body: `{"nickname": "P"}`, want: bypassRefused},
		{name: "federated user resets own identity provider", rules: "A3 I3",
			actor: bypassUserFull, stored: bypassFederated, body: `{"identityProvider": null}`, want: bypassRefused},
		{name: "federated user PUT without identityProvider", rules: "A3 I3 U5",
			actor: bypassUserFull, stored: bypassFederated, put: true,
			body: `{"username": "joe@example.com", "email": "joe@example.com"}`, want: bypassRefused},
		{name: "federated user empty body", rules: "A3 E3",
			actor: bypassUserFull, stored: bypassFederated, body: `{}`, want: bypassRefused},
		{name: "federated user whose stored id is an empty string", rules: "A3",
			actor: bypassUserFull, stored: bypassReplace(bypassFederated, `"id": "idp-g"`, `"id": ""`),
			body: `{"nickname": "P"}`, want: bypassRefused},
		{name: "federated user whose stored id is not a string", rules: "A3",
			actor: bypassUserFull, stored: bypassReplace(bypassFederated, `"id": "idp-g"`, `"id": 5`),
			body: `{"nickname": "P"}`, want: bypassRefused},

		// A3: whose account.
		{name: "another user's id", rules: "A3",
			actor: bypassUser("u2", policy.Scope{Name: "p1:update:user"}), body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "user id differing by case", rules: "A3",
			actor: bypassUser("U1", policy.Scope{Name: "p1:update:user"}), body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "empty user id against a stored user without id", rules: "A3",
			actor: bypassUser("", policy.Scope{Name: "p1:update:user"}), stored: bypassNoPopulation,
			body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "self-update disabled", rules: "A3",
			config: func(c *user.Config) { f := false; c.CanUsersUpdateSelf = &f },
			actor:  bypassUserFull, body: `{"title": "Boss"}`, want: bypassRefused},

		// A2: ADMIN scopes and roles.
		{name: "another population", rules: "A2",
			actor: bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopePopulation, "p2"), body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "population scope on a user without population", rules: "A2",
			actor: bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopePopulation, "p1"), stored: bypassNoPopulation,
			body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "another environment", rules: "A2",
			actor: bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopeEnvironment, "e2"), body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "another environment against a non-string stored environment id", rules: "A2",
			actor:  bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopeEnvironment, "e2"),
			stored: bypassReplace(bypassStored, `"environment": {"id": "e1"}`, `"environment": {"id": 5}`),
			body:   `{"title": "Boss"}`, want: bypassRefused},
		{name: "ADMIN role unknown to the table", rules: "A2",
			actor: bypassAdmin("Environment Admin", policy.RoleScopeOrganization, ""), body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "ADMIN role name in another case", rules: "A2 D7",
			actor: bypassAdmin("identity data admin", policy.RoleScopeOrganization, ""), body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "ADMIN scope type in another case", rules: "A2",
			actor: bypassAdmin(policy.IdentityDataAdmin, "organization", ""), body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "ADMIN carrying USER scopes only", rules: "A1 A2",
			actor: policy.Actor{Type: policy.Admin, Scopes: []policy.Scope{{Name: "p1:update:user"}}},
			body:  `{"title": "Boss"}`, want: bypassRefused},
		{name: "actor of an unknown type", rules: "A1",
			actor: policy.Actor{Type: "SERVICE", UserID: "u1", Roles: bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopeOrganization, "").Roles,
				Scopes: []policy.Scope{{Name: "p1:update:user"}}},
			body: `{"title": "Boss"}`, want: bypassRefused},
		{name: "non-applicable Identity Data Admin does not widen Help Desk", rules: "A2 A4",
			actor: policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
				{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopePopulation, ID: "p2"}},
				{Name: "Help Desk", Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}},
			body: `{"title": "Boss"}`, want: bypassDenied("title")},

		// A4: USER scopes that grant nothing.
		{name: "USER scope p1:read:user", rules: "A4",
			actor: bypassUserNone, body: `{"email": "jo@example.com"}`, want: bypassDenied("email")},
		{name: "USER carrying ADMIN roles only", rules: "A1 A4",
			actor: policy.Actor{Type: policy.User, UserID: "u1", Roles: bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopeOrganization, "").Roles},
			body:  `{"email": "jo@example.com"}`, want: bypassDenied("email")},
		{name: "USER scope name in another case", rules: "A4 D7",
			actor: bypassUser("u1", policy.Scope{Name: "P1:UPDATE:USER"}), body: `{"email": "jo@example.com"}`, want: bypassDenied("email")},
		{name: "USER scope sharing the prefix without a colon", rules: "A4",
			actor: bypassUser("u1", policy.Scope{Name: "p1:update:username", SchemaAttributes: []string{"email"}}),
			body:  `{"email": "jo@example.com"}`, want: bypassDenied("email")},
		{name: "USER suffix scope without schemaAttributes", rules: "A4",
			actor: bypassUser("u1", policy.Scope{Name: "p1:update:user:contact"}), body: `{"email": "jo@example.com"}`, want: bypassDenied("email")},
		{name: "USER p1:update:user narrowed to an empty list", rules: "A4",
			actor: bypassUser("u1", policy.Scope{Name: "p1:update:user", SchemaAttributes: []string{}}),
			body:  `{"email": "jo@example.com"}`, want: bypassDenied("email")},
		{name: "USER schemaAttributes in another case", rules: "A4 D7",
			actor: bypassUser("u1", policy.Scope{Name: "p1:update:user:contact", SchemaAttributes: []string{"Email"}}),
			body:  `{"email": "jo@example.com"}`, want: bypassDenied("email")},

		// E3 order and D4.
		{name: "forbidden and invalid is the 403", rules: "E3 A5 V3",
			actor: bypassHelpDesk, body: `{"title": ""}`, want: bypassDenied("title")},
		{name: "forbidden change next to an invalid permitted one", rules: "E3 A5",
			actor: bypassHelpDesk, body: `{"email": "not an email", "title": "Boss"}`, want: bypassDenied("title")},
		{name: "whole-request refusal beats an invalid value", rules: "E3 A3",
			actor: bypassUser("u2", policy.Scope{Name: "p1:update:user"}), body: `{"email": "not an email"}`, want: bypassRefused},
		{name: "required removal by an actor not granted it", rules: "E3 P3 A5",
			actor: bypassHelpDesk, body: `{"username": null}`, want: bypassDenied("username")},
		{name: "dedicated-operation attribute by an actor granted nothing", rules: "D4 A5 E3",
			actor: bypassUserNone, body: `{"enabled": false}`, want: bypassInvalid(user.DetailConstraintViolation, "enabled")},
		{name: "population move by a USER", rules: "D4 U4 A5",
			actor: bypassUserFull, body: `{"population": {"id": "p2"}}`, want: bypassInvalid(user.DetailConstraintViolation, "population.id")},
		{name: "server-managed members by an actor granted nothing are ignored", rules: "D3 A5",
			actor: bypassUserNone, body: `{"id": "u2", "environment": {"id": "e2"}, "createdAt": "2020-01-01T00:00:00.000Z"}`},
	}
	cases = append(cases, bypassFailClosed()...)
	return append(cases, bypassRoundTrips()...)
}

// bypassFailClosed are the A2 and A3 attempts through odd stored shapes:
// scopes fail closed, and a user whose identity provider is not plainly
// PingOne counts as federated.
func bypassFailClosed() []bypassCase {
	var cases []bypassCase
	envAdmin := bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopeEnvironment, "e2")
	for _, env := range []string{`"e2"`, `["e2"]`, `5`, `{"ID": "e2"}`, `{"id": null}`, `null`, `{"id": 2}`, `{"id": ["e2"]}`, `{"id": ""}`} {
		cases = append(cases, bypassCase{name: "ENVIRONMENT scope against stored environment " + env, rules: "A2",
			actor:  envAdmin,
			stored: bypassReplace(bypassStored, `"environment": {"id": "e1"}`, `"environment": `+env),
			body:   `{"title": "Boss"}`, want: bypassRefused})
	}
	popAdmin := bypassAdmin(policy.IdentityDataAdmin, policy.RoleScopePopulation, "p1")
	for _, pop := range []string{`"p1"`, `["p1"]`, `{"ID": "p1"}`, `{"id": null}`, `null`, `{"id": ["p1"]}`, `{}`} {
		cases = append(cases, bypassCase{name: "POPULATION scope against stored population " + pop, rules: "A2",
			actor:  popAdmin,
			stored: bypassReplace(bypassStored, `"population": {"id": "p1"}`, `"population": `+pop),
			body:   `{"title": "Boss"}`, want: bypassRefused})
	}
	for _, idp := range []string{`"GOOGLE"`, `"PING_ONE"`, `["idp-g"]`, `{"id": null, "type": "GOOGLE"}`, `{"ID": "idp-g"}`,
		`{"id": "idp-g"}`, `{"id": "idp-unknown"}`, `{"id": "idp-g", "type": "PING_ONE"}`, `{"type": "GOOGLE"}`,
		`{"type": null}`, `{"type": 1}`, `{"id": 5, "type": "PING_ONE"}`, `true`} {
		cases = append(cases, bypassCase{name: "USER whose stored identityProvider is " + idp, rules: "A3",
			actor:  bypassUserFull,
			stored: bypassReplace(bypassStored, `"identityProvider": {"type": "PING_ONE"}`, `"identityProvider": `+idp),
			body:   `{"title": "Boss"}`, want: bypassRefused})
	}
	return cases
}

// bypassRoundTrips are A4's attempts through the actor's JSON form: an actor
// read back from its own JSON may do exactly what it could before.
func bypassRoundTrips() []bypassCase {
	roundTrip := func(a policy.Actor) policy.Actor {
		data, err := json.Marshal(a)
		if err != nil {
			panic(err)
		}
		var back policy.Actor
		if err := json.Unmarshal(data, &back); err != nil {
			panic(err)
		}
		return back
	}
	nothing := bypassUser("u1", policy.Scope{Name: policy.ScopeUpdateUser, SchemaAttributes: []string{}})
	suffix := bypassUser("u1", policy.Scope{Name: "p1:update:user:none", SchemaAttributes: []string{}})
	helpDeskNothing := func(c *user.Config) { c.Roles["Help Desk"] = policy.Role{SchemaAttributes: []string{}} }
	return []bypassCase{
		{name: "p1:update:user with an empty list, after a JSON round trip", rules: "A4",
			actor: roundTrip(nothing), body: `{"title": "Boss"}`, want: bypassDenied("title")},
		{name: "suffix scope with an empty list, after a JSON round trip", rules: "A4",
			actor: roundTrip(suffix), body: `{"email": "x@y.z"}`, want: bypassDenied("email")},
		{name: "embedder role with an empty list, after a JSON round trip", rules: "A4",
			config: func(c *user.Config) {
				helpDeskNothing(c)
				data, _ := json.Marshal(c.Roles)
				c.Roles = nil
				if err := json.Unmarshal(data, &c.Roles); err != nil {
					panic(err)
				}
			},
			actor: roundTrip(bypassHelpDesk), body: `{"email": "x@y.z"}`, want: bypassDenied("email")},
	}
}

func TestBypass(t *testing.T) {
	for _, tc := range bypassCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := bypassConfig()
			if tc.config != nil {
				tc.config(&cfg)
			}
			env, err := user.NewEnvironment(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tc.stored == "" {
				tc.stored = bypassStored
			}
			stored, body := []byte(tc.stored), []byte(tc.body)
			storedCopy, bodyCopy := bytes.Clone(stored), bytes.Clone(body)

			var res *user.Result
			if tc.put {
				res, err = env.Put(stored, tc.actor, body)
			} else {
				res, err = env.Patch(stored, tc.actor, body)
			}

			if !bytes.Equal(stored, storedCopy) {
				t.Errorf("[%s] the stored bytes were modified:\n%s", tc.rules, stored)
			}
			if !bytes.Equal(body, bodyCopy) {
				t.Errorf("[%s] the body bytes were modified:\n%s", tc.rules, body)
			}

			if tc.want == nil {
				if err != nil {
					t.Fatalf("[%s] want a no-op, got error %v", tc.rules, err)
				}
				if len(res.Changes) != 0 {
					t.Errorf("[%s] want no changes, got %v", tc.rules, res.Changes)
				}
				if !bytes.Equal(res.Document, storedCopy) {
					t.Errorf("[%s] the document is not the stored bytes (O3):\n got %s\nwant %s", tc.rules, res.Document, storedCopy)
				}
				return
			}

			if err == nil {
				t.Fatalf("[%s] want %d %s, got success with changes %v:\n%s", tc.rules, tc.want.Status, tc.want.Code, res.Changes, res.Document)
			}
			if res != nil {
				t.Errorf("[%s] an error came with a result: %+v", tc.rules, res)
			}
			var ue *user.Error
			if !errors.As(err, &ue) {
				t.Fatalf("[%s] the error %v (%T) is not a *user.Error", tc.rules, err, err)
			}
			got := bypassError{Status: ue.Status, Code: ue.Code}
			for _, d := range ue.Details {
				got.Details = append(got.Details, bypassDetail{Code: d.Code, Target: d.Target})
			}
			sortDetails := cmpopts.SortSlices(func(a, b bypassDetail) bool {
				if a.Target != b.Target {
					return a.Target < b.Target
				}
				return a.Code < b.Code
			})
			if diff := cmp.Diff(*tc.want, got, sortDetails, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("[%s] error mismatch (-want +got):\n%s", tc.rules, diff)
			}
			if ue.Code == user.CodeAccessFailed && !errors.Is(err, user.ErrAccessFailed) {
				t.Errorf("[%s] errors.Is(err, ErrAccessFailed) is false (E2)", tc.rules)
			}
		})
	}
}

// TestBypassControls checks that the bypass fixtures are not refused for the
// wrong reason: the same actors succeed on what they are granted (A4).
func TestBypassControls(t *testing.T) {
	env, err := user.NewEnvironment(bypassConfig())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		actor policy.Actor
		put   bool
		body  string
		want  []user.Change
	}{
		{"Help Desk edits name.given", bypassHelpDesk, false, `{"name": {"given": "Jo"}}`,
			[]user.Change{{Op: "replace", Path: "name.given"}}},
		{"email-only USER edits email in a GET-then-PUT", bypassUserEmail, true,
			bypassReplace(bypassResent, `"email": "joe@example.com"`, `"email": "jo@example.com"`),
			[]user.Change{{Op: "replace", Path: "email"}}},
		{"full USER deep-merges prefs", bypassUserFull, false, `{"prefs": {"theme": {"color": "red"}}}`,
			[]user.Change{{Op: "replace", Path: "prefs"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var res *user.Result
			var err error
			if tc.put {
				res, err = env.Put([]byte(bypassStored), tc.actor, []byte(tc.body))
			} else {
				res, err = env.Patch([]byte(bypassStored), tc.actor, []byte(tc.body))
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, res.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}
