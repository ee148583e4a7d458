package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/amendlib/amend/internal/errorschema"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestApply runs the README's main command on the bundled samples.
func TestApply(t *testing.T) {
	code, out, errOut := runCLI(t, "", "apply", "--method", "PATCH", "--stored", "../../testdata/samples/joe.json",
		"--body", "../../testdata/samples/patch-title.json", "--now", "2026-01-02T03:04:05.678Z")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["title"] != "Manager" || doc["updatedAt"] != "2026-01-02T03:04:05.678Z" {
		t.Errorf("title %v updatedAt %v", doc["title"], doc["updatedAt"])
	}
	if !strings.Contains(errOut, "change: replace title") {
		t.Errorf("stderr %q", errOut)
	}
	// Body from standard input, with an actor file and an environment file.
	actor := write(t, "actor.json", `{"type":"USER","userId":"8376797d-641c-4e7b-8bc1-2fdf71916cab","scopes":[{"name":"p1:update:user"}]}`)
	env := write(t, "env.json", `{"attributes":[{"name":"shoe","type":"STRING","schemaType":"CUSTOM"}]}`)
	code, out, errOut = runCLI(t, `{"shoe":"42"}`, "apply", "--method", "PATCH", "--stored", "../../testdata/samples/joe.json",
		"--body", "-", "--actor", actor, "--env", env)
	if code != 0 || !strings.Contains(out, `"shoe":"42"`) {
		t.Errorf("exit %d, out %s, err %s", code, out, errOut)
	}
}

// TestApplyView checks --view: the document as the actor may see it.
func TestApplyView(t *testing.T) {
	actor := write(t, "actor.json", `{"type":"USER","userId":"8376797d-641c-4e7b-8bc1-2fdf71916cab",`+
		`"scopes":[{"name":"p1:update:user"},{"name":"p1:read:user:basic","schemaAttributes":["title","name.given"]}]}`)
	code, out, errOut := runCLI(t, `{"title":"Boss"}`, "apply", "--method", "PATCH", "--stored", "../../testdata/samples/joe.json",
		"--body", "-", "--actor", actor, "--view")
	want := `{"id":"8376797d-641c-4e7b-8bc1-2fdf71916cab","name":{"given":"Joe"},"title":"Boss"}` + "\n"
	if code != 0 || out != want {
		t.Errorf("exit %d, err %s\ngot  %swant %s", code, errOut, out, want)
	}
}

// TestApplyErrorBody checks that error bodies carry a fresh UUID id and
// satisfy PingOne's official error schema for their status (E1).
func TestApplyErrorBody(t *testing.T) {
	schemas, err := errorschema.Load("../../testdata/reference/pingone-error-schemas.json")
	if err != nil {
		t.Fatal(err)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	stored := write(t, "stored.json", `{"id":"u1","username":"joe"}`)
	denied := write(t, "actor.json", `{"type":"USER","userId":"u2"}`)
	tests := []struct {
		name   string
		body   string
		args   []string
		status int
	}{
		{"invalid data", `{"email":"nope"}`, nil, 400},
		{"invalid request", `{"email":`, nil, 400},
		{"access failed", `{"email":"a@b.c"}`, []string{"--actor", denied}, 403},
		{"unexpected error", `{}`, []string{"--stored", write(t, "bad.json", `[]`)}, 500},
	}
	ids := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"apply", "--method", "PATCH", "--stored", stored, "--body", "-"}, tt.args...)
			code, out, _ := runCLI(t, tt.body, args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1", code)
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			id, _ := v["id"].(string)
			if !uuid.MatchString(id) || ids[id] {
				t.Errorf("id %q is not a fresh version 4 UUID", id)
			}
			ids[id] = true
			if err := errorschema.Validate(schemas, tt.status, []byte(out)); err != nil {
				t.Errorf("%s does not satisfy the %d schema: %v", out, tt.status, err)
			}
		})
	}
}

// TestUsage checks that usage errors exit 2.
func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"apply"},
		{"apply", "--method", "POST", "--stored", "x", "--body", "y"},
		{"apply", "--method", "PATCH", "--stored", "/nonexistent", "--body", "-"},
		{"apply", "--method", "PATCH", "--stored", "../../testdata/samples/joe.json", "--body", "-", "--now", "yesterday"},
		{"apply", "--bogus"},
		{"conform"},
		{"conform", "/nonexistent"},
		{"schema", "--env", "/nonexistent"},
	} {
		if code, _, _ := runCLI(t, "{}", args...); code != 2 {
			t.Errorf("amend %v: exit %d, want 2", args, code)
		}
	}
}

// TestConform checks the runner's output contract (docs/conformance.md): a
// failing case is shown with its reason and a diff, a broken file is a
// failure, and the last line is exactly "N passed, M failed".
func TestConform(t *testing.T) {
	dir := t.TempDir()
	cases := `[{"name":"ok","reason":"P7","actor":{"type":"ADMIN","roles":[{"name":"Identity Data Admin","scope":{"type":"ORGANIZATION"}}]},
 "stored":{"id":"u1","username":"a"},"request":{"method":"PATCH","body":{}},"want":{"document":{"id":"u1","username":"a"},"changes":[]}},
 {"name":"wrong","reason":"P2 on purpose","now":"2026-01-02T03:04:05Z","actor":{"type":"ADMIN","roles":[{"name":"Identity Data Admin","scope":{"type":"ORGANIZATION"}}]},
 "stored":{"id":"u1","username":"a"},"request":{"method":"PATCH","body":{"title":"x"}},"want":{"document":{"id":"u1","username":"a"}}},
 {"name":"no reason","actor":{"type":"ADMIN"},"stored":{},"request":{"method":"PATCH","body":{}},"want":{"document":{}}}]`
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(cases), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.json"), []byte(`[{"name":`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "", "conform", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if last := lines[len(lines)-1]; last != "1 passed, 3 failed" {
		t.Errorf("last line %q", last)
	}
	for _, want := range []string{"reason: P2 on purpose", `"title": "x"`, "breaks the format", "not a JSON array"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
