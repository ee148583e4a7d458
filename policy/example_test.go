package policy_test

import (
	"encoding/json"
	"fmt"

	"github.com/amendlib/amend/policy"
)

// An ADMIN whose role is scoped to one environment may change every
// attribute of that environment's users, and nothing of another's.
func ExampleDecide_admin() {
	admin := policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
		{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeEnvironment, ID: "env-1"}}}}
	grant, denial := policy.Decide(admin, policy.Target{UserID: "u1", EnvironmentID: "env-1", PingOneUser: true}, policy.Settings{})
	fmt.Println(denial == nil, grant.Covers("email"), grant.Covers("name.given"))
	_, denial = policy.Decide(admin, policy.Target{UserID: "u2", EnvironmentID: "env-2", PingOneUser: true}, policy.Settings{})
	fmt.Println(denial.Reason)
	// Output:
	// true true true
	// no role assignment of the actor grants user updates over this user
}

// A USER with a narrowed self-service scope may change only the attributes
// its schemaAttributes list, and never identityProvider.
func ExampleDecide_user() {
	self := policy.Actor{Type: policy.User, UserID: "u1", Scopes: []policy.Scope{
		{Name: "p1:update:user:contact", SchemaAttributes: []string{"email", "name"}}}}
	grant, _ := policy.Decide(self, policy.Target{UserID: "u1", PingOneUser: true}, policy.Settings{})
	for _, path := range []string{"email", "name.given", "title", "identityProvider.id"} {
		fmt.Println(path, grant.Covers(path))
	}
	// Output:
	// email true
	// name.given true
	// title false
	// identityProvider.id false
}

// The JSON form of an actor is the conformance case format's, and it
// round-trips exactly: an empty schemaAttributes list grants nothing and
// stays empty.
func ExampleActor_json() {
	var a policy.Actor
	_ = json.Unmarshal([]byte(`{"type":"USER","userId":"u1","scopes":[{"name":"p1:update:user","schemaAttributes":[]}]}`), &a)
	grant, _ := policy.Decide(a, policy.Target{UserID: "u1", PingOneUser: true}, policy.Settings{})
	out, _ := json.Marshal(a)
	fmt.Println(grant.Covers("email"))
	fmt.Println(string(out))
	// Output:
	// false
	// {"type":"USER","userId":"u1","scopes":[{"name":"p1:update:user","schemaAttributes":[]}]}
}
