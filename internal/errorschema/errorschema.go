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
// status. No URL is loaded.
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
	for _, status := range []int{400, 401, 403, 404, 415, 429, 500} {
		raw, ok := doc.Schemas[fmt.Sprintf("com.pingidentity.ApiErrorResponse.%d", status)]
		if !ok {
			continue
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

// Validate checks an error body against the schema of its status.
func Validate(schemas map[int]*jsonschema.Schema, status int, body []byte) error {
	s, ok := schemas[status]
	if !ok {
		return fmt.Errorf("errorschema: no schema for status %d", status)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return s.Validate(v)
}
