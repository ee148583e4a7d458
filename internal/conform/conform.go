package conform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
)

// Outcome is the result of one case, or of one file that could not be read.
type Outcome struct {
	File   string
	Name   string // empty for a file-level failure
	Reason string
	// Failure is empty when the case passed; otherwise it says why, with a
	// readable (-want +got) diff where one applies.
	Failure string
}

// Passed reports whether the case passed.
func (o Outcome) Passed() bool { return o.Failure == "" }

// Files lists the *.json case files under the given files and directories;
// directories are read recursively in name order.
func Files(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// RunFile runs every case of one case file. A file that cannot be read or is
// not a JSON array of objects gives one failed Outcome without a name.
func RunFile(file string) []Outcome {
	data, err := os.ReadFile(file)
	if err != nil {
		return []Outcome{{File: file, Failure: err.Error()}}
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(data, &raws); err != nil {
		return []Outcome{{File: file, Failure: "the case file is not a JSON array: " + err.Error()}}
	}
	seen := map[string]bool{}
	var out []Outcome
	for i, raw := range raws {
		c, err := parseCase(raw)
		o := Outcome{File: file, Name: c.Name, Reason: c.Reason}
		if o.Name == "" {
			o.Name = fmt.Sprintf("(case %d)", i)
		}
		switch {
		case err != nil:
			o.Failure = "the case breaks the format: " + err.Error()
		case seen[c.Name]:
			o.Failure = "the case breaks the format: the name is used twice in the file"
		default:
			o.Failure = c.run()
		}
		seen[c.Name] = true
		out = append(out, o)
	}
	return out
}

// Case is one conformance case.
type Case struct {
	Name        string
	Reason      string
	Now         time.Time
	HasNow      bool
	Environment user.Config
	Actor       policy.Actor
	Stored      []byte
	Method      string
	Body        []byte
	Want        Want
}

// Want is what a case expects.
type Want struct {
	Document []byte // nil when an error is expected
	Changes  *[]user.Change
	Unique   *[]string
	Ignored  *[]user.Ignored
	Error    *WantError
}

// WantError is an expected error.
type WantError struct {
	Status  int           `json:"status"`
	Code    string        `json:"code"`
	Details *[]WantDetail `json:"details"`
}

// WantDetail is an expected error detail; Target nil means no target.
// Other members (message, innerError) are allowed and not compared.
type WantDetail struct {
	Code   string  `json:"code"`
	Target *string `json:"target"`
}

// DecodeEnvironment reads the environment object of the case format into
// cfg. Its own members are checked strictly; the schema attribute objects
// inside are read as PingOne lists them, extra members ignored.
func DecodeEnvironment(raw []byte, cfg *user.Config) error {
	m, err := members(raw, "environment", "attributes", "identityProviders", "pingIdConnected", "canUsersUpdateSelf", "options", "roles")
	if err != nil {
		return err
	}
	if opts, ok := m["options"]; ok {
		if _, err := members(opts, "environment.options", "unknownAttributes"); err != nil {
			return err
		}
	}
	if err := json.Unmarshal(raw, cfg); err != nil {
		return fmt.Errorf("environment: %v", err)
	}
	return nil
}

func members(raw json.RawMessage, what string, allowed ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s is not a JSON object", what)
	}
	for k := range m {
		if !contains(allowed, k) {
			return nil, fmt.Errorf("%s has an unknown member %q", what, k)
		}
	}
	return m, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func strict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// parseCase reads one case object and checks it against the format.
func parseCase(raw json.RawMessage) (Case, error) {
	var c Case
	m, err := members(raw, "the case", "name", "reason", "now", "environment", "actor", "stored", "request", "want")
	if err != nil {
		return c, err
	}
	_ = json.Unmarshal(m["name"], &c.Name)
	_ = json.Unmarshal(m["reason"], &c.Reason)
	switch {
	case c.Name == "":
		return c, errors.New("name is missing")
	case strings.ContainsAny(c.Name, "#/"):
		return c, errors.New("a name may not contain # or /")
	case c.Reason == "":
		return c, errors.New("reason is missing")
	}
	if raw, ok := m["now"]; ok {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return c, errors.New("now is not a string")
		}
		if c.Now, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return c, fmt.Errorf("now is not an RFC 3339 time: %v", err)
		}
		c.HasNow = true
	}
	if raw, ok := m["environment"]; ok {
		if err := DecodeEnvironment(raw, &c.Environment); err != nil {
			return c, err
		}
	}
	raw, ok := m["actor"]
	if !ok {
		return c, errors.New("actor is missing")
	}
	if err := strict(raw, &c.Actor); err != nil {
		return c, fmt.Errorf("actor: %v", err)
	}
	if c.Stored, ok = m["stored"]; !ok {
		return c, errors.New("stored is missing")
	}
	req, err := members(m["request"], "request", "method", "body", "rawBody")
	if err != nil {
		return c, err
	}
	_ = json.Unmarshal(req["method"], &c.Method)
	if c.Method != "PUT" && c.Method != "PATCH" {
		return c, errors.New(`request.method must be "PUT" or "PATCH"`)
	}
	body, hasBody := req["body"]
	rawBody, hasRaw := req["rawBody"]
	switch {
	case hasBody == hasRaw:
		return c, errors.New("request needs exactly one of body and rawBody")
	case hasBody:
		c.Body = body
	default:
		var s string
		if err := json.Unmarshal(rawBody, &s); err != nil {
			return c, errors.New("request.rawBody is not a string")
		}
		c.Body = []byte(s)
	}
	want, err := members(m["want"], "want", "document", "error", "changes", "unique", "ignored")
	if err != nil {
		return c, err
	}
	doc, hasDoc := want["document"]
	werr, hasErr := want["error"]
	if hasDoc == hasErr {
		return c, errors.New("want needs exactly one of document and error")
	}
	if hasDoc {
		c.Want.Document = doc
	} else {
		c.Want.Error = new(WantError)
		if _, err := members(werr, "want.error", "status", "code", "message", "details"); err != nil {
			return c, err
		}
		if err := json.Unmarshal(werr, c.Want.Error); err != nil {
			return c, fmt.Errorf("want.error: %v", err)
		}
		if c.Want.Error.Status == 0 || c.Want.Error.Code == "" {
			return c, errors.New("want.error needs status and code")
		}
	}
	if raw, ok := want["changes"]; ok {
		c.Want.Changes = new([]user.Change)
		if err := strict(raw, c.Want.Changes); err != nil {
			return c, fmt.Errorf("want.changes: %v", err)
		}
	}
	if raw, ok := want["unique"]; ok {
		c.Want.Unique = new([]string)
		if err := strict(raw, c.Want.Unique); err != nil {
			return c, fmt.Errorf("want.unique: %v", err)
		}
	}
	if raw, ok := want["ignored"]; ok {
		c.Want.Ignored = new([]user.Ignored)
		if err := json.Unmarshal(raw, c.Want.Ignored); err != nil {
			return c, fmt.Errorf("want.ignored: %v", err)
		}
	}
	return c, nil
}

