//go:build !race

package main

// raceEnabled is true when tests run under the race detector.
const raceEnabled = false
