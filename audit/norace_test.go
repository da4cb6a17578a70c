//go:build !race

package audit_test

// raceEnabled is true when tests run under the race detector.
const raceEnabled = false
