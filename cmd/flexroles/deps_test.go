package main

import (
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTwilioPackages lists the packages of github.com/twilio/twilio-go the
// command compiles: its client and the TaskRouter v1 API, which the audit's
// live source uses, and nothing else. The SDK's root package alone would
// bring its 59 other REST APIs, more than half of the command's cold build.
func TestTwilioPackages(t *testing.T) {
	if testing.Short() {
		t.Skip("lists packages with the go command")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", ".").CombinedOutput()
	require.NoError(t, err, "go list -deps: %s", out)
	var twilio []string
	for _, p := range strings.Fields(string(out)) {
		if p == "github.com/twilio/twilio-go" || strings.HasPrefix(p, "github.com/twilio/twilio-go/") {
			twilio = append(twilio, p)
		}
	}
	sort.Strings(twilio)
	assert.Equal(t, []string{
		"github.com/twilio/twilio-go/client",
		"github.com/twilio/twilio-go/client/form",
		"github.com/twilio/twilio-go/client/metadata",
		"github.com/twilio/twilio-go/rest/taskrouter/v1",
	}, twilio, "the packages of twilio-go the command compiles")
}
