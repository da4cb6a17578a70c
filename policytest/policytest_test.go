package policytest_test

import (
	"testing"

	"github.com/flexroles/flexroles/policytest"
)

// TestExamplePolicy runs the shipped example policy's own cases.
func TestExamplePolicy(t *testing.T) {
	policytest.Run(t, "../examples/policy.yaml")
}
