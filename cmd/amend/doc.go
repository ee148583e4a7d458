// Command amend applies PingOne user updates from files and runs
// conformance cases.
//
// Usage:
//
//	amend apply   --method PATCH|PUT --stored FILE --body FILE|- [flags]
//	amend conform PATH...
//	amend schema  [--env FILE]
//
// apply prints the new document (exit 0), or PingOne's error body with a
// fresh UUID id (exit 1); the change, ignored and unique lists go to
// standard error. conform runs the conformance cases found under the given
// files and directories and ends with "N passed, M failed" (exit 0 only when
// nothing failed). schema prints the JSON Schema of an environment's user.
//
// Every command explains its flags with -h (exit 0). A mistake on the
// command line is one line on standard error and exit status 2; a file that
// cannot be read or used is an error naming it, exit status 1.
//
// The actor and environment files hold the actor and environment objects of
// the conformance case format (docs/conformance.md of the module).
package main
