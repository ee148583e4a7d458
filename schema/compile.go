package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// schemaURL names the user document schema inside amend's own compiler. No
// URL is ever fetched.
const schemaURL = "https://amendlib.invalid/user.schema.json"

// compile writes the JSON Schema of the user document and compiles, for every
// top-level attribute a request can change, a validator of its value.
func (c *Catalogue) compile() error {
	props := map[string]any{}
	var required []string
	for _, a := range c.attrs {
		props[a.Name] = c.attrSchema(a)
		if a.Required && !a.Disabled {
			required = append(required, a.Name)
		}
	}
	doc := map[string]any{
		"$schema":    "https://json-schema.org/draft/2020-12/schema",
		"$id":        schemaURL,
		"title":      "PingOne user",
		"type":       "object",
		"properties": props,
	}
	if len(required) > 0 {
		doc["required"] = required
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("schema: writing the JSON Schema: %w", err)
	}
	c.doc = buf.Bytes()

	comp := jsonschema.NewCompiler()
	comp.Draft = jsonschema.Draft2020
	comp.AssertFormat = true
	comp.Formats = formats()
	comp.LoadURL = func(s string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("schema: loading %q refused: amend loads no URL", s)
	}
	if err := comp.AddResource(schemaURL, bytes.NewReader(c.doc)); err != nil {
		return fmt.Errorf("schema: compiling the JSON Schema: %w", err)
	}
	for _, a := range c.attrs {
		if !a.changeable() {
			continue
		}
		v, err := comp.Compile(schemaURL + "#/properties/" + pointerEscape(a.Name))
		if err != nil {
			return fmt.Errorf("schema: attribute %q: compiling its JSON Schema: %w", a.Name, err)
		}
		a.validator = v
	}
	return nil
}

// changeable reports whether a request can change some part of a.
func (a *Attr) changeable() bool {
	if a.Type == Complex && len(a.Subs) > 0 {
		for _, s := range a.Subs {
			if s.Class == Writable {
				return true
			}
		}
		return false
	}
	return a.Class == Writable
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// attrSchema returns the JSON Schema of one attribute's value.
func (c *Catalogue) attrSchema(a *Attr) map[string]any {
	var s map[string]any
	switch a.Type {
	case String:
		s = map[string]any{"type": "string"}
		if a.MinLength > 0 {
			s["minLength"] = a.MinLength
		}
		if a.MaxLength > 0 {
			s["maxLength"] = a.MaxLength
		}
		if a.Pattern != "" {
			if a.Custom {
				s["pattern"] = `^(?:` + a.Pattern + `)$`
			} else {
				s["pattern"] = a.Pattern
			}
		}
		if a.Format != "" {
			s["format"] = a.Format
		}
		if len(a.Enum) > 0 {
			vals := make([]string, len(a.Enum))
			for i, e := range a.Enum {
				vals[i] = e.Value
			}
			s["enum"] = vals
		}
	case Boolean:
		s = map[string]any{"type": "boolean"}
	case JSON:
		s = map[string]any{"not": map[string]any{"type": "null"}}
	case Complex:
		s = map[string]any{"type": "object"}
		if len(a.Subs) > 0 {
			props := map[string]any{}
			for _, sub := range a.Subs {
				props[sub.Name] = c.attrSchema(sub)
			}
			s["properties"] = props
			if a.Multi {
				s["additionalProperties"] = false
			}
		}
	}
	if a.Class != Writable || a.Disabled {
		s["readOnly"] = true // a body cannot set it (D3, D4, D6)
	}
	if a.Multi {
		s = map[string]any{"type": "array", "maxItems": c.limits.MaxValues, "items": s}
	}
	return s
}
