package main

import (
	"context"
	"flag"

	"github.com/amendlib/amend/conformance"
)

const conformUsage = `Usage: amend conform [--target URL] [--parallel N] PATH...

Runs the conformance cases found in the given files and directories
(directories are read recursively, in name order; see docs/conformance.md),
through the library in-process, or with --target against a live server that
implements the control API (rule H9; amend serve --control does). Each
failing case is printed with its file, name, reason and a want/got diff; the
last line is "N passed, M failed". Exit status 0 when nothing failed, 1
otherwise.

Examples:
  amend conform testdata/conformance
  amend conform --target http://127.0.0.1:8080 --parallel 4 testdata/conformance
`

func conformFlags(fs *flag.FlagSet) func([]string, stdio) (int, error) {
	target := fs.String("target", "", "the base `URL` of a server with the control API, such as http://127.0.0.1:8080\n(default: the library, in-process)")
	parallel := fs.Int("parallel", 1, "how many cases run at once (`N` at least 1); cases are independent")
	return func(paths []string, std stdio) (int, error) {
		if len(paths) == 0 {
			return 0, usagef("conform needs at least one file or directory")
		}
		if *parallel < 1 {
			return 0, usagef("--parallel %d: want at least 1", *parallel)
		}
		cases, err := conformance.Load(paths...)
		if err != nil {
			return 0, err
		}
		t := conformance.Library()
		if *target != "" {
			if t, err = conformance.NewHTTP(*target, nil); err != nil {
				return 0, usagef("--target: %v", err)
			}
		}
		rep := conformance.Run(context.Background(), t, cases, conformance.Options{Parallel: *parallel})
		rep.Write(std.out)
		if rep.Failed > 0 {
			return exitFailed, nil
		}
		return exitOK, nil
	}
}
