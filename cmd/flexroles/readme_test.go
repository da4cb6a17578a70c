package main

import (
	"os"
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
