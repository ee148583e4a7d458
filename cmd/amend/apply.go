package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/amendlib/amend/user"
)

const applyUsage = `Usage: amend apply --method PATCH|PUT|POST|DELETE [--operation NAME] [--content-type TYPE] [--stored FILE] [--body FILE|-] [flags]

Applies one request to a stored user document, on behalf of an actor, in an
environment, through the library, and prints the new document (exit 0). A
request error prints PingOne's error body with a fresh UUID id (exit 1).
The change, ignored and unique lists go to standard error, one per line:

  change: replace title
  ignored: Title (unknown; did you mean title?)
  unique: username

The requests:
  --method PATCH --stored FILE --body FILE                 PATCH (application/json, rules P1-P7)
  --method PATCH --content-type application/vnd.pingidentity.user.scim.patch+json ...
                                                           SCIM PATCH (rules S1-S5)
  --method PUT --stored FILE --body FILE                   PUT (rules U1-U5)
  --method POST --body FILE                                create a user (C1-C3); no --stored
  --method POST --content-type application/vnd.pingidentity.user.import+json --body FILE
                                                           create with the import content type (C2)
  --method DELETE --stored FILE                            the delete decision (C4): exit 0 when allowed
  --operation NAME --stored FILE [--body FILE]             a dedicated operation (X2-X7): enabled,
                                                           mfaEnabled, population, identityProvider and
                                                           verifyStatus (method PUT), lock and unlock
                                                           (method POST); --method may be left out

Examples:
  amend apply --method PATCH --stored testdata/samples/joe.json --body testdata/samples/patch-title.json
  amend apply --operation lock --stored testdata/samples/joe.json
  amend apply --method POST --body testdata/samples/create-body.json --id 3f5e7a0c-1c2d-4e5f-8a9b-0c1d2e3f4a5b
`

// operationMethods maps each dedicated operation to its method.
var operationMethods = map[string]string{"enabled": "PUT", "mfaEnabled": "PUT", "population": "PUT",
	"identityProvider": "PUT", "verifyStatus": "PUT", "lock": "POST", "unlock": "POST"}

const (
	contentJSON   = "application/json"
	contentSCIM   = "application/vnd.pingidentity.user.scim.patch+json"
	contentImport = "application/vnd.pingidentity.user.import+json"
)

