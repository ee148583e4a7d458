package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

// The content types a case's request may name (CONFORMANCE.md).
const (
	ContentJSON      = "application/json"
	ContentSCIMPatch = "application/vnd.pingidentity.user.scim.patch+json"
	ContentImport    = "application/vnd.pingidentity.user.import+json"
)

// Case is one conformance case, as read from a case file. A case that breaks
// the format is still returned, with Err set, so that it is reported as a
// failure rather than skipped.
type Case struct {
	// File is the file the case came from; Name and Reason are the case's.
	File, Name, Reason string
	// Now is the case's clock, RFC 3339; "" when the case has none.
	Now string
	// Environment is the environment object as written (nil when absent);
	// Config is its Go form, and EnvironmentID its id ("env" by default).
	Environment   json.RawMessage
	Config        user.Config
	EnvironmentID string
	// Actor is the actor object as written, and its Go form.
	Actor     json.RawMessage
	ActorData policy.Actor
	// Stored is the stored user document; nil for a create.
	Stored json.RawMessage
	// Request is what the case sends.
	Request Request
	// NewIDs are the ids that creates in this case use, in order (C1).
	NewIDs []string
	// Want is what the case expects.
	Want Want
	// Err is set when the case breaks the format.
	Err error
}

// ID is the case's file and name, "file.json#name".
func (c *Case) ID() string { return c.File + "#" + c.Name }

// Request is the request of a case.
type Request struct {
	// Method is PUT, PATCH, POST or DELETE.
	Method string
	// Operation is a dedicated operation (enabled, mfaEnabled, population,
	// identityProvider, verifyStatus with PUT; lock, unlock with POST), or
	// "" for a plain update, a create (POST) or a delete.
	Operation string
	// ContentType is the body's content type, ContentJSON by default.
	ContentType string
	// Body is the exact body; nil means no body at all (zero bytes).
	Body []byte
}

// IsCreate reports whether the request creates a user (POST without an
// operation).
func (r Request) IsCreate() bool { return r.Method == "POST" && r.Operation == "" }

// Want is what a case expects: exactly one of Document and Error.
type Want struct {
	// Document is the whole expected stored document; for a DELETE, the
	// JSON text null.
	Document json.RawMessage
	// Changes, Unique and Ignored are compared when not nil (O5-O7);
	// Ignored on path and reason only.
	Changes *[]user.Change
	Unique  *[]string
	Ignored *[]user.Ignored
	// Error is the expected error.
	Error *WantError
}

// WantError is an expected error: status and code, and, when Details is
// not nil, the details as a set of (code, target) pairs.
type WantError struct {
	Status  int           `json:"status"`
	Code    string        `json:"code"`
	Details *[]WantDetail `json:"details"`
}

// WantDetail is an expected error detail; Target nil means no target, which
// matches only a detail without one. Messages are never compared.
type WantDetail struct {
	Code   string  `json:"code"`
	Target *string `json:"target"`
}

// Load reads the cases of the given files and directories of the file
// system; directories are read recursively in name order, their *.json
// files only. A path that does not exist is an error; a file that is not a
// JSON array of objects gives one case with Err set.
func Load(paths ...string) ([]*Case, error) {
	var out []*Case
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("conformance: %s: %w", p, errors.Unwrap(err))
		}
		if !info.IsDir() {
			out = append(out, parseFile(p, readOS(p))...)
			continue
		}
		err = filepath.WalkDir(p, func(file string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".json") {
				out = append(out, parseFile(file, readOS(file))...)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("conformance: %w", err)
		}
	}
	return out, nil
}

