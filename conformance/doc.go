// Package conformance runs amend's conformance cases against a target: the
// library in-process, or any server over HTTP that implements the control
// API of rule H9 (docs/semantics.md).
//
// A case is one request with its whole context (environment, actor,
// stored user, clock, ids) and the exact expected outcome, as plain JSON
// (docs/conformance.md). [Load] reads cases from files and directories,
// [LoadFS] from a file system such as the suite amend embeds (amend.Suite),
// and [Run] runs them against a [Target] and reports each one, with a
// readable want/got diff for a failure:
//
//	cases, err := conformance.LoadFS(amend.Suite, "testdata/conformance")
//	if err != nil {
//		log.Fatal(err)
//	}
//	target, err := conformance.NewHTTP(baseURL, nil)
//	if err != nil {
//		log.Fatal(err)
//	}
//	report := conformance.Run(ctx, target, cases, conformance.Options{Parallel: 4})
//	report.Write(os.Stdout) // ends with "N passed, M failed"
//
// [Library] runs the cases through package user. [NewHTTP] drives a server:
// for each case it sets the environment, a token for the actor, the clock
// and the ids of creates through the control API, stores the stored user,
// sends the request with the token, and checks the answer and the stored
// document read back (H10). It depends only on the HTTP protocol of H1-H10,
// never on amend's internals, so it checks any server that implements
// them; the change, ignored and unique lists, which HTTP does not show, are
// not compared there. [Test] runs cases as subtests of a Go test.
package conformance
