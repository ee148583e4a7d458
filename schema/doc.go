// Package schema is the attribute catalogue of an environment's users: the
// standard PingOne attributes with their constraints (rule V2 of
// docs/semantics.md), adjusted by STANDARD entries and extended by CUSTOM
// PingOne schema attributes (V4).
//
// [New] builds a [Catalogue] from PingOne schema attribute objects, as
// PingOne's schema attribute listing returns them ([ParseAttributes] reads
// both a plain array and the listing envelope), and refuses every schema
// that PingOne's limits forbid (L4) or that is inconsistent, naming the
// attribute. The catalogue compiles the user into a JSON Schema (draft
// 2020-12) with santhosh-tekuri/jsonschema through a compiler of its own,
// with amend's formats registered on it (IANA time zone, RFC 5646 language
// tag, Accept-Language, http(s) URL, phone, RFC 5322 email) and every URL
// load refused. [Catalogue.Validate] reports violations per attribute path.
//
// Nothing in this package can be changed by a caller at package level.
package schema
