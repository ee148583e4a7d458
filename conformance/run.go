package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/amendlib/amend/user"
	"github.com/google/go-cmp/cmp"
)

// Target runs cases: the library in-process (Library), or a server over
// HTTP (HTTP). Run runs one case and reports what it observed; an error
// means the case could not be run at all (the target is unreachable, its
// control API refused the setup), which is a failure of the case too.
// Targets are safe for concurrent use.
type Target interface {
	Run(ctx context.Context, c *Case) (*Got, error)
}

// Got is what a target observed for one case.
type Got struct {
	// Error is the error answered, nil on success. Over HTTP, Status is the
	// HTTP status and Code and Details come from the error body.
	Error *user.Error
	// Document is the stored document after the request: for a success,
	// the result (read back through the control API over HTTP); nil for a
	// DELETE that removed the user.
	Document json.RawMessage
	// Changes, Ignored and Unique are the result's lists when the target
	// can see them (in-process); nil otherwise, and then not compared.
	Changes *[]user.Change
	Ignored *[]user.Ignored
	Unique  *[]string
	// Answer is a problem that the target found itself (over HTTP: the
	// answer is not the actor's read view of the stored document, or an
	// error answer left the stored user changed); "" when there is none.
	Answer string
}

// Result is the outcome of one case.
type Result struct {
	File, Name, Reason string
	// Failure is "" when the case passed; otherwise it says why, with a
	// readable (-want +got) diff where one applies.
	Failure string
}

// Passed reports whether the case passed.
func (r Result) Passed() bool { return r.Failure == "" }

// Report is the outcome of a run, with one Result per case in the order
// the cases were given.
type Report struct {
	Results        []Result
	Passed, Failed int
}

// Write prints the failing cases, each with its file, name, reason and
// failure, and ends with the line "N passed, M failed".
func (r *Report) Write(w io.Writer) {
	for _, res := range r.Results {
		if res.Passed() {
			continue
		}
		fmt.Fprintf(w, "FAIL %s: %s\n", res.File, res.Name)
		if res.Reason != "" {
			fmt.Fprintf(w, "  reason: %s\n", res.Reason)
		}
		fmt.Fprintf(w, "%s\n\n", res.Failure)
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed, r.Failed)
}

// Options tune a run.
type Options struct {
	// Parallel is how many cases run at once; 0 or 1 means one at a time.
	// Cases that share global state of a server (its clock, the ids of its
	// creates) never run at the same time as cases that set it otherwise.
	Parallel int
}

