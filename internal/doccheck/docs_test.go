// Package doccheck holds the test that keeps the documentation true: every
// shell command and Go program in README.md and docs/*.md that is marked for
// it runs, so the docs cannot drift from the code.
//
// Marking: a fenced block whose info string is "sh test" has each of its
// command lines run with bash from the module's root, and each must exit 0;
// "sh test exit=N" expects status N instead. A block whose info string is
// "go test" is a whole Go program (package main) and must run and exit 0.
// Lines of a command may be continued with a trailing backslash; lines
// starting with # are comments.
package doccheck

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

type block struct {
	file string
	line int
	info []string // the info string's words: "sh", "test", "exit=1"
	body []string
}

func blocks(t *testing.T, file string) []block {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []block
	var cur *block
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &block{file: file, line: n, info: strings.Fields(strings.TrimPrefix(trimmed, "```"))}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.body = append(cur.body, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// marked reports whether a block is marked for the test, and the exit
// status it expects.
func (b block) marked(lang string) (bool, int) {
	if len(b.info) < 2 || b.info[0] != lang || b.info[1] != "test" {
		return false, 0
	}
	want := 0
	for _, w := range b.info[2:] {
		if v, ok := strings.CutPrefix(w, "exit="); ok {
			want, _ = strconv.Atoi(v)
		}
	}
	return true, want
}

// commands joins continued lines and drops comments and blank lines.
func (b block) commands() []string {
	var out []string
	var cur strings.Builder
	for _, line := range b.body {
		trimmed := strings.TrimSpace(line)
		if cur.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			cur.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		cur.WriteString(trimmed)
		out = append(out, cur.String())
		cur.Reset()
	}
	return out
}

func docFiles(t *testing.T, root string) []string {
	files := []string{filepath.Join(root, "README.md")}
	more, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return append(files, more...)
}

func exitCode(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// TestDocs runs every marked command and program of the documentation.
func TestDocs(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the documentation's commands build and run the CLI")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, file := range docFiles(t, root) {
		rel, _ := filepath.Rel(root, file)
		for _, b := range blocks(t, file) {
			if ok, want := b.marked("sh"); ok {
				for _, cmd := range b.commands() {
					ran++
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
					c := exec.CommandContext(ctx, "bash", "-c", cmd)
					c.Dir = root
					out, err := c.CombinedOutput()
					cancel()
					if got := exitCode(err); got != want {
						t.Errorf("%s:%d: %s\nexit %d, want %d:\n%s", rel, b.line, cmd, got, want, out)
					}
				}
			}
			if ok, want := b.marked("go"); ok {
				ran++
				dir := t.TempDir()
				src := filepath.Join(dir, "main.go")
				if err := os.WriteFile(src, []byte(strings.Join(b.body, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				c := exec.CommandContext(ctx, "go", "run", src)
				c.Dir = root
				out, err := c.CombinedOutput()
				cancel()
				if got := exitCode(err); got != want {
					t.Errorf("%s:%d: the Go program exits %d, want %d:\n%s", rel, b.line, got, want, out)
				}
			}
		}
	}
	if ran < 5 {
		t.Errorf("only %d marked commands and programs found", ran)
	}
	t.Logf("%d commands and programs run", ran)
}
