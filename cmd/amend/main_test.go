package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amendlib/amend/internal/errorschema"
)

// The tests run the built binary, as a user does.
var amendBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "amend-cli")
	if err != nil {
		panic(err)
	}
	amendBin = filepath.Join(dir, "amend")
	if runtime.GOOS == "windows" {
		amendBin += ".exe"
	}
	if out, err := exec.Command("go", "build", "-o", amendBin, ".").CombinedOutput(); err != nil {
		panic("building amend: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// amend runs the binary with stdin and returns its exit status, standard
// output and standard error.
func amend(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(amendBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
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

const (
	joeFile   = "../../testdata/samples/joe.json"
	titleFile = "../../testdata/samples/patch-title.json"
	now       = "2026-01-02T03:04:05.678Z"
)

// TestApply runs the README's main command on the bundled samples.
func TestApply(t *testing.T) {
	code, out, errOut := amend(t, "", "apply", "--method", "PATCH", "--stored", joeFile, "--body", titleFile, "--now", now)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["title"] != "Manager" || doc["updatedAt"] != now {
		t.Errorf("title %v updatedAt %v", doc["title"], doc["updatedAt"])
	}
	if !strings.Contains(errOut, "change: replace title\n") {
		t.Errorf("stderr %q", errOut)
	}
	// Body from standard input, with an actor file and an environment file.
	actor := write(t, "actor.json", `{"type":"USER","userId":"8376797d-641c-4e7b-8bc1-2fdf71916cab","scopes":[{"name":"p1:update:user"}]}`)
	env := write(t, "env.json", `{"attributes":[{"name":"shoe","type":"STRING","schemaType":"CUSTOM"}]}`)
	code, out, errOut = amend(t, `{"shoe":"42"}`, "apply", "--method", "PATCH", "--stored", joeFile,
		"--body", "-", "--actor", actor, "--env", env, "--compact")
	if code != 0 || !strings.Contains(out, `"shoe":"42"`) {
		t.Errorf("exit %d, out %s, err %s", code, out, errOut)
	}
}

// TestOutputStyle checks that documents and error bodies share one style:
// indented by default, one line with --compact.
func TestOutputStyle(t *testing.T) {
	for _, body := range []string{`{"title":"Boss"}`, `{"email":"nope"}`} {
		_, indented, _ := amend(t, body, "apply", "--method", "PATCH", "--stored", joeFile, "--body", "-")
		_, compact, _ := amend(t, body, "apply", "--method", "PATCH", "--stored", joeFile, "--body", "-", "--compact")
		if !strings.HasPrefix(indented, "{\n  \"") {
			t.Errorf("%s: default output is not indented:\n%s", body, indented)
		}
		if strings.Count(compact, "\n") != 1 || !strings.HasPrefix(compact, `{"`) {
			t.Errorf("%s: --compact output is not one line:\n%s", body, compact)
		}
	}
}

// TestIgnoredHints checks that the ignored list names the attribute an
// unknown member probably meant (O6).
func TestIgnoredHints(t *testing.T) {
	code, _, errOut := amend(t, `{"Title":"Boss","id":"x"}`, "apply", "--method", "PATCH", "--stored", joeFile, "--body", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"ignored: Title (unknown; did you mean title?)\n", "ignored: id (read-only)\n"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestApplyView checks --view: the document as the actor may see it.
func TestApplyView(t *testing.T) {
	actor := write(t, "actor.json", `{"type":"USER","userId":"8376797d-641c-4e7b-8bc1-2fdf71916cab",`+
		`"scopes":[{"name":"p1:update:user"},{"name":"p1:read:user:basic","schemaAttributes":["title","name.given"]}]}`)
	code, out, errOut := amend(t, `{"title":"Boss"}`, "apply", "--method", "PATCH", "--stored", joeFile,
		"--body", "-", "--actor", actor, "--view", "--compact")
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
			code, out, errOut := amend(t, tt.body, args...)
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
			if !strings.HasPrefix(errOut, "status: ") {
				t.Errorf("stderr %q", errOut)
			}
		})
	}
}

// TestHelp checks -h: the command's usage with every flag explained, on
// standard output, exit 0.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		code, out, errOut := amend(t, "", args...)
		if code != 0 || errOut != "" || !strings.Contains(out, "amend apply") || !strings.Contains(out, "amend conform") {
			t.Errorf("amend %v: exit %d, stderr %q, stdout:\n%s", args, code, errOut, out)
		}
	}
	flags := map[string][]string{
		"apply":   {"--method", "--operation", "--content-type", "--stored", "--body", "--actor", "--env", "--now", "--id", "--view", "--compact"},
		"conform": {"--target", "--parallel"},
		"schema":  {"--env", "--compact"},
		"serve":   {"--addr", "--env", "--tokens", "--db", "--control", "--base-url"},
	}
	for sub, want := range flags {
		code, out, errOut := amend(t, "", sub, "-h")
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "Usage: amend "+sub) {
			t.Errorf("amend %s -h: exit %d, stderr %q, stdout:\n%s", sub, code, errOut, out)
		}
		for _, f := range want {
			i := strings.Index(out, "\n  "+f)
			if i < 0 {
				t.Errorf("amend %s -h does not explain %s:\n%s", sub, f, out)
				continue
			}
			// The explanation is on the next line.
			rest := out[i+1:]
			lines := strings.SplitN(rest, "\n", 3)
			if len(lines) < 2 || strings.TrimSpace(lines[1]) == "" {
				t.Errorf("amend %s -h: %s has no explanation", sub, f)
			}
		}
	}
	if _, out, _ := amend(t, "", "apply", "-h"); !strings.Contains(out, "RFC 3339") {
		t.Errorf("apply -h does not give --now's format:\n%s", out)
	}
}

