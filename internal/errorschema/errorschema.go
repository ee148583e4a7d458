// Package errorschema loads PingOne's official error body schemas
// (testdata/reference/pingone-error-schemas.json), so that tests can check
// every error body amend writes against the schema for its status (E1).
package errorschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Load compiles the error schema of each status the file holds, keyed by
// status, and the general error schema under key 0, for the statuses the
// file has no schema of its own for (405, 412). No URL is loaded.
func Load(path string) (map[int]*jsonschema.Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Schemas map[string]json.RawMessage `json:"schemas"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("errorschema: %w", err)
	}
	out := map[int]*jsonschema.Schema{}
	for _, status := range []int{0, 400, 401, 403, 404, 415, 429, 500} {
		name := fmt.Sprintf("com.pingidentity.ApiErrorResponse.%d", status)
		if status == 0 {
			name = "com.pingidentity.ApiErrorResponse"
		}
		raw, ok := doc.Schemas[name]
		if !ok {
			continue
		}
		if status == 0 {
			// The general schema refers to its detail schema by a pointer
			// into the OpenAPI document; inline the detail's shape.
			var g map[string]any
			if err := json.Unmarshal(raw, &g); err != nil {
				return nil, fmt.Errorf("errorschema: %w", err)
			}
			var detail any
			_ = json.Unmarshal([]byte(errorDetail), &detail)
			props, _ := g["properties"].(map[string]any)
			if d, ok := props["details"].(map[string]any); ok {
				d["items"] = detail
			}
			if raw, err = json.Marshal(g); err != nil {
				return nil, fmt.Errorf("errorschema: %w", err)
			}
		}
		c := jsonschema.NewCompiler()
		c.AssertFormat = true
		c.LoadURL = func(s string) (io.ReadCloser, error) { return nil, fmt.Errorf("errorschema: loading %s refused", s) }
		url := fmt.Sprintf("https://amendlib.invalid/error-%d.json", status)
		if err := c.AddResource(url, bytes.NewReader(raw)); err != nil {
			return nil, fmt.Errorf("errorschema: %d: %w", status, err)
		}
		if out[status], err = c.Compile(url); err != nil {
			return nil, fmt.Errorf("errorschema: %d: %w", status, err)
		}
	}
	return out, nil
}

// errorDetail is the shape of an error detail of the general schema.
const errorDetail = `{"type":"object","required":["code","message"],"properties":{"code":{"type":"string","minLength":1},"target":{"type":"string"},"message":{"type":"string","minLength":1},"innerError":{"type":"object"}}}`

// Validate checks an error body against the schema of its status, or the
// general schema when the file has none for it. The body must hold an id
// and a code whatever the status (E1, H4).
func Validate(schemas map[int]*jsonschema.Schema, status int, body []byte) error {
	s, ok := schemas[status]
	if !ok {
		if s, ok = schemas[0]; !ok {
			return fmt.Errorf("errorschema: no schema for status %d", status)
		}
		var b struct{ ID, Code, Message string }
		if err := json.Unmarshal(body, &b); err != nil || b.ID == "" || b.Code == "" || b.Message == "" {
			return fmt.Errorf("errorschema: the body lacks id, code or message: %s", body)
		}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return s.Validate(v)
}
