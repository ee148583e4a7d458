package user_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/amendlib/amend/fuzz"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// TestConfigJSONRoundTrip checks A4 for the environment configuration: its
// JSON form, read back with ParseConfig, is the same configuration and
// builds an environment that publishes the same schema.
func TestConfigJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cfg := fuzz.Environment().Draw(t, "environment")
		cfg.Limits = user.Limits{MaxValues: rapid.IntRange(0, 5).Draw(t, "maxValues"), MaxDepth: rapid.IntRange(0, 100).Draw(t, "maxDepth")}
		if rapid.Bool().Draw(t, "roles with an empty list") {
			cfg.Roles = map[string]policy.Role{"Nobody": {SchemaAttributes: []string{}}}
		}
		data, err := json.Marshal(cfg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := user.ParseConfig(data)
		if err != nil {
			t.Fatalf("ParseConfig(%s): %v", data, err)
		}
		if d := cmp.Diff(cfg, back, cmpopts.IgnoreFields(user.Config{}, "Clock", "NewID")); d != "" {
			t.Fatalf("%s does not round-trip (-before +after):\n%s", data, d)
		}
		a, errA := user.NewEnvironment(cfg)
		b, errB := user.NewEnvironment(back)
		if errA != nil || errB != nil {
			t.Fatalf("NewEnvironment: %v, %v", errA, errB)
		}
		if string(a.JSONSchema()) != string(b.JSONSchema()) || a.Limits() != b.Limits() {
			t.Fatal("the environments differ after a JSON round trip")
		}
	})
}

// TestParseConfigStrict checks that ParseConfig refuses unknown members of
// the environment object and of the objects inside it, and trailing data,
// while schema attribute objects keep PingOne's extra members.
func TestParseConfigStrict(t *testing.T) {
	for _, bad := range []string{
		`{"attribute":[]}`, `{"options":{"unknown":"reject"}}`, `{"limits":{"maxBody":1}}`,
		`{"roles":{"r":{"schemaAttribute":["*"]}}}`, `{"populations":[{"id":"p","isDefault":true}]}`,
		`{} {}`, `null`, `[]`, ``, `{"pingIdConnected":"yes"}`,
	} {
		if _, err := user.ParseConfig([]byte(bad)); err == nil {
			t.Errorf("ParseConfig(%s) succeeded", bad)
		}
	}
	cfg, err := user.ParseConfig([]byte(`{"attributes":{"_embedded":{"attributes":[{"name":"shoe","type":"STRING","id":"x","ldapAttribute":"y"}]}},"id":"e1","limits":{"maxValues":3}}`))
	if err != nil || len(cfg.Attributes) != 1 || cfg.ID != "e1" || cfg.Limits.MaxValues != 3 {
		t.Errorf("ParseConfig of a listing envelope: %+v, %v", cfg, err)
	}
}

// TestDepthCeiling checks L1: the configurable depth is capped at 10,000,
// and a document the library writes at that depth reads back as stored.
func TestDepthCeiling(t *testing.T) {
	if _, err := user.NewEnvironment(user.Config{Limits: user.Limits{MaxDepth: user.MaxDepthCeiling + 1}}); err == nil {
		t.Error("MaxDepth 10,001 accepted")
	}
	if _, err := user.NewEnvironment(user.Config{Limits: user.Limits{MaxDepth: 1_000_000}}); err == nil {
		t.Error("MaxDepth 1,000,000 accepted")
	}
	env := newEnv(t, user.Config{Attributes: []schema.Attribute{{Name: "deep", Type: schema.JSON}},
		Limits: user.Limits{MaxDepth: user.MaxDepthCeiling, MaxCustomBytes: 1 << 20}})
	n := user.MaxDepthCeiling - 1 // the body object is level 1
	body := `{"deep":` + strings.Repeat("[", n-1) + `{}` + strings.Repeat("]", n-1) + `}`
	res, err := env.Patch([]byte(joe), admin, []byte(body))
	if err != nil {
		t.Fatalf("a body at the ceiling: %v", err)
	}
	if _, err := env.Patch(res.Document, admin, []byte(`{"title":"again"}`)); err != nil {
		t.Errorf("the document written at the ceiling does not read back as stored: %v", err)
	}
	deeper := `{"deep":` + strings.Repeat("[", n) + `{}` + strings.Repeat("]", n) + `}`
	if _, err := env.Patch([]byte(joe), admin, []byte(deeper)); !errors.Is(err, user.ErrInvalidRequest) {
		t.Errorf("a body one level over the ceiling: %v", err)
	}
}

// TestNegativeLimits checks that a negative limit is refused, not silently
// read as the default.
func TestNegativeLimits(t *testing.T) {
	for _, l := range []user.Limits{{MaxBodyBytes: -1}, {MaxDepth: -1}, {MaxValues: -1}, {MaxCustomBytes: -1},
		{MaxCustomAttributes: -1}, {MaxEnumeratedValues: -1}, {MaxOperations: -1}} {
		if _, err := user.NewEnvironment(user.Config{Limits: l}); err == nil {
			t.Errorf("%+v accepted", l)
		}
	}
}

// TestUnbuiltEnvironment checks that a zero or nil Environment says it was
// not built, instead of panicking or refusing bodies as too large.
func TestUnbuiltEnvironment(t *testing.T) {
	for _, env := range []*user.Environment{nil, {}} {
		_, err := env.Patch([]byte(joe), admin, []byte(`{}`))
		var ue *user.Error
		if !errors.As(err, &ue) || ue.Status != 500 || !strings.Contains(ue.Message, "NewEnvironment") {
			t.Errorf("Patch on %v: %v", env, err)
		}
		if _, err := env.View([]byte(joe), admin); !errors.As(err, &ue) || ue.Status != 500 {
			t.Errorf("View on %v: %v", env, err)
		}
	}
}

// TestBuildDeterministic checks L4's last sentence: with several bad
// entries, the error is the same on every build.
func TestBuildDeterministic(t *testing.T) {
	cfg := user.Config{
		IdentityProviders: map[string]string{"a": "", "b": "", "c": "", "d": "", "e": "", "f": ""},
		Roles:             map[string]policy.Role{"": {}, policy.IdentityDataAdmin: {}},
	}
	roles := user.Config{Roles: map[string]policy.Role{"": {}, policy.IdentityDataAdmin: {}, "x": {}}}
	for _, c := range []user.Config{cfg, roles} {
		_, first := user.NewEnvironment(c)
		if first == nil {
			t.Fatal("a bad configuration was accepted")
		}
		for range 50 {
			if _, err := user.NewEnvironment(c); err == nil || err.Error() != first.Error() {
				t.Fatalf("NewEnvironment names %v, then %v", first, err)
			}
		}
	}
}

// TestMessagesNameNoPackage checks E3.1: no message sent to a client names
// an internal package.
func TestMessagesNameNoPackage(t *testing.T) {
	env := newEnv(t, user.Config{})
	for _, body := range []string{`nul`, `{"a":tru}`, `{"a":1,}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `{"a":1,"a":2}`, `{} x`, ``, `{"a":-}`, `{"a":"\u00"}`} {
		for _, stored := range []string{joe, `[]`, `{"a":`} {
			_, err := env.Patch([]byte(stored), admin, []byte(body))
			var ue *user.Error
			if !errors.As(err, &ue) {
				t.Fatalf("%s on %s: %v", body, stored, err)
			}
			text, _ := json.Marshal(ue)
			if strings.Contains(string(text), "jsonx") || strings.Contains(string(text), "internal") {
				t.Errorf("%s on %s: the error names a package: %s", body, stored, text)
			}
		}
	}
}
