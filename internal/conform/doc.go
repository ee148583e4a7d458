// Package conform reads and runs conformance cases (docs/conformance.md)
// through the library in-process. The CLI's "conform" command and the
// project's own tests both use it.
package conform
