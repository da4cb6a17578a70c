package audit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/internal/audittest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// findingAt is a finding reduced to what the tests compare: where, who and
// which rule.
type findingAt struct {
	Line int
	SID  string
	Rule string
}

// findingsAt reduces findings to their line, SID and rule, in output order.
func findingsAt(fs []audittest.Finding) []findingAt {
	out := make([]findingAt, 0, len(fs))
	for _, f := range fs {
		out = append(out, findingAt{f.Line, f.SID, f.Rule})
	}
	return out
}

// auditFile audits input as a File, as the command's audit verb does, and
// returns the findings as the JSON report writes them, the table report's
// output and the counts.
func auditFile(t *testing.T, a *audit.Auditor, input string) ([]audittest.Finding, string, audit.Stats) {
	t.Helper()
	var jsonOut, table bytes.Buffer
	jr := audit.NewJSONReport(&jsonOut)
	stats, err := a.Run(audit.NewFile(strings.NewReader(input)), func(f []audit.Finding, _ int) error { return jr.Add(f) })
	require.NoError(t, err)
	require.NoError(t, jr.Finish(&jsonOut, stats))
	tr := audit.NewTableReport()
	again, err := a.Run(audit.NewFile(strings.NewReader(input)), func(f []audit.Finding, _ int) error { return tr.Add(f) })
	require.NoError(t, err)
	require.Equal(t, stats, again, "the same input gives the same counts")
	require.NoError(t, tr.Finish(&table, stats))
	return audittest.DecodeFindings(t, jsonOut.String()), table.String(), stats
}

