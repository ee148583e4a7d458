package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
	"github.com/amendlib/amend/user"
)

const (
	samplesDir   = "../../testdata/samples"
	workforceEnv = samplesDir + "/workforce-env.json"
	workforceDir = samplesDir + "/workforce"
	samplesNow   = "2026-11-23T10:00:00.000Z"
)

// workforceEnvironment builds the sample environment the way --env does:
// user.ParseConfig, then user.NewEnvironment.
func workforceEnvironment(t *testing.T) (user.Config, *user.Environment) {
	t.Helper()
	data, err := os.ReadFile(workforceEnv)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := user.ParseConfig(data)
	if err != nil {
		t.Fatalf("%s: %v", workforceEnv, err)
	}
	now, err := time.Parse(time.RFC3339Nano, samplesNow)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clock = func() time.Time { return now }
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		t.Fatalf("%s does not build: %v", workforceEnv, err)
	}
	return cfg, env
}

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(workforceDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func decodeObject(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWorkforceSamples checks the workforce samples in testdata/samples: the
// environment builds and covers every kind of custom attribute, the two
// sample bodies apply with the changes the README describes, and each sample
// user survives a PUT of itself unchanged.
func TestWorkforceSamples(t *testing.T) {
	cfg, env := workforceEnvironment(t)
	admin := policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
		{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}}

	t.Run("environment", func(t *testing.T) {
		// The sample is meant to show every kind of custom attribute (V4).
		kinds := map[string]bool{}
		custom := 0
		for _, a := range cfg.Attributes {
			if a.SchemaType != "" && a.SchemaType != schema.SchemaCustom {
				continue
			}
			custom++
			kind := string(a.Type)
			if a.MultiValued {
				kind = "multi-valued " + kind
			}
			kinds[kind] = true
			for _, s := range a.SubAttributes {
				if !a.MultiValued && s.Type == schema.JSON {
					kinds["COMPLEX with a JSON sub-attribute"] = true
				}
			}
			if a.RegexValidation != nil {
				kinds["regexValidation"] = true
			}
			for _, v := range a.EnumeratedValues {
				if v.Archived {
					kinds["archived enumerated value"] = true
				}
			}
			if a.Unique != nil && *a.Unique {
				kinds["unique"] = true
			}
			if a.Required {
				kinds["required"] = true
			}
			if a.Enabled != nil && !*a.Enabled {
				kinds["disabled"] = true
			}
		}
		if custom < 20 {
			t.Errorf("%d custom attributes, want at least 20", custom)
		}
		for _, k := range []string{"STRING", "BOOLEAN", "JSON", "COMPLEX", "COMPLEX with a JSON sub-attribute",
			"multi-valued STRING", "multi-valued JSON", "multi-valued COMPLEX",
			"regexValidation", "archived enumerated value", "unique", "required", "disabled"} {
			if !kinds[k] {
				t.Errorf("no custom attribute of kind %q", k)
			}
		}
		if len(cfg.IdentityProviders) < 2 || len(cfg.Roles["HR Partner"].SchemaAttributes) == 0 {
			t.Errorf("identity providers %v, roles %v", cfg.IdentityProviders, cfg.Roles)
		}
	})

	t.Run("HR PATCH of alice", func(t *testing.T) {
		res, err := env.Patch(readSample(t, "alice.json"), admin, readSample(t, "patch-alice.json"))
		if err != nil {
			t.Fatal(err)
		}
		// P4: office.desk alone is set, the other office members stay.
		// P6: preferences is merged (RFC 7396) and is one leaf (O5).
		// P5: skills is replaced whole. O5: sorted by path.
		wantChanges := []user.Change{
			{Op: user.Replace, Path: "office.desk"},
			{Op: user.Replace, Path: "preferences"},
			{Op: user.Replace, Path: "skills"},
			{Op: user.Replace, Path: "title"},
		}
		if d := cmp.Diff(wantChanges, res.Changes); d != "" {
			t.Errorf("changes (-want +got):\n%s", d)
		}
		// O6, O7: nothing dropped, no unique attribute touched.
		if len(res.Ignored) != 0 || len(res.Unique) != 0 {
			t.Errorf("ignored %v, unique %v", res.Ignored, res.Unique)
		}
		doc := decodeObject(t, res.Document)
		// P6: the nested null removes notifications.sms; untouched members stay.
		wantPrefs := map[string]any{
			"theme":         "dark",
			"language":      "en-GB",
			"notifications": map[string]any{"email": true, "digest": "weekly"},
			"dashboard": map[string]any{
				"widgets": []any{"calendar", "tickets", "pto-balance"},
				"density": 0.75,
			},
		}
		if d := cmp.Diff(wantPrefs, doc["preferences"]); d != "" {
			t.Errorf("preferences (-want +got):\n%s", d)
		}
		wantOffice := map[string]any{"building": "Canary Wharf Tower", "floor": "4", "desk": "4-117", "site": "LON-CW"}
		if d := cmp.Diff(wantOffice, doc["office"]); d != "" {
			t.Errorf("office (-want +got):\n%s", d)
		}
		wantSkills := []any{"Go", "Kubernetes", "PostgreSQL", "OAuth 2.0", "OpenID Connect", "Terraform"}
		if d := cmp.Diff(wantSkills, doc["skills"]); d != "" {
			t.Errorf("skills (-want +got):\n%s", d)
		}
		// O3: updatedAt is the clock's time.
		if doc["title"] != "Staff Software Engineer" || doc["updatedAt"] != samplesNow {
			t.Errorf("title %v, updatedAt %v", doc["title"], doc["updatedAt"])
		}
		// O4: the certification's 20-digit number keeps its text.
		if !bytes.Contains(res.Document, []byte(`"validationNumber":98765432109876543210`)) {
			t.Errorf("validationNumber lost its digits: %s", res.Document)
		}
	})

	t.Run("HR Partner role", func(t *testing.T) {
		// A2, A4: the embedder's HR Partner role grants its list only, over
		// its population.
		hr := policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
			{Name: "HR Partner", Scope: policy.RoleScope{Type: policy.RoleScopePopulation, ID: "b6d3e8a2-1c4f-4a7b-8e95-2f0d6c3a9b14"}}}}
		alice := readSample(t, "alice.json")
		// A5: every change outside the grant is named, in one 403.
		_, err := env.Patch(alice, hr, readSample(t, "patch-alice.json"))
		var uerr *user.Error
		if !errors.As(err, &uerr) || uerr.Status != 403 {
			t.Fatalf("got %v, want a 403", err)
		}
		var targets []string
		for _, d := range uerr.Details {
			targets = append(targets, d.Target)
		}
		if d := cmp.Diff([]string{"preferences", "skills"}, targets); d != "" {
			t.Errorf("403 targets (-want +got):\n%s", d)
		}
		res, err := env.Patch(alice, hr, []byte(`{"title":"Staff Software Engineer","office":{"desk":"4-117"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]user.Change{{Op: user.Replace, Path: "office.desk"}, {Op: user.Replace, Path: "title"}}, res.Changes); d != "" {
			t.Errorf("changes (-want +got):\n%s", d)
		}
		// A2: carol is in the contractors population, outside the role's scope.
		if _, err := env.Patch(readSample(t, "carol.json"), hr, []byte(`{"contractEndDate":"2027-06-30"}`)); !errors.Is(err, user.ErrAccessFailed) {
			t.Errorf("carol: got %v, want ACCESS_FAILED", err)
		}
	})

	t.Run("PUT of carol", func(t *testing.T) {
		res, err := env.Put(readSample(t, "carol.json"), admin, readSample(t, "put-carol.json"))
		if err != nil {
			t.Fatal(err)
		}
		// U1: the one edited attribute is the only change.
		if d := cmp.Diff([]user.Change{{Op: user.Replace, Path: "contractEndDate"}}, res.Changes); d != "" {
			t.Errorf("changes (-want +got):\n%s", d)
		}
		// U3: the GET document's server-managed (D3) and dedicated-operation
		// (D4, equal to the stored values) members are dropped as read-only.
		var ignored []string
		for _, i := range res.Ignored {
			if i.Reason != user.ReadOnly {
				t.Errorf("ignored %s: reason %s", i.Path, i.Reason)
			}
			ignored = append(ignored, i.Path)
		}
		wantIgnored := []string{"_links", "account.canAuthenticate", "account.status", "createdAt", "enabled",
			"environment", "id", "identityProvider.type", "lifecycle.status", "mfaEnabled", "population.id",
			"updatedAt", "verifyStatus"}
		if d := cmp.Diff(wantIgnored, ignored); d != "" {
			t.Errorf("ignored (-want +got):\n%s", d)
		}
		doc := decodeObject(t, res.Document)
		if doc["contractEndDate"] != "2027-06-30" || doc["updatedAt"] != samplesNow {
			t.Errorf("contractEndDate %v, updatedAt %v", doc["contractEndDate"], doc["updatedAt"])
		}
	})

	// U3: a GET response sent back as a PUT changes nothing, so each sample
	// user is valid as stored. O3: the document comes back byte for byte.
	for _, name := range []string{"alice", "bob", "carol"} {
		t.Run("GET then PUT "+name, func(t *testing.T) {
			stored := readSample(t, name+".json")
			res, err := env.Put(stored, admin, stored)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Changes) != 0 || len(res.Unique) != 0 {
				t.Errorf("changes %v, unique %v", res.Changes, res.Unique)
			}
			if !bytes.Equal(res.Document, stored) {
				t.Errorf("the document changed:\n%s", res.Document)
			}
			// D6: alice's disabled attributes (custom legacyBadge, standard
			// nickname) are dropped from the body and kept as stored.
			var disabled []string
			for _, i := range res.Ignored {
				if i.Reason == user.Disabled {
					disabled = append(disabled, i.Path)
				}
			}
			var want []string
			if name == "alice" {
				want = []string{"legacyBadge", "nickname"}
			}
			if d := cmp.Diff(want, disabled); d != "" {
				t.Errorf("disabled (-want +got):\n%s", d)
			}
		})
	}

	t.Run("CLI", func(t *testing.T) {
		// The README's workforce command.
		code, out, errOut := amend(t, "", "apply", "--method", "PATCH", "--env", workforceEnv,
			"--stored", workforceDir+"/alice.json", "--body", workforceDir+"/patch-alice.json", "--now", samplesNow)
		if code != 0 {
			t.Fatalf("exit %d: %s%s", code, out, errOut)
		}
		for _, c := range []string{"office.desk", "preferences", "skills", "title"} {
			if !strings.Contains(errOut, "change: replace "+c+"\n") {
				t.Errorf("stderr lacks the change of %s:\n%s", c, errOut)
			}
		}
		code, out, errOut = amend(t, "", "apply", "--method", "PUT", "--env", workforceEnv,
			"--stored", workforceDir+"/carol.json", "--body", workforceDir+"/put-carol.json", "--now", samplesNow)
		if code != 0 || !strings.Contains(errOut, "change: replace contractEndDate\n") {
			t.Errorf("PUT carol: exit %d: %s%s", code, out, errOut)
		}
		code, out, errOut = amend(t, "", "schema", "--env", workforceEnv)
		if code != 0 {
			t.Fatalf("schema: exit %d: %s", code, errOut)
		}
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Required   []string                   `json:"required"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		if s.Properties["employeeNumber"] == nil || s.Properties["projects"] == nil {
			t.Errorf("schema lacks the custom attributes")
		}
		// P3, U2: username and the required custom attribute.
		sort.Strings(s.Required)
		if d := cmp.Diff([]string{"employeeNumber", "username"}, s.Required); d != "" {
			t.Errorf("required (-want +got):\n%s", d)
		}
	})
}
