package apply

import (
	"slices"
	"strings"
	"time"

	"github.com/amendlib/amend/internal/catalog"
	"github.com/amendlib/amend/internal/jsonx"
)

// The dedicated operations (X2-X7), named as the case format names them.
const (
	OpEnabled          = "enabled"
	OpMFAEnabled       = "mfaEnabled"
	OpPopulation       = "population"
	OpIdentityProvider = "identityProvider"
	OpVerifyStatus     = "verifyStatus"
	OpLock             = "lock"
	OpUnlock           = "unlock"
)

// VerifyStatuses are the values of verifyStatus (X7).
var verifyStatuses = []string{"NOT_INITIATED", "ENABLED", "DISABLED"}

// OperationRequest is everything Operate needs. Stored and Body are JSON
// objects (an empty body is passed as {}).
type OperationRequest struct {
	Op        string
	Stored    jsonx.Value
	Body      jsonx.Value
	Catalogue *catalog.Catalogue
	// IdentityProviders maps identity provider ids to their types (I1).
	IdentityProviders map[string]string
	// Populations holds the ids of the environment's populations; nil means
	// none listed, and any id is accepted (X4).
	Populations map[string]bool
	// Now is the clock's time; NowText its O3 form, set as updatedAt and
	// account.lockedAt.
	Now     time.Time
	NowText string
}

// Operate applies a dedicated operation (X2-X7) to a stored user. It reads
// the body, reports what it finds wrong as Faults (X9), and otherwise
// returns the new document and its changes: each member the operation sets
// or derives is compared with the stored value, or D4's default where
// nothing is stored, and only those that differ change. Authorization is the
// caller's. Inputs are not modified.
func Operate(r OperationRequest) Outcome {
	o := &operation{r: r, doc: newDocument(r.Stored.Members(), 2)}
	switch r.Op {
	case OpEnabled:
		if v, ok := o.boolMember("enabled"); ok {
			o.setTop("enabled", v)
			o.canAuthenticate()
		}
	case OpMFAEnabled:
		if v, ok := o.boolMember("mfaEnabled"); ok {
			o.setTop("mfaEnabled", v)
		}
	case OpVerifyStatus:
		if v, ok := o.enumMember("verifyStatus", verifyStatuses); ok {
			o.setTop("verifyStatus", v)
		}
	case OpPopulation:
		if id, ok := o.populationID(); ok {
			o.population(id)
		}
	case OpIdentityProvider:
		o.identityProvider()
	case OpLock:
		o.lock()
	case OpUnlock:
		o.use()
		o.unlock()
	}
	o.ignoreUnused()
	return o.finish()
}

type operation struct {
	r       OperationRequest
	doc     document
	used    []string // the body members the operation reads
	touched []string
	out     Outcome
}

func (o *operation) fault(path string, kind FaultKind, msg string, allowed ...string) {
	o.out.Faults = append(o.out.Faults, Fault{Path: path, Kind: kind, Message: msg, AllowedValues: allowed})
}

// use marks body members as read by the operation (X1).
func (o *operation) use(names ...string) { o.used = append(o.used, names...) }

// member returns the body member name, marking it used.
func (o *operation) member(name string) (jsonx.Value, bool) {
	o.use(name)
	return o.r.Body.Get(name)
}

// ignoreUnused reports the body members the operation does not use (X1).
func (o *operation) ignoreUnused() {
	for _, m := range o.r.Body.Members() {
		if !slices.Contains(o.used, m.Name) {
			o.out.Ignored = append(o.out.Ignored, Ignored{Path: m.Name, Reason: Unknown})
		}
	}
}

// boolMember reads a required boolean member (X2, X3, X9).
func (o *operation) boolMember(name string) (jsonx.Value, bool) {
	v, ok := o.member(name)
	switch {
	case !ok:
		o.fault(name, Required, name+" is required")
	case v.Kind != jsonx.True && v.Kind != jsonx.False:
		o.fault(name, Invalid, name+" must be true or false")
	default:
		return v, true
	}
	return jsonx.Value{}, false
}

// enumMember reads a required string member with allowed values (X7, X9).
func (o *operation) enumMember(name string, allowed []string) (jsonx.Value, bool) {
	v, ok := o.member(name)
	switch {
	case !ok:
		o.fault(name, Required, name+" is required")
	case v.Kind != jsonx.String || !slices.Contains(allowed, v.Str):
		o.fault(name, Invalid, name+" must be one of "+strings.Join(allowed, ", "), allowed...)
	default:
		return v, true
	}
	return jsonx.Value{}, false
}

// current returns the stored value of a top-level attribute, or its D4
// default when nothing (or null) is stored; ok is false when there is
// neither.
func (o *operation) current(name string) (jsonx.Value, bool) {
	if v, ok := o.doc.get(name); ok && !v.IsNull() {
		return v, true
	}
	if a := o.r.Catalogue.Lookup(name); a != nil && a.HasDefault {
		return a.Default, true
	}
	return jsonx.Value{}, false
}