// run runs the case and returns "" when it passes.
func (c Case) run() string {
	cfg := c.Environment
	cfg.Clock = func() time.Time { return c.Now }
	env, err := user.NewEnvironment(cfg)
	if err != nil {
		return "the environment does not build: " + err.Error()
	}
	var res *user.Result
	if c.Method == "PUT" {
		res, err = env.Put(c.Stored, c.Actor, c.Body)
	} else {
		res, err = env.Patch(c.Stored, c.Actor, c.Body)
	}
	if c.Want.Error != nil {
		return c.checkError(res, err)
	}
	if err != nil {
		return "want a document, got the error:\n" + describe(err)
	}
	if len(res.Changes) > 0 && !c.HasNow {
		return "the case breaks the format: the update changes something, so the case needs now"
	}
	var fails []string
	want, werr := jsonx.Parse(c.Want.Document, 10000)
	got, gerr := jsonx.Parse(res.Document, 10000)
	switch {
	case werr != nil:
		fails = append(fails, "want.document is not valid JSON: "+werr.Error())
	case gerr != nil:
		fails = append(fails, "the result document is not valid JSON: "+gerr.Error())
	case !jsonx.Equal(want, got):
		fails = append(fails, "document (-want +got):\n"+cmp.Diff(
			strings.Split(jsonx.Indent(jsonx.Canonical(want)), "\n"),
			strings.Split(jsonx.Indent(jsonx.Canonical(got)), "\n")))
	}
	if c.Want.Changes != nil {
		if d := cmp.Diff(*c.Want.Changes, res.Changes); d != "" {
			fails = append(fails, "changes (-want +got):\n"+d)
		}
	}
	if c.Want.Unique != nil {
		if d := cmp.Diff(*c.Want.Unique, res.Unique); d != "" {
			fails = append(fails, "unique (-want +got):\n"+d)
		}
	}
	if c.Want.Ignored != nil {
		strip := func(l []user.Ignored) []user.Ignored {
			out := make([]user.Ignored, len(l))
			for i, x := range l {
				out[i] = user.Ignored{Path: x.Path, Reason: x.Reason}
			}
			return out
		}
		if d := cmp.Diff(strip(*c.Want.Ignored), strip(res.Ignored)); d != "" {
			fails = append(fails, "ignored, on path and reason (-want +got):\n"+d)
		}
	}
	return strings.Join(fails, "\n")
}

func describe(err error) string {
	var ue *user.Error
	if errors.As(err, &ue) {
		b, _ := json.MarshalIndent(ue, "", "  ")
		return fmt.Sprintf("status %d\n%s", ue.Status, b)
	}
	return err.Error()
}

type pair struct{ Code, Target string }

func (c Case) checkError(res *user.Result, err error) string {
	if err == nil {
		return "want an error, got the document:\n" + string(res.Document)
	}
	var ue *user.Error
	if !errors.As(err, &ue) {
		return "the error is not a *user.Error: " + err.Error()
	}
	w := c.Want.Error
	if ue.Status != w.Status || ue.Code != w.Code {
		return fmt.Sprintf("want status %d code %s, got:\n%s", w.Status, w.Code, describe(err))
	}
	if w.Details == nil {
		return ""
	}
	set := func(ps []pair) []pair {
		sort.Slice(ps, func(i, j int) bool {
			if ps[i].Target != ps[j].Target {
				return ps[i].Target < ps[j].Target
			}
			return ps[i].Code < ps[j].Code
		})
		out := ps[:0]
		for i, p := range ps {
			if i == 0 || p != ps[i-1] {
				out = append(out, p)
			}
		}
		return out
	}
	var want, got []pair
	for _, d := range *w.Details {
		p := pair{Code: d.Code, Target: "(no target)"}
		if d.Target != nil {
			p.Target = fmt.Sprintf("%q", *d.Target)
		}
		want = append(want, p)
	}
	for _, d := range ue.Details {
		p := pair{Code: d.Code, Target: "(no target)"}
		if d.HasTarget() {
			p.Target = fmt.Sprintf("%q", d.Target)
		}
		got = append(got, p)
	}
	if d := cmp.Diff(set(want), set(got)); d != "" {
		return "error details as (code, target) pairs (-want +got):\n" + d + "\ngot:\n" + describe(err)
	}
	return ""
}
