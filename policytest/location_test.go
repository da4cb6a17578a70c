package policytest_test

import (
	"os"
	"os/exec"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles/policytest"
)

// TestFailingPolicy is the caller's test whose failures TestFailureLocation
// reads; it runs only in the child process that test starts.
func TestFailingPolicy(t *testing.T) {
	if os.Getenv("POLICYTEST_CHILD") == "" {
		t.Skip("run by TestFailureLocation")
	}
	policytest.Run(t, "testdata/failing.yaml") // the line a failure points at
}

// TestFailureLocation runs a policy with a failing case in a child test
// process: the failure points at the caller's test, not at policytest's
// own source, and leads with the policy file's path and the case's line.
func TestFailureLocation(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailingPolicy$", "-test.v") //nolint:gosec // G204: the test binary itself
	cmd.Env = append(os.Environ(), "POLICYTEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "the child's policy has a failing case:\n%s", out)
	require.Regexp(t, regexp.MustCompile(`location_test\.go:20: testdata/failing\.yaml:15: roles: want \[supervisor\], got \[agent\]`), string(out))
	require.NotContains(t, string(out), "policytest.go:")
	require.Contains(t, string(out), "--- PASS: TestFailingPolicy/agent")
}