// setTop sets a top-level attribute when v differs from its current value
// (X9): an absent member equal to its default stays absent.
func (o *operation) setTop(name string, v jsonx.Value) {
	if cur, ok := o.current(name); ok && jsonx.Equal(cur, v) {
		return
	}
	o.touched = append(o.touched, name)
	o.doc.set(name, v)
}

// account returns the stored account object's members (none when account
// is absent or not an object).
func (o *operation) account() []jsonx.Member {
	if v, ok := o.doc.get("account"); ok && v.Kind == jsonx.Object {
		return v.Members()
	}
	return nil
}

// subCurrent returns account's sub-attribute name as stored, or its D4
// default.
func (o *operation) subCurrent(name string) (jsonx.Value, bool) {
	if i := jsonx.Index(o.account(), name); i >= 0 && !o.account()[i].Value.IsNull() {
		return o.account()[i].Value, true
	}
	if s := o.r.Catalogue.Lookup("account").Sub(name); s != nil && s.HasDefault {
		return s.Default, true
	}
	return jsonx.Value{}, false
}

// setAccount sets (v non-nil) or removes sub-attributes of account, each only
// when it differs from its current value (X9). A stored account that is not
// an object is replaced whole.
func (o *operation) setAccount(subs ...jsonx.Member) {
	ms := slices.Clone(o.account())
	changed := false
	for _, s := range subs {
		i := jsonx.Index(ms, s.Name)
		remove := s.Value.Kind == jsonx.Null
		switch {
		case remove && i >= 0:
			ms = slices.Delete(ms, i, i+1)
			changed = true
		case remove:
		default:
			if cur, ok := o.subCurrent(s.Name); ok && jsonx.Equal(cur, s.Value) && (i >= 0 || o.hasDefault(s.Name)) {
				continue
			}
			if i >= 0 {
				ms[i].Value = s.Value
			} else {
				ms = append(ms, s)
			}
			changed = true
		}
	}
	if !changed {
		return
	}
	o.touched = append(o.touched, "account")
	if len(ms) == 0 {
		o.doc.del("account")
		return
	}
	o.doc.set("account", jsonx.Obj(ms))
}

func (o *operation) hasDefault(sub string) bool {
	s := o.r.Catalogue.Lookup("account").Sub(sub)
	return s != nil && s.HasDefault
}

// locked reports whether account.status is LOCKED.
func (o *operation) locked() bool {
	v, _ := o.subCurrent("status")
	return v.Kind == jsonx.String && v.Str == "LOCKED"
}

// enabled reports the current enabled value (default true, D4).
func (o *operation) enabled() bool {
	v, _ := o.current("enabled")
	return v.Kind != jsonx.False
}

// canAuthenticate derives account.canAuthenticate from enabled and the
// lock (X2): enabled and not LOCKED.
func (o *operation) canAuthenticate() {
	o.setAccount(jsonx.Member{Name: "canAuthenticate", Value: jsonx.Bool(o.enabled() && !o.locked())})
}

// populationID reads X4's body: a non-empty string id, listed by the
// environment when it lists populations.
func (o *operation) populationID() (string, bool) {
	v, ok := o.member("id")
	switch {
	case !ok:
		o.fault("id", Required, "id is required: the id of the population to move the user to")
	case v.Kind != jsonx.String || v.Str == "":
		o.fault("id", Invalid, "id must be a population id, a non-empty string")
	case o.r.Populations != nil && !o.r.Populations[v.Str]:
		o.fault("id", Invalid, "id names no population of this environment")
	default:
		return v.Str, true
	}
	return "", false
}

// PopulationBodyID returns the population id of an X4 body when it is a
// non-empty string, for the authorization of the move; "" otherwise.
func PopulationBodyID(body jsonx.Value) string {
	if v, ok := body.Get("id"); ok && v.Kind == jsonx.String {
		return v.Str
	}
	return ""
}

// population sets population to {"id": id} unless it already holds id (X4).
func (o *operation) population(id string) {
	if v, ok := o.doc.get("population"); ok {
		if cur, ok := v.Get("id"); ok && cur.Kind == jsonx.String && cur.Str == id {
			return
		}
	}
	o.touched = append(o.touched, "population")
	o.doc.set("population", jsonx.Obj([]jsonx.Member{{Name: "id", Value: jsonx.Str(id)}}))
}

