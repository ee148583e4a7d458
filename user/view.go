package user

import (
	"net/http"
	"slices"
	"strings"

	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/policy"
)

// View renders the document actor may see in a response: never password,
// never a disabled attribute, and for a USER actor whose read scopes are
// p1:read:user:{suffix} scopes only the attributes those scopes list
// ("name" shows the whole COMPLEX attribute, "name.given" one sub-attribute);
// id is always shown. ADMIN actors and USER actors holding p1:read:user see
// every other attribute. A USER actor without any read scope sees only id.
//
// View is pure: doc is not modified or retained, and the result is new. A doc
// that is not a JSON object is 500 UNEXPECTED_ERROR.
func (e *Environment) View(doc []byte, actor policy.Actor) ([]byte, error) {
	if e == nil || e.cat == nil {
		return nil, notBuilt()
	}
	v, err := jsonx.ParseLazy(doc, MaxDepthCeiling)
	if err != nil || v.Kind != jsonx.Object {
		return nil, &Error{Status: http.StatusInternalServerError, Code: CodeUnexpectedError,
			Message: "the stored user document is not a JSON object"}
	}
	g := policy.DecideRead(actor)
	ms := v.Members()
	out := make([]jsonx.Member, 0, len(ms))
	for _, m := range ms {
		attr := e.cat.Lookup(m.Name)
		switch {
		case m.Name == "password" || attr != nil && attr.Disabled:
			continue
		case m.Name == "id" || g.Covers(m.Name):
			out = append(out, m)
		case m.Value.Kind == jsonx.Object:
			show := g.Visible(m.Name)
			var subs []jsonx.Member
			for name, sv := range m.Value.All() {
				if show[name] {
					subs = append(subs, jsonx.Member{Name: name, Value: sv})
				}
			}
			if len(subs) > 0 {
				out = append(out, jsonx.Member{Name: m.Name, Value: jsonx.Obj(subs)})
			}
		}
	}
	return jsonx.Append(make([]byte, 0, len(doc)), jsonx.Obj(out)), nil
}

// UniqueValue is the value of a unique attribute that a document holds
// (O7, H6).
type UniqueValue struct {
	// Path is the attribute: username, or an attribute marked unique.
	Path string
	// Value is the value as compact JSON, object members sorted, so that
	// equal JSON values have equal bytes (numbers keep their text, O5).
	Value []byte
}

// UniqueValues returns the values of every unique attribute doc holds,
// sorted by path: what a store keeps unique across an environment's users
// (H6). username compares case-insensitively in PingOne; the caller decides
// how to fold it. A doc that is not a JSON object is 500 UNEXPECTED_ERROR.
func (e *Environment) UniqueValues(doc []byte) ([]UniqueValue, error) {
	if e == nil || e.cat == nil {
		return nil, notBuilt()
	}
	v, err := e.readStored(doc)
	if err != nil {
		return nil, err
	}
	var out []UniqueValue
	for _, m := range v.Members() {
		a := e.cat.Lookup(m.Name)
		if a == nil || !a.Unique || a.Disabled || m.Value.IsNull() {
			continue
		}
		out = append(out, UniqueValue{Path: strings.Clone(m.Name), Value: jsonx.Append(nil, jsonx.Canonical(m.Value))}) // doc is not retained
	}
	slices.SortFunc(out, func(x, y UniqueValue) int { return strings.Compare(x.Path, y.Path) })
	return out, nil
}

// Read returns the stored document as actor may read it (H5): the read view
// of View, after the whole-request decision of who may read this user at
// all. An ADMIN needs a role assignment that applies to the user (A2); a
// USER may read only their own account (whatever its identity provider,
// and whether or not the environment lets users update themselves). A
// refusal is a 403 with one detail without target.
func (e *Environment) Read(doc []byte, actor policy.Actor) ([]byte, error) {
	if e == nil || e.cat == nil {
		return nil, notBuilt()
	}
	v, err := e.readStored(doc)
	if err != nil {
		return nil, err
	}
	t := e.target(v)
	reason := ""
	switch actor.Type {
	case policy.Admin:
		if _, denial := policy.Decide(actor, t, e.settings); denial != nil {
			reason = denial.Reason
		}
	case policy.User:
		if actor.UserID == "" || actor.UserID != t.UserID {
			reason = "a user may read only their own account"
		}
	default:
		reason = "the actor is neither an ADMIN nor a USER"
	}
	if reason != "" {
		e := refusal(reason, "")
		e.Message = "the actor may not read this user"
		return nil, e
	}
	return e.View(doc, actor)
}
