package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amendlib/amend/internal/errorschema"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/server"
	"github.com/amendlib/amend/user"
)

const adminToken, userToken, helpToken = "admin-token", "user-token", "help-token"

var admin = policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
	{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}}

func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 678000000, time.UTC) }

// newTestServer serves one environment "e1" with custom attributes, on a
// loopback test server.
func newTestServer(t testing.TB, store server.Store) (*httptest.Server, *server.Server) {
	t.Helper()
	attrs := []schema.Attribute{{Name: "badge", Type: schema.String, Unique: new(bool)}}
	*attrs[0].Unique = true
	for i := range 50 {
		attrs = append(attrs, schema.Attribute{Name: fmt.Sprintf("a%02d", i), Type: schema.String})
	}
	attrs = append(attrs, schema.Attribute{Name: "tShirt", Type: schema.Complex, MultiValued: true,
		SubAttributes: []schema.Attribute{{Name: "tshirtSize", Type: schema.String}, {Name: "tshirtColor", Type: schema.String}}})
	s, err := server.New(server.Config{
		Environments: map[string]user.Config{"e1": {Attributes: attrs, Populations: []user.Population{{ID: "p1", Default: true}, {ID: "p2"}},
			IdentityProviders: map[string]string{"idp-g": "GOOGLE"}, Roles: map[string]policy.Role{"Help Desk": {SchemaAttributes: []string{"title"}}}}},
		Tokens: map[string]policy.Actor{adminToken: admin,
			userToken: {Type: policy.User, UserID: "u1", Scopes: []policy.Scope{{Name: policy.ScopeUpdateUser}, {Name: policy.ScopeReadUser}}},
			helpToken: {Type: policy.Admin, Roles: []policy.RoleAssignment{{Name: "Help Desk", Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}}},
		Store: store,
		Clock: fixedClock,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv, s
}

type call struct {
	method, path, token string
	header              http.Header
	body                string
}

func (c call) do(t testing.TB, srv *httptest.Server) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if c.body != "" {
		rd = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, srv.URL+c.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range c.header {
		req.Header[k] = vs
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		// Errorf, not Fatal: do runs in goroutines of concurrency tests.
		t.Errorf("%s %s: %v", c.method, c.path, err)
		return &http.Response{Header: http.Header{}}, nil
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s %s: reading the answer: %v", c.method, c.path, err)
	}
	return resp, out
}

func createUser(t testing.TB, srv *httptest.Server, body string) map[string]any {
	t.Helper()
	resp, out := call{method: "POST", path: "/v1/environments/e1/users", token: adminToken, body: body}.do(t, srv)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, out)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestDefaultServerHasNoControl checks H9: without Config.Control every
// /__amend/ path is a 404, whatever the method.
func TestDefaultServerHasNoControl(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	for _, path := range []string{"/__amend/", "/__amend/clock", "/__amend/ids", "/__amend/tokens/x",
		"/__amend/environments/e1", "/__amend/environments/e1/users/u1", "/__amend/environments/x/users/y/z"} {
		for _, method := range []string{"GET", "PUT", "POST", "DELETE", "PATCH"} {
			resp, out := call{method: method, path: path, token: adminToken, body: `{"now":"2020-01-01T00:00:00Z"}`}.do(t, srv)
			if resp.StatusCode != http.StatusNotFound || !bytes.Contains(out, []byte(`"NOT_FOUND"`)) {
				t.Errorf("%s %s: %d %s, want 404", method, path, resp.StatusCode, out)
			}
		}
	}
}

// TestErrorBodies checks H4: every error the server writes is PingOne's
// body with a fresh UUID id, valid against the official schema of its
// status, and application/json.
func TestErrorBodies(t *testing.T) {
	schemas, err := errorschema.Load("../testdata/reference/pingone-error-schemas.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newTestServer(t, nil)
	u := createUser(t, srv, `{"username":"joe@example.com"}`)
	id := u["id"].(string)
	userPath := "/v1/environments/e1/users/" + id
	tests := []struct {
		name   string
		c      call
		status int
	}{
		{"no token", call{method: "GET", path: userPath}, 401},
		{"unknown token", call{method: "GET", path: userPath, token: "nope"}, 401},
		{"unknown environment", call{method: "GET", path: "/v1/environments/zz/users/" + id, token: adminToken}, 404},
		{"unknown user", call{method: "GET", path: "/v1/environments/e1/users/nobody", token: adminToken}, 404},
		{"unknown route", call{method: "GET", path: "/v2/anything", token: adminToken}, 404},
		{"unknown sub-resource", call{method: "GET", path: userPath + "/password", token: adminToken}, 404},
		{"method not allowed", call{method: "PATCH", path: "/v1/environments/e1/users", token: adminToken, body: `{}`}, 405},
		{"method not allowed on a sub-resource", call{method: "DELETE", path: userPath + "/enabled", token: adminToken}, 405},
		{"unsupported content type", call{method: "PATCH", path: userPath, token: adminToken, body: `{}`, header: http.Header{"Content-Type": {"text/plain"}}}, 415},
		{"lock without its content type", call{method: "POST", path: userPath, token: adminToken, body: `{}`}, 415},
		{"invalid data", call{method: "PATCH", path: userPath, token: adminToken, body: `{"email":"nope"}`}, 400},
		{"invalid request", call{method: "PATCH", path: userPath, token: adminToken, body: `{"email":`}, 400},
		{"forbidden", call{method: "PATCH", path: userPath, token: helpToken, body: `{"email":"a@b.c"}`}, 403},
		{"precondition failed", call{method: "PATCH", path: userPath, token: adminToken, body: `{"title":"T"}`, header: http.Header{"If-Match": {`"stale"`}}}, 412},
		{"invalid filter", call{method: "GET", path: "/v1/environments/e1/users?filter=" + url.QueryEscape(`title pr`), token: adminToken}, 400},
		{"invalid limit", call{method: "GET", path: "/v1/environments/e1/users?limit=0", token: adminToken}, 400},
		{"body too large", call{method: "PATCH", path: userPath, token: adminToken, body: `{"title":"` + strings.Repeat("x", 1<<20) + `"}`}, 400},
	}
	ids := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, out := tt.c.do(t, srv)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, out)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if err := errorschema.Validate(schemas, tt.status, out); err != nil {
				t.Errorf("%s does not validate against the %d schema: %v", out, tt.status, err)
			}
			var b struct{ ID string }
			_ = json.Unmarshal(out, &b)
			if len(b.ID) != 36 || ids[b.ID] {
				t.Errorf("id %q is not a fresh UUID", b.ID)
			}
			ids[b.ID] = true
		})
	}
}

