package user_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/amendlib/amend/internal/errorschema"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

var admin = policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
	{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}}

func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678900000, time.UTC) }

func newEnv(t testing.TB, cfg user.Config) *user.Environment {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = fixedClock
	}
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return env
}

const joe = `{"id":"u1","environment":{"id":"e1"},"population":{"id":"p1"},"username":"joe@example.com",
"name":{"given":"Joe","family":"Smith"},"title":"Director","enabled":true,"mfaEnabled":false,
"identityProvider":{"type":"PING_ONE"},"score":12345678901234567890,"updatedAt":"2022-11-16T19:12:23.459Z"}`

// errorSchemas compiles PingOne's official error schemas, one per status (E1).
func errorSchemas(t testing.TB) map[int]*jsonschema.Schema {
	t.Helper()
	s, err := errorschema.Load("../testdata/reference/pingone-error-schemas.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type detail struct{ Code, Target string }

func details(e *user.Error) []detail {
	var out []detail
	for _, d := range e.Details {
		out = append(out, detail{d.Code, d.Target})
	}
	return out
}

// TestErrors checks each error class (E3), its sentinel (E2), its details
// (V3, V5, A2, A5) and that its body, with an id set, satisfies PingOne's
// official error schema for its status (E1).
func TestErrors(t *testing.T) {
	schemas := errorSchemas(t)
	env := newEnv(t, user.Config{PingIDConnected: true, Attributes: []schema.Attribute{
		{Name: "shirt", Type: schema.String, EnumeratedValues: []schema.EnumeratedValue{{Value: "S"}}}}})
	helpDesk := policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
		{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopePopulation, ID: "other"}}}}
	self := policy.Actor{Type: policy.User, UserID: "u1", Scopes: []policy.Scope{{Name: "p1:update:user:contact", SchemaAttributes: []string{"email"}}}}
	tests := []struct {
		name     string
		stored   string
		actor    policy.Actor
		body     string
		status   int
		code     string
		sentinel error
		details  []detail
	}{
		{"stored not an object (E3.0)", `[1]`, admin, `{}`, 500, user.CodeUnexpectedError, user.ErrUnexpected, nil},
		{"body not JSON (E3.1)", joe, admin, `{"title":`, 400, user.CodeInvalidRequest, user.ErrInvalidRequest, []detail{{"INVALID_VALUE", ""}}},
		{"body not an object (E3.1)", joe, admin, `[]`, 400, user.CodeInvalidRequest, user.ErrInvalidRequest, []detail{{"INVALID_VALUE", ""}}},
		{"duplicate member (E3.1)", joe, admin, `{"title":"a","title":"b"}`, 400, user.CodeInvalidRequest, user.ErrInvalidRequest, []detail{{"INVALID_VALUE", ""}}},
		{"too deep (L1)", joe, admin, `{"a":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`, 400, user.CodeInvalidRequest, user.ErrInvalidRequest, []detail{{"SIZE_LIMIT_EXCEEDED", ""}}},
		{"no applicable role (A2)", joe, helpDesk, `{"title":""}`, 403, user.CodeAccessFailed, user.ErrAccessFailed, []detail{{"INSUFFICIENT_PERMISSIONS", ""}}},
		{"outside the grant (A5)", joe, self, `{"title":"x","email":"a@b.c","name":{"given":"J"}}`, 403, user.CodeAccessFailed, user.ErrAccessFailed,
			[]detail{{"INSUFFICIENT_PERMISSIONS", "name.given"}, {"INSUFFICIENT_PERMISSIONS", "title"}}},
		{"several violations (V3, V5, W1)", joe, admin, `{"username":null,"title":"","name":{"family":"@"},"shirt":"XL","mfaEnabled":true,"locale":"en_US"}`,
			400, user.CodeInvalidData, user.ErrInvalidData, []detail{
				{"INVALID_VALUE", "locale"}, {"CONSTRAINT_VIOLATION", "mfaEnabled"}, {"INVALID_VALUE", "name.family"},
				{"INVALID_VALUE", "shirt"}, {"EMPTY_VALUE", "title"}, {"CONSTRAINT_VIOLATION", "username"}, {"REQUIRED_VALUE", "username"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := env.Patch([]byte(tt.stored), tt.actor, []byte(tt.body))
			if err == nil {
				t.Fatalf("got document %s, want an error", res.Document)
			}
			var ue *user.Error
			if !errors.As(err, &ue) {
				t.Fatalf("error %T is not a *user.Error", err)
			}
			if ue.Status != tt.status || ue.Code != tt.code {
				t.Errorf("got %d %s, want %d %s", ue.Status, ue.Code, tt.status, tt.code)
			}
			for _, s := range []error{user.ErrUnexpected, user.ErrInvalidRequest, user.ErrAccessFailed, user.ErrInvalidData} {
				if got := errors.Is(err, s); got != (s == tt.sentinel) {
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			if d := cmp.Diff(tt.details, details(ue)); d != "" {
				t.Errorf("details (-want +got):\n%s", d)
			}
			ue.ID = "3f9a3e4c-5b7d-4c1e-9a2b-8c7d6e5f4a3b"
			body, err := json.Marshal(ue)
			if err != nil {
				t.Fatal(err)
			}
			if err := errorschema.Validate(schemas, ue.Status, body); err != nil {
				t.Errorf("the error body %s does not satisfy PingOne's %d schema: %v", body, ue.Status, err)
			}
		})
	}
}

// TestUniquenessViolation checks the O7 helper against the official schema.
func TestUniquenessViolation(t *testing.T) {
	e := user.UniquenessViolation("username", "5c5e7e59-1f2a-4f60-a3a4-9f2f0c1d2e3f")
	if !errors.Is(e, user.ErrInvalidData) || e.Status != http.StatusBadRequest {
		t.Errorf("got %v", e)
	}
	if d := cmp.Diff([]detail{{"UNIQUENESS_VIOLATION", "username"}}, details(e)); d != "" {
		t.Error(d)
	}
	e.ID = "3f9a3e4c-5b7d-4c1e-9a2b-8c7d6e5f4a3b"
	body, _ := json.Marshal(e)
	if err := errorschema.Validate(errorSchemas(t), 400, body); err != nil {
		t.Errorf("%s: %v", body, err)
	}
	if !strings.Contains(string(body), `"existingId":"5c5e7e59-1f2a-4f60-a3a4-9f2f0c1d2e3f"`) {
		t.Errorf("no existingId in %s", body)
	}
}

// TestPure checks O1 and O3: inputs are not modified, output is
// byte-identical across runs, and a request that changes nothing returns
// the stored bytes exactly.
func TestPure(t *testing.T) {
	env := newEnv(t, user.Config{})
	stored := []byte(joe)
	body := []byte(`{"title":"Manager","name":{"middle":"H."},"score":1}`)
	storedCopy, bodyCopy := bytes.Clone(stored), bytes.Clone(body)
	first, err := env.Patch(stored, admin, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		again, err := env.Patch(stored, admin, body)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Document, again.Document) {
			t.Fatalf("run %d differs:\n%s\n%s", i, first.Document, again.Document)
		}
	}
	if !bytes.Equal(stored, storedCopy) || !bytes.Equal(body, bodyCopy) {
		t.Error("an input was modified")
	}
	if !strings.Contains(string(first.Document), `"updatedAt":"2026-01-02T03:04:05.678Z"`) {
		t.Errorf("updatedAt not set from the clock (O3): %s", first.Document)
	}
	if !strings.Contains(string(first.Document), `"score":12345678901234567890`) {
		t.Errorf("number text lost (O4): %s", first.Document)
	}
	same, err := env.Put(stored, admin, stored)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(same.Document, stored) || len(same.Changes) != 0 {
		t.Errorf("PUT of the stored document changed it (U3, O3): %v\n%s", same.Changes, same.Document)
	}
	same.Document[0] = 'X'
	if stored[0] != '{' {
		t.Error("the result aliases the stored bytes")
	}
}

// TestConcurrent runs one environment from many goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	env := newEnv(t, user.Config{})
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func(i int) {
			_, err := env.Patch([]byte(joe), admin, []byte(fmt.Sprintf(`{"title":"T%d"}`, i)))
			done <- err
		}(i)
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestHostileBodies checks that hostile bodies get a 400 of the right class
// (E3.1, L1) and that memory stays bounded by a small multiple of the input.
func TestHostileBodies(t *testing.T) {
	env := newEnv(t, user.Config{})
	big := func(n int, unit string) string { return strings.Repeat(unit, n) }
	tests := []struct {
		name   string
		body   string
		detail string
	}{
		{"3 MiB body", `{"title":"` + big(3<<20, "a") + `"}`, "SIZE_LIMIT_EXCEEDED"},
		{"200,000-deep arrays", `{"a":` + big(200000, "[") + big(200000, "]") + `}`, "SIZE_LIMIT_EXCEEDED"},
		{"100,000-deep objects", big(100000, `{"a":`) + "1" + big(100000, "}"), "SIZE_LIMIT_EXCEEDED"},
		{"invalid UTF-8", "{\"title\":\"\xff\xfe\"}", "INVALID_VALUE"},
		{"lone surrogate", `{"title":"\udfff"}`, "INVALID_VALUE"},
		{"raw control character", "{\"title\":\"a\x01\"}", "INVALID_VALUE"},
		{"truncated", `{"title":"Man`, "INVALID_VALUE"},
		{"empty", ``, "INVALID_VALUE"},
		{"whitespace only", " \r\n\t", "INVALID_VALUE"},
		{"trailing data", `{"title":"a"}]`, "INVALID_VALUE"},
		{"duplicate deep inside a value", `{"name":{"given":"a"},"x":[{"k":{"d":1,"d":2}}]}`, "INVALID_VALUE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := env.Patch([]byte(joe), admin, []byte(tt.body))
			runtime.ReadMemStats(&after)
			var ue *user.Error
			if !errors.As(err, &ue) || ue.Status != 400 || ue.Code != user.CodeInvalidRequest {
				t.Fatalf("got %v, want 400 INVALID_REQUEST", err)
			}
			if len(ue.Details) != 1 || ue.Details[0].Code != tt.detail {
				t.Errorf("details %+v, want one %s", ue.Details, tt.detail)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
				t.Errorf("allocated %d bytes for a %d-byte body", alloc, len(tt.body))
			}
		})
	}
	// 200,000 members do not fit in 1 MiB (L1); a 100,000-digit number as
	// the value of a STRING attribute is INVALID_DATA (V3).
	var ue *user.Error
	if _, err := env.Patch([]byte(joe), admin, manyMembers(200000)); !errors.As(err, &ue) || ue.Code != user.CodeInvalidRequest || ue.Details[0].Code != user.DetailSizeLimitExceeded {
		t.Errorf("200,000 members: %v", err)
	}
	if _, err := env.Patch([]byte(joe), admin, []byte(`{"title":`+big(100000, "9")+`}`)); !errors.As(err, &ue) || ue.Code != user.CodeInvalidData || ue.Details[0].Target != "title" {
		t.Errorf("100,000-digit title: %v", err)
	}
	// Within the limits, large bodies are accepted: a 100,000-digit number
	// and 20,000 members (of unknown attributes, ignored) fit in 1 MiB.
	if _, err := env.Patch([]byte(joe), admin, []byte(`{"x":`+big(100000, "9")+`}`)); err != nil {
		t.Errorf("100,000-digit number: %v", err)
	}
	res, err := env.Patch([]byte(joe), admin, manyMembers(20000))
	if err != nil || len(res.Ignored) != 20000 || len(res.Changes) != 0 {
		t.Errorf("20,000 unknown members: %v", err)
	}
}