// TestMalformedWorkers checks that a worker that cannot be read is an
// audit.malformed error with its SID and line, and that the audit goes on
// with the next worker (rule 1 of the package doc). It is not an error of
// the input: Run returns none.
func TestMalformedWorkers(t *testing.T) {
	// before and after are readable workers around the malformed one, each
	// with one warning, so that a lost neighbour shows.
	const (
		before = `{"sid":"WK00000000000000000000000000000001","friendly_name":"bo","attributes":"{\"roles\":[\"admin\"]}"}`
		after  = `{"sid":"WK00000000000000000000000000000003","friendly_name":"al","attributes":{"roles":["supervisor"]}}`
	)
	around := func(bad string) string { return before + "\n" + bad + "\n" + after + "\n" }
	middle := func(line int, sid string) []findingAt {
		return []findingAt{
			{1, audittest.SID(1), "worker.insights.no_wfo"},
			{line, sid, "audit.malformed"},
			{line + 1, audittest.SID(3), "worker.insights.no_wfo"},
		}
	}
	bad := audittest.SID(2)
	tests := []struct {
		name    string
		reason  string
		input   string
		want    []findingAt
		message string // a substring of the malformed finding's message
		summary string
	}{
		{
			name:    "bad JSON in attributes",
			reason:  "the attributes string holds JSON cut short; the worker itself is valid JSON",
			input:   around(`{"sid":"` + bad + `","attributes":"{\"roles\":[\"agent\""}`),
			want:    middle(2, bad),
			message: "cannot read this worker's attributes",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "attributes a string holding an array",
			reason:  "TaskRouter attributes are one JSON object; an array is not",
			input:   around(`{"sid":"` + bad + `","attributes":"[\"agent\"]"}`),
			want:    middle(2, bad),
			message: "not a JSON object",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "attributes a string holding a number",
			reason:  "the attributes string must hold an object",
			input:   around(`{"sid":"` + bad + `","attributes":"42"}`),
			want:    middle(2, bad),
			message: "not a JSON object",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "attributes an empty string",
			reason:  "an empty attributes string is no object",
			input:   around(`{"sid":"` + bad + `","attributes":""}`),
			want:    middle(2, bad),
			message: "not a JSON object",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "attributes with a key twice",
			reason:  "CheckWorker refuses attributes with a duplicate key; the audit reports it rather than stopping",
			input:   around(`{"sid":"` + bad + `","attributes":"{\"roles\":[\"agent\"],\"roles\":[\"admin\"]}"}`),
			want:    middle(2, bad),
			message: `"roles" more than once`,
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "truncated NDJSON line in the middle",
			reason:  "usage: NDJSON is read line by line, so a line cut short costs that line only; its SID is still found",
			input:   around(`{"sid":"` + bad + `","friendly_name":"cut","attributes":"{\"ro`),
			want:    middle(2, bad),
			message: "not valid JSON",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "worker without attributes",
			reason:  "a worker without attributes cannot be checked; it is not a worker without roles",
			input:   around(`{"sid":"` + bad + `","friendly_name":"ghost"}`),
			want:    middle(2, bad),
			message: `no "attributes"`,
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "attributes a number",
			reason:  "attributes must be a JSON string or an object",
			input:   around(`{"sid":"` + bad + `","attributes":42}`),
			want:    middle(2, bad),
			message: "neither a JSON string nor an object",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "attributes null",
			reason:  "null is neither a string nor an object",
			input:   around(`{"sid":"` + bad + `","attributes":null}`),
			want:    middle(2, bad),
			message: "neither a JSON string nor an object",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "a line that is not an object",
			reason:  "a worker is a JSON object; a string in its place has no SID but keeps its line",
			input:   around(`"WK00000000000000000000000000000002"`),
			want:    middle(2, ""),
			message: "a worker is a JSON object",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "several malformed workers in a row",
			reason:  "each malformed worker is one finding; none hides the next",
			input:   before + "\n" + `{"sid":"` + bad + `","attributes":7}` + "\n" + `{"sid":"WK9","attributes":"{"}` + "\n" + after + "\n",
			want:    []findingAt{{1, audittest.SID(1), "worker.insights.no_wfo"}, {2, bad, "audit.malformed"}, {3, "WK9", "audit.malformed"}, {4, audittest.SID(3), "worker.insights.no_wfo"}},
			message: "neither a JSON string nor an object",
			summary: audittest.SummaryLine(4, 4, 2, 2),
		},
		{
			name:   "malformed worker inside a pretty-printed array",
			reason: "the array form goes on past a malformed element too",
			input:  "[\n  " + before + ",\n  {\n    \"sid\": \"" + bad + "\",\n    \"attributes\": [\"admin\"]\n  },\n  " + after + "\n]\n",
			want: []findingAt{
				{2, audittest.SID(1), "worker.insights.no_wfo"},
				{3, bad, "audit.malformed"},
				{7, audittest.SID(3), "worker.insights.no_wfo"},
			},
			message: "neither a JSON string nor an object",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:   "malformed worker inside a page",
			reason: "a page goes on past a malformed worker",
			input: "{\n  \"workers\": [\n    " + before + ",\n    {\"sid\": \"" + bad + "\"},\n    " + after +
				"\n  ],\n  \"meta\": {\"page\": 0}\n}\n",
			want: []findingAt{
				{3, audittest.SID(1), "worker.insights.no_wfo"},
				{4, bad, "audit.malformed"},
				{5, audittest.SID(3), "worker.insights.no_wfo"},
			},
			message: `no "attributes"`,
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
		{
			name:    "page whose workers is not an array",
			reason:  `a ListWorkers page's "workers" must be an array; the next page is still read`,
			input:   `{"workers":{"sid":"` + bad + `"},"meta":{}}` + "\n" + `{"workers":[` + after + `],"meta":{}}` + "\n",
			want:    []findingAt{{1, "", "audit.malformed"}, {2, audittest.SID(3), "worker.insights.no_wfo"}},
			message: `"workers" is not an array`,
			summary: audittest.SummaryLine(2, 2, 1, 1),
		},
		{
			name:    "truncated first NDJSON line",
			reason:  "usage: a broken line costs only that line, the first one included",
			input:   `{"sid":"` + bad + `","attributes":"{\"ro` + "\n" + before + "\n" + after + "\n",
			want:    []findingAt{{1, bad, "audit.malformed"}, {2, audittest.SID(1), "worker.insights.no_wfo"}, {3, audittest.SID(3), "worker.insights.no_wfo"}},
			message: "",
			summary: audittest.SummaryLine(3, 3, 1, 2),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			findings, table, stats := auditFile(t, &audit.Auditor{}, tt.input)
			assert.Positive(t, stats.Errors, "a malformed worker is an error (audit exits 1); %s", tt.reason)
			require.Equal(t, tt.want, findingsAt(findings), tt.reason)
			for _, f := range findings {
				if f.Rule == audit.RuleMalformed {
					assert.Equal(t, audit.LevelError, f.Level, tt.reason)
					assert.Contains(t, f.Message, "cannot read this worker", tt.reason)
				}
			}
			for _, f := range findings {
				if f.Rule == audit.RuleMalformed {
					assert.Contains(t, f.Message, tt.message, tt.reason)
					break
				}
			}
			assert.True(t, strings.HasSuffix(table, tt.summary), "summary %q; %s\n%s", tt.summary, tt.reason, table)
			assert.Contains(t, table, "error    audit.malformed  (", tt.reason)
		})
	}
}
