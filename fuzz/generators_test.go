package fuzz

import (
	"testing"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// TestGeneratedEnvironmentsAndDocuments checks the generators' promises on
// 30 environments: NewEnvironment accepts them (L4), and stored documents
// are JSON objects valid against the environment's JSON Schema (D1, V2, V4)
// holding every required attribute (P3, U2).
func TestGeneratedEnvironmentsAndDocuments(t *testing.T) {
	for seed := 0; seed < 30; seed++ {
		cfg := Environment().Example(seed)
		sch, err := compileSchema(cfg)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		c := newCatalogue(cfg)
		for i := 0; i < 5; i++ {
			stored := Document(cfg).Example(seed*10 + i)
			doc, err := decode(stored)
			if err != nil {
				t.Fatalf("seed %d: %v", seed, err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("seed %d: the stored document breaks the schema: %v\n%s", seed, err, stored)
			}
			for _, a := range c.attrs {
				if a.required && !a.disabled && doc.(map[string]any)[a.name] == nil {
					t.Errorf("seed %d: required %s missing from %s", seed, a.name, stored)
				}
			}
		}
	}
}

// TestInvalidRules checks which rules InvalidBody offers for an environment
// (V4, L2, L3 need custom attributes; W1 needs PingID).
func TestInvalidRules(t *testing.T) {
	base := []string{"E3.1", "L1", "P3", "U2", "D4", "V2", "V3", "I2"}
	tests := []struct {
		name string
		cfg  user.Config
		want []string
	}{
		{"standard user", user.Config{}, base},
		{"PingID (W1)", user.Config{PingIDConnected: true}, append(append([]string{}, base...), "W1")},
		{"a JSON attribute: L3 only", user.Config{Attributes: []schema.Attribute{{Name: "prefs", Type: schema.JSON}}}, append(append([]string{}, base...), "L3")},
		{"a multi-valued BOOLEAN: V4, L2", user.Config{Attributes: []schema.Attribute{{Name: "flags", Type: schema.Boolean, MultiValued: true}}}, append(append([]string{}, base...), "V4", "L2")},
		{"a plain STRING: V4, L3", user.Config{Attributes: []schema.Attribute{{Name: "note", Type: schema.String}}}, append(append([]string{}, base...), "V4", "L3")},
		{"a disabled STRING: nothing more (D6)", user.Config{Attributes: []schema.Attribute{{Name: "note", Type: schema.String, Enabled: new(false)}}}, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, InvalidRules(tt.cfg)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestInvalidBodyPanicsOnUnlistedRule checks that asking for a rule the
// environment cannot break is a programming error, not a silent valid body.
func TestInvalidBodyPanicsOnUnlistedRule(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("InvalidBody accepted W1 without PingID")
		}
	}()
	InvalidBody(user.Config{}, []byte(`{"id":"u1","username":"a"}`), MethodPatch, "W1")
}

// TestAdminIsAllowed checks that Admin draws only actors with a full grant
// (A2) for documents that do and do not hold an environment and population.
func TestAdminIsAllowed(t *testing.T) {
	env, err := user.NewEnvironment(user.Config{Clock: Clock})
	if err != nil {
		t.Fatal(err)
	}
	for _, stored := range []string{
		`{"id":"u1","username":"a","environment":{"id":"env-1"},"population":{"id":"pop-1"}}`,
		`{"id":"u1","username":"a"}`,
	} {
		rapid.Check(t, func(t *rapid.T) {
			a := Admin([]byte(stored)).Draw(t, "admin")
			if a.Type != policy.Admin {
				t.Fatalf("type %s", a.Type)
			}
			if _, err := env.Patch([]byte(stored), a, []byte(`{"title":"Boss"}`)); err != nil {
				t.Fatalf("%+v on %s: %v", a, stored, err)
			}
		})
	}
}