// identityProvider applies X5: {"id": ...} or {"identityProvider": {"id":
// ...}}; an empty body, {}, a null id or a null or empty identityProvider
// resets the user to PingOne (I3, I4).
func (o *operation) identityProvider() {
	flat, hasFlat := o.member("id")
	nested, hasNested := o.member("identityProvider")
	if _, ok := o.member("type"); ok {
		o.out.Ignored = append(o.out.Ignored, Ignored{Path: "type", Reason: ReadOnly}) // derived from the id (I1)
	}
	id, path := flat, "id"
	switch {
	case hasFlat && hasNested:
		o.fault("identityProvider", Invalid, "send the id either as id or as identityProvider.id, not both")
		return
	case hasNested && nested.Kind == jsonx.Object:
		path = "identityProvider.id"
		id, hasFlat = nested.Get("id")
		for _, m := range nested.Members() {
			switch m.Name {
			case "id":
			case "type":
				o.out.Ignored = append(o.out.Ignored, Ignored{Path: "identityProvider.type", Reason: ReadOnly})
			default:
				o.out.Ignored = append(o.out.Ignored, Ignored{Path: "identityProvider." + m.Name, Reason: Unknown})
			}
		}
	case hasNested && !nested.IsNull():
		o.fault("identityProvider", Invalid, "identityProvider must be an object holding the id")
		return
	}
	sv, has := o.doc.get("identityProvider")
	switch {
	case !hasFlat || id.IsNull():
		if nv, ok := ResetValue(sv, has); ok {
			o.touched = append(o.touched, "identityProvider")
			o.doc.set("identityProvider", nv)
		}
	case id.Kind != jsonx.String:
		o.fault(path, Invalid, path+" must be the id of an identity provider of this environment")
	default:
		nv, changed, unknown := SetValue(sv, id, o.r.IdentityProviders)
		if unknown {
			o.fault(path, Invalid, path+" names no identity provider of this environment")
			return
		}
		if changed {
			o.touched = append(o.touched, "identityProvider")
			o.doc.set("identityProvider", nv)
		}
	}
}

// lock applies X6's lock: status LOCKED, lockedAt now, unlockAt when given
// (strictly after now, stored in O3's form), canAuthenticate false. Locking
// a locked account changes nothing, except a different unlockAt, which
// replaces the stored one and keeps lockedAt.
func (o *operation) lock() {
	var unlockAt jsonx.Value
	if v, ok := o.member("unlockAt"); ok {
		t, err := time.Parse(time.RFC3339Nano, v.Str)
		if v.Kind != jsonx.String || err != nil {
			o.fault("unlockAt", Invalid, "unlockAt must be an RFC 3339 time such as 2026-01-02T03:04:05.678Z")
			return
		}
		at := t.UTC().Truncate(time.Millisecond)
		if !at.After(o.r.Now.UTC().Truncate(time.Millisecond)) {
			o.fault("unlockAt", Invalid, "unlockAt must be in the future")
			return
		}
		unlockAt = jsonx.Str(at.Format("2006-01-02T15:04:05.000Z"))
	}
	if o.locked() {
		if unlockAt.Kind == jsonx.String {
			o.setAccount(jsonx.Member{Name: "unlockAt", Value: unlockAt})
		}
		return
	}
	subs := []jsonx.Member{
		{Name: "status", Value: jsonx.Str("LOCKED")},
		{Name: "lockedAt", Value: jsonx.Str(o.r.NowText)},
		{Name: "canAuthenticate", Value: jsonx.Bool(false)},
	}
	if unlockAt.Kind == jsonx.String {
		subs = append(subs, jsonx.Member{Name: "unlockAt", Value: unlockAt})
	} else {
		subs = append(subs, jsonx.Member{Name: "unlockAt"}) // a stale unlockAt goes
	}
	o.setAccount(subs...)
}

// unlock applies X6's unlock: status OK, lockedAt and unlockAt removed,
// canAuthenticate following enabled. Unlocking an account that is not
// locked changes nothing.
func (o *operation) unlock() {
	if !o.locked() {
		return
	}
	o.setAccount(
		jsonx.Member{Name: "status", Value: jsonx.Str("OK")},
		jsonx.Member{Name: "lockedAt"},
		jsonx.Member{Name: "unlockAt"},
		jsonx.Member{Name: "canAuthenticate", Value: jsonx.Bool(o.enabled())},
	)
}

// finish lists the changes and sets updatedAt when something changed (O3,
// O5).
func (o *operation) finish() Outcome {
	slices.SortStableFunc(o.out.Ignored, func(x, y Ignored) int { return strings.Compare(x.Path, y.Path) })
	if len(o.out.Faults) > 0 {
		return o.out
	}
	names := o.touched
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		sv, sok := o.doc.stored(name)
		dv, dok := o.doc.get(name)
		o.out.Changes = Diff(o.out.Changes, o.r.Catalogue.Lookup(name), name, sv, sok, dv, dok)
	}
	slices.SortStableFunc(o.out.Changes, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
	if len(o.out.Changes) == 0 {
		o.out.Document = o.r.Stored
		return o.out
	}
	o.doc.set("updatedAt", jsonx.Str(o.r.NowText))
	o.out.Document = jsonx.Obj(o.doc.members())
	return o.out
}
