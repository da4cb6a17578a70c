package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAuditUnreadableAfterFindings: exit 2 means the input could not be
// read to its end. The table, printed at the end, then prints nothing;
// --json streams, so the findings of the workers read before stay on
// stdout, and stderr says where the input broke.
func TestAuditUnreadableAfterFindings(t *testing.T) {
	for _, input := range []string{
		"[\n" + `{"sid":"WK1","attributes":{}}` + ",\n",
		`[{"sid":"WK1","attributes":{}}]` + "\nx\n",
		"[0",
	} {
		code, stdout, stderr := auditCLI(input)
		assert.Equal(t, exitUsage, code, "table: %q", input)
		assert.Empty(t, stdout, "table output prints nothing on exit 2: %q", input)
		assert.Contains(t, stderr, "flexroles: audit: stdin:", "table: where the input broke: %q", input)

		code, stdout, stderr = auditCLI(input, "--json")
		assert.Equal(t, exitUsage, code, "--json: %q; stderr %s", input, stderr)
		assert.Contains(t, stderr, "flexroles: audit: stdin:", "where the input broke: %q", input)
		decodeFindings(t, stdout) // only whole findings stream out
	}
}
