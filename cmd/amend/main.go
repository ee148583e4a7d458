// Command amend applies PingOne user updates and runs conformance cases.
//
//	amend apply --method PATCH|PUT --stored FILE --body FILE|- [--actor FILE] [--env FILE] [--now TIME] [--view]
//	amend conform PATH...
//	amend schema [--env FILE]
//
// apply prints the new document on success (exit 0), or PingOne's error body
// with a fresh UUID id on a request error (exit 1); the change, ignored and
// unique lists go to standard error. With --view it prints the document as
// the actor may see it (Environment.View). conform runs every case found under the
// given files and directories and ends with "N passed, M failed" (exit 0 only
// when nothing failed). schema prints the JSON Schema of the environment's
// user. Usage errors exit 2.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/amendlib/amend/internal/conform"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `usage:
  amend apply --method PATCH|PUT --stored FILE --body FILE|- [--actor FILE] [--env FILE] [--now TIME] [--view]
  amend conform PATH...
  amend schema [--env FILE]
`

// usageError is a command-line mistake: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var code int
	var err error
	switch args[0] {
	case "apply":
		code, err = apply(args[1:], stdin, stdout, stderr)
	case "conform":
		code, err = runConform(args[1:], stdout)
	case "schema":
		code, err = printSchema(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "amend: %v\n%s", err, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "amend: %v\n", err)
		return 2
	}
	return code
}

func apply(args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	method := fs.String("method", "", "PATCH or PUT")
	storedPath := fs.String("stored", "", "the stored user document")
	bodyPath := fs.String("body", "", "the request body, - for standard input")
	actorPath := fs.String("actor", "", "the actor (default: Identity Data Admin, ORGANIZATION scope)")
	envPath := fs.String("env", "", "the environment object (default: the standard schema)")
	nowText := fs.String("now", "", "the clock, RFC 3339 (default: the current time)")
	view := fs.Bool("view", false, "print the document as the actor may see it (never password or disabled attributes)")
	if err := fs.Parse(args); err != nil {
		return 0, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return 0, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *method != "PATCH" && *method != "PUT" {
		return 0, usageError{"--method must be PATCH or PUT"}
	}
	if *storedPath == "" || *bodyPath == "" {
		return 0, usageError{"--stored and --body are required"}
	}
	cfg, err := readEnv(*envPath)
	if err != nil {
		return 0, err
	}
	if *nowText != "" {
		now, err := time.Parse(time.RFC3339Nano, *nowText)
		if err != nil {
			return 0, usageError{"--now is not an RFC 3339 time: " + err.Error()}
		}
		cfg.Clock = func() time.Time { return now }
	}
	actor := policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
		{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}}
	if *actorPath != "" {
		data, err := os.ReadFile(*actorPath)
		if err != nil {
			return 0, usageError{err.Error()}
		}
		actor = policy.Actor{}
		if err := decodeStrict(data, &actor); err != nil {
			return 0, usageError{"--actor: " + err.Error()}
		}
	}
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		return 0, usageError{"--env: " + err.Error()}
	}
	stored, err := os.ReadFile(*storedPath)
	if err != nil {
		return 0, usageError{err.Error()}
	}
	// Read at most one byte more than the limit: the library reports the
	// oversized body without the rest ever being read (L1).
	in := stdin
	if *bodyPath != "-" {
		f, err := os.Open(*bodyPath)
		if err != nil {
			return 0, usageError{err.Error()}
		}
		defer f.Close()
		in = f
	}
	body, err := io.ReadAll(io.LimitReader(in, int64(env.Limits().MaxBodyBytes)+1))
	if err != nil {
		return 0, usageError{"reading the body: " + err.Error()}
	}
	var res *user.Result
	if *method == "PUT" {
		res, err = env.Put(stored, actor, body)
	} else {
		res, err = env.Patch(stored, actor, body)
	}
	var ue *user.Error
	if errors.As(err, &ue) {
		ue.ID = newUUID()
		out, _ := json.MarshalIndent(ue, "", "  ")
		fmt.Fprintf(stdout, "%s\n", out)
		fmt.Fprintf(stderr, "status %d\n", ue.Status)
		return 1, nil
	}
	if err != nil {
		return 0, err
	}
	doc := res.Document
	if *view {
		if doc, err = env.View(doc, actor); err != nil {
			return 0, err
		}
	}
	stdout.Write(doc)
	fmt.Fprintln(stdout)
	for _, c := range res.Changes {
		fmt.Fprintf(stderr, "change: %s %s\n", c.Op, c.Path)
	}
	for _, i := range res.Ignored {
		fmt.Fprintf(stderr, "ignored: %s (%s)\n", i.Path, i.Reason)
	}
	for _, u := range res.Unique {
		fmt.Fprintf(stderr, "unique: %s\n", u)
	}
	return 0, nil
}

func readEnv(path string) (user.Config, error) {
	var cfg user.Config
	if path == "" {
		return cfg, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cfg, usageError{err.Error()}
	}
	if err := conform.DecodeEnvironment(data, &cfg); err != nil {
		return cfg, usageError{"--env: " + err.Error()}
	}
	return cfg, nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// newUUID returns a random (version 4) UUID for an error body's id (E1).
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func runConform(paths []string, stdout io.Writer) (int, error) {
	if len(paths) == 0 {
		return 0, usageError{"conform needs at least one file or directory"}
	}
	files, err := conform.Files(paths)
	if err != nil {
		return 0, usageError{err.Error()}
	}
	passed, failed := 0, 0
	for _, f := range files {
		for _, o := range conform.RunFile(f) {
			if o.Passed() {
				passed++
				continue
			}
			failed++
			fmt.Fprintf(stdout, "FAIL %s: %s\n", o.File, o.Name)
			if o.Reason != "" {
				fmt.Fprintf(stdout, "  reason: %s\n", o.Reason)
			}
			fmt.Fprintf(stdout, "%s\n\n", o.Failure)
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return 1, nil
	}
	return 0, nil
}

func printSchema(args []string, stdout io.Writer) (int, error) {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	envPath := fs.String("env", "", "the environment object (default: the standard schema)")
	if err := fs.Parse(args); err != nil {
		return 0, usageError{err.Error()}
	}
	cfg, err := readEnv(*envPath)
	if err != nil {
		return 0, err
	}
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		return 0, usageError{"--env: " + err.Error()}
	}
	stdout.Write(env.JSONSchema())
	return 0, nil
}
