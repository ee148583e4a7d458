package user

import (
	"net/http"

	"github.com/amendlib/amend/internal/apply"
	"github.com/amendlib/amend/internal/jsonx"
	"github.com/amendlib/amend/policy"
)

// Operation names a dedicated operation: the only way the attributes of D4
// change (X2-X7). The names are those of the conformance case format's
// request.operation.
type Operation string

// The dedicated operations, with their bodies and what they set.
const (
	// OperationEnabled: {"enabled": true|false} sets enabled, and
	// account.canAuthenticate to enabled and not locked (X2).
	OperationEnabled Operation = apply.OpEnabled
	// OperationMFAEnabled: {"mfaEnabled": true|false} (X3). The only
	// operation a USER may use, on their own account, with the scope
	// p1:update:userMfaEnabled.
	OperationMFAEnabled Operation = apply.OpMFAEnabled
	// OperationPopulation: {"id": "<population id>"} moves the user (X4).
	OperationPopulation Operation = apply.OpPopulation
	// OperationIdentityProvider: {"id": "<idp id>"} or
	// {"identityProvider": {"id": ...}}; an empty body, {} or a null id
	// resets the user to PingOne (X5).
	OperationIdentityProvider Operation = apply.OpIdentityProvider
	// OperationVerifyStatus: {"verifyStatus": "NOT_INITIATED"|"ENABLED"|"DISABLED"} (X7).
	OperationVerifyStatus Operation = apply.OpVerifyStatus
	// OperationLock: an optional {"unlockAt": "<RFC 3339 time>"} in the
	// future; locks the account (X6).
	OperationLock Operation = apply.OpLock
	// OperationUnlock: no body; unlocks the account (X6).
	OperationUnlock Operation = apply.OpUnlock
)

// Operations lists the dedicated operations.
func Operations() []Operation {
	return []Operation{OperationEnabled, OperationMFAEnabled, OperationPopulation, OperationIdentityProvider,
		OperationVerifyStatus, OperationLock, OperationUnlock}
}

// attribute is what an operation changes: the attribute its grant names and
// the target of its refusals (X1, X9).
func (op Operation) attribute() (grant, target string) {
	switch op {
	case OperationEnabled, OperationMFAEnabled, OperationVerifyStatus:
		return string(op), string(op)
	case OperationPopulation:
		return "population", "population.id"
	case OperationIdentityProvider:
		return "identityProvider", "identityProvider.id"
	case OperationLock, OperationUnlock:
		return "account", "account"
	}
	return "", ""
}

// Apply applies the dedicated operation op to the stored user document on
// behalf of actor (X1-X9), and returns the new document, like Put and Patch:
// when nothing changes, the stored bytes and an empty change list (O3). An
// empty body (zero bytes) reads as {}. Body members the operation does not
// use are ignored and reported. stored and body are not modified or
// retained. On failure the error is an *Error: the classes and their order
// are those of Put and Patch (E3); refusals of the operation's own grant
// name its attribute as target (enabled, mfaEnabled, population.id,
// identityProvider.id, account or verifyStatus).
func (e *Environment) Apply(op Operation, stored []byte, actor policy.Actor, body []byte) (*Result, error) {
	if e == nil || e.cat == nil {
		return nil, notBuilt()
	}
	grantAttr, target := op.attribute()
	if grantAttr == "" {
		return nil, &Error{Status: http.StatusInternalServerError, Code: CodeUnexpectedError,
			Message: "user: unknown operation " + string(op)}
	}
	sv, err := e.readStored(stored)
	if err != nil {
		return nil, err
	}
	bv, err := e.readOptionalBody(body)
	if err != nil {
		return nil, err
	}
	t := e.target(sv)
	if _, err := e.authorize(actor, t); err != nil {
		return nil, err
	}
	if !policy.MayOperate(actor, t, e.settings, grantAttr) {
		return nil, refusal(operationRefusal(actor, op), target)
	}
	if op == OperationPopulation {
		// X4: the move needs a role covering the new population too.
		moved := t
		moved.PopulationID = apply.PopulationBodyID(bv)
		if !policy.MayOperate(actor, moved, e.settings, grantAttr) {
			return nil, refusal("no role assignment of the actor covers the population the user would move to", target)
		}
	}
	now := e.clock()
	out := apply.Operate(apply.OperationRequest{Op: string(op), Stored: sv, Body: bv, Catalogue: e.cat,
		IdentityProviders: e.idps, Populations: e.popSet, Now: now, NowText: formatTime(now)})
	if details := e.invalid(out); len(details) > 0 {
		return nil, invalidData(details)
	}
	return e.result(stored, out, 0), nil
}

