package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/schema"
	"github.com/santhosh-tekuri/jsonschema/v5"
	"pgregory.net/rapid"
)

// differentialAttributes has a custom attribute of every kind.
func differentialAttributes() []schema.Attribute {
	return []schema.Attribute{
		{Name: "shirt", Type: schema.String, EnumeratedValues: []schema.EnumeratedValue{{Value: "S"}, {Value: "M"}, {Value: "XS", Archived: true}}},
		{Name: "code", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: `\Q1.5\E|[A-Z]{2}`}},
		{Name: "flag", Type: schema.Boolean},
		{Name: "blob", Type: schema.JSON},
		{Name: "tags", Type: schema.String, MultiValued: true},
		{Name: "blobs", Type: schema.JSON, MultiValued: true},
		{Name: "badge", Type: schema.Complex, SubAttributes: []schema.Attribute{
			{Name: "code", Type: schema.String, RegexValidation: &schema.RegexValidation{Pattern: "[0-9]+"}},
			{Name: "extra", Type: schema.JSON}}},
		{Name: "phones", Type: schema.Complex, MultiValued: true, SubAttributes: []schema.Attribute{
			{Name: "kind", Type: schema.String, EnumeratedValues: []schema.EnumeratedValue{{Value: "home"}, {Value: "work", Archived: true}}},
			{Name: "number", Type: schema.String}}},
	}
}

// values draws JSON values biased towards the ones the rules care about.
func values(depth int) *rapid.Generator[any] {
	return rapid.Custom(func(t *rapid.T) any {
		choices := 8
		if depth == 0 {
			choices = 6
		}
		switch rapid.IntRange(0, choices-1).Draw(t, "kind") {
		case 0, 1, 2:
			return rapid.SampledFrom([]string{"", "a", "US", "us", "1.5", "1x5", "XS", "S", "L", "home", "work", "123",
				"joe@example.com", "not an email", "UTC", "Mars/Base", "en-GB", "en_US", "https://x.example/p", "ftp://x",
				"+1 555", "x@y", "O'Brien", strings.Repeat("é", 129), strings.Repeat("a", 257), "line\nbreak", "€", "☃"}).Draw(t, "string")
		case 3:
			return rapid.Bool().Draw(t, "bool")
		case 4:
			return rapid.SampledFrom([]any{nil, json.Number("1"), json.Number("-0.5e3")}).Draw(t, "scalar")
		case 5:
			return rapid.SampledFrom([]any{map[string]any{}, []any{}}).Draw(t, "empty")
		case 6:
			return rapid.SliceOfN(values(depth-1), 0, 4).Draw(t, "array")
		}
		m := map[string]any{}
		for _, k := range rapid.SliceOfN(rapid.SampledFrom([]string{"given", "family", "code", "extra", "kind", "number", "href", "id", "type", "x", ""}), 0, 3).Draw(t, "names") {
			m[k] = values(depth-1).Draw(t, k)
		}
		return m
	})
}

// TestJSONSchemaAgrees checks that the published JSON Schema document and
// Validate agree on every attribute, for random values: the document, run
// by an independent JSON Schema validator, accepts exactly the values
// Validate accepts (V2-V5). Archived enumerated values are passed as already
// stored, since a JSON Schema cannot see the stored document (V4).
func TestJSONSchemaAgrees(t *testing.T) {
	c, err := New(differentialAttributes(), Limits{MaxValues: 3})
	if err != nil {
		t.Fatal(err)
	}
	comp := jsonschema.NewCompiler()
	comp.Draft = jsonschema.Draft2020
	comp.AssertFormat = true
	comp.Formats = Formats()
	comp.LoadURL = func(s string) (io.ReadCloser, error) { return nil, fmt.Errorf("no URL is loaded: %s", s) }
	if err := comp.AddResource(SchemaURL, bytes.NewReader(c.JSONSchema())); err != nil {
		t.Fatal(err)
	}
	validators := map[string]*jsonschema.Schema{}
	for _, a := range c.Attrs() {
		v, err := comp.Compile(SchemaURL + "#/properties/" + a.Name)
		if err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		validators[a.Name] = v
	}
	for _, a := range c.Attrs() {
		t.Run(a.Name, func(t *testing.T) { agree(t, c, a, validators[a.Name]) })
	}
}

func agree(t *testing.T, c *Catalogue, a *Attr, schema *jsonschema.Schema) {
	rapid.Check(t, func(t *rapid.T) {
		val := values(3).Draw(t, "value")
		text, err := json.Marshal(val)
		if err != nil {
			t.Fatal(err)
		}
		jv, err := jsonx.Parse(text, 64)
		if err != nil {
			t.Fatal(err)
		}
		byValidate := len(c.Validate(a, jv, jv)) == 0
		bySchema := schema.Validate(val) == nil
		if byValidate != bySchema {
			t.Fatalf("%s = %s: Validate accepts it: %v, the JSON Schema: %v (%v)", a.Name, text, byValidate, bySchema, c.Validate(a, jv, jv))
		}
	})
}