// LoadFS is Load on a file system, such as the suite amend embeds
// (amend.Suite).
func LoadFS(fsys fs.FS, paths ...string) ([]*Case, error) {
	var out []*Case
	for _, p := range paths {
		err := fs.WalkDir(fsys, p, func(file string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || file != p && !strings.HasSuffix(d.Name(), ".json") {
				return nil
			}
			data, rerr := fs.ReadFile(fsys, file)
			out = append(out, parseFile(path.Clean(file), readResult{data, rerr})...)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("conformance: %w", err)
		}
	}
	return out, nil
}

type readResult struct {
	data []byte
	err  error
}

func readOS(file string) readResult {
	data, err := os.ReadFile(file)
	return readResult{data, err}
}

func parseFile(file string, r readResult) []*Case {
	if r.err != nil {
		return []*Case{{File: file, Err: r.err}}
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(r.data, &raws); err != nil {
		return []*Case{{File: file, Err: fmt.Errorf("the case file is not a JSON array: %v", err)}}
	}
	seen := map[string]bool{}
	out := make([]*Case, 0, len(raws))
	for i, raw := range raws {
		c := parseCase(raw)
		c.File = file
		if c.Name == "" {
			c.Name = fmt.Sprintf("(case %d)", i)
		}
		if c.Err == nil && seen[c.Name] {
			c.Err = errors.New("the name is used twice in the file")
		}
		seen[c.Name] = true
		out = append(out, c)
	}
	return out
}

// members checks that raw is an object whose members are all allowed.
func members(raw json.RawMessage, what string, allowed ...string) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%s is not a JSON object", what)
	}
	for k := range m {
		if !slices.Contains(allowed, k) {
			return nil, fmt.Errorf("%s has an unknown member %q", what, k)
		}
	}
	return m, nil
}

