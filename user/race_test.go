//go:build race

package user_test

// raceEnabled: the race detector makes allocations larger, so memory bounds
// are checked with a wider margin.
const raceEnabled = true
