package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"

	"github.com/amendlib/amend/internal/conform"
)

const conformUsage = `Usage: amend conform PATH...

Runs the conformance cases found in the given files and directories
(directories are read recursively, in name order; see docs/conformance.md).
Each failing case is printed with its file, name, reason and a want/got
diff; the last line is "N passed, M failed". Exit status 0 when nothing
failed, 1 otherwise.

Example:
  amend conform testdata/conformance
`

func conformFlags(_ *flag.FlagSet) func([]string, stdio) (int, error) {
	return func(paths []string, std stdio) (int, error) {
		if len(paths) == 0 {
			return 0, usagef("conform needs at least one file or directory")
		}
		for _, p := range paths {
			if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
				return 0, fmt.Errorf("%s: no such file or directory", p)
			}
		}
		files, err := conform.Files(paths)
		if err != nil {
			return 0, err
		}
		passed, failed := 0, 0
		for _, f := range files {
			for _, o := range conform.RunFile(f) {
				if o.Passed() {
					passed++
					continue
				}
				failed++
				fmt.Fprintf(std.out, "FAIL %s: %s\n", o.File, o.Name)
				if o.Reason != "" {
					fmt.Fprintf(std.out, "  reason: %s\n", o.Reason)
				}
				fmt.Fprintf(std.out, "%s\n\n", o.Failure)
			}
		}
		fmt.Fprintf(std.out, "%d passed, %d failed\n", passed, failed)
		if failed > 0 {
			return exitFailed, nil
		}
		return exitOK, nil
	}
}