func strict(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// operations maps each dedicated operation to the method it is sent with.
var operations = map[string]string{
	"enabled": "PUT", "mfaEnabled": "PUT", "population": "PUT", "identityProvider": "PUT", "verifyStatus": "PUT",
	"lock": "POST", "unlock": "POST",
}

// parseCase reads one case object and checks it against the format.
func parseCase(raw json.RawMessage) *Case {
	c := &Case{}
	c.Err = c.parse(raw)
	return c
}

func (c *Case) parse(raw json.RawMessage) error {
	m, err := members(raw, "the case", "name", "reason", "now", "environment", "actor", "stored", "request", "want", "newIds")
	if err != nil {
		return err
	}
	_ = json.Unmarshal(m["name"], &c.Name)
	_ = json.Unmarshal(m["reason"], &c.Reason)
	switch {
	case c.Name == "":
		return errors.New("name is missing")
	case strings.ContainsAny(c.Name, "#/"):
		return errors.New("a name may not contain # or /")
	case c.Reason == "":
		return errors.New("reason is missing")
	}
	if raw, ok := m["now"]; ok {
		if err := json.Unmarshal(raw, &c.Now); err != nil {
			return errors.New("now is not a string")
		}
		if _, err := time.Parse(time.RFC3339Nano, c.Now); err != nil {
			return fmt.Errorf("now is not an RFC 3339 time: %v", err)
		}
	}
	c.EnvironmentID = user.DefaultEnvironmentID
	if raw, ok := m["environment"]; ok {
		c.Environment = raw
		if c.Config, err = user.ParseConfig(raw); err != nil {
			return fmt.Errorf("environment: %s", strings.TrimPrefix(err.Error(), "user: reading the environment: "))
		}
		if c.Config.ID != "" {
			c.EnvironmentID = c.Config.ID
		}
	}
	if c.Actor = m["actor"]; c.Actor == nil {
		return errors.New("actor is missing")
	}
	if err := strict(c.Actor, &c.ActorData); err != nil {
		return fmt.Errorf("actor: %v", err)
	}
	if raw, ok := m["newIds"]; ok {
		if err := json.Unmarshal(raw, &c.NewIDs); err != nil {
			return errors.New("newIds is not an array of strings")
		}
	}
	if err := c.parseRequest(m["request"]); err != nil {
		return err
	}
	stored, hasStored := m["stored"]
	switch {
	case c.Request.IsCreate() && hasStored:
		return errors.New("a create (POST without an operation) has no stored document")
	case !c.Request.IsCreate() && !hasStored:
		return errors.New("stored is missing")
	}
	c.Stored = stored
	return c.parseWant(m["want"])
}

func (c *Case) parseRequest(raw json.RawMessage) error {
	if raw == nil {
		return errors.New("request is missing")
	}
	req, err := members(raw, "request", "method", "operation", "contentType", "body", "rawBody")
	if err != nil {
		return err
	}
	r := &c.Request
	_ = json.Unmarshal(req["method"], &r.Method)
	if raw, ok := req["operation"]; ok {
		if err := json.Unmarshal(raw, &r.Operation); err != nil || operations[r.Operation] == "" {
			return fmt.Errorf("request.operation %s is not a dedicated operation", raw)
		}
		if operations[r.Operation] != r.Method {
			return fmt.Errorf("request.operation %q is sent with method %s", r.Operation, operations[r.Operation])
		}
	}
	r.ContentType = ContentJSON
	if raw, ok := req["contentType"]; ok {
		if err := json.Unmarshal(raw, &r.ContentType); err != nil {
			return errors.New("request.contentType is not a string")
		}
	}
	switch {
	case !slices.Contains([]string{"PUT", "PATCH", "POST", "DELETE"}, r.Method):
		return errors.New(`request.method must be "PUT", "PATCH", "POST" or "DELETE"`)
	case r.ContentType == ContentSCIMPatch && r.Method != "PATCH":
		return errors.New("the SCIM PATCH content type goes with method PATCH")
	case r.ContentType == ContentImport && !r.IsCreate():
		return errors.New("the import content type goes with a create (POST without an operation)")
	case r.ContentType != ContentJSON && r.ContentType != ContentSCIMPatch && r.ContentType != ContentImport:
		return fmt.Errorf("request.contentType %q is not one the format knows", r.ContentType)
	}
	body, hasBody := req["body"]
	rawBody, hasRaw := req["rawBody"]
	switch {
	case hasBody && hasRaw:
		return errors.New("request has both body and rawBody")
	case hasBody:
		r.Body = bytes.TrimSpace(body)
	case hasRaw:
		var s string
		if err := json.Unmarshal(rawBody, &s); err != nil {
			return errors.New("request.rawBody is not a string")
		}
		r.Body = []byte(s)
	}
	if r.Method == "DELETE" && r.Body != nil {
		return errors.New("a DELETE has no body")
	}
	return nil
}

func (c *Case) parseWant(raw json.RawMessage) error {
	if raw == nil {
		return errors.New("want is missing")
	}
	want, err := members(raw, "want", "document", "error", "changes", "unique", "ignored")
	if err != nil {
		return err
	}
	doc, hasDoc := want["document"]
	werr, hasErr := want["error"]
	if hasDoc == hasErr {
		return errors.New("want needs exactly one of document and error")
	}
	if hasDoc {
		c.Want.Document = doc
		isNull := string(bytes.TrimSpace(doc)) == "null"
		if c.Request.Method == "DELETE" && !isNull {
			return errors.New("want.document of a DELETE is null")
		}
		if c.Request.Method != "DELETE" && isNull {
			return errors.New("want.document is null, but only a DELETE leaves no document")
		}
		if c.Request.IsCreate() && len(c.NewIDs) == 0 {
			return errors.New("a create that succeeds needs newIds")
		}
	} else {
		c.Want.Error = new(WantError)
		if _, err := members(werr, "want.error", "status", "code", "message", "details"); err != nil {
			return err
		}
		if err := json.Unmarshal(werr, c.Want.Error); err != nil {
			return fmt.Errorf("want.error: %v", err)
		}
		if c.Want.Error.Status == 0 || c.Want.Error.Code == "" {
			return errors.New("want.error needs status and code")
		}
	}
	if raw, ok := want["changes"]; ok {
		c.Want.Changes = new([]user.Change)
		if err := strict(raw, c.Want.Changes); err != nil {
			return fmt.Errorf("want.changes: %v", err)
		}
	}
	if raw, ok := want["unique"]; ok {
		c.Want.Unique = new([]string)
		if err := strict(raw, c.Want.Unique); err != nil {
			return fmt.Errorf("want.unique: %v", err)
		}
	}
	if raw, ok := want["ignored"]; ok {
		c.Want.Ignored = new([]user.Ignored)
		if err := json.Unmarshal(raw, c.Want.Ignored); err != nil {
			return fmt.Errorf("want.ignored: %v", err)
		}
	}
	return nil
}
