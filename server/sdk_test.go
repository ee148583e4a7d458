package server_test

// PingOne's own Go SDK (github.com/patrickcping/pingone-go-sdk-v2/management
// v0.70.0) drives the server, as a real client would. The SDK's quirks, and
// how the server treats them, are listed in docs/server.md; the ones the
// tests meet are noted where they do.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/patrickcping/pingone-go-sdk-v2/management"
)

// sdkClient points the SDK at a test server: cfg.Servers and cfg.HTTPClient
// (the SDK's pingone wrapper refuses localhost), with a bearer token.
func sdkClient(srv *httptest.Server, token string) *management.APIClient {
	cfg := management.NewConfiguration()
	cfg.Servers = management.ServerConfigurations{{URL: srv.URL + "/v1"}}
	cfg.HTTPClient = srv.Client()
	cfg.AddDefaultHeader("Authorization", "Bearer "+token)
	return management.NewAPIClient(cfg)
}

// p1Error returns the PingOne error the SDK decoded, or fails.
func p1Error(t *testing.T, err error) *management.P1Error {
	t.Helper()
	var ge *management.GenericOpenAPIError
	if !errors.As(err, &ge) {
		t.Fatalf("the SDK's error %v (%T) is not a GenericOpenAPIError", err, err)
	}
	m, ok := ge.Model().(management.P1Error)
	if !ok {
		t.Fatalf("the SDK did not decode a P1Error: %T %s", ge.Model(), ge.Body())
	}
	return &m
}

func TestSDK(t *testing.T) {
	for _, http2 := range []bool{false, true} {
		name := "HTTP/1.1"
		if http2 {
			name = "HTTP/2"
		}
		t.Run(name, func(t *testing.T) { sdkRun(t, http2) })
	}
}

