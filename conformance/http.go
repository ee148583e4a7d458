package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/amendlib/amend/user"
)

// The content types of the lock and unlock operations (H1, H2).
const (
	ContentLock   = "application/vnd.pingidentity.account.lock+json"
	ContentUnlock = "application/vnd.pingidentity.account.unlock+json"
)

// NewHTTP returns the target that runs cases against a server over HTTP
// (H10). baseURL is the server's root, such as http://127.0.0.1:8080: the
// user endpoints are under baseURL/v1/environments/{envID} and the control
// API under baseURL/__amend/ (H9). client nil means http.DefaultClient.
//
// Each case uses its own environment id and token, so cases can run in
// parallel; a create uses the environment id the case names ("env" by
// default), since the created user holds it. The target checks the status
// and, for an error, the code and details of the body; on success, the
// document read back through the control API, and that the answer is the
// actor's read view of it (ignoring _links, which a server renders), or for
// a sub-resource operation that the answer holds the value set.
func NewHTTP(baseURL string, client *http.Client) (Target, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http or https base URL", baseURL)
	}
	if client == nil {
		client = http.DefaultClient
	}
	var prefix [4]byte
	_, _ = rand.Read(prefix[:])
	return &httpTarget{base: strings.TrimSuffix(baseURL, "/"), client: client, prefix: hex.EncodeToString(prefix[:])}, nil
}

type httpTarget struct {
	base   string
	client *http.Client
	prefix string // distinguishes the ids of this run from other runs'
	seq    atomic.Int64
}

// call sends one request and returns the status and body.
func (h *httpTarget) call(ctx context.Context, method, path string, header http.Header, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	return resp.StatusCode, data, err
}

// control sends a control API request (H9) that must succeed.
func (h *httpTarget) control(ctx context.Context, method, path string, body []byte) error {
	header := http.Header{}
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	status, data, err := h.call(ctx, method, "/__amend"+path, header, body)
	if err != nil {
		return fmt.Errorf("control API %s %s: %v", method, path, err)
	}
	if status == http.StatusNotFound && method == "PUT" && !strings.Contains(path, "/users/") {
		// A 404 on a user's path may be an unknown environment; on the
		// others it means the control API is not there.
		return fmt.Errorf("control API %s %s: status 404: %w", method, path, ErrNoControl)
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("control API %s %s: status %d: %s", method, path, status, bytes.TrimSpace(data))
	}
	return nil
}

func (h *httpTarget) Run(ctx context.Context, c *Case) (*Got, error) {
	n := h.seq.Add(1)
	envID := fmt.Sprintf("amend-%s-%d", h.prefix, n)
	if c.Request.IsCreate() {
		envID = c.EnvironmentID
	}
	token := fmt.Sprintf("token-%s-%d", h.prefix, n)
	ep := "/environments/" + url.PathEscape(envID)
	envBody, err := environmentBody(c)
	if err != nil {
		return nil, err
	}
	if err := h.control(ctx, "PUT", ep, envBody); err != nil {
		return nil, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = h.control(cctx, "DELETE", ep, nil)
	}()
	if err := h.control(ctx, "PUT", "/tokens/"+url.PathEscape(token), c.Actor); err != nil {
		return nil, err
	}
	clock := []byte(`{"now":null}`)
	if c.Now != "" {
		clock, _ = json.Marshal(map[string]string{"now": c.Now})
	}
	if err := h.control(ctx, "PUT", "/clock", clock); err != nil {
		return nil, err
	}
	if c.Request.IsCreate() {
		ids, _ := json.Marshal(map[string][]string{"next": append([]string{}, c.NewIDs...)})
		if err := h.control(ctx, "PUT", "/ids", ids); err != nil {
			return nil, err
		}
	}
	userID := fmt.Sprintf("user-%s-%d", h.prefix, n)
	if c.Stored != nil {
		var s struct {
			ID any `json:"id"`
		}
		if json.Unmarshal(c.Stored, &s) == nil {
			if id, ok := s.ID.(string); ok && id != "" {
				userID = id
			}
		}
		if err := h.control(ctx, "PUT", ep+"/users/"+url.PathEscape(userID), c.Stored); err != nil {
			return nil, err
		}
	}
	method, path, contentType := route(c, userID)
	header := http.Header{"Authorization": {"Bearer " + token}, "Accept": {"application/json"}}
	if contentType != "" {
		header.Set("Content-Type", contentType)
	}
	status, answer, err := h.call(ctx, method, "/v1"+ep+path, header, c.Request.Body)
	if err != nil {
		return nil, err
	}
	if status >= 400 {
		got := &Got{Error: errorOf(status, answer)}
		if c.Stored != nil {
			// E3: a refused request changes nothing.
			got.Answer = h.unchanged(ctx, ep, userID, c.Stored)
		}
		return got, nil
	}
	got := &Got{}
	want := 200
	switch {
	case c.Request.Method == "DELETE":
		want = 204
	case c.Request.IsCreate():
		want = 201
		userID = createdID(c, answer)
	}
	var problems []string
	if status != want {
		problems = append(problems, fmt.Sprintf("the answer's status is %d, want %d", status, want))
	}
	rstatus, doc, err := h.call(ctx, "GET", "/__amend"+ep+"/users/"+url.PathEscape(userID), nil, nil)
	switch {
	case err != nil:
		return nil, fmt.Errorf("control API GET of the user: %v", err)
	case c.Request.Method == "DELETE" && rstatus == http.StatusNotFound:
		got.Document = nil
	case rstatus != http.StatusOK:
		problems = append(problems, fmt.Sprintf("the user cannot be read back through the control API: status %d", rstatus))
	default:
		got.Document = doc
	}
	if p := checkAnswer(c, answer, got.Document); p != "" {
		problems = append(problems, p)
	}
	got.Answer = strings.Join(problems, "\n")
	return got, nil
}

