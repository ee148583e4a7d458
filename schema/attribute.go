package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Type is the type of a PingOne schema attribute (V4).
type Type string

// The attribute types.
const (
	String  Type = "STRING"
	Boolean Type = "BOOLEAN"
	JSON    Type = "JSON"
	Complex Type = "COMPLEX"
)

// The schema types of PingOne's listing.
const (
	SchemaCore     = "CORE"
	SchemaStandard = "STANDARD"
	SchemaCustom   = "CUSTOM"
)

// Attribute is a PingOne schema attribute object as PingOne's schema
// attribute listing returns it (field reference: SchemaAttribute of the
// PingOne user model). Members amend does not use (id, _links, ldapAttribute,
// ...) are accepted and ignored.
//
// CUSTOM attributes add to the user; STANDARD entries adjust a built-in
// attribute (only Enabled and Unique); CORE entries may restate a built-in
// attribute but change nothing.
type Attribute struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName,omitempty"`
	Description string `json:"description,omitempty"`
	Type        Type   `json:"type,omitempty"`
	// SchemaType is CORE, STANDARD or CUSTOM; empty means CUSTOM.
	SchemaType string `json:"schemaType,omitempty"`
	// Enabled nil means true. A disabled attribute is ignored in bodies and
	// kept as stored (D6).
	Enabled *bool `json:"enabled,omitempty"`
	// MultiValued attributes hold arrays, replaced whole by PATCH (P5).
	MultiValued bool `json:"multiValued,omitempty"`
	// Unique nil keeps the built-in setting (username is unique; custom
	// attributes are not).
	Unique   *bool `json:"unique,omitempty"`
	Required bool  `json:"required,omitempty"`
	// EnumeratedValues restricts STRING values (V4).
	EnumeratedValues []EnumeratedValue `json:"enumeratedValues,omitempty"`
	// RegexValidation restricts STRING values: the whole value must match.
	RegexValidation *RegexValidation `json:"regexValidation,omitempty"`
	// SubAttributes of a COMPLEX attribute, each STRING or JSON.
	SubAttributes []Attribute `json:"subAttributes,omitempty"`
}

// EnumeratedValue is one allowed value. An archived value is accepted only
// when it is already stored in the attribute (V1, V4).
type EnumeratedValue struct {
	Value       string `json:"value"`
	Archived    bool   `json:"archived,omitempty"`
	Description string `json:"description,omitempty"`
}

// RegexValidation is PingOne's regular expression constraint. Pattern uses
// Go's RE2 syntax and must match the whole value.
type RegexValidation struct {
	Pattern                     string   `json:"pattern"`
	Requirements                string   `json:"requirements,omitempty"`
	ValuesPatternShouldMatch    []string `json:"valuesPatternShouldMatch,omitempty"`
	ValuesPatternShouldNotMatch []string `json:"valuesPatternShouldNotMatch,omitempty"`
}

// IsEnabled reports whether the attribute is enabled (nil Enabled is true).
func (a Attribute) IsEnabled() bool { return a.Enabled == nil || *a.Enabled }

// Attributes is a list of PingOne schema attributes. Its JSON form is either
// a plain array or PingOne's listing envelope
// {"_embedded": {"attributes": [...]}}; members amend does not use are
// ignored, so a listing can be used as PingOne returns it.
type Attributes []Attribute

// UnmarshalJSON reads either JSON form (see ParseAttributes).
func (a *Attributes) UnmarshalJSON(data []byte) error {
	attrs, err := ParseAttributes(data)
	if err != nil {
		return err
	}
	*a = attrs
	return nil
}

// ParseAttributes reads PingOne schema attributes from either a plain JSON
// array or PingOne's listing envelope {"_embedded": {"attributes": [...]}}.
func ParseAttributes(data []byte) ([]Attribute, error) {
	data = bytes.TrimSpace(data)
	var attrs []Attribute
	if len(data) > 0 && data[0] == '[' {
		if err := json.Unmarshal(data, &attrs); err != nil {
			return nil, fmt.Errorf("schema: reading attributes: %w", err)
		}
		return attrs, nil
	}
	var env struct {
		Embedded *struct {
			Attributes *[]Attribute `json:"attributes"`
		} `json:"_embedded"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, fmt.Errorf("schema: reading attributes: %w", err)
	}
	if env.Embedded == nil || env.Embedded.Attributes == nil {
		return nil, errors.New(`schema: reading attributes: want a JSON array or {"_embedded": {"attributes": [...]}}`)
	}
	return *env.Embedded.Attributes, nil
}
