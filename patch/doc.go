// Package patch is RFC 7396 JSON Merge Patch on bytes, as amend applies it to
// the JSON attributes of a user (rule P6 of docs/semantics.md).
//
// [MergePatch] merges a patch into a target: objects merge recursively, null
// deletes a member at any depth, and anything else replaces the target.
// Unlike a merge through encoding/json and map[string]any, it keeps the
// exact text of numbers (12345678901234567890 stays so, 1.0 stays 1.0), the
// order of members (the target's first, then new ones in patch order), and
// it refuses what amend's reader refuses: invalid UTF-8, lone surrogate
// escapes, duplicate member names at any depth and trailing data. Its cost
// is linear in the sizes of its inputs.
//
// The PUT, PATCH and SCIM PATCH rules of a user update live in package
// user, which uses the same merge for JSON attributes.
package patch
