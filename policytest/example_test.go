package policytest_test

import (
	"testing"

	"github.com/flexroles/flexroles/policytest"
)

// A service proves its policy with one test in a _test.go file of its own:
//
//	func TestPolicy(t *testing.T) {
//		policytest.Run(t, "policy.yaml")
//	}
//
// go test then runs each case of the file's tests list as a subtest named
// after the case (TestPolicy/agent, ...); a failing one reports, at the
// line of TestPolicy that calls Run, where the case is written and what
// differs:
//
//	policy_test.go:12: policy.yaml:15: roles: want [supervisor], got [agent]
//
// Run needs the *testing.T of a running test, which an example does not
// have, so this example has no Output comment: go test compiles it and
// does not run it. TestExamplePolicy in this package runs Run for real.
func ExampleRun() {
	var t *testing.T // in the service's test: the t of func TestPolicy(t *testing.T)
	policytest.Run(t, "policy.yaml")
}