func applyFlags(fs *flag.FlagSet) func([]string, stdio) (int, error) {
	method := fs.String("method", "", "the request's `method`: PATCH, PUT, POST (a create, or lock and unlock) or DELETE\n(inferred from --operation when left out)")
	operation := fs.String("operation", "", "a dedicated operation by `NAME`: enabled, mfaEnabled, population, identityProvider,\nverifyStatus, lock or unlock (rules X2-X7)")
	contentType := fs.String("content-type", contentJSON, "the body's content `type`: application/json (the default), application/vnd.pingidentity.user.scim.patch+json\n(with PATCH) or application/vnd.pingidentity.user.import+json (with POST)")
	storedPath := fs.String("stored", "", "the stored user document, a JSON `file` (not for a create)")
	bodyPath := fs.String("body", "", "the request body, a JSON `file`, or - for standard input (optional for an operation: no body)")
	actorPath := fs.String("actor", "", "the actor, a JSON `file` holding the actor object of the conformance case format\n(default: an Identity Data Admin with ORGANIZATION scope)")
	envPath := fs.String("env", "", "the environment, a JSON `file` holding the environment object of the conformance case format\n(default: the standard PingOne user schema)")
	nowText := fs.String("now", "", "the clock, an RFC 3339 `time` such as 2026-01-02T03:04:05.678Z, written to updatedAt\n(default: the current time)")
	newID := fs.String("id", "", "the `id` of a user a create makes (default: a random UUID)")
	view := fs.Bool("view", false, "print the document as the actor may see it: never password or disabled attributes,\nand for a USER only what its read scopes list")
	compact := fs.Bool("compact", false, "print JSON on one line instead of indented")
	return func(args []string, std stdio) (int, error) {
		if err := noArgs(args); err != nil {
			return 0, err
		}
		m, op, ct := *method, *operation, *contentType
		if op != "" {
			want, ok := operationMethods[op]
			switch {
			case !ok:
				return 0, usagef("--operation %q: want enabled, mfaEnabled, population, identityProvider, verifyStatus, lock or unlock", op)
			case m == "":
				m = want
			case m != want:
				return 0, usagef("--operation %s goes with --method %s, not %s", op, want, m)
			}
		}
		create := m == "POST" && op == ""
		switch {
		case m == "":
			return 0, usagef("--method is required (PATCH, PUT, POST or DELETE), or --operation")
		case m != "PATCH" && m != "PUT" && m != "POST" && m != "DELETE":
			return 0, usagef("--method %q: want PATCH, PUT, POST or DELETE", m)
		case ct != contentJSON && ct != contentSCIM && ct != contentImport:
			return 0, usagef("--content-type %q: want %s, %s or %s", ct, contentJSON, contentSCIM, contentImport)
		case ct == contentSCIM && (m != "PATCH" || op != ""):
			return 0, usagef("--content-type %s goes with --method PATCH", ct)
		case ct == contentImport && !create:
			return 0, usagef("--content-type %s goes with a create (--method POST)", ct)
		case create && *storedPath != "":
			return 0, usagef("a create (--method POST) has no --stored document")
		case !create && *storedPath == "":
			return 0, usagef("--stored is required")
		case m == "DELETE" && *bodyPath != "":
			return 0, usagef("a DELETE has no --body")
		case op == "" && m != "DELETE" && *bodyPath == "":
			return 0, usagef("--body is required (a file, or - for standard input)")
		case *newID != "" && !create:
			return 0, usagef("--id is the id of a created user: it goes with --method POST")
		}
		clock, err := parseNow(*nowText)
		if err != nil {
			return 0, err
		}
		cfg, err := readConfig(*envPath)
		if err != nil {
			return 0, err
		}
		cfg.Clock = clock
		if *newID != "" {
			id := *newID
			cfg.NewID = func() string { return id }
		}
		actor, err := readActor(*actorPath)
		if err != nil {
			return 0, err
		}
		env, err := buildEnvironment(*envPath, cfg)
		if err != nil {
			return 0, err
		}
		var stored, body []byte
		if *storedPath != "" {
			if stored, err = readFile("--stored", *storedPath); err != nil {
				return 0, err
			}
		}
		if *bodyPath != "" {
			if body, err = readBody(*bodyPath, std.in, env.Limits().MaxBodyBytes); err != nil {
				return 0, err
			}
		}
		var res *user.Result
		switch {
		case op != "":
			res, err = env.Apply(user.Operation(op), stored, actor, body)
		case m == "DELETE":
			err = env.Delete(stored, actor)
		case create && ct == contentImport:
			res, err = env.Import(actor, body)
		case create:
			res, err = env.Create(actor, body)
		case m == "PUT":
			res, err = env.Put(stored, actor, body)
		case ct == contentSCIM:
			res, err = env.PatchSCIM(stored, actor, body)
		default:
			res, err = env.Patch(stored, actor, body)
		}
		var ue *user.Error
		if errors.As(err, &ue) {
			printError(std, ue, *compact)
			return exitFailed, nil
		}
		if err != nil {
			return 0, err
		}
		if res == nil { // a DELETE that is allowed
			fmt.Fprintln(std.err, "delete: allowed (a server answers 204)")
			return exitOK, nil
		}
		doc := res.Document
		if *view {
			if doc, err = env.View(doc, actor); err != nil {
				return 0, err
			}
		}
		writeJSON(std.out, doc, *compact)
		printLists(std.err, res)
		return exitOK, nil
	}
}

// readBody reads --body, at most one byte more than the limit: the library
// refuses an oversized body without the rest ever being read (L1).
func readBody(path string, stdin io.Reader, limit int) ([]byte, error) {
	in := stdin
	if path != "-" {
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			return nil, fmt.Errorf("--body %s: is a directory, want a file", path)
		}
		f, err := os.Open(path)
		if err != nil {
			_, rerr := readFile("--body", path)
			return nil, rerr
		}
		defer f.Close()
		in = f
	}
	body, err := io.ReadAll(io.LimitReader(in, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("--body %s: %v", path, err)
	}
	return body, nil
}

// printError writes PingOne's error body, with a fresh UUID id (E1), to
// standard output and the status to standard error.
func printError(std stdio, ue *user.Error, compact bool) {
	e := ue.WithID()
	data, _ := e.MarshalJSON()
	writeJSON(std.out, data, compact)
	fmt.Fprintf(std.err, "status: %d %s\n", e.Status, e.Code)
}

// printLists writes the change, ignored and unique lists (O5-O7).
func printLists(w io.Writer, res *user.Result) {
	for _, c := range res.Changes {
		fmt.Fprintf(w, "change: %s %s\n", c.Op, c.Path)
	}
	for _, i := range res.Ignored {
		why := string(i.Reason)
		if i.Hint != "" {
			why += "; did you mean " + i.Hint + "?"
		}
		fmt.Fprintf(w, "ignored: %s (%s)\n", displayPath(i.Path), why)
	}
	for _, u := range res.Unique {
		fmt.Fprintf(w, "unique: %s\n", u)
	}
}

// displayPath quotes a path that would not read as one (empty, or with
// spaces).
func displayPath(p string) string {
	if p == "" || strings.ContainsAny(p, " \t\n\"") {
		return fmt.Sprintf("%q", p)
	}
	return p
}