// Run runs the cases against the target and reports every one. Cases that
// break the format are failures.
func Run(ctx context.Context, t Target, cases []*Case, opts Options) *Report {
	rep := &Report{Results: make([]Result, len(cases))}
	// Cases with the same clock may run together; a create sets the ids of
	// the next creates and runs alone (H9: the clock and the ids are global
	// to a server).
	type group struct {
		now     string
		indexes []int
	}
	var groups []*group
	byNow := map[string]*group{}
	var alone []int
	for i, c := range cases {
		rep.Results[i] = Result{File: c.File, Name: c.Name, Reason: c.Reason}
		if c.Err != nil {
			rep.Results[i].Failure = "the case breaks the format: " + c.Err.Error()
			continue
		}
		if c.Request.IsCreate() {
			alone = append(alone, i)
			continue
		}
		g := byNow[c.Now]
		if g == nil {
			g = &group{now: c.Now}
			byNow[c.Now] = g
			groups = append(groups, g)
		}
		g.indexes = append(g.indexes, i)
	}
	workers := max(opts.Parallel, 1)
	run := func(indexes []int, n int) {
		var wg sync.WaitGroup
		next := make(chan int)
		for range min(n, len(indexes)) {
			wg.Go(func() {
				for i := range next {
					rep.Results[i].Failure = runOne(ctx, t, cases[i])
				}
			})
		}
		for _, i := range indexes {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	for _, g := range groups {
		run(g.indexes, workers)
	}
	run(alone, 1)
	for _, r := range rep.Results {
		if r.Passed() {
			rep.Passed++
		} else {
			rep.Failed++
		}
	}
	return rep
}

// runOne runs one case and returns "" when it passes.
func runOne(ctx context.Context, t Target, c *Case) (failure string) {
	defer func() {
		if r := recover(); r != nil {
			failure = fmt.Sprintf("the target panicked: %v", r)
		}
	}()
	got, err := t.Run(ctx, c)
	if err != nil {
		return "the case could not be run: " + err.Error()
	}
	return Check(c, got)
}

// Check compares what a target observed with what the case expects, and
// returns "" when they agree (CONFORMANCE.md): the status, code and details
// of an error; the stored document as a JSON value (member order free,
// numbers by their exact text); the change, unique and ignored lists when
// both sides have them.
func Check(c *Case, got *Got) string {
	if c.Want.Error != nil {
		return checkError(c.Want.Error, got)
	}
	if got.Error != nil {
		return "want a document, got the error:\n" + describe(got.Error)
	}
	var fails []string
	if got.Answer != "" {
		fails = append(fails, got.Answer)
	}
	changed := got.Changes == nil || len(*got.Changes) > 0
	if got.Changes != nil && changed && c.Now == "" {
		return "the case breaks the format: the request changes something, so the case needs now"
	}
	if d := DiffDocuments(c.Want.Document, got.Document); d != "" {
		fails = append(fails, d)
	}
	if c.Want.Changes != nil && got.Changes != nil {
		if d := cmp.Diff(*c.Want.Changes, *got.Changes); d != "" {
			fails = append(fails, "changes (-want +got):\n"+d)
		}
	}
	if c.Want.Unique != nil && got.Unique != nil {
		if d := cmp.Diff(*c.Want.Unique, *got.Unique); d != "" {
			fails = append(fails, "unique (-want +got):\n"+d)
		}
	}
	if c.Want.Ignored != nil && got.Ignored != nil {
		strip := func(l []user.Ignored) []user.Ignored {
			out := make([]user.Ignored, len(l))
			for i, x := range l {
				out[i] = user.Ignored{Path: x.Path, Reason: x.Reason}
			}
			return out
		}
		if d := cmp.Diff(strip(*c.Want.Ignored), strip(*got.Ignored)); d != "" {
			fails = append(fails, "ignored, on path and reason (-want +got):\n"+d)
		}
	}
	return strings.Join(fails, "\n")
}

// DiffDocuments compares two JSON documents as values, numbers by their
// exact text and members in any order, and returns a readable (-want +got)
// diff of their indented, sorted forms, or "" when they are equal. nil or
// null stands for no document.
func DiffDocuments(want, got []byte) string {
	w, werr := canonical(want)
	g, gerr := canonical(got)
	switch {
	case werr != nil:
		return "want.document is not valid JSON: " + werr.Error()
	case gerr != nil:
		return "the result document is not valid JSON: " + gerr.Error()
	case w == g:
		return ""
	}
	return "document (-want +got):\n" + cmp.Diff(strings.Split(w, "\n"), strings.Split(g, "\n"))
}

// canonical writes a JSON text indented, with object members sorted and
// numbers as written.
func canonical(data []byte) (string, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "null", nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("trailing data after the document")
	}
	out, err := json.MarshalIndent(v, "", "  ") // maps are written with sorted keys
	return string(out), err
}

func describe(e *user.Error) string {
	b, _ := json.MarshalIndent(e, "", "  ")
	return fmt.Sprintf("status %d\n%s", e.Status, b)
}

type pair struct{ Code, Target string }

func checkError(w *WantError, got *Got) string {
	if got.Error == nil {
		return "want an error, got the document:\n" + string(got.Document)
	}
	if got.Answer != "" {
		return got.Answer
	}
	ge := got.Error
	if ge.Status != w.Status || ge.Code != w.Code {
		return fmt.Sprintf("want status %d code %s, got:\n%s", w.Status, w.Code, describe(ge))
	}
	if w.Details == nil {
		return ""
	}
	set := func(ps []pair) []pair {
		slices.SortFunc(ps, func(a, b pair) int {
			if c := strings.Compare(a.Target, b.Target); c != 0 {
				return c
			}
			return strings.Compare(a.Code, b.Code)
		})
		return slices.Compact(ps)
	}
	var want, have []pair
	for _, d := range *w.Details {
		p := pair{Code: d.Code, Target: "(no target)"}
		if d.Target != nil {
			p.Target = fmt.Sprintf("%q", *d.Target)
		}
		want = append(want, p)
	}
	for _, d := range ge.Details {
		p := pair{Code: d.Code, Target: "(no target)"}
		if d.HasTarget() {
			p.Target = fmt.Sprintf("%q", d.Target)
		}
		have = append(have, p)
	}
	if d := cmp.Diff(set(want), set(have)); d != "" {
		return "error details as (code, target) pairs (-want +got):\n" + d + "\ngot:\n" + describe(ge)
	}
	return ""
}
