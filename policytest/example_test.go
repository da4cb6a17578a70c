package policytest_test

import (
	"fmt"
	"strings"

	"github.com/flexroles/flexroles"
)

// A service proves its policy with one test in a _test.go file of its own:
//
//	func TestPolicy(t *testing.T) {
//		policytest.Run(t, "policy.yaml")
//	}
//
// go test then runs each case of the file's tests list as a subtest named
// after the case; a failing one reports, at the line of TestPolicy that
// calls Run, where the case is written and what differs. This prints the
// subtests Run makes of a policy with one failing case, and the message
// of the one that fails.
func ExampleRun() {
	const path = "testdata/failing.yaml"
	p, err := flexroles.LoadPolicyFile(path)
	if err != nil {
		fmt.Println(err) // Run fails the test with this
		return
	}
	for _, r := range p.Test() {
		name := "TestPolicy/" + strings.ReplaceAll(r.Name, " ", "_")
		if r.Failure == "" {
			fmt.Println("--- PASS:", name)
			continue
		}
		fmt.Println("--- FAIL:", name)
		fmt.Printf("    %s:%d: %s\n", path, r.Line, r.Failure)
	}
	// Output:
	// --- PASS: TestPolicy/agent
	// --- FAIL: TestPolicy/wrongly_expects_supervisor
	//     testdata/failing.yaml:15: roles: want [supervisor], got [agent]
}