// unchanged reads the user back after an error answer and says how it
// differs from the stored document the case set, or "" when it does not
// (E3: a refused request changes nothing).
func (h *httpTarget) unchanged(ctx context.Context, ep, userID string, stored []byte) string {
	status, doc, err := h.call(ctx, "GET", "/__amend"+ep+"/users/"+url.PathEscape(userID), nil, nil)
	switch {
	case err != nil:
		return "after the error, the user cannot be read back through the control API: " + err.Error()
	case status != http.StatusOK:
		return fmt.Sprintf("after the error, the user cannot be read back through the control API: status %d (a refused request must change nothing, E3)", status)
	}
	if d := DiffDocuments(stored, doc); d != "" {
		return "the request was refused but the stored user changed (E3: a refused request changes nothing); " +
			strings.Replace(d, "document (-want +got)", "(-before +after)", 1)
	}
	return ""
}

// environmentBody is the environment object sent to the control API: the
// case's, without its id, which the URL carries.
func environmentBody(c *Case) ([]byte, error) {
	if c.Environment == nil {
		return []byte("{}"), nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c.Environment, &m); err != nil {
		return nil, err
	}
	delete(m, "id")
	return json.Marshal(m)
}

// route maps a case's request onto the user endpoints (H1).
func route(c *Case, userID string) (method, path, contentType string) {
	r := c.Request
	userPath := "/users/" + url.PathEscape(userID)
	contentType = r.ContentType
	switch {
	case r.Operation == "lock":
		return "POST", userPath, ContentLock
	case r.Operation == "unlock":
		return "POST", userPath, ContentUnlock
	case r.Operation != "":
		path = userPath + "/" + r.Operation
	case r.IsCreate():
		path = "/users"
	case r.Method == "DELETE":
		return "DELETE", userPath, ""
	default:
		path = userPath
	}
	if r.Body == nil {
		contentType = ""
	}
	return r.Method, path, contentType
}

// createdID is the id of the user a create made: the answer's id, or the
// case's first new id.
func createdID(c *Case, answer []byte) string {
	var a struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(answer, &a) == nil && a.ID != "" {
		return a.ID
	}
	if len(c.NewIDs) > 0 {
		return c.NewIDs[0]
	}
	return ""
}

// errorOf reads an error answer as the library's error.
func errorOf(status int, body []byte) *user.Error {
	e := &user.Error{Status: status}
	if err := json.Unmarshal(body, e); err != nil {
		e.Code = "(not a PingOne error body)"
		e.Message = fmt.Sprintf("%v: %s", err, truncate(body))
	}
	e.Status = status
	return e
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// checkAnswer checks the answer's body against the stored document: the
// actor's read view of it for an answer that carries the user (H5), the
// value set for a sub-resource operation (H1).
func checkAnswer(c *Case, answer, doc []byte) string {
	r := c.Request
	if r.Method == "DELETE" || doc == nil {
		return ""
	}
	switch r.Operation {
	case "enabled", "mfaEnabled", "verifyStatus":
		return sameMember(answer, doc, r.Operation, r.Operation)
	case "population":
		return sameMember(answer, subObject(doc, "population"), "id", "id")
	case "identityProvider":
		if p := sameMember(answer, subObject(doc, "identityProvider"), "id", "id"); p != "" {
			return p
		}
		return sameMember(answer, subObject(doc, "identityProvider"), "type", "type@identityProvider")
	}
	env, err := user.NewEnvironment(c.Config)
	if err != nil {
		return ""
	}
	view, err := env.View(doc, c.ActorData)
	if err != nil {
		return "the stored document has no read view: " + err.Error()
	}
	if d := DiffDocuments(withoutLinks(view), withoutLinks(answer)); d != "" {
		return "the answer is not the actor's read view of the stored document (H5), ignoring _links; " +
			strings.Replace(d, "document (-want +got)", "(-view +answer)", 1)
	}
	return ""
}

// defaults are the values a sub-resource answer shows for a member the
// stored document lacks (D4's defaults, and I1's PING_ONE).
var defaults = map[string]string{"enabled": "true", "mfaEnabled": "false", "verifyStatus": `"NOT_INITIATED"`,
	"type@identityProvider": `"PING_ONE"`}

// sameMember checks that the answer's member a equals the document's member
// d, or its default where the document has none (both absent counts as
// equal). d may carry "@" and a qualifier that only selects the default.
func sameMember(answer, doc []byte, a, d string) string {
	var am, dm map[string]json.RawMessage
	if err := json.Unmarshal(answer, &am); err != nil {
		return "the answer is not a JSON object: " + truncate(answer)
	}
	_ = json.Unmarshal(doc, &dm)
	name, _, _ := strings.Cut(d, "@")
	want := dm[name]
	if want == nil && defaults[d] != "" {
		want = json.RawMessage(defaults[d])
	}
	if DiffDocuments(am[a], want) != "" {
		return fmt.Sprintf("the answer's %s is %s, the stored document's %s", a, orAbsent(am[a]), orAbsent(want))
	}
	return ""
}

func orAbsent(v json.RawMessage) string {
	if v == nil {
		return "absent"
	}
	return string(v)
}

func subObject(doc []byte, name string) []byte {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(doc, &m)
	return m[name]
}

// withoutLinks removes a top-level _links member.
func withoutLinks(doc []byte) []byte {
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return doc
	}
	delete(m, "_links")
	out, err := json.Marshal(m)
	if err != nil {
		return doc
	}
	return out
}

// ErrNoControl is wrapped by the error of a case whose target answers 404
// to the control API: the server was not started with it.
var ErrNoControl = errors.New("the server has no control API (start it with the control API mounted)")
