package policytest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunLogsCoverage runs the example policy as Run does under go test
// -cover: the coverage report is logged after the cases.
func TestRunLogsCoverage(t *testing.T) {
	var logged string
	run(t, "../examples/policy.yaml", func(format string, args ...any) { logged += fmt.Sprintf(format, args...) })
	require.Contains(t, logged, "../examples/policy.yaml rules reached: 8 of 8 policy rules and settings")
	require.Contains(t, logged, "platform rules no case reaches: console.requested")
	require.NotContains(t, logged, "coverage: ", "go test takes the first \"coverage: \" it prints for its statement coverage")
}