func sdkRun(t *testing.T, http2 bool) {
	_, s := newTestServer(t, nil)
	srv := httptest.NewUnstartedServer(s)
	if http2 {
		// Over HTTP/2 the SDK's two Content-Type headers of lock and unlock
		// arrive in random order (H2).
		srv.EnableHTTP2 = true
		srv.StartTLS()
	} else {
		srv.Start()
	}
	defer srv.Close()
	c := sdkClient(srv, adminToken)
	ctx := context.Background()
	const env = "e1"

	// Create (application/json): the server sets id, population (the
	// default), enabled, account, lifecycle, identityProvider (C1).
	nu := management.NewUser("joe@example.com", "joe@example.com")
	nu.SetTitle("Director")
	nu.SetName(management.UserName{Given: ptr("Joe"), Family: ptr("Smith")})
	created, resp, err := c.UsersApi.CreateUser(ctx, env).User(*nu).Execute()
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("CreateUser: %v", err)
	}
	id := created.GetId()
	if id == "" || created.GetPopulation().Id != "p1" || !created.GetEnabled() || created.GetAccount().Status != management.ENUMUSERSTATUS_OK ||
		created.GetIdentityProvider().Type == nil || *created.GetIdentityProvider().Type != management.ENUMIDENTITYPROVIDER_PING_ONE {
		t.Errorf("created user %+v", created)
	}

	// Create (import): lifecycle.status and emailVerified may be set (C2);
	// the password the SDK's model carries is ignored (X8).
	imp := management.NewUser("ann@example.com", "ann@example.com")
	imp.SetEmailVerified(true)
	st := management.ENUMUSERLIFECYCLESTATUS_VERIFICATION_REQUIRED
	imp.SetLifecycle(management.UserLifecycle{Status: &st})
	imp.SetPopulation(management.UserPopulation{Id: "p2"})
	imp.SetPassword(management.UserPassword{Value: ptr("Secret-1234")})
	imported, _, err := c.UsersApi.CreateUser(ctx, env).ContentType("application/vnd.pingidentity.user.import+json").User(*imp).Execute()
	if err != nil {
		t.Fatalf("CreateUser (import): %v", err)
	}
	if imported.GetLifecycle().Status == nil || *imported.GetLifecycle().Status != st || !imported.GetEmailVerified() || imported.GetPopulation().Id != "p2" || imported.Password != nil {
		t.Errorf("imported user %+v", imported)
	}

	// Read.
	got, _, err := c.UsersApi.ReadUser(ctx, env, id).Execute()
	if err != nil || got.GetTitle() != "Director" || got.GetName().Given == nil || *got.GetName().Given != "Joe" {
		t.Fatalf("ReadUser: %+v, %v", got, err)
	}

	// PUT: the SDK sends the whole model it read back, read-only and
	// dedicated members included; they are equal, so ignored (U3).
	got.SetTitle("Manager")
	got.SetNickname("Joey")
	put, _, err := c.UsersApi.UpdateUserPut(ctx, env, id).User(*got).Execute()
	if err != nil || put.GetTitle() != "Manager" || put.GetNickname() != "Joey" || put.GetId() != id {
		t.Fatalf("UpdateUserPut: %+v, %v", put, err)
	}

	// PATCH: the SDK always sends email and username (they are not
	// pointers), "" when unset; a PATCH of title alone would be refused
	// (EMPTY_VALUE on both), so the patch carries the stored values.
	patch := management.NewUser(got.Email, got.Username)
	patch.SetTitle("Senior Manager")
	patched, _, err := c.UsersApi.UpdateUserPatch(ctx, env, id).User(*patch).Execute()
	if err != nil || patched.GetTitle() != "Senior Manager" || patched.GetNickname() != "Joey" {
		t.Fatalf("UpdateUserPatch: %+v, %v", patched, err)
	}
	bare := management.User{} // what a PATCH of nothing looks like from the SDK
	bare.SetTitle("Boss")
	_, _, err = c.UsersApi.UpdateUserPatch(ctx, env, id).User(bare).Execute()
	if err == nil {
		t.Fatal("a PATCH with email and username \"\" succeeded")
	}
	pe := p1Error(t, err)
	if pe.GetCode() != "INVALID_DATA" || len(pe.Details) != 2 || pe.Details[0].GetCode() != "EMPTY_VALUE" {
		t.Errorf("the SDK's empty email and username: %+v", pe)
	}

	// An error the SDK decodes into its P1Error, with the details.
	bad := management.NewUser("not an email", got.Username)
	_, resp, err = c.UsersApi.UpdateUserPatch(ctx, env, id).User(*bad).Execute()
	if err == nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an invalid email: %v", err)
	}
	pe = p1Error(t, err)
	if pe.GetCode() != "INVALID_DATA" || pe.GetId() == "" || len(pe.Details) != 1 || pe.Details[0].GetCode() != "INVALID_VALUE" || pe.Details[0].GetTarget() != "email" {
		t.Errorf("P1Error %+v", pe)
	}

	// Enabled (X2): the answer is the sub-resource, the user follows.
	ue, _, err := c.EnableUsersApi.UpdateUserEnabled(ctx, env, id).UserEnabled(management.UserEnabled{Enabled: ptr(false)}).Execute()
	if err != nil || ue.GetEnabled() {
		t.Fatalf("UpdateUserEnabled: %+v, %v", ue, err)
	}
	if links := ue.GetLinks(); links["user"].Href == "" || !strings.HasSuffix(links["self"].Href, "/users/"+id+"/enabled") {
		t.Errorf("enabled links %+v", links)
	}
	re, _, err := c.EnableUsersApi.ReadUserEnabled(ctx, env, id).Execute()
	if err != nil || re.GetEnabled() {
		t.Errorf("ReadUserEnabled: %+v, %v", re, err)
	}
	if _, _, err := c.EnableUsersApi.UpdateUserEnabled(ctx, env, id).UserEnabled(management.UserEnabled{Enabled: ptr(true)}).Execute(); err != nil {
		t.Fatal(err)
	}

	// Population (X4).
	up, _, err := c.UserPopulationsApi.UpdateUserPopulation(ctx, env, id).UserPopulation(management.UserPopulation{Id: "p2"}).Execute()
	if err != nil || up.Id != "p2" {
		t.Fatalf("UpdateUserPopulation: %+v, %v", up, err)
	}
	if _, _, err := c.UserPopulationsApi.UpdateUserPopulation(ctx, env, id).UserPopulation(management.UserPopulation{Id: "p9"}).Execute(); err == nil {
		t.Error("a move to a population the environment does not list succeeded")
	} else if pe := p1Error(t, err); pe.Details[0].GetTarget() != "id" {
		t.Errorf("unlisted population: %+v", pe)
	}

	// Lock and unlock (X6): the SDK sends two Content-Type headers and, with
	// no UserAccount, the body null.
	locked, _, err := c.UserAccountsApi.UserAccount(ctx, env, id).ContentType(management.ENUMUSERACCOUNTCONTENTTYPEHEADER_LOCKJSON).Execute()
	if err != nil || locked.GetAccount().Status != management.ENUMUSERSTATUS_LOCKED || locked.GetAccount().CanAuthenticate {
		t.Fatalf("lock: %+v, %v", locked.GetAccount(), err)
	}
	unlocked, _, err := c.UserAccountsApi.UserAccount(ctx, env, id).ContentType(management.ENUMUSERACCOUNTCONTENTTYPEHEADER_UNLOCKJSON).Execute()
	if err != nil || unlocked.GetAccount().Status != management.ENUMUSERSTATUS_OK || !unlocked.GetAccount().CanAuthenticate || unlocked.GetAccount().LockedAt != nil {
		t.Fatalf("unlock: %+v, %v", unlocked.GetAccount(), err)
	}
	// A lock with unlockAt: the SDK's UserAccount also sends canAuthenticate
	// and status, which the operation does not use (ignored, X1).
	until := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Millisecond)
	acct := management.UserAccount{UnlockAt: &until}
	locked, _, err = c.UserAccountsApi.UserAccount(ctx, env, id).ContentType(management.ENUMUSERACCOUNTCONTENTTYPEHEADER_LOCKJSON).UserAccount(acct).Execute()
	if err != nil || locked.GetAccount().UnlockAt == nil || !locked.GetAccount().UnlockAt.Equal(until) {
		t.Fatalf("lock with unlockAt: %+v, %v", locked.GetAccount(), err)
	}
	if _, _, err := c.UserAccountsApi.UserAccount(ctx, env, id).ContentType(management.ENUMUSERACCOUNTCONTENTTYPEHEADER_UNLOCKJSON).Execute(); err != nil {
		t.Fatal(err)
	}

	// Identity provider (X5): the SDK's spec sends {"identityProvider": {"id": ...}}.
	resp, err = c.UsersApi.EnvironmentsEnvironmentIDUsersUserIDIdentityProviderPut(ctx, env, id).
		Body(map[string]any{"identityProvider": map[string]any{"id": "idp-g"}}).Execute()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("identity provider: %v", err)
	}
	var idp struct{ ID, Type string }
	_ = json.NewDecoder(resp.Body).Decode(&idp)
	resp.Body.Close()
	if idp.ID != "idp-g" || idp.Type != "GOOGLE" {
		t.Errorf("identity provider answer %+v", idp)
	}
	// PingOne's documented shape {"id": ...} works too; no body resets.
	resp, err = c.UsersApi.EnvironmentsEnvironmentIDUsersUserIDIdentityProviderPut(ctx, env, id).Execute()
	if err != nil {
		t.Fatalf("identity provider reset: %v", err)
	}
	resp.Body.Close()
	if u, _, _ := c.UsersApi.ReadUser(ctx, env, id).Execute(); u.GetIdentityProvider().Id != nil {
		t.Errorf("after the reset: %+v", u.GetIdentityProvider())
	}

	// verifyStatus (X7), another untyped SDK call.
	resp, err = c.UsersApi.EnvironmentsEnvironmentIDUsersUserIDVerifyStatusPut(ctx, env, id).Body(map[string]any{"verifyStatus": "ENABLED"}).Execute()
	if err != nil {
		t.Fatalf("verifyStatus: %v", err)
	}
	resp.Body.Close()

	// List across several pages, following _links.next (absolute).
	for _, u := range []string{"a", "b", "c", "d"} {
		nu := management.NewUser(u+"@example.com", u+"@example.com")
		if _, _, err := c.UsersApi.CreateUser(ctx, env).User(*nu).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	seen, pages := map[string]bool{}, 0
	for cursor, err := range c.UsersApi.ReadAllUsers(ctx, env).Limit(2).Execute() {
		if err != nil {
			t.Fatalf("ReadAllUsers: %v", err)
		}
		pages++
		for _, u := range cursor.EntityArray.Embedded.GetUsers() {
			seen[u.GetId()] = true
		}
	}
	if len(seen) != 6 || pages != 3 {
		t.Errorf("listed %d users over %d pages, want 6 over 3", len(seen), pages)
	}
	filtered, _, err := c.UsersApi.ReadAllUsers(ctx, env).Filter(`username sw "a"`).ExecuteInitialPage()
	if err != nil || len(filtered.Embedded.GetUsers()) != 2 {
		t.Errorf("filtered list: %v", err)
	}

	// Delete (C4): 204, then 404.
	if resp, err := c.UsersApi.DeleteUser(ctx, env, id).Execute(); err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, resp, err = c.UsersApi.ReadUser(ctx, env, id).Execute()
	if err == nil || resp.StatusCode != http.StatusNotFound || p1Error(t, err).GetCode() != "NOT_FOUND" {
		t.Errorf("ReadUser after delete: %v", err)
	}

	// A 403 the SDK decodes: a USER may not use the enabled operation.
	uc := sdkClient(srv, userToken)
	_, _, err = uc.EnableUsersApi.UpdateUserEnabled(ctx, env, imported.GetId()).UserEnabled(management.UserEnabled{Enabled: ptr(false)}).Execute()
	if err == nil || p1Error(t, err).GetCode() != "ACCESS_FAILED" {
		t.Errorf("a USER's enabled operation: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