func operationRefusal(actor policy.Actor, op Operation) string {
	if actor.Type == policy.User {
		if op == OperationMFAEnabled {
			return "a user may use the mfaEnabled operation only with the scope " + policy.ScopeUpdateUserMFAEnabled
		}
		return "a user may not use the " + string(op) + " operation"
	}
	return "no role assignment of the actor grants the " + string(op) + " operation over this user"
}

// readOptionalBody reads the body of an operation: zero bytes is {} (X9).
func (e *Environment) readOptionalBody(b []byte) (jsonx.Value, *Error) {
	if len(b) == 0 {
		return jsonx.Obj(nil), nil
	}
	return e.readBody(b)
}

func (e *Environment) defaultPopulation() string {
	for _, p := range e.populations {
		if p.Default {
			return p.ID
		}
	}
	return ""
}

// Create creates a user from a body (application/json) on behalf of actor
// (C1-C3): a PUT onto an empty user plus what the server sets (a new id from
// Config.NewID, environment.id, createdAt and updatedAt, enabled,
// mfaEnabled, account, lifecycle, identityProvider, verifyStatus and
// population.id, from the body or the environment's default population).
// Server-managed members and password are ignored and reported. The change
// list holds every leaf of the new document as an add, updatedAt excepted;
// Unique holds every unique attribute the new user has, for the caller to
// check against other users. Only an ADMIN with Identity Data Admin, or an
// embedder role whose list is "*", applicable to the new user creates
// (C3, C5). body is not modified or retained.
func (e *Environment) Create(actor policy.Actor, body []byte) (*Result, error) {
	return e.create(actor, body, false)
}

// Import is Create with the import content type
// (application/vnd.pingidentity.user.import+json): the body may also set
// lifecycle.status (ACCOUNT_OK or VERIFICATION_REQUIRED) and emailVerified
// (C2).
func (e *Environment) Import(actor policy.Actor, body []byte) (*Result, error) {
	return e.create(actor, body, true)
}

func (e *Environment) create(actor policy.Actor, body []byte, imp bool) (*Result, error) {
	if e == nil || e.cat == nil {
		return nil, notBuilt()
	}
	bv, err := e.readBody(body)
	if err != nil {
		return nil, err
	}
	if actor.Type != policy.Admin {
		return nil, refusal("only an ADMIN creates users", "")
	}
	// C3: A2 judged on the new document's environment and population.
	t := policy.Target{EnvironmentID: e.id, PopulationID: apply.CreatePopulation(bv, e.defaultPopulation())}
	if _, denial := policy.Decide(actor, t, e.settings); denial != nil {
		return nil, refusal(denial.Reason, "")
	}
	if !policy.MayOperate(actor, t, e.settings, policy.AllAttributes) {
		return nil, refusal("creating a user needs Identity Data Admin or a role that grants every attribute", "")
	}
	now := e.now()
	out := apply.Create(apply.CreateRequest{Body: bv, Import: imp, NewID: e.newID, EnvironmentID: e.id,
		Populations: e.popSet, DefaultPopulation: e.defaultPopulation(),
		Request: apply.Request{Catalogue: e.cat, IdentityProviders: e.idps, RejectUnknown: e.reject,
			MaxCustomBytes: e.limits.MaxCustomBytes, InputBytes: len(body), Now: now}})
	if details := e.invalid(out); len(details) > 0 {
		return nil, invalidData(details)
	}
	return e.result(nil, out, len(body)+256), nil
}

// Delete decides whether actor may delete the stored user (C4, C5): nil
// when it may, otherwise an *Error (500 for a stored document that is not a
// JSON object, 403 for a refusal). Only an ADMIN with Identity Data Admin,
// or an embedder role whose list is "*", applicable to the stored user
// deletes. The library stores nothing: the caller deletes, and a server
// answers 204.
func (e *Environment) Delete(stored []byte, actor policy.Actor) error {
	if e == nil || e.cat == nil {
		return notBuilt()
	}
	sv, err := e.readStored(stored)
	if err != nil {
		return err
	}
	if actor.Type != policy.Admin {
		return refusal("only an ADMIN deletes users", "")
	}
	t := e.target(sv)
	if _, err := e.authorize(actor, t); err != nil {
		return err
	}
	if !policy.MayOperate(actor, t, e.settings, policy.AllAttributes) {
		return refusal("deleting a user needs Identity Data Admin or a role that grants every attribute", "")
	}
	return nil
}
