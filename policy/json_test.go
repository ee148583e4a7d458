package policy

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// attributeLists draws a schemaAttributes list: absent (nil), empty (grants
// nothing) or a few paths.
func attributeLists() *rapid.Generator[[]string] {
	return rapid.Custom(func(t *rapid.T) []string {
		switch rapid.IntRange(0, 2).Draw(t, "list") {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		return rapid.SliceOfN(rapid.SampledFrom([]string{"*", "email", "name", "name.given", "title", "prefs", "identityProvider"}), 1, 3).Draw(t, "paths")
	})
}

func actors() *rapid.Generator[Actor] {
	return rapid.Custom(func(t *rapid.T) Actor {
		a := Actor{Type: rapid.SampledFrom([]ActorType{Admin, User, "", "ROBOT"}).Draw(t, "type")}
		a.UserID = rapid.SampledFrom([]string{"", "u1", "u2"}).Draw(t, "userId")
		for range rapid.IntRange(0, 3).Draw(t, "roles") {
			a.Roles = append(a.Roles, RoleAssignment{
				Name: rapid.SampledFrom([]string{IdentityDataAdmin, "Help Desk", "Nobody"}).Draw(t, "role"),
				Scope: RoleScope{
					Type: rapid.SampledFrom([]RoleScopeType{RoleScopeOrganization, RoleScopeEnvironment, RoleScopePopulation, "", "GALAXY"}).Draw(t, "scopeType"),
					ID:   rapid.SampledFrom([]string{"", "e1", "e2", "p1", "p2"}).Draw(t, "scopeId"),
				},
			})
		}
		for range rapid.IntRange(0, 3).Draw(t, "scopes") {
			a.Scopes = append(a.Scopes, Scope{
				Name: rapid.SampledFrom([]string{ScopeUpdateUser, "p1:update:user:contact", ScopeUpdateUserMFAEnabled,
					ScopeReadUser, "p1:read:user:contact", "openid"}).Draw(t, "scope"),
				SchemaAttributes: attributeLists().Draw(t, "schemaAttributes"),
			})
		}
		return a
	})
}

// decisions records every decision policy makes for actor: over a few
// targets, whether the request is refused and which paths the grant covers,
// and what the read grant shows.
func decisions(actor Actor, s Settings) []string {
	targets := []Target{
		{UserID: "u1", EnvironmentID: "e1", PopulationID: "p1", PingOneUser: true},
		{UserID: "u1", NoEnvironment: true, PingOneUser: true},
		{UserID: "u2", EnvironmentID: "e2", PopulationID: "p2"},
	}
	paths := []string{"email", "name", "name.given", "name.family", "title", "prefs", "identityProvider.id", "mfaEnabled"}
	var out []string
	for _, t := range targets {
		g, d := Decide(actor, t, s)
		out = append(out, fmt.Sprint(d != nil))
		for _, p := range paths {
			out = append(out, p+"="+fmt.Sprint(g.Covers(p), g.CoversAny(p)))
		}
	}
	r := DecideRead(actor)
	for _, p := range paths {
		out = append(out, "read "+p+"="+fmt.Sprint(r.Covers(p)))
	}
	return out
}

// TestActorJSONRoundTrip checks A4: an actor's JSON form round-trips exactly
// (an empty schemaAttributes list stays empty, an absent one stays absent),
// and marshalling then unmarshalling never changes what the actor may do.
func TestActorJSONRoundTrip(t *testing.T) {
	settings := Settings{Roles: map[string]Role{"Help Desk": {SchemaAttributes: []string{"email", "name.given"}}}}
	rapid.Check(t, func(t *rapid.T) {
		a := actors().Draw(t, "actor")
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back Actor
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", data, err)
		}
		if d := cmp.Diff(a, back); d != "" {
			t.Fatalf("the JSON form %s does not round-trip (-before +after):\n%s", data, d)
		}
		if d := cmp.Diff(decisions(a, settings), decisions(back, settings)); d != "" {
			t.Fatalf("decisions differ after a JSON round trip of %s (-before +after):\n%s", data, d)
		}
	})
}

// TestEmptyListGrantsNothing is the defect A4 names: a USER scope with
// "schemaAttributes": [] grants nothing, before and after a JSON round trip.
func TestEmptyListGrantsNothing(t *testing.T) {
	a := Actor{Type: User, UserID: "u1", Scopes: []Scope{{Name: ScopeUpdateUser, SchemaAttributes: []string{}}}}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"USER","userId":"u1","scopes":[{"name":"p1:update:user","schemaAttributes":[]}]}`; string(data) != want {
		t.Errorf("JSON form = %s, want %s", data, want)
	}
	var back Actor
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	target := Target{UserID: "u1", NoEnvironment: true, PingOneUser: true}
	for _, actor := range []Actor{a, back} {
		g, d := Decide(actor, target, Settings{})
		if d != nil || g.Covers("email") || g.CoversAny("name") {
			t.Errorf("%+v: an empty schemaAttributes list grants something", actor)
		}
	}
	var role Role
	if err := json.Unmarshal([]byte(`{"schemaAttributes":[]}`), &role); err != nil {
		t.Fatal(err)
	}
	if data, _ := json.Marshal(role); string(data) != `{"schemaAttributes":[]}` {
		t.Errorf("role JSON form = %s, want the empty list kept", data)
	}
}
