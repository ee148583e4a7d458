// Package jsonx is amend's JSON plumbing: a strict reader that keeps member
// order and the exact text of numbers, a compact writer, and value equality.
//
// The reader refuses what E3.1 of the rulebook refuses: invalid UTF-8, lone
// surrogate escapes, raw control characters in strings, duplicate member names
// at any depth, trailing data, and nesting deeper than a limit. It never
// panics and allocates in proportion to its input.
//
// Parse reads every level. ParseLazy and ParseShared check every level the
// same way but read only the outermost object: nested containers stay
// unread, as their text, until an accessor asks for their members, and an
// unread value nobody changed is written out as it was read (Value). This
// keeps the cost of a request near that of reading its input once
// (docs/benchmarks.md).
package jsonx
