package user

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/amendlib/amend/policy"
	"github.com/amendlib/amend/schema"
)

// Config describes an environment. Its JSON form is the "environment" object
// of the conformance case format (read it with ParseConfig); every member is
// optional and every zero value means the documented default. Marshalling a
// Config and reading it back gives the same environment (A4), except Clock
// and NewID, which have no JSON form.
type Config struct {
	// Attributes are PingOne schema attribute objects: CUSTOM ones add
	// attributes, STANDARD ones adjust built-in ones (enabled, unique).
	// nil means the standard user only. In JSON, a plain array or PingOne's
	// listing envelope {"_embedded": {"attributes": [...]}}.
	Attributes schema.Attributes `json:"attributes,omitempty"`
	// ID is the environment's id, set as environment.id on the users it
	// creates (C1); "" means "env".
	ID string `json:"id,omitempty"`
	// Populations are the environment's populations (X4, C1). nil means
	// none listed: any population id is accepted and there is no default.
	Populations []Population `json:"populations,omitempty"`
	// IdentityProviders maps external identity provider ids to their types
	// (GOOGLE, SAML, OPENID_CONNECT, ...) (I1). nil means none.
	IdentityProviders map[string]string `json:"identityProviders,omitempty"`
	// PingIDConnected forbids changing username (W1).
	PingIDConnected bool `json:"pingIdConnected,omitempty"`
	// CanUsersUpdateSelf lets USER actors update their own account (A3);
	// nil means true.
	CanUsersUpdateSelf *bool `json:"canUsersUpdateSelf,omitempty"`
	// Options are behaviour switches.
	Options Options `json:"options,omitzero"`
	// Roles are the embedder's own ADMIN roles (A2, A4), added to the
	// built-in Identity Data Admin, which cannot be redefined. nil means
	// none.
	Roles map[string]policy.Role `json:"roles,omitempty"`
	// Limits; the zero value means the rulebook's defaults.
	Limits Limits `json:"limits,omitzero"`
	// Clock gives the time set as updatedAt (O3) and createdAt (C1); nil
	// means time.Now.
	Clock func() time.Time `json:"-"`
	// NewID returns the id of a user being created (C1); nil means a random
	// UUID version 4 from crypto/rand.
	NewID func() string `json:"-"`
}

// Population is one population of an environment (X4, C1).
type Population struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Default marks the population a user is created in when the body names
	// none (C1). At most one population is the default.
	Default bool `json:"default,omitempty"`
}

// Options are behaviour switches of an environment.
type Options struct {
	// UnknownAttributes is "ignore" (the default, also for "") or "reject":
	// unknown attributes in a body are then 400 INVALID_DATA (D5).
	UnknownAttributes string `json:"unknownAttributes,omitempty"`
}

// Limits bound what a request may hold. A zero field means the default; a
// negative one is refused by NewEnvironment.
type Limits struct {
	// MaxBodyBytes: the largest body (L1); 0 means 1 MiB (1,048,576 bytes).
	MaxBodyBytes int `json:"maxBodyBytes,omitempty"`
	// MaxDepth: the deepest nesting of a body, the body object being level
	// 1 (L1); 0 means 64. At most MaxDepthCeiling.
	MaxDepth int `json:"maxDepth,omitempty"`
	// MaxValues: the most values of a multi-valued attribute (L2); 0 means
	// 1,000.
	MaxValues int `json:"maxValues,omitempty"`
	// MaxCustomBytes: the budget of one user's custom attribute values as
	// compact JSON (L3); 0 means 16 KiB (16,384 bytes).
	MaxCustomBytes int `json:"maxCustomBytes,omitempty"`
	// MaxCustomAttributes: the most custom attributes of a schema (L4); 0
	// means 200.
	MaxCustomAttributes int `json:"maxCustomAttributes,omitempty"`
	// MaxEnumeratedValues: the most enumerated values of one attribute
	// (L4); 0 means 100.
	MaxEnumeratedValues int `json:"maxEnumeratedValues,omitempty"`
	// MaxOperations: the most operations of a SCIM PATCH body (S1); 0 means
	// 1,000.
	MaxOperations int `json:"maxOperations,omitempty"`
}

// MaxDepthCeiling is the largest MaxDepth an environment accepts (L1): every
// document the library writes is then readable by it as a stored document,
// whose nesting is limited to this depth.
const MaxDepthCeiling = 10000

// DefaultEnvironmentID is the id of an environment whose Config.ID is empty.
const DefaultEnvironmentID = "env"

func (l Limits) withDefaults() (Limits, error) {
	for _, f := range []struct {
		name string
		v    *int
		def  int
	}{
		{"MaxBodyBytes", &l.MaxBodyBytes, 1 << 20},
		{"MaxDepth", &l.MaxDepth, 64},
		{"MaxValues", &l.MaxValues, 1000},
		{"MaxCustomBytes", &l.MaxCustomBytes, 16 << 10},
		{"MaxCustomAttributes", &l.MaxCustomAttributes, 200},
		{"MaxEnumeratedValues", &l.MaxEnumeratedValues, 100},
		{"MaxOperations", &l.MaxOperations, 1000},
	} {
		switch {
		case *f.v < 0:
			return l, fmt.Errorf("user: Limits.%s is %d; a limit is 0 (the default) or positive", f.name, *f.v)
		case *f.v == 0:
			*f.v = f.def
		}
	}
	if l.MaxDepth > MaxDepthCeiling {
		return l, fmt.Errorf("user: Limits.MaxDepth is %d, more than %d (L1)", l.MaxDepth, MaxDepthCeiling)
	}
	return l, nil
}

// ParseConfig reads the JSON form of a Config: the "environment" object of
// the conformance case format. Unlike json.Unmarshal into a Config, it
// refuses unknown members, of the environment object and of its options,
// limits, populations and roles, and trailing data; the schema attribute
// objects inside are read as PingOne lists them, members amend does not use
// ignored. It does not build the environment: NewEnvironment checks the
// values.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return Config{}, errors.New("user: reading the environment: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("user: reading the environment: %w", err)
	}
	if err := dec.Decode(new(json.RawMessage)); err != io.EOF {
		return Config{}, errors.New("user: reading the environment: trailing data after the JSON object")
	}
	return cfg, nil
}
