package user

import (
	"github.com/amendlib/amend/internal/apply"
	"github.com/amendlib/amend/policy"
)

// ContentTypeSCIMPatch is the content type of a SCIM PATCH body (S1).
const ContentTypeSCIMPatch = "application/vnd.pingidentity.user.scim.patch+json"

// PatchSCIM applies a SCIM PATCH body, the content type
// application/vnd.pingidentity.user.scim.patch+json, to the stored user
// document on behalf of actor (S1-S5): {"Operations": [{"op": "add",
// "path": "tShirt", "value": [...]}, ...]}, RFC 7644 section 3.5.2
// operations that can edit single elements of multi-valued attributes
// through filters (tShirt[tshirtSize eq "XS"].tshirtColor). The operations
// apply in order, all or nothing; what changed is then judged as a PATCH
// (application/json) would be, except that a change of a server-managed,
// dedicated or disabled attribute is a CONSTRAINT_VIOLATION and an unknown
// attribute in a path is INVALID_VALUE (S4).
//
// It is a method of its own, not a content-type argument of Patch, because
// its body is a different language with errors of its own (S5): malformed
// operations, filters that do not parse (INVALID_FILTER) and filters that
// select nothing (noTarget) are answered after the whole-request refusals
// of A2 and A3 and before the per-attribute refusals of A5. stored and body
// are not modified or retained. On failure the error is an *Error.
func (e *Environment) PatchSCIM(stored []byte, actor policy.Actor, body []byte) (*Result, error) {
	if e == nil || e.cat == nil {
		return nil, notBuilt()
	}
	sv, err := e.readStored(stored)
	if err != nil {
		return nil, err
	}
	bv, err := e.readBody(body)
	if err != nil {
		return nil, err
	}
	grant, err := e.authorize(actor, e.target(sv))
	if err != nil {
		return nil, err
	}
	out := apply.ApplySCIM(apply.Request{Stored: sv, Body: bv, Catalogue: e.cat,
		IdentityProviders: e.idps, RejectUnknown: e.reject, PingIDConnected: e.pingID,
		MaxCustomBytes: e.limits.MaxCustomBytes, InputBytes: len(stored) + len(body), Now: e.now()}, e.limits.MaxOperations)
	if len(out.Malformed) > 0 {
		ds := make([]Detail, 0, len(out.Malformed))
		for _, f := range out.Malformed {
			ds = append(ds, faultDetail(f))
		}
		return nil, invalidData(sortDetails(ds))
	}
	return e.judge(grant, sv, stored, out.Outcome, len(body))
}
