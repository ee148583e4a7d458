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

const applyUsage = `Usage: amend apply --method PATCH|PUT --stored FILE --body FILE|- [flags]

Applies one update to a stored user document, on behalf of an actor, in an
environment, and prints the new document (exit 0). A request error prints
PingOne's error body with a fresh UUID id (exit 1). The change, ignored and
unique lists go to standard error, one per line:

  change: replace title
  ignored: Title (unknown; did you mean title?)
  unique: username

Example:
  amend apply --method PATCH --stored testdata/samples/joe.json --body testdata/samples/patch-title.json
`

func applyFlags(fs *flag.FlagSet) func([]string, stdio) (int, error) {
	method := fs.String("method", "", "the request: `PATCH` (application/json, rules P1-P7) or PUT (rules U1-U5)")
	storedPath := fs.String("stored", "", "the stored user document, a JSON `file`")
	bodyPath := fs.String("body", "", "the request body, a JSON `file`, or - for standard input")
	actorPath := fs.String("actor", "", "the actor, a JSON `file` holding the actor object of the conformance case format\n(default: an Identity Data Admin with ORGANIZATION scope)")
	envPath := fs.String("env", "", "the environment, a JSON `file` holding the environment object of the conformance case format\n(default: the standard PingOne user schema)")
	nowText := fs.String("now", "", "the clock, an RFC 3339 `time` such as 2026-01-02T03:04:05.678Z, written to updatedAt\n(default: the current time)")
	view := fs.Bool("view", false, "print the document as the actor may see it: never password or disabled attributes,\nand for a USER only what its read scopes list")
	compact := fs.Bool("compact", false, "print JSON on one line instead of indented")
	return func(args []string, std stdio) (int, error) {
		if err := noArgs(args); err != nil {
			return 0, err
		}
		switch {
		case *method == "":
			return 0, usagef("--method is required (PATCH or PUT)")
		case *method != "PATCH" && *method != "PUT":
			return 0, usagef("--method %q: want PATCH or PUT", *method)
		case *storedPath == "":
			return 0, usagef("--stored is required")
		case *bodyPath == "":
			return 0, usagef("--body is required (a file, or - for standard input)")
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
		actor, err := readActor(*actorPath)
		if err != nil {
			return 0, err
		}
		env, err := buildEnvironment(*envPath, cfg)
		if err != nil {
			return 0, err
		}
		stored, err := readFile("--stored", *storedPath)
		if err != nil {
			return 0, err
		}
		body, err := readBody(*bodyPath, std.in, env.Limits().MaxBodyBytes)
		if err != nil {
			return 0, err
		}
		var res *user.Result
		if *method == "PUT" {
			res, err = env.Put(stored, actor, body)
		} else {
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
