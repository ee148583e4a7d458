package apply

import (
	"slices"
	"strings"

	"github.com/amendlib/amend/internal/jsonx"
)

// lifecycleStatuses are the values an import may give lifecycle.status (C2).
var lifecycleStatuses = []string{"ACCOUNT_OK", "VERIFICATION_REQUIRED"}

// CreateRequest is everything Create needs. Body is a JSON object.
type CreateRequest struct {
	Body jsonx.Value
	// Import is the import content type (C2): lifecycle.status and
	// emailVerified may be set too.
	Import bool
	// The rest is as in Request.
	Request Request
	// NewID returns the new user's id; it is called only when the create
	// succeeds. EnvironmentID is the environment's id (C1).
	NewID         func() string
	EnvironmentID string
	// Populations holds the ids of the environment's populations (nil: none
	// listed, any id accepted); DefaultPopulation is the default one, or "".
	Populations       map[string]bool
	DefaultPopulation string
}

// CreatePopulation returns the population a create body puts the user in
// (its population.id when a non-empty string, else the default), for the
// authorization of the create (C3); "" when there is none.
func CreatePopulation(body jsonx.Value, def string) string {
	p, ok := body.Get("population")
	if !ok || p.IsNull() {
		return def
	}
	id, ok := p.Get("id")
	if !ok || id.IsNull() {
		return def
	}
	if id.Kind == jsonx.String {
		return id.Str
	}
	return ""
}

// Create builds a new user from a create body (C1, C2): a PUT onto an empty
// user, plus what the server sets. The change list holds every leaf of the
// new document as an add, updatedAt excepted (C5); Unique holds every
// unique attribute the user has (C3). Authorization is the caller's.
func Create(r CreateRequest) Outcome {
	c := &creation{r: r}
	put := r.Request
	put.Method, put.Stored = Put, jsonx.Obj(nil)
	put.PingIDConnected = false // W1 is about changing a username, not setting the first one
	var rest []jsonx.Member
	for _, m := range r.Body.Members() {
		if !c.createOnly(m) {
			rest = append(rest, m)
		}
	}
	put.Body = jsonx.Obj(rest)
	out := Apply(put)
	c.out = out
	c.out.Faults = append(c.out.Faults, c.faults...)
	c.out.Ignored = append(c.out.Ignored, c.ignored...)
	pop := c.population()
	slices.SortStableFunc(c.out.Ignored, func(x, y Ignored) int { return strings.Compare(x.Path, y.Path) })
	if len(c.out.Faults) > 0 {
		return c.out
	}
	c.build(out.Document, pop)
	return c.out
}

type creation struct {
	r       CreateRequest
	out     Outcome
	faults  []Fault
	ignored []Ignored
	// The create-only members of the body, when present and valid.
	enabled, mfaEnabled, emailVerified, lifecycleStatus jsonx.Value
	bodyPopulation                                      jsonx.Value // the body's population member
	hasPopulation                                       bool
}

func (c *creation) fault(path string, kind FaultKind, msg string, allowed ...string) {
	c.faults = append(c.faults, Fault{Path: path, Kind: kind, Message: msg, AllowedValues: allowed})
}

func (c *creation) readOnly(path string) {
	c.ignored = append(c.ignored, Ignored{Path: path, Reason: ReadOnly})
}

// boolean reads an optional boolean create member.
func (c *creation) boolean(m jsonx.Member) jsonx.Value {
	if m.Value.Kind != jsonx.True && m.Value.Kind != jsonx.False {
		c.fault(m.Name, Invalid, m.Name+" must be true or false")
		return jsonx.Value{}
	}
	return m.Value
}

// createOnly handles a body member that a create treats unlike a PUT (C2,
// C5), and reports whether it did.
func (c *creation) createOnly(m jsonx.Member) bool {
	switch m.Name {
	case "enabled":
		c.enabled = c.boolean(m)
	case "mfaEnabled":
		c.mfaEnabled = c.boolean(m)
	case "population":
		c.bodyPopulation, c.hasPopulation = m.Value, true
	case "emailVerified":
		if !c.r.Import {
			c.readOnly(m.Name)
			break
		}
		c.emailVerified = c.boolean(m)
	case "lifecycle":
		if !c.r.Import {
			c.readOnly(m.Name)
			break
		}
		c.lifecycle(m.Value)
	case "account", "verifyStatus", "password":
		c.readOnly(m.Name) // set by the server, or out of scope (X8)
	default:
		return false
	}
	return true
}

