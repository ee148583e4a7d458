package policy

import "testing"

// TestDecide checks A2-A4: which role assignments apply, self-service
// conditions, and what the resulting grant covers.
func TestDecide(t *testing.T) {
	target := Target{UserID: "u1", EnvironmentID: "e1", PopulationID: "p1", PingOneUser: true}
	federated := target
	federated.PingOneUser = false
	noEnv := target
	noEnv.EnvironmentID, noEnv.NoEnvironment = "", true
	oddEnv := target
	oddEnv.EnvironmentID = "" // a stored environment that holds no string id
	ida := func(typ RoleScopeType, id string) Actor {
		return Actor{Type: Admin, Roles: []RoleAssignment{{Name: IdentityDataAdmin, Scope: RoleScope{Type: typ, ID: id}}}}
	}
	self := func(scopes ...Scope) Actor { return Actor{Type: User, UserID: "u1", Scopes: scopes} }
	helpDesk := Settings{Roles: map[string]Role{"Help Desk": {SchemaAttributes: []string{"email", "name.given"}}}}
	tests := []struct {
		name     string
		actor    Actor
		target   Target
		settings Settings
		denied   bool
		covers   []string
		refuses  []string
	}{
		{"A2 organization scope", ida(RoleScopeOrganization, ""), target, Settings{}, false, []string{"email", "name.given", "custom"}, nil},
		{"A2 matching environment", ida(RoleScopeEnvironment, "e1"), target, Settings{}, false, []string{"email"}, nil},
		{"A2 other environment", ida(RoleScopeEnvironment, "e2"), target, Settings{}, true, nil, nil},
		{"A2 environment, user without one", ida(RoleScopeEnvironment, "e2"), noEnv, Settings{}, false, []string{"email"}, nil},
		{"A2 environment id of another type", ida(RoleScopeEnvironment, "e1"), oddEnv, Settings{}, true, nil, nil},
		{"A2 matching population", ida(RoleScopePopulation, "p1"), target, Settings{}, false, []string{"email"}, nil},
		{"A2 other population", ida(RoleScopePopulation, "p2"), target, Settings{}, true, nil, nil},
		{"A2 unknown scope type", ida("GALAXY", ""), target, Settings{}, true, nil, nil},
		{"A2 role not in the table", Actor{Type: Admin, Roles: []RoleAssignment{{Name: "Environment Admin", Scope: RoleScope{Type: RoleScopeOrganization}}}}, target, Settings{}, true, nil, nil},
		{"A2 no roles", Actor{Type: Admin}, target, Settings{}, true, nil, nil},
		{"A4 embedder role", Actor{Type: Admin, Roles: []RoleAssignment{{Name: "Help Desk", Scope: RoleScope{Type: RoleScopeOrganization}}}}, target, helpDesk, false,
			[]string{"email", "name.given"}, []string{"name.family", "name", "title"}},
		{"A1 unknown actor type", Actor{Type: "ROBOT"}, target, Settings{}, true, nil, nil},
		{"A3 another user's account", Actor{Type: User, UserID: "u2", Scopes: []Scope{{Name: ScopeUpdateUser}}}, target, Settings{}, true, nil, nil},
		{"A3 USER without userId", Actor{Type: User, Scopes: []Scope{{Name: ScopeUpdateUser}}}, Target{}, Settings{}, true, nil, nil},
		{"A3 self-update off", self(Scope{Name: ScopeUpdateUser}), target, Settings{CanUsersUpdateSelf: new(bool)}, true, nil, nil},
		{"A3 federated user", self(Scope{Name: ScopeUpdateUser}), federated, Settings{}, true, nil, nil},
		{"A3 p1:update:user never covers identityProvider", self(Scope{Name: ScopeUpdateUser}), target, Settings{}, false,
			[]string{"email", "name.given", "custom"}, []string{"identityProvider.id", "identityProvider"}},
		{"A4 suffix scope with a list", self(Scope{Name: "p1:update:user:contact", SchemaAttributes: []string{"email", "name"}}), target, Settings{}, false,
			[]string{"email", "name", "name.given", "name.family"}, []string{"title", "address.region"}},
		{"A4 sub-attribute path", self(Scope{Name: "p1:update:user:n", SchemaAttributes: []string{"name.given"}}), target, Settings{}, false,
			[]string{"name.given"}, []string{"name", "name.family"}},
		{"A4 suffix scope without a list", self(Scope{Name: "p1:update:user:contact"}), target, Settings{}, false, nil, []string{"email"}},
		{"A4 star", self(Scope{Name: "p1:update:user:all", SchemaAttributes: []string{"*"}}), target, Settings{}, false, []string{"email", "x"}, []string{"identityProvider.id"}},
		{"A4 narrowed p1:update:user", self(Scope{Name: ScopeUpdateUser, SchemaAttributes: []string{"email"}}), target, Settings{}, false, []string{"email"}, []string{"title"}},
		{"A4 read scope grants nothing", self(Scope{Name: "p1:read:user", SchemaAttributes: []string{"*"}}), target, Settings{}, false, nil, []string{"email"}},
		{"A4 union of scopes", self(Scope{Name: "p1:update:user:a", SchemaAttributes: []string{"email"}}, Scope{Name: "p1:update:user:b", SchemaAttributes: []string{"title"}}), target, Settings{}, false,
			[]string{"email", "title"}, []string{"nickname"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, d := Decide(tt.actor, tt.target, tt.settings)
			if (d != nil) != tt.denied {
				t.Fatalf("denial = %v, want denied %v", d, tt.denied)
			}
			if d != nil && d.Reason == "" {
				t.Error("a denial without a reason")
			}
			for _, p := range tt.covers {
				if !g.Covers(p) {
					t.Errorf("Covers(%q) = false, want true", p)
				}
			}
			for _, p := range tt.refuses {
				if g.Covers(p) {
					t.Errorf("Covers(%q) = true, want false", p)
				}
			}
		})
	}
}

// TestCoversAny checks O5's rule for a COMPLEX attribute between absent and
// {}: a grant of any of its sub-attributes covers it.
func TestCoversAny(t *testing.T) {
	var g Grant
	g.add([]string{"name.given"})
	if !g.CoversAny("name") || g.CoversAny("address") || g.Covers("name") {
		t.Errorf("CoversAny wrong for %v", g.paths)
	}
	u := Grant{all: true, noIdentityProvider: true}
	if u.CoversAny("identityProvider") {
		t.Error("a USER grant covers identityProvider")
	}
}
