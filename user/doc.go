// Package user applies PingOne user updates, PUT and PATCH, as pure
// functions.
//
// A stored user document, the acting party and a request body go in; the new
// document with the list of what changed, or one typed PingOne-shaped error,
// comes out. Nothing is stored, logged or fetched: the caller owns storage,
// HTTP and the uniqueness of values across users.
//
// # Environments
//
// An [Environment] is built once from a [Config]: the environment's schema
// attributes (PingOne schema attribute objects, see package schema), its
// identity providers, its flags and its [Limits]. NewEnvironment checks the
// configuration and refuses, at build time, every schema PingOne would
// refuse. An Environment is immutable and safe for concurrent use.
//
//	env, err := user.NewEnvironment(user.Config{})  // the standard PingOne user
//
// # Updates
//
// [Environment.Patch] changes only the attributes a body names: COMPLEX
// attributes are merged one level deep, JSON attributes with RFC 7396 JSON
// Merge Patch, and multi-valued attributes are replaced whole.
// [Environment.Put] replaces the writable attributes: what the body omits is
// removed. Both keep server-managed attributes (id, createdAt, ...) and
// attributes that have an operation of their own (enabled, mfaEnabled,
// population, password, ...); a body may repeat their stored values, so the
// document a GET returns, edited and sent back, is a valid PUT.
//
// Beware: a PUT body without identityProvider.id moves a federated user to
// PingOne, as PingOne does. The change list shows it ("remove
// identityProvider.id", "replace identityProvider.type").
//
// The [Result] carries the new document bytes, ready to store and return,
// and three lists: Changes (add, replace or remove per changed leaf),
// Ignored (body members ignored as unknown, disabled or read-only) and
// Unique (unique attributes the request sets, for the caller to check
// against other users; report a clash with [UniquenessViolation]). When
// nothing changed, Changes is empty and Document is the stored bytes, byte
// for byte, so the caller can skip the write. Otherwise updatedAt is set from
// Config.Clock. Numbers keep their exact text.
//
// # Errors
//
// Every failure is an [*Error] with PingOne's status, code and details; it
// marshals to PingOne's error body. The classes, checked in this order:
//
//   - 500 UNEXPECTED_ERROR: the stored document is not a JSON object.
//   - 400 INVALID_REQUEST: the body is not a UTF-8 JSON object without
//     duplicate member names, or breaks the size and depth limits.
//   - 403 ACCESS_FAILED: the actor may not update this user, or may not
//     change some attribute the request would change; each such attribute is
//     one detail whose Target is its path.
//   - 400 INVALID_DATA: every broken rule, one detail per attribute and
//     problem (REQUIRED_VALUE, EMPTY_VALUE, INVALID_VALUE,
//     CONSTRAINT_VIOLATION, SIZE_LIMIT_EXCEEDED).
//
// Match classes with errors.Is against [ErrUnexpected], [ErrInvalidRequest],
// [ErrAccessFailed] and [ErrInvalidData], and read details with errors.As.
// The library leaves Error.ID empty; set a fresh UUID before writing an
// error body to a client.
//
// # Ownership
//
// Put and Patch never modify or retain the byte slices they are given, and
// the returned Document is a new slice. The rules are documented, with their
// ids, in docs/semantics.md of the module.
package user
