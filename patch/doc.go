// Package patch holds the merge mechanics of amend: how a PATCH or PUT body
// combines with a stored user (rules P, U, I, D3-D7, W1, L3 and O3-O7 of
// docs/semantics.md), including an RFC 7396 JSON Merge Patch that keeps the
// exact text of numbers and member order.
//
// Apply reports facts in its own terms: the changed leaves, the ignored
// members, the values to validate and the rules broken (Faults). It does not
// authorize or validate values; package user does that and turns the facts
// into errors. Most programs use package user instead.
package patch