// TestConcurrentPatches checks H7: 50 goroutines PATCH 50 different
// attributes of one user at once, and no update is lost.
func TestConcurrentPatches(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	id := createUser(t, srv, `{"username":"joe@example.com"}`)["id"].(string)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			resp, out := call{method: "PATCH", path: "/v1/environments/e1/users/" + id, token: adminToken,
				body: fmt.Sprintf(`{"a%02d":"v%d"}`, i, i)}.do(t, srv)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("PATCH a%02d: %d %s", i, resp.StatusCode, out)
			}
		})
	}
	wg.Wait()
	resp, out := call{method: "GET", path: "/v1/environments/e1/users/" + id, token: adminToken}.do(t, srv)
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET: %d %s", resp.StatusCode, out)
	}
	for i := range 50 {
		if doc[fmt.Sprintf("a%02d", i)] != fmt.Sprintf("v%d", i) {
			t.Errorf("a%02d was lost: %v", i, doc[fmt.Sprintf("a%02d", i)])
		}
	}
}

// TestConcurrentUniqueness checks H6 under concurrent requests: of many
// creates of one username in different cases, exactly one succeeds; the
// others are UNIQUENESS_VIOLATION naming it.
func TestConcurrentUniqueness(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, refused := 0, 0
	var winner string
	for i := range 30 {
		name := "Ann@Example.com"
		if i%2 == 0 {
			name = strings.ToLower(name)
		}
		wg.Go(func() {
			resp, out := call{method: "POST", path: "/v1/environments/e1/users", token: adminToken,
				body: fmt.Sprintf(`{"username":%q,"badge":"B%d"}`, name, i)}.do(t, srv)
			mu.Lock()
			defer mu.Unlock()
			switch resp.StatusCode {
			case http.StatusCreated:
				created++
				var d struct{ ID string }
				_ = json.Unmarshal(out, &d)
				winner = d.ID
			case http.StatusBadRequest:
				if !bytes.Contains(out, []byte(`"UNIQUENESS_VIOLATION"`)) || !bytes.Contains(out, []byte(`"target":"username"`)) {
					t.Errorf("refusal %s", out)
				}
				refused++
			default:
				t.Errorf("create: %d %s", resp.StatusCode, out)
			}
		})
	}
	wg.Wait()
	if created != 1 || refused != 29 {
		t.Fatalf("%d created, %d refused; want 1 and 29", created, refused)
	}
	// A second user cannot take the badge either (a custom unique attribute).
	resp, out := call{method: "POST", path: "/v1/environments/e1/users", token: adminToken, body: `{"username":"other@example.com","badge":"B0"}`}.do(t, srv)
	holder := ""
	if resp.StatusCode == http.StatusBadRequest {
		var e struct {
			Details []struct {
				Target     string
				InnerError struct{ ExistingID string }
			}
		}
		_ = json.Unmarshal(out, &e)
		if len(e.Details) == 1 {
			holder = e.Details[0].InnerError.ExistingID
		}
	}
	if winner == "" || (holder != "" && holder != winner) {
		t.Errorf("badge clash: %d %s (winner %s)", resp.StatusCode, out, winner)
	}
}

