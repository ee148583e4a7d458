package user_test

import (
	"errors"
	"testing"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
)

// TestView checks the read view: never password, never disabled attributes,
// and for USER actors with p1:read:user:{suffix} scopes only what they list.
func TestView(t *testing.T) {
	env := newEnv(t, user.Config{Attributes: []schema.Attribute{
		{Name: "nickname", SchemaType: schema.SchemaStandard, Enabled: boolp(false)},
		{Name: "legacy", Type: schema.String, Enabled: boolp(false)},
		{Name: "shoe", Type: schema.String},
	}})
	doc := `{"id":"u1","username":"joe","email":"j@x.org","nickname":"J","legacy":"L","shoe":"42",` +
		`"password":{"value":"secret"},"name":{"given":"Joe","family":"Smith"},"title":"T"}`
	self := func(scopes ...policy.Scope) policy.Actor {
		return policy.Actor{Type: policy.User, UserID: "u1", Scopes: scopes}
	}
	tests := []struct {
		name  string
		actor policy.Actor
		want  string
	}{
		{"ADMIN sees all but password and disabled", admin,
			`{"id":"u1","username":"joe","email":"j@x.org","shoe":"42","name":{"given":"Joe","family":"Smith"},"title":"T"}`},
		{"USER with p1:read:user", self(policy.Scope{Name: "p1:read:user"}),
			`{"id":"u1","username":"joe","email":"j@x.org","shoe":"42","name":{"given":"Joe","family":"Smith"},"title":"T"}`},
		{"USER with suffix read scopes", self(
			policy.Scope{Name: "p1:read:user:contact", SchemaAttributes: []string{"email", "name.given", "password", "nickname"}},
			policy.Scope{Name: "p1:read:user:shoes", SchemaAttributes: []string{"shoe"}},
			policy.Scope{Name: "p1:update:user"}),
			`{"id":"u1","email":"j@x.org","shoe":"42","name":{"given":"Joe"}}`},
		{"USER with a COMPLEX name", self(policy.Scope{Name: "p1:read:user:n", SchemaAttributes: []string{"name"}}),
			`{"id":"u1","name":{"given":"Joe","family":"Smith"}}`},
		{"USER without read scopes", self(policy.Scope{Name: "p1:update:user"}), `{"id":"u1"}`},
		{"USER with star", self(policy.Scope{Name: "p1:read:user:all", SchemaAttributes: []string{"*"}}),
			`{"id":"u1","username":"joe","email":"j@x.org","shoe":"42","name":{"given":"Joe","family":"Smith"},"title":"T"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := env.View([]byte(doc), tt.actor)
			if err != nil {
				t.Fatal(err)
			}
			w, _ := jsonx.Parse([]byte(tt.want), 64)
			g, _ := jsonx.Parse(got, 64)
			if !jsonx.Equal(w, g) {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if _, err := env.View([]byte(`[]`), admin); !errors.Is(err, user.ErrUnexpected) {
		t.Errorf("View of a non-object: %v", err)
	}
}

func boolp(b bool) *bool { return &b }
