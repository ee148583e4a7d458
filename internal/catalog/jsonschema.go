package catalog

import (
	"bytes"
	"encoding/json"

	"github.com/amendlib/amend/schema"
)

// SchemaURL is the $id of the user document's JSON Schema. No URL is ever
// fetched.
const SchemaURL = "https://amendlib.invalid/user.schema.json"

// jsonSchema writes the JSON Schema (draft 2020-12) of the user document: the
// published form of the rules Validate applies. TestJSONSchemaAgrees checks,
// with a JSON Schema validator, that the two agree.
func (c *Catalogue) jsonSchema() []byte {
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
		"$id":        SchemaURL,
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
		panic("catalog: writing the JSON Schema: " + err.Error()) // maps of strings and numbers always encode
	}
	return buf.Bytes()
}

// attrSchema returns the JSON Schema of one attribute's value.
func (c *Catalogue) attrSchema(a *Attr) map[string]any {
	var s map[string]any
	switch a.Type {
	case schema.String:
		s = map[string]any{"type": "string"}
		if a.MinLength > 0 {
			s["minLength"] = a.MinLength
		}
		if a.MaxLength > 0 {
			s["maxLength"] = a.MaxLength
		}
		switch {
		case a.re != nil:
			s["pattern"] = a.whole
		case a.text != nil:
			s["pattern"] = a.Pattern
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
	case schema.Boolean:
		s = map[string]any{"type": "boolean"}
	case schema.JSON:
		s = map[string]any{"not": map[string]any{"type": "null"}}
	case schema.Complex:
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
