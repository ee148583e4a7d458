// Package server serves PingOne's user endpoints over HTTP with amend's
// rules (H1-H9 of docs/semantics.md): a PingOne users API double for mock
// authors and client tests, and a model for an identity server of your own.
//
// [New] builds a [Server], an http.Handler, from a [Config]: the
// environments (the case format's environment objects), a token-to-actor
// table, a [Store] (an in-memory [MemoryStore] by default; package
// server/pgstore keeps users in PostgreSQL), a clock, an id source and the
// base URL of links.
//
// Routes, under /v1/environments/{envID}: POST /users (create: JSON or the
// import content type), GET /users (filter, limit, cursor; absolute
// _links.next), GET, PUT, PATCH (JSON or SCIM PATCH) and DELETE
// /users/{id}, GET and PUT /users/{id}/enabled, /mfaEnabled, /population,
// /identityProvider and /verifyStatus, and POST /users/{id} with the
// account lock and unlock content types. Every Content-Type header is read
// and a vnd.pingidentity one wins; every error is PingOne's error body;
// answers are the actor's read view with a strong ETag, If-Match and
// If-None-Match are honoured, each update is an atomic read-modify-write,
// and username and unique attributes stay unique under concurrent requests.
//
// The control API (H9), under /__amend/, sets environments, tokens, the
// clock, the ids of creates and stored documents for conformance runs. It is
// mounted only with Config.Control, never by default.
package server
