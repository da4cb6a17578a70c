// Package policytest runs the test cases written in a flexroles policy
// file as Go subtests, so that go test proves a policy does what its authors
// think. A service adds one test:
//
//	func TestPolicy(t *testing.T) { policytest.Run(t, "policy.yaml") }
//
// A policy that does not load fails the test with every problem and its
// position; each case of the file's tests list is a subtest named after it,
// failing with what it wanted and what it got.
package policytest

import (
	"testing"

	"github.com/flexroles/flexroles"
)

// Run loads the policy at policyPath and runs each of its test cases as a
// subtest of t. A policy with no test cases fails: an untested policy proves
// nothing.
func Run(t *testing.T, policyPath string) {
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
			if r.Failure != "" {
				t.Errorf("%s:%d: %s", policyPath, r.Line, r.Failure)
			}
		})
	}
}
