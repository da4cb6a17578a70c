package audit_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/internal/audittest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readAuditData returns a test input of testdata.
func readAuditData(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

// sampleFindings are the findings of the five workers of the format inputs
// (testdata/workers.* and page*), in output order, given the line
// each worker starts on:
//
//	1 ana  agent, attributes a string             clean
//	2 bo   admin, attributes an object            worker.insights.no_wfo (warning)
//	3 cy   "Agent", attributes a string           worker.roles.unknown, worker.roles.no_flex_role
//	4 zoe  supervisor + team leader, an object    clean
//	5 eve  role but no roles, a string            worker.roles.missing, worker.roles.singular (warning)
func sampleFindings(lines [5]int) []findingAt {
	return []findingAt{
		{lines[1], audittest.SID(2), "worker.insights.no_wfo"},
		{lines[2], audittest.SID(3), "worker.roles.unknown"},
		{lines[2], audittest.SID(3), "worker.roles.no_flex_role"},
		{lines[4], audittest.SID(5), "worker.roles.missing"},
		{lines[4], audittest.SID(5), "worker.roles.singular"},
	}
}

// rewriteAttributes returns NDJSON workers with each worker's attributes
// turned into a JSON string (asString) or an object.
func rewriteAttributes(t *testing.T, ndjson string, asString bool) string {
	t.Helper()
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(ndjson), "\n") {
		var w map[string]json.RawMessage
		require.NoError(t, json.Unmarshal([]byte(line), &w))
		attrs := w["attributes"]
		var text string
		isString := json.Unmarshal(attrs, &text) == nil
		switch {
		case asString && !isString:
			var compact bytes.Buffer
			require.NoError(t, json.Compact(&compact, attrs))
			q, err := json.Marshal(compact.String())
			require.NoError(t, err)
			w["attributes"] = q
		case !asString && isString:
			w["attributes"] = json.RawMessage(text)
		}
		out, err := json.Marshal(w)
		require.NoError(t, err)
		b.Write(out)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestInputFormats checks that every input form File reads gives the same
// findings, each with the SID of its worker and the line the worker object
// starts on.
func TestInputFormats(t *testing.T) {
	ndjson := readAuditData(t, "workers.ndjson")
	ndLines := strings.Split(strings.TrimSuffix(ndjson, "\n"), "\n")
	tests := []struct {
		name   string
		reason string
		file   string // a file of testdata
		stdin  string // the input when file is ""
		lines  [5]int // the line each of the five workers starts on
	}{
		{
			name:   "pretty-printed array",
			reason: "usage: a JSON array of workers, here indented over many lines, attributes mixed strings and objects",
			file:   "workers.json",
			lines:  [5]int{2, 10, 24, 32, 55},
		},
		{
			name:   "NDJSON",
			reason: "usage: NDJSON, one worker per line; the line is the worker's line",
			file:   "workers.ndjson",
			lines:  [5]int{1, 2, 3, 4, 5},
		},
		{
			name:   "one pretty-printed ListWorkers page",
			reason: `usage: a ListWorkers response {"workers":[...],"meta":{...}}; each worker's line is where its object starts inside the page`,
			file:   "page.json",
			lines:  [5]int{3, 11, 25, 33, 56},
		},
		{
			name:   "two pretty-printed pages one after the other",
			reason: "usage: ListWorkers responses one after another; lines count on across pages",
			file:   "pages.json",
			lines:  [5]int{3, 11, 25, 45, 68},
		},
		{
			name:   "pages one per line",
			reason: "usage: pages written one per line, as a paging script saves them; a worker's line is its page's line",
			file:   "pages.ndjson",
			lines:  [5]int{1, 1, 1, 2, 2},
		},
		{
			name:   "NDJSON with every attributes a JSON string",
			reason: "usage: attributes as the API returns them, a string holding the JSON object",
			stdin:  rewriteAttributes(t, ndjson, true),
			lines:  [5]int{1, 2, 3, 4, 5},
		},
		{
			name:   "NDJSON with every attributes an object",
			reason: "usage: hand-written files may give attributes as the object itself",
			stdin:  rewriteAttributes(t, ndjson, false),
			lines:  [5]int{1, 2, 3, 4, 5},
		},
		{
			name:   "NDJSON with CRLF line ends and blank lines",
			reason: "a file saved on Windows, with a blank line after the second worker, reads the same; blank lines still count",
			stdin:  strings.Join(ndLines[:2], "\r\n") + "\r\n\r\n" + strings.Join(ndLines[2:], "\r\n") + "\r\n",
			lines:  [5]int{1, 2, 4, 5, 6},
		},
		{
			name:   "array on one line",
			reason: "usage: a JSON array, here compact: every worker on line 1",
			stdin:  "[" + strings.Join(ndLines, ",") + "]",
			lines:  [5]int{1, 1, 1, 1, 1},
		},
		{
			name:   "array with one worker per line",
			reason: "usage: a JSON array whose elements sit one per line after the opening bracket",
			stdin:  "[\n" + strings.Join(ndLines, ",\n") + "\n]\n",
			lines:  [5]int{2, 3, 4, 5, 6},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			input := tt.stdin
			if tt.file != "" {
				input = readAuditData(t, tt.file)
			}
			got, table, stats := auditFile(t, &audit.Auditor{}, input)
			assert.Positive(t, stats.Errors, "an error-level finding (audit exits 1); %s", tt.reason)
			assert.Equal(t, sampleFindings(tt.lines), findingsAt(got), tt.reason)
			names := map[string]string{audittest.SID(2): "bo.chen@example.com", audittest.SID(3): "cy.park@example.com", audittest.SID(5): "eve.ng@example.com"}
			for _, f := range got {
				assert.Equal(t, names[f.SID], f.FriendlyName, "friendly name of %s; %s", f.SID, tt.reason)
				wantLevel := audit.LevelError
				if f.Rule == "worker.insights.no_wfo" || f.Rule == "worker.roles.singular" {
					wantLevel = audit.LevelWarning
				}
				assert.Equal(t, wantLevel, f.Level, "level of %s; %s", f.Rule, tt.reason)
			}
			assert.Contains(t, got[1].Message, `"Agent"`, "the unknown role is named; %s", tt.reason)
			assert.True(t, strings.HasSuffix(table, audittest.SummaryLine(5, 3, 3, 2)), "table summary; %s\n%s", tt.reason, table)
		})
	}
}
