package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeAuditExcerpt runs the audit the README shows and checks its
// excerpt against the real output: the same first line, every line shown
// found in order, "..." standing for lines left out, and the same last
// line.
func TestReadmeAuditExcerpt(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	const command = "go run ./cmd/flexroles audit examples/workers.ndjson\n```\n\n```text\n"
	_, rest, ok := strings.Cut(string(readme), command)
	require.True(t, ok, "the README shows the audit of examples/workers.ndjson and its output")
	excerpt, _, ok := strings.Cut(rest, "```")
	require.True(t, ok)

	code, stdout, stderr := cli("audit", "../../examples/workers.ndjson")
	require.Equal(t, exitFailed, code, "the example's workers have error-level findings: %s", stderr)
	shown := strings.Split(strings.TrimSuffix(excerpt, "\n"), "\n")
	real := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	assert.Equal(t, real[0], shown[0], "the excerpt starts where the output starts")
	assert.Equal(t, real[len(real)-1], shown[len(shown)-1], "and ends where it ends")
	at := 0
	for i, line := range shown {
		if line == "..." {
			continue
		}
		if i > 0 && shown[i-1] != "..." {
			require.Less(t, at, len(real), "the README's line %q is past the end of the output", line)
			assert.Equal(t, real[at], line, "the README's line follows the one before it in the output")
			at++
			continue
		}
		found := false
		for ; at < len(real); at++ {
			if real[at] == line {
				found = true
				at++
				break
			}
		}
		require.True(t, found, "the README shows a line the audit does not print, or out of order: %q", line)
	}
}

// TestReadmeDiff runs the diff commands the README shows, as written, from
// the repository's root: the first reports and exits 0, the second, which
// --fail-on makes fail on the example's newly refused user, exits 1, as the
// README says.
func TestReadmeDiff(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(readme), "Before a change ships, see what it does to your people")
	require.True(t, ok, "the README's section on reviewing a change")
	_, block, ok = strings.Cut(block, "```sh\n")
	require.True(t, ok)
	block, _, ok = strings.Cut(block, "```")
	require.True(t, ok)
	var commands [][]string
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "go run ./cmd/flexroles diff ") {
			commands = append(commands, strings.Fields(line)[3:])
		}
	}
	require.Len(t, commands, 2, "the README shows two diff commands")
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed, and the second command reads git:HEAD")
	}
	t.Chdir("../..")

	code, stdout, stderr := cli(commands[0]...)
	require.Equal(t, exitOK, code, "%q: %s", commands[0], stderr)
	assert.Empty(t, stderr)
	assert.True(t, strings.HasPrefix(stdout, "Comparing examples/policy.yaml (old) with examples/policy-next.yaml (new) for the users of examples/users.csv\n"), stdout)
	assert.Contains(t, stdout, "\n3 of 9 users change: ")

	code, stdout, stderr = cli(commands[1]...)
	require.Equal(t, exitFailed, code, "%q: the README says it exits 1; %s", commands[1], stderr)
	assert.Empty(t, stderr)
	assert.True(t, strings.HasPrefix(stdout, "<!-- flexroles diff -->\n### Flex role policy: `git:HEAD:examples/policy.yaml` → `examples/policy-next.yaml`\n"), stdout)
	assert.Contains(t, stdout, "This change fails the review on `refuse` 1 user.")
}
