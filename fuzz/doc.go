// Package fuzz tests code that updates PingOne users, amend's own or yours,
// with random inputs and properties that must always hold.
//
// It has three parts, all built on pgregory.net/rapid, and needs no
// configuration: everything a test draws comes from the environment
// configuration (a user.Config) it is given.
//
// # Generators
//
// The generators draw valid inputs for an environment:
//
//   - [Environment] draws a random but valid environment: custom attributes of
//     every kind (STRING with an enumeration or a regular expression, BOOLEAN,
//     JSON, COMPLEX, multi-valued), identity providers, PingID, self-service
//     and an embedder's role.
//   - [Document] draws a stored user that is valid for an environment.
//   - [PatchBody] and [PutBody] draw request bodies that an actor allowed to
//     change everything ([Admin]) may send successfully.
//   - [InvalidBody] draws a body that breaks one chosen rule ([InvalidRules]
//     lists them), together with the error it must draw.
//   - [Actor] draws any actor, allowed or not; [Admin] only fully allowed ones.
//   - [AnyRequest] mixes all of the above with malformed, wrongly shaped and
//     hostile bodies.
//
// Generated documents and bodies are compact JSON with sorted object members
// and only the escaping encoding/json also uses, so a wrapper that re-encodes
// them with encoding/json (SetEscapeHTML(false)) keeps every member byte for
// byte.
//
// # Laws
//
// A law is a property of every correct implementation of the rulebook
// (docs/semantics.md), checked against a [Subject]: an environment's
// configuration and two [UpdateFunc]s, its PATCH and PUT. They may be Patch
// and Put of an amend environment, your own wrapper around them, or your own
// server behind an adapter. [Laws] lists the laws with the rule ids they
// check and [CheckLaws] runs them all:
//
//	func TestMyServer(t *testing.T) {
//		cfg := myConfig()
//		srv := newServer(cfg) // your code
//		s, err := fuzz.NewSubject(cfg, srv.Patch, srv.Put)
//		if err != nil {
//			t.Fatal(err)
//		}
//		rapid.Check(t, func(t *rapid.T) { fuzz.CheckLaws(t, s) })
//	}
//
// Build subjects once, not per check: building an environment compiles its
// JSON Schema, which takes milliseconds. docs/testing-your-server.md is the
// guide.
//
// Laws compare documents as JSON values (numbers by their exact text), except
// where a rule promises bytes: attributes a PATCH body does not name keep
// their bytes (P1).
//
// # Fuzzing
//
// A rapid property runs under go test -fuzz through rapid.MakeFuzz:
//
//	func FuzzLaws(f *testing.F) {
//		s := mySubject(f)
//		f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) { fuzz.CheckLaws(t, s) }))
//	}
//
// amend's own byte-level fuzz targets, seeded from the conformance suite, are
// FuzzPatch and FuzzPut in package user.
//
// Nothing here keeps state between calls: every generator and law is safe to
// use from parallel tests.
package fuzz
