package user_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
)

// An Identity Data Admin with organization scope may update every writable
// attribute.
var exampleAdmin = policy.Actor{
	Type:  policy.Admin,
	Roles: []policy.RoleAssignment{{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}},
}

func exampleClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678900000, time.UTC) }

// PATCH changes only what the body names (P1); a COMPLEX attribute is merged
// one level deep (P4) and a JSON attribute with RFC 7396 (P6).
func ExampleEnvironment_Patch() {
	env, err := user.NewEnvironment(user.Config{
		Attributes: []schema.Attribute{{Name: "preferences", Type: schema.JSON}},
		Clock:      exampleClock,
	})
	if err != nil {
		panic(err)
	}
	stored := []byte(`{"id":"8376797d","username":"joe@example.com","name":{"given":"Joe","family":"Smith"},` +
		`"preferences":{"theme":"dark","mail":{"daily":true,"weekly":true}}}`)
	body := []byte(`{"title":"Manager","name":{"given":"Joseph"},"preferences":{"mail":{"daily":null}}}`)

	res, err := env.Patch(stored, exampleAdmin, body)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(res.Document))
	for _, c := range res.Changes {
		fmt.Println(c.Op, c.Path)
	}
	// Output:
	// {"id":"8376797d","username":"joe@example.com","name":{"given":"Joseph","family":"Smith"},"preferences":{"theme":"dark","mail":{"weekly":true}},"title":"Manager","updatedAt":"2026-01-02T03:04:05.678Z"}
	// replace name.given
	// replace preferences
	// add title
}

// PUT replaces the writable attributes (U1): what the body omits is removed,
// while server-managed and dedicated-operation attributes keep their stored
// values (U3) and are reported as ignored when the body repeats them.
func ExampleEnvironment_Put() {
	env, err := user.NewEnvironment(user.Config{Clock: exampleClock})
	if err != nil {
		panic(err)
	}
	stored := []byte(`{"id":"8376797d","username":"joe@example.com","title":"Director","nickname":"Putty","enabled":true}`)
	body := []byte(`{"id":"8376797d","username":"joe@example.com","title":"Manager","enabled":true}`)

	res, err := env.Put(stored, exampleAdmin, body)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(res.Document))
	fmt.Println("changes:", res.Changes)
	fmt.Println("ignored:", res.Ignored)
	// Output:
	// {"id":"8376797d","username":"joe@example.com","title":"Manager","enabled":true,"updatedAt":"2026-01-02T03:04:05.678Z"}
	// changes: [{remove nickname} {replace title}]
	// ignored: [{enabled read-only } {id read-only }]
}

// Errors are *user.Error values: branch on the status, the code and each
// detail's code and target, never on messages (E1, E2, E4).
func Example_readingAnError() {
	env, err := user.NewEnvironment(user.Config{})
	if err != nil {
		panic(err)
	}
	stored := []byte(`{"id":"8376797d","username":"joe@example.com"}`)
	body := []byte(`{"email":"not an email","mfaEnabled":true,"name":{"given":""}}`)

	_, err = env.Patch(stored, exampleAdmin, body)
	var e *user.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Code, errors.Is(err, user.ErrInvalidData))
		for _, d := range e.Details {
			fmt.Println(d.Code, d.Target)
		}
	}
	// Output:
	// 400 INVALID_DATA true
	// INVALID_VALUE email
	// CONSTRAINT_VIOLATION mfaEnabled
	// EMPTY_VALUE name.given
}
