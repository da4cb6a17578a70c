//go:build race

package audit_test

// raceEnabled is true when tests run under the race detector, whose shadow
// memory makes heap measurements meaningless.
const raceEnabled = true
