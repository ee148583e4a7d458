package user_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
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

// View renders what an actor may see: never password or disabled
// attributes, and for a USER with narrowed read scopes only what they list.
func ExampleEnvironment_View() {
	env, err := user.NewEnvironment(user.Config{})
	if err != nil {
		panic(err)
	}
	doc := []byte(`{"id":"u1","username":"joe@example.com","name":{"given":"Joe","family":"Smith"},"title":"Director","password":{"x":1}}`)
	self := policy.Actor{Type: policy.User, UserID: "u1", Scopes: []policy.Scope{
		{Name: "p1:read:user:basic", SchemaAttributes: []string{"name.given", "title"}}}}
	for _, actor := range []policy.Actor{exampleAdmin, self} {
		view, err := env.View(doc, actor)
		if err != nil {
			panic(err)
		}
		fmt.Println(string(view))
	}
	// Output:
	// {"id":"u1","username":"joe@example.com","name":{"given":"Joe","family":"Smith"},"title":"Director"}
	// {"id":"u1","name":{"given":"Joe"},"title":"Director"}
}

// The library leaves uniqueness across users to the caller (O7): Result.Unique
// lists the unique attributes a request sets, and UniquenessViolation is the
// error to answer when another user holds the value.
func ExampleUniquenessViolation() {
	env, err := user.NewEnvironment(user.Config{Clock: exampleClock})
	if err != nil {
		panic(err)
	}
	res, err := env.Patch([]byte(`{"id":"u1","username":"joe@example.com"}`), exampleAdmin, []byte(`{"username":"ann@example.com"}`))
	if err != nil {
		panic(err)
	}
	taken := map[string]string{"ann@example.com": "u7"} // your store's index
	for _, path := range res.Unique {
		if owner, ok := taken["ann@example.com"]; ok && path == "username" {
			e := user.UniquenessViolation(path, owner)
			fmt.Println(e.Status, e.Code, e.Details[0].Code, e.Details[0].Target, e.Details[0].InnerError.ExistingID)
		}
	}
	// Output:
	// 400 INVALID_DATA UNIQUENESS_VIOLATION username u7
}

// WriteError writes an *Error as PingOne's HTTP error response: the status,
// application/json and the body with a fresh UUID id.
func ExampleWriteError() {
	env, err := user.NewEnvironment(user.Config{})
	if err != nil {
		panic(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		res, err := env.Patch([]byte(`{"id":"u1","username":"joe@example.com"}`), exampleAdmin, body)
		if err != nil {
			user.WriteError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(res.Document)
	})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest("PATCH", "/v1/environments/env/users/u1", strings.NewReader(`{"email":"nope"}`)))
	var body struct {
		ID      string `json:"id"`
		Code    string `json:"code"`
		Details []struct{ Code, Target string }
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), len(body.ID), body.Code, body.Details)
	// Output:
	// 400 application/json 36 INVALID_DATA [{INVALID_VALUE email}]
}
