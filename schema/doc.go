// Package schema reads PingOne schema attributes, the definitions of a
// user's attributes that PingOne's schema attribute listing returns, and
// holds the format checks of the standard attributes (rules V2 and V4 of
// docs/semantics.md).
//
// An [Attribute] is one PingOne schema attribute object: CUSTOM ones add
// attributes to the user, STANDARD ones adjust a built-in attribute (enabled,
// unique), CORE ones restate one. [ParseAttributes] reads both a plain JSON
// array and PingOne's listing envelope {"_embedded": {"attributes": [...]}},
// ignoring the members amend does not use, so a listing can be used as
// PingOne returns it. Hand the attributes to user.NewEnvironment, which checks
// them against PingOne's limits (L4) and refuses, naming the attribute, every
// schema PingOne would refuse.
//
// The format checks ([IsEmail], [IsTimeZone], [IsLanguageTag],
// [IsAcceptLanguage], [IsHTTPURL], [IsPhone]) are the ones amend applies to
// the standard attributes; they are exported for servers that check the
// same values elsewhere.
//
// Nothing in this package can be changed by a caller at package level.
package schema
