//go:build race

package jsonx

// raceEnabled: the race detector makes allocations larger, so memory bounds
// are checked with a wider margin.
const raceEnabled = true
