package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/user"
)

// Client applies single requests through a server that implements the
// control API (H9), with the signatures of *user.Environment's methods, so
// that tests written against the library, such as the laws of package fuzz,
// run against a server:
//
//	c, err := conformance.NewClient(ctx, srv.URL, srv.Client(), cfg)
//	subject, err := fuzz.NewSubject(cfg, c.Patch, c.Put)
//	subject.PatchSCIM, subject.Apply, subject.Create = c.PatchSCIM, c.Apply, c.Create
//
// Each call sets up a fresh environment of the configuration (so that the
// users of different calls never clash on unique values, H6), stores the
// stored document through the control API, sends the request with a fresh
// token for the actor, returns the document read back through the control
// API, and removes the environment. A Result has no
// change, ignored or unique lists: HTTP does not show them. Errors are
// *user.Error values read from the answer. A Client is safe for concurrent
// use.
type Client struct {
	t       *httpTarget
	envBody []byte // the environment object
	clock   string
}

// NewClient returns a Client of the server at baseURL for environments of
// cfg, with the server's clock fixed at cfg's during each call (when cfg has
// one). Each call uses an environment of its own, whose id the server's URL
// gives: cfg.ID is not sent, and a created user's environment.id is that
// environment's. client nil means http.DefaultClient.
func NewClient(ctx context.Context, baseURL string, client *http.Client, cfg user.Config) (*Client, error) {
	tgt, err := NewHTTP(baseURL, client)
	if err != nil {
		return nil, err
	}
	// The environment object without its id, which the URL of each call
	// carries (H9), as NewHTTP sends it.
	idless := cfg
	idless.ID = ""
	body, err := json.Marshal(idless)
	if err != nil {
		return nil, err
	}
	c := &Client{t: tgt.(*httpTarget), envBody: body}
	if cfg.Clock != nil {
		c.clock = cfg.Clock().UTC().Format(time.RFC3339Nano)
	}
	// A first environment checks that the server takes the configuration.
	env := "/environments/" + url.PathEscape(fmt.Sprintf("amend-client-%s-check", c.t.prefix))
	if err := c.t.control(ctx, "PUT", env, body); err != nil {
		return nil, err
	}
	return c, c.t.control(ctx, "DELETE", env, nil)
}

// call sends one request about a stored user and reads the user back.
func (c *Client) call(method, sub, contentType string, stored []byte, actor policy.Actor, body []byte, create bool) (*user.Result, error) {
	ctx := context.Background()
	h := c.t
	n := h.seq.Add(1)
	ep := "/environments/" + url.PathEscape(fmt.Sprintf("amend-client-%s-%d", h.prefix, n))
	if err := h.control(ctx, "PUT", ep, c.envBody); err != nil {
		return nil, err
	}
	defer func() { _ = h.control(context.WithoutCancel(ctx), "DELETE", ep, nil) }()
	token := fmt.Sprintf("client-token-%s-%d", h.prefix, n)
	actorJSON, err := json.Marshal(actor)
	if err != nil {
		return nil, err
	}
	if err := h.control(ctx, "PUT", "/tokens/"+url.PathEscape(token), actorJSON); err != nil {
		return nil, err
	}
	if c.clock != "" {
		clock, _ := json.Marshal(map[string]string{"now": c.clock})
		if err := h.control(ctx, "PUT", "/clock", clock); err != nil {
			return nil, err
		}
	}
	id := fmt.Sprintf("client-user-%s-%d", h.prefix, n)
	path := "/users"
	if !create {
		if err := h.control(ctx, "PUT", ep+"/users/"+url.PathEscape(id), stored); err != nil {
			return nil, err
		}
		path += "/" + url.PathEscape(id) + sub
	} else {
		ids, _ := json.Marshal(map[string][]string{"next": {id}})
		if err := h.control(ctx, "PUT", "/ids", ids); err != nil {
			return nil, err
		}
	}
	header := http.Header{"Authorization": {"Bearer " + token}}
	if contentType != "" {
		header.Set("Content-Type", contentType)
	}
	status, answer, err := h.call(ctx, method, "/v1"+ep+path, header, body)
	if err != nil {
		return nil, err
	}
	if status >= 400 {
		return nil, errorOf(status, answer)
	}
	rstatus, doc, err := h.call(ctx, "GET", "/__amend"+ep+"/users/"+url.PathEscape(id), nil, nil)
	if err != nil {
		return nil, err
	}
	if rstatus != http.StatusOK {
		return nil, fmt.Errorf("conformance: the user cannot be read back: status %d", rstatus)
	}
	return &user.Result{Document: doc}, nil
}

// Patch sends a PATCH (application/json).
func (c *Client) Patch(stored []byte, actor policy.Actor, body []byte) (*user.Result, error) {
	return c.call("PATCH", "", ContentJSON, stored, actor, body, false)
}

// Put sends a PUT.
func (c *Client) Put(stored []byte, actor policy.Actor, body []byte) (*user.Result, error) {
	return c.call("PUT", "", ContentJSON, stored, actor, body, false)
}

// PatchSCIM sends a SCIM PATCH.
func (c *Client) PatchSCIM(stored []byte, actor policy.Actor, body []byte) (*user.Result, error) {
	return c.call("PATCH", "", ContentSCIMPatch, stored, actor, body, false)
}

// Apply sends a dedicated operation.
func (c *Client) Apply(op user.Operation, stored []byte, actor policy.Actor, body []byte) (*user.Result, error) {
	switch op {
	case user.OperationLock:
		return c.call("POST", "", ContentLock, stored, actor, body, false)
	case user.OperationUnlock:
		return c.call("POST", "", ContentUnlock, stored, actor, body, false)
	}
	ct := ContentJSON
	if body == nil {
		ct = ""
	}
	return c.call("PUT", "/"+string(op), ct, stored, actor, body, false)
}

// Create sends a create (application/json).
func (c *Client) Create(actor policy.Actor, body []byte) (*user.Result, error) {
	return c.call("POST", "", ContentJSON, nil, actor, body, true)
}