// TestETags checks H7's entity tags: a strong ETag on user answers,
// If-None-Match 304, If-Match 412 on a mismatch.
func TestETags(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	id := createUser(t, srv, `{"username":"joe@example.com"}`)["id"].(string)
	path := "/v1/environments/e1/users/" + id
	resp, _ := call{method: "GET", path: path, token: adminToken}.do(t, srv)
	tag := resp.Header.Get("ETag")
	if !strings.HasPrefix(tag, `"`) || strings.HasPrefix(tag, "W/") {
		t.Fatalf("ETag %q is not strong", tag)
	}
	if resp, _ := (call{method: "GET", path: path, token: adminToken, header: http.Header{"If-None-Match": {tag}}}).do(t, srv); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match with the current tag: %d", resp.StatusCode)
	}
	resp, _ = call{method: "PATCH", path: path, token: adminToken, body: `{"title":"A"}`, header: http.Header{"If-Match": {tag}}}.do(t, srv)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == tag {
		t.Fatalf("If-Match with the current tag: %d, tag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if resp, _ := (call{method: "PATCH", path: path, token: adminToken, body: `{"title":"B"}`, header: http.Header{"If-Match": {tag}}}).do(t, srv); resp.StatusCode != http.StatusPreconditionFailed {
		t.Errorf("If-Match with a stale tag: %d", resp.StatusCode)
	}
	if resp, _ := (call{method: "GET", path: path, token: adminToken, header: http.Header{"If-None-Match": {tag}}}).do(t, srv); resp.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match with a stale tag: %d", resp.StatusCode)
	}
}

// TestContentTypes checks H2: every Content-Type header is read and a
// vnd.pingidentity one wins, in either order; parameters are ignored.
func TestContentTypes(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	id := createUser(t, srv, `{"username":"joe@example.com"}`)["id"].(string)
	path := "/v1/environments/e1/users/" + id
	for _, order := range [][]string{
		{"application/json", "application/vnd.pingidentity.account.lock+json"},
		{"application/vnd.pingidentity.account.unlock+json", "application/json"},
		{"application/vnd.pingidentity.account.lock+json; charset=utf-8"},
	} {
		resp, out := call{method: "POST", path: path, token: adminToken, header: http.Header{"Content-Type": order}}.do(t, srv)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%v: %d %s", order, resp.StatusCode, out)
		}
	}
	resp, out := call{method: "PATCH", path: path, token: adminToken, body: `{"title":"T"}`, header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}}}.do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("charset parameter: %d %s", resp.StatusCode, out)
	}
	// The SDK's body null for a lock is no body.
	resp, out = call{method: "POST", path: path, token: adminToken, body: `null`, header: http.Header{"Content-Type": {"application/vnd.pingidentity.account.unlock+json"}}}.do(t, srv)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("unlock with the body null: %d %s", resp.StatusCode, out)
	}
}

// countingReader counts the bytes read from an endless body.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	r.n += len(p)
	return len(p), nil
}

