// Package policytest runs the test cases written in a flexroles policy
// file as Go subtests, so that go test proves a policy does what its authors
// think. A service adds one test:
//
//	func TestPolicy(t *testing.T) { policytest.Run(t, "policy.yaml") }
//
// A policy that does not load fails the test with every problem and its
// position; each case of the file's tests list is a subtest named after it,
// failing with what it wanted and what it got. Failures are reported at the
// caller's line that calls Run, and each leads with the policy file's path
// and the case's line:
//
//	policy_test.go:12: policy.yaml:48: roles: want [supervisor], got [agent]
//
// Under go test -cover, Run also logs which of the policy's rules and
// settings, and which of Twilio's platform rules, the cases reach, as
// "flexroles test --coverage" prints it; add -v to see the log of a
// passing test:
//
//	go test -cover -v -run TestPolicy
package policytest

import (
	"testing"

	"github.com/flexroles/flexroles"
)

// Run loads the policy at policyPath and runs each of its test cases as a
// subtest of t. A policy with no test cases fails: an untested policy proves
// nothing. When go test runs with -cover (testing.CoverMode is set), Run
// logs the policy's coverage report (flexroles.Policy.Coverage) after the
// cases; the report never fails the test.
func Run(t *testing.T, policyPath string) {
	t.Helper()
	var logf func(format string, args ...any)
	if testing.CoverMode() != "" {
		logf = t.Logf
	}
	run(t, policyPath, logf)
}

// run is Run, logging the coverage report with logf when it is not nil.
func run(t *testing.T, policyPath string, logf func(format string, args ...any)) {
	t.Helper()
	p, err := flexroles.LoadPolicyFile(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	results := p.Test()
	if len(results) == 0 {
		t.Fatalf("%s has no test cases: add a tests list", policyPath)
	}
	for _, r := range results {
		t.Run(r.Name, func(t *testing.T) {
			// A helper subtest reports its failures at the caller's
			// line that called Run, not here.
			t.Helper()
			if r.Failure != "" {
				t.Errorf("%s:%d: %s", policyPath, r.Line, r.Failure)
			}
		})
	}
	if logf != nil {
		logf("%s %s", policyPath, p.Coverage())
	}
}