// TestUsageErrors checks that a mistake on the command line is one line and
// a pointer to -h on standard error, exit 2, in every command.
func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"apply"},
		{"apply", "--method", "GET", "--stored", joeFile, "--body", "-"},
		{"apply", "--method", "PATCH", "--body", "-"},
		{"apply", "--method", "PATCH", "--stored", joeFile},
		{"apply", "--method", "PATCH", "--stored", joeFile, "--body", "-", "--now", "yesterday"},
		{"apply", "--bogus"},
		{"apply", "--method", "PATCH", "--stored", joeFile, "--body", "-", "extra"},
		{"conform"},
		{"conform", "--bogus", "x"},
		{"schema", "extra"},
		{"schema", "--bogus"},
	} {
		code, out, errOut := amend(t, "{}", args...)
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if code != 2 || out != "" || len(lines) != 2 || !strings.HasPrefix(lines[0], "amend: ") || !strings.Contains(lines[1], "-h") {
			t.Errorf("amend %v: exit %d, stdout %q, stderr:\n%s", args, code, out, errOut)
		}
	}
}

// TestFileErrors checks that a file that cannot be used is an error naming
// the file and the problem, exit 1, without the usage block.
func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	empty := write(t, "empty.json", "  \n")
	badJSON := write(t, "bad.json", `{"type":`)
	unknownMember := write(t, "unknown.json", `{"type":"ADMIN","role":[]}`)
	badType := write(t, "type.json", `{"type":"ROBOT"}`)
	badEnv := write(t, "env.json", `{"attributes":[{"name":"a_b","type":"STRING"}]}`)
	unknownEnv := write(t, "env2.json", `{"atributes":[]}`)
	base := []string{"apply", "--method", "PATCH", "--stored", joeFile, "--body", "-"}
	tests := []struct {
		args []string
		want []string // in the one line of stderr
	}{
		{[]string{"apply", "--method", "PATCH", "--stored", "/nonexistent.json", "--body", "-"}, []string{"--stored", "/nonexistent.json", "no such file"}},
		{[]string{"apply", "--method", "PATCH", "--stored", dir, "--body", "-"}, []string{"--stored", dir, "directory"}},
		{[]string{"apply", "--method", "PATCH", "--stored", joeFile, "--body", "/nonexistent.json"}, []string{"--body", "no such file"}},
		{[]string{"apply", "--method", "PATCH", "--stored", joeFile, "--body", dir}, []string{"--body", "directory"}},
		{append(base, "--actor", empty), []string{"--actor", empty, "empty"}},
		{append(base, "--actor", badJSON), []string{"--actor", badJSON}},
		{append(base, "--actor", unknownMember), []string{"--actor", unknownMember, "role"}},
		{append(base, "--actor", badType), []string{"--actor", "ROBOT"}},
		{append(base, "--actor", "/nonexistent.json"), []string{"--actor", "no such file"}},
		{append(base, "--env", empty), []string{"--env", empty, "empty"}},
		{append(base, "--env", badJSON), []string{"--env", badJSON}},
		{append(base, "--env", badEnv), []string{"--env", badEnv, `"a_b"`}},
		{append(base, "--env", unknownEnv), []string{"--env", unknownEnv, "atributes"}},
		{append(base, "--env", dir), []string{"--env", "directory"}},
		{[]string{"schema", "--env", "/nonexistent.json"}, []string{"--env", "no such file"}},
		{[]string{"conform", "/nonexistent"}, []string{"/nonexistent", "no such file"}},
	}
	for _, tt := range tests {
		code, out, errOut := amend(t, "{}", tt.args...)
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || strings.Contains(errOut, "-h") {
			t.Errorf("amend %v: exit %d, stdout %q, stderr:\n%s", tt.args, code, out, errOut)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("amend %v: stderr %q lacks %q", tt.args, errOut, w)
			}
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
	code, out, _ := amend(t, "", "conform", dir)
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

// TestApplyRequests runs every kind of request through the binary: the
// dedicated operations (X), create and import (C1-C3), delete (C4) and SCIM
// PATCH (S), on the bundled samples.
func TestApplyRequests(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // in the output
		stderr []string
	}{
		{"lock", []string{"--operation", "lock", "--stored", joeFile}, 0, []string{`"status": "LOCKED"`, `"canAuthenticate": false`}, []string{"change: replace account.status\n"}},
		{"enabled with a body", []string{"--operation", "enabled", "--stored", joeFile, "--body", write(t, "b.json", `{"enabled":false}`)}, 0, []string{`"enabled": false`}, []string{"change: replace enabled\n"}},
		{"an operation with the method named", []string{"--method", "PUT", "--operation", "mfaEnabled", "--stored", joeFile, "--body", write(t, "m.json", `{"mfaEnabled":true}`)}, 0, []string{`"mfaEnabled": true`}, nil},
		{"an operation's error", []string{"--operation", "enabled", "--stored", joeFile, "--body", write(t, "e.json", `{}`)}, 1, []string{`"REQUIRED_VALUE"`}, nil},
		{"create", []string{"--method", "POST", "--body", "../../testdata/samples/create-body.json", "--id", "new-user-1"}, 0,
			[]string{`"id": "new-user-1"`, `"enabled": true`, `"mfaEnabled": true`}, []string{"ignored: password (read-only)\n", "unique: username\n"}},
		{"import", []string{"--method", "POST", "--content-type", "application/vnd.pingidentity.user.import+json", "--body", write(t, "i.json", `{"username":"a@b.c","emailVerified":true,"population":{"id":"p"}}`)}, 0,
			[]string{`"emailVerified": true`}, nil},
		{"delete", []string{"--method", "DELETE", "--stored", joeFile}, 0, nil, []string{"delete: allowed"}},
		{"delete refused", []string{"--method", "DELETE", "--stored", joeFile, "--actor", write(t, "u.json", `{"type":"USER","userId":"8376797d-641c-4e7b-8bc1-2fdf71916cab"}`)}, 1, []string{`"ACCESS_FAILED"`}, nil},
		{"SCIM PATCH, PingOne's tShirt example", []string{"--method", "PATCH", "--content-type", "application/vnd.pingidentity.user.scim.patch+json",
			"--env", "../../testdata/samples/tshirt-env.json", "--stored", "../../testdata/samples/tshirt-user.json", "--body", "../../testdata/samples/tshirt-scim.json", "--compact"}, 0,
			[]string{`"tShirt":[{"tshirtSize":"XS","tshirtColor":"Orange"},{"tshirtSize":"XL","tshirtColor":"Red"},{"tshirtSize":"L","tshirtColor":"Yellow"}]`}, []string{"change: replace tShirt\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := amend(t, "", append([]string{"apply", "--now", now}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
	for _, args := range [][]string{
		{"--operation", "frobnicate", "--stored", joeFile},
		{"--operation", "lock", "--method", "PUT", "--stored", joeFile},
		{"--method", "POST", "--stored", joeFile, "--body", joeFile},
		{"--method", "DELETE", "--stored", joeFile, "--body", joeFile},
		{"--method", "PUT", "--content-type", "application/vnd.pingidentity.user.scim.patch+json", "--stored", joeFile, "--body", joeFile},
		{"--method", "PATCH", "--content-type", "text/plain", "--stored", joeFile, "--body", joeFile},
		{"--method", "PATCH", "--id", "x", "--stored", joeFile, "--body", joeFile},
	} {
		if code, _, errOut := amend(t, "", append([]string{"apply"}, args...)...); code != 2 || !strings.Contains(errOut, "-h") {
			t.Errorf("amend apply %v: exit %d, stderr %s", args, code, errOut)
		}
	}
}

// TestServeAndConformOverHTTP starts `amend serve --control` on a loopback
// port and runs the whole conformance suite against it with `amend conform
// --target` (H9, H10): every case passes over HTTP too. Then SIGTERM shuts
// the server down gracefully; it logged a line per request.
func TestServeAndConformOverHTTP(t *testing.T) {
	var serveErr bytes.Buffer
	srv := exec.Command(amendBin, "serve", "--control", "--addr", "127.0.0.1:0")
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	lines := make(chan string, 1)
	copied := make(chan struct{}) // closed when the server's standard error is read to its end
	go func() {
		defer close(copied)
		buf := make([]byte, 4096)
		var acc []byte
		for {
			n, err := stderr.Read(buf)
			acc = append(acc, buf[:n]...)
			if i := bytes.Index(acc, []byte("listening on http://")); i >= 0 && bytes.IndexByte(acc[i:], '\n') > 0 {
				lines <- string(acc[i:])
				serveErr.Write(acc)
				_, _ = io.Copy(&serveErr, stderr)
				return
			}
			if err != nil {
				lines <- ""
				return
			}
		}
	}()
	var addr string
	select {
	case l := <-lines:
		f := strings.Fields(strings.TrimPrefix(l, "listening on "))
		if len(f) == 0 {
			t.Fatal("amend serve did not start")
		}
		addr = f[0]
	case <-time.After(30 * time.Second):
		t.Fatal("amend serve did not say where it listens")
	}
	code, out, errOut := amend(t, "", "conform", "--target", addr, "--parallel", "4", "../../testdata/conformance")
	last := out[strings.LastIndexByte(strings.TrimSuffix(out, "\n"), '\n')+1:]
	if code != 0 || !strings.HasSuffix(last, " 0 failed\n") {
		t.Errorf("conform over HTTP: exit %d, %s\n%s", code, errOut, out)
	}
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		<-copied // Wait closes the pipe: read it to its end first
		done <- srv.Wait()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("amend serve after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("amend serve did not stop on SIGTERM")
	}
	if log := serveErr.String(); !strings.Contains(log, "shutting down") || strings.Count(log, "msg=request") < 1000 {
		t.Errorf("the server's log has %d request lines:\n%.500s", strings.Count(log, "msg=request"), log)
	}
}