// TestBodyLimit checks H4 and L1: an oversized body is refused without
// being read whole.
func TestBodyLimit(t *testing.T) {
	_, s := newTestServer(t, nil)
	srv := httptest.NewServer(s)
	defer srv.Close()
	id := createUser(t, srv, `{"username":"joe@example.com"}`)["id"].(string)
	body := &countingReader{}
	req := httptest.NewRequest("PATCH", "/v1/environments/e1/users/"+id, io.MultiReader(strings.NewReader(`{"title":"`), body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "SIZE_LIMIT_EXCEEDED") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if body.n > 2<<20 {
		t.Errorf("%d bytes read of an endless body", body.n)
	}
}

// TestList checks H1's list: PingOne's filter subset, paging with
// absolute next links, count and size.
func TestList(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	for i := range 25 {
		family := "Smith"
		if i%5 == 0 {
			family = "Jones"
		}
		createUser(t, srv, fmt.Sprintf(`{"username":"user%02d@example.com","name":{"family":%q},"title":"T%d"}`, i, family, i%3))
	}
	type page struct {
		Links    map[string]struct{ Href string } `json:"_links"`
		Embedded struct {
			Users []map[string]any `json:"users"`
		} `json:"_embedded"`
		Count, Size int
	}
	get := func(u string) (int, page) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer "+adminToken)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p page
		_ = json.NewDecoder(resp.Body).Decode(&p)
		return resp.StatusCode, p
	}
	seen := map[string]bool{}
	next := srv.URL + "/v1/environments/e1/users?limit=10"
	pages := 0
	for next != "" {
		status, p := get(next)
		if status != 200 {
			t.Fatalf("%s: %d", next, status)
		}
		pages++
		if p.Count != 25 || p.Size != len(p.Embedded.Users) {
			t.Errorf("count %d size %d for %d users", p.Count, p.Size, len(p.Embedded.Users))
		}
		for _, u := range p.Embedded.Users {
			seen[u["id"].(string)] = true
		}
		next = p.Links["next"].Href
		if next != "" && !strings.HasPrefix(next, srv.URL+"/") {
			t.Fatalf("next link %q is not absolute", next)
		}
	}
	if len(seen) != 25 || pages != 3 {
		t.Errorf("%d users over %d pages, want 25 over 3", len(seen), pages)
	}
	for filter, want := range map[string]int{
		`name.family eq "jones"`: 5, `name.family sw "Sm"`: 20, `username ew "@example.com"`: 0,
		`email ew "x"`: 0, `(title eq "T0" or title eq "T1") and name.family eq "Smith"`: 14, `username eq "USER03@EXAMPLE.COM"`: 1,
	} {
		status, p := get(srv.URL + "/v1/environments/e1/users?filter=" + url.QueryEscape(filter))
		if filter == `username ew "@example.com"` {
			if status != 400 {
				t.Errorf("%s: %d, want 400 (ew on username is not supported)", filter, status)
			}
			continue
		}
		if status != 200 || p.Count != want {
			t.Errorf("%s: %d, count %d, want %d", filter, status, p.Count, want)
		}
	}
	for _, bad := range []string{`not (title eq "x")`, `title co "x"`, `title gt "x"`, `a01 eq "x"`, `title eq`, `(title eq "x"`, `population.ix sw "p"`, `name.family sw 1`} {
		if status, _ := get(srv.URL + "/v1/environments/e1/users?filter=" + url.QueryEscape(bad)); status != 400 {
			t.Errorf("%s: %d, want 400 INVALID_FILTER", bad, status)
		}
	}
	if status, p := get(srv.URL + "/v1/environments/e1/users?filter=" + url.QueryEscape(`a01 sw "x"`)); status != 200 || p.Count != 0 {
		t.Errorf("sw on a custom STRING attribute: %d %d", status, p.Count)
	}
	// H1: sw on every standard attribute, population.id and enabled included.
	for filter, want := range map[string]int{`population.id sw "p"`: 25, `population.id sw "p2"`: 0, `enabled sw "t"`: 0} {
		if status, p := get(srv.URL + "/v1/environments/e1/users?filter=" + url.QueryEscape(filter)); status != 200 || p.Count != want {
			t.Errorf("%s: %d, count %d, want %d", filter, status, p.Count, want)
		}
	}
}

// TestSCIMExampleOverHTTP sends PingOne's documented SCIM PATCH example
// (the tShirt case) with raw net/http: no SDK can send this content type
// (S1-S3, H1, H2).
func TestSCIMExampleOverHTTP(t *testing.T) {
	srv, _ := newTestServer(t, nil)
	id := createUser(t, srv, `{"username":"joe@example.com","tShirt":[{"tshirtSize":"XS","tshirtColor":"Blue"},{"tshirtSize":"XL","tshirtColor":"Red"}]}`)["id"].(string)
	body := `{"Operations":[{"op":"replace","path":"tShirt[tshirtSize eq \"XS\"].tshirtColor","value":"Orange"},` +
		`{"op":"add","path":"tShirt","value":[{"tshirtSize":"L","tshirtColor":"Yellow"}]}]}`
	req, err := http.NewRequest("PATCH", srv.URL+"/v1/environments/e1/users/"+id, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/vnd.pingidentity.user.scim.patch+json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		TShirt []map[string]string `json:"tShirt"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	want := []map[string]string{{"tshirtSize": "XS", "tshirtColor": "Orange"}, {"tshirtSize": "XL", "tshirtColor": "Red"}, {"tshirtSize": "L", "tshirtColor": "Yellow"}}
	if fmt.Sprint(doc.TShirt) != fmt.Sprint(want) {
		t.Errorf("tShirt = %v, want %v", doc.TShirt, want)
	}
}

// TestReadView checks H5: answers are the actor's read view, never the
// password.
func TestReadView(t *testing.T) {
	srv, s := newTestServer(t, nil)
	_ = s
	resp, out := call{method: "POST", path: "/v1/environments/e1/users", token: adminToken,
		header: http.Header{"Content-Type": {"application/vnd.pingidentity.user.import+json"}},
		body:   `{"username":"joe@example.com","password":{"value":"secret"}}`}.do(t, srv)
	if resp.StatusCode != 201 || bytes.Contains(out, []byte("secret")) || bytes.Contains(out, []byte(`"password"`)) {
		t.Errorf("create: %d %s", resp.StatusCode, out)
	}
}
