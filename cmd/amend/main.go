package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// The exit statuses.
const (
	exitOK      = 0
	exitFailed  = 1 // a request error, a failed case, or a file that cannot be used
	exitUsage   = 2 // a mistake on the command line
	usageFooter = "Run 'amend -h' for the commands, 'amend COMMAND -h' for one command's flags."
)

const mainUsage = `amend applies PingOne user updates exactly as PingOne defines them.

Usage:
  amend apply   --method PATCH|PUT|POST|DELETE [flags]   apply one request to a stored user
  amend conform [--target URL] PATH...                   run conformance cases, in-process or against a server
  amend schema  [--env FILE]                             print an environment's JSON Schema
  amend serve   [--addr HOST:PORT] [flags]               serve PingOne's user endpoints over HTTP

Run 'amend COMMAND -h' for the flags of a command.

Exit status: 0 success; 1 a request error, a failed case, or a file that
cannot be read or used; 2 a mistake on the command line.
`

// usageError is a mistake on the command line: one line on standard error
// and a pointer to -h, exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// command is one subcommand.
type command struct {
	name    string
	summary string // the usage line and what the command does, for -h
	flags   func(fs *flag.FlagSet) func(args []string, io stdio) (int, error)
}

type stdio struct {
	in       io.Reader
	out, err io.Writer
}

func commands() []command {
	return []command{
		{"apply", applyUsage, applyFlags},
		{"conform", conformUsage, conformFlags},
		{"schema", schemaUsage, schemaFlags},
		{"serve", serveUsage, serveFlags},
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	std := stdio{stdin, stdout, stderr}
	if len(args) == 0 {
		fmt.Fprintf(stderr, "amend: a command is required\n%s\n", usageFooter)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, mainUsage)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		fs := flag.NewFlagSet("amend "+c.name, flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		body := c.flags(fs)
		err := fs.Parse(args[1:])
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout, c, fs)
			return exitOK
		}
		if err != nil {
			return fail(stderr, usageError{err.Error()})
		}
		code, err := body(fs.Args(), std)
		if err != nil {
			return fail(stderr, err)
		}
		return code
	}
	return fail(stderr, usagef("unknown command %q", args[0]))
}

// fail reports err: a usage error is one line and a pointer to -h (exit 2);
// anything else is one line (exit 1).
func fail(stderr io.Writer, err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "amend: %v\n%s\n", err, usageFooter)
		return exitUsage
	}
	fmt.Fprintf(stderr, "amend: %v\n", err)
	return exitFailed
}

func printUsage(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprint(w, c.summary)
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  --%s%s\n", f.Name, name)
		for _, line := range strings.Split(usage, "\n") {
			fmt.Fprintf(w, "        %s\n", line)
		}
	})
}

// noArgs refuses extra arguments.
func noArgs(args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

// readFile reads a file named by a flag; its errors name the flag and the
// file, and say what is wrong, without Go's syscall wording.
func readFile(flagName, path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s %s: no such file", flagName, path)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%s %s: permission denied", flagName, path)
	}
	if info, serr := os.Stat(path); serr == nil && info.IsDir() {
		return nil, fmt.Errorf("%s %s: is a directory, want a file", flagName, path)
	}
	return nil, fmt.Errorf("%s %s: %v", flagName, path, errors.Unwrap(err))
}

// readConfig reads an --env file: the environment object of the case
// format, strictly (user.ParseConfig).
func readConfig(path string) (user.Config, error) {
	if path == "" {
		return user.Config{}, nil
	}
	data, err := readFile("--env", path)
	if err != nil {
		return user.Config{}, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return user.Config{}, fmt.Errorf("--env %s: the file is empty, want an environment object", path)
	}
	cfg, err := user.ParseConfig(data)
	if err != nil {
		return user.Config{}, fmt.Errorf("--env %s: %s", path, strings.TrimPrefix(err.Error(), "user: "))
	}
	return cfg, nil
}

// buildEnvironment builds the environment of an --env file.
func buildEnvironment(path string, cfg user.Config) (*user.Environment, error) {
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		where := "the default environment"
		if path != "" {
			where = "--env " + path
		}
		return nil, fmt.Errorf("%s: %s", where, strings.TrimPrefix(strings.TrimPrefix(err.Error(), "user: "), "schema: "))
	}
	return env, nil
}

// defaultActor is an Identity Data Admin with ORGANIZATION scope.
func defaultActor() policy.Actor {
	return policy.Actor{Type: policy.Admin, Roles: []policy.RoleAssignment{
		{Name: policy.IdentityDataAdmin, Scope: policy.RoleScope{Type: policy.RoleScopeOrganization}}}}
}

// readActor reads an --actor file, refusing unknown members and trailing
// data.
func readActor(path string) (policy.Actor, error) {
	if path == "" {
		return defaultActor(), nil
	}
	data, err := readFile("--actor", path)
	if err != nil {
		return policy.Actor{}, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return policy.Actor{}, fmt.Errorf("--actor %s: the file is empty, want an actor object", path)
	}
	var a policy.Actor
	if err := decodeStrict(data, &a); err != nil {
		return policy.Actor{}, fmt.Errorf("--actor %s: %v", path, err)
	}
	if a.Type != policy.Admin && a.Type != policy.User {
		return policy.Actor{}, fmt.Errorf("--actor %s: type is %q, want \"ADMIN\" or \"USER\"", path, a.Type)
	}
	return a, nil
}

func decodeStrict(data []byte, v any) error {
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return errors.New("want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a valid object: %v", strings.TrimPrefix(err.Error(), "json: "))
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// parseNow reads --now, an RFC 3339 time.
func parseNow(s string) (func() time.Time, error) {
	if s == "" {
		return nil, nil
	}
	now, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, usagef("--now %q is not an RFC 3339 time such as 2026-01-02T03:04:05.678Z", s)
	}
	return func() time.Time { return now }, nil
}

// writeJSON writes a JSON text indented with two spaces, or compact, and a
// newline. Numbers keep their text.
func writeJSON(w io.Writer, data []byte, compact bool) {
	var buf bytes.Buffer
	var err error
	if compact {
		err = json.Compact(&buf, data)
	} else {
		err = json.Indent(&buf, data, "", "  ")
	}
	if err != nil {
		buf.Reset()
		buf.Write(data)
	}
	buf.WriteByte('\n')
	_, _ = w.Write(buf.Bytes())
}
