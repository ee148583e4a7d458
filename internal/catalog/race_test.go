//go:build race

package catalog

// raceEnabled: under the race detector sync.Pool drops its items, so the
// regular expression machines are allocated anew on many matches.
const raceEnabled = true