// lifecycle reads an import's lifecycle: only status may be set (C2).
func (c *creation) lifecycle(v jsonx.Value) {
	switch v.Kind {
	case jsonx.Null:
		return
	case jsonx.Object:
	default:
		c.fault("lifecycle", Invalid, "lifecycle must be an object")
		return
	}
	for _, m := range v.Members() {
		switch m.Name {
		case "status":
			if m.Value.Kind != jsonx.String || !slices.Contains(lifecycleStatuses, m.Value.Str) {
				c.fault("lifecycle.status", Invalid, "lifecycle.status must be ACCOUNT_OK or VERIFICATION_REQUIRED", lifecycleStatuses...)
				continue
			}
			c.lifecycleStatus = m.Value
		case "suppressVerificationCode":
			c.readOnly("lifecycle." + m.Name)
		default:
			c.ignored = append(c.ignored, Ignored{Path: "lifecycle." + m.Name, Reason: Unknown})
		}
	}
}

// population works out population.id (C1): the body's, or the default one;
// REQUIRED_VALUE without either, INVALID_VALUE when the environment does not
// list it (X4, C5).
func (c *creation) population() string {
	id := c.r.DefaultPopulation
	if c.hasPopulation && !c.bodyPopulation.IsNull() {
		if c.bodyPopulation.Kind != jsonx.Object {
			c.out.Faults = append(c.out.Faults, Fault{Path: "population", Kind: Invalid, Message: "population must be an object holding the id"})
			return ""
		}
		for _, m := range c.bodyPopulation.Members() {
			if m.Name != "id" {
				c.out.Ignored = append(c.out.Ignored, Ignored{Path: "population." + m.Name, Reason: Unknown})
			}
		}
		v, ok := c.bodyPopulation.Get("id")
		switch {
		case !ok || v.IsNull():
		case v.Kind != jsonx.String || v.Str == "":
			c.out.Faults = append(c.out.Faults, Fault{Path: "population.id", Kind: Invalid, Message: "population.id must be a population id, a non-empty string"})
			return ""
		default:
			id = v.Str
		}
	}
	switch {
	case id == "":
		c.out.Faults = append(c.out.Faults, Fault{Path: "population.id", Kind: Required,
			Message: "population.id is required: the environment has no default population"})
	case c.r.Populations != nil && !c.r.Populations[id]:
		c.out.Faults = append(c.out.Faults, Fault{Path: "population.id", Kind: Invalid, Message: "population.id names no population of this environment"})
	}
	return id
}

// build writes the new document: the server's members around what the PUT
// set (C1), every leaf an add (C5).
func (c *creation) build(put jsonx.Value, pop string) {
	obj := func(ms ...jsonx.Member) jsonx.Value { return jsonx.Obj(ms) }
	member := func(name string, v jsonx.Value) jsonx.Member { return jsonx.Member{Name: name, Value: v} }
	now := jsonx.Str(c.r.Request.Now)
	enabled := c.enabled
	if enabled.Kind == jsonx.Null {
		enabled = jsonx.Bool(true)
	}
	mfa := c.mfaEnabled
	if mfa.Kind == jsonx.Null {
		mfa = jsonx.Bool(false)
	}
	status := c.lifecycleStatus
	if status.Kind == jsonx.Null {
		status = jsonx.Str("ACCOUNT_OK")
	}
	ms := make([]jsonx.Member, 0, put.Len()+12) // the body's members and the server's
	ms = append(ms,
		member("id", jsonx.Str(c.r.NewID())),
		member("environment", obj(member("id", jsonx.Str(c.r.EnvironmentID)))),
		member("population", obj(member("id", jsonx.Str(pop)))),
	)
	for _, m := range put.Members() {
		if m.Name != "updatedAt" {
			ms = append(ms, m)
		}
	}
	if _, ok := put.Get("identityProvider"); !ok {
		ms = append(ms, member("identityProvider", obj(member("type", jsonx.Str("PING_ONE")))))
	}
	ms = append(ms,
		member("enabled", enabled),
		member("mfaEnabled", mfa),
		member("account", obj(member("canAuthenticate", enabled), member("status", jsonx.Str("OK")))),
		member("lifecycle", obj(member("status", status))),
		member("verifyStatus", jsonx.Str("NOT_INITIATED")),
	)
	if c.emailVerified.Kind != jsonx.Null {
		ms = append(ms, member("emailVerified", c.emailVerified))
	}
	ms = append(ms, member("createdAt", now), member("updatedAt", now))
	doc := jsonx.Obj(ms)
	c.out.Document = doc
	c.out.Changes = make([]Change, 0, 2*len(ms)) // a leaf per member, a few per COMPLEX one
	for _, m := range doc.Members() {
		if m.Name != "updatedAt" {
			c.out.Changes = Diff(c.out.Changes, c.r.Request.Catalogue.Lookup(m.Name), m.Name, jsonx.Value{}, false, m.Value, true)
		}
	}
	slices.SortStableFunc(c.out.Changes, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
}
