// Package policy decides who may change which attribute of a user (rules
// A1-A5 of docs/semantics.md).
//
// An [Actor] is an ADMIN holding role assignments, each scoped to the
// organization, an environment or a population, or a USER holding OAuth
// scopes on their own account. [Decide] turns an actor and the facts about
// the stored user ([Target]) into a [Grant], the set of attribute paths the
// actor may change, or a [Denial] of the whole request. The built-in role
// table has Identity Data Admin, which may update every writable attribute;
// embedders add roles with Settings.Roles.
//
// The Actor's JSON form is the one of the conformance case format, so case
// files, the CLI and Go code describe actors the same way. The package has no
// dependencies on the rest of amend.
package policy