// manyMembers returns a body with n members of unknown attributes.
func manyMembers(n int) []byte {
	var b strings.Builder
	b.WriteString("{")
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"m%d":0`, i)
	}
	b.WriteString("}")
	return []byte(b.String())
}

// TestBodyLimitEdge checks L1's exact edge: 1,048,576 bytes is allowed.
func TestBodyLimitEdge(t *testing.T) {
	env := newEnv(t, user.Config{})
	pad := func(n int) []byte {
		prefix, suffix := `{"x":"`, `"}`
		return []byte(prefix + strings.Repeat("a", n-len(prefix)-len(suffix)) + suffix)
	}
	if _, err := env.Patch([]byte(joe), admin, pad(1<<20)); err != nil {
		t.Errorf("a body of exactly 1 MiB: %v", err)
	}
	_, err := env.Patch([]byte(joe), admin, pad(1<<20+1))
	var ue *user.Error
	if !errors.As(err, &ue) || ue.Code != user.CodeInvalidRequest || ue.Details[0].Code != user.DetailSizeLimitExceeded {
		t.Errorf("a body one byte over: %v", err)
	}
	small := newEnv(t, user.Config{Limits: user.Limits{MaxBodyBytes: 10, MaxDepth: 2}})
	if _, err := small.Patch([]byte(joe), admin, []byte(`{"title":"abc"}`)); !errors.Is(err, user.ErrInvalidRequest) {
		t.Errorf("configured body limit: %v", err)
	}
	if _, err := small.Patch([]byte(joe), admin, []byte(`{"a":[[]]}`)); !errors.Is(err, user.ErrInvalidRequest) {
		t.Errorf("configured depth limit: %v", err)
	}
}

// TestNewEnvironmentRefuses checks configuration errors are reported at
// build time, not per request (L4).
func TestNewEnvironmentRefuses(t *testing.T) {
	for name, cfg := range map[string]user.Config{
		"unknown option":   {Options: user.Options{UnknownAttributes: "drop"}},
		"empty idp id":     {IdentityProviders: map[string]string{"": "GOOGLE"}},
		"bad custom":       {Attributes: []schema.Attribute{{Name: "a_b", Type: schema.String}}},
		"empty role name":  {Roles: map[string]policy.Role{"": {SchemaAttributes: []string{"*"}}}},
		"empty idp type":   {IdentityProviders: map[string]string{"x": ""}},
		"too many customs": {Attributes: []schema.Attribute{{Name: "a", Type: schema.String}, {Name: "b", Type: schema.String}}, Limits: user.Limits{MaxCustomAttributes: 1}},
	} {
		if _, err := user.NewEnvironment(cfg); err == nil {
			t.Errorf("%s: NewEnvironment succeeded", name)
		}
	}
}

// TestBuiltInRole checks that Identity Data Admin cannot be redefined (A2).
func TestBuiltInRole(t *testing.T) {
	_, err := user.NewEnvironment(user.Config{Roles: map[string]policy.Role{policy.IdentityDataAdmin: {SchemaAttributes: []string{"email"}}}})
	if err == nil {
		t.Error("NewEnvironment accepted a redefinition of Identity Data Admin")
	}
}
