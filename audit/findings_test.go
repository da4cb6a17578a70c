package audit_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/export"
)

// TestLevels checks that warnings alone and no finding at all leave the
// audit without an error-level finding, that one error-level finding
// among warnings is counted as such, and the table's summary of each.
func TestLevels(t *testing.T) {
	const (
		clean1   = `{"sid":"WK1","friendly_name":"ana","attributes":"{\"roles\":[\"agent\"],\"email\":\"ana@example.com\"}"}`
		clean2   = `{"sid":"WK2","friendly_name":"lee","attributes":{"roles":["supervisor","wfo.team_leader"]}}`
		adminRaw = `{"sid":"WK3","friendly_name":"root","attributes":"{\"roles\":[\"admin\"]}"}`
		agentWFO = `{"sid":"WK4","friendly_name":"al","attributes":{"roles":["agent","wfo.team_leader"]}}`
		noRoles  = `{"sid":"WK5","friendly_name":"sys","attributes":"{}"}`
	)
	tests := []struct {
		name       string
		reason     string
		input      string
		wantErrors bool // an error-level finding (audit exits 1)
		want       []findingAt
		summary    string
	}{
		{
			name:    "clean",
			reason:  "no finding at all, with the summary only",
			input:   clean1 + "\n" + clean2 + "\n",
			summary: "2 workers audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:    "clean single worker",
			reason:  "the summary counts one worker in the singular",
			input:   clean1 + "\n",
			summary: "1 worker audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:    "empty array",
			reason:  "an empty array is a workspace without workers: clean, not an input error",
			input:   "[]\n",
			summary: "0 workers audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:    "empty page",
			reason:  "a ListWorkers page without workers is clean too",
			input:   `{"workers":[],"meta":{"page":0}}` + "\n",
			summary: "0 workers audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:    "admin without wfo role",
			reason:  "worker.insights.no_wfo is a warning",
			input:   clean1 + "\n" + adminRaw + "\n",
			want:    []findingAt{{2, "WK3", "worker.insights.no_wfo"}},
			summary: "2 workers audited: 1 with findings, 0 errors, 1 warning\n",
		},
		{
			name:    "two kinds of warning",
			reason:  "worker.insights.agent_wfo is a warning as well",
			input:   adminRaw + "\n" + agentWFO + "\n",
			want:    []findingAt{{1, "WK3", "worker.insights.no_wfo"}, {2, "WK4", "worker.insights.agent_wfo"}},
			summary: "2 workers audited: 2 with findings, 0 errors, 2 warnings\n",
		},
		{
			name:       "one error among warnings",
			reason:     "worker.roles.missing is an error",
			input:      adminRaw + "\n" + noRoles + "\n" + clean2 + "\n",
			wantErrors: true,
			want:       []findingAt{{1, "WK3", "worker.insights.no_wfo"}, {2, "WK5", "worker.roles.missing"}},
			summary:    "3 workers audited: 2 with findings, 1 error, 1 warning\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, table, stats := auditFile(t, &audit.Auditor{}, tt.input)
			assert.Equal(t, tt.wantErrors, stats.Errors > 0, tt.reason)
			if tt.want == nil {
				assert.Empty(t, got, tt.reason)
				assert.Equal(t, tt.summary, table, "a clean audit prints the summary alone; %s", tt.reason)
			} else {
				assert.Equal(t, tt.want, findingsAt(got), tt.reason)
				assert.True(t, strings.HasSuffix(table, "\n\n"+tt.summary), "summary after a blank line; %s\n%s", tt.reason, table)
			}
		})
	}
}

// TestExamples checks that the shipped examples/workers.ndjson shows every
// finding the audit can report, as the README promises, and that
// examples/users.csv shows every kind of drift under examples/policy.yaml.
func TestExamples(t *testing.T) {
	workers, err := os.ReadFile("../examples/workers.ndjson")
	require.NoError(t, err)
	rules := func(a *audit.Auditor) map[string]int {
		t.Helper()
		got, _, stats := auditFile(t, a, string(workers))
		require.Positive(t, stats.Errors, "error-level findings (audit exits 1)")
		seen := map[string]int{}
		for _, f := range got {
			seen[f.Rule]++
		}
		return seen
	}
	seen := rules(&audit.Auditor{})
	for _, rule := range []string{
		"worker.roles.missing", "worker.roles.singular", "worker.roles.not_array", "worker.roles.unknown",
		"worker.roles.duplicate", "worker.roles.no_flex_role", "worker.readonly.mixed", "worker.console.sso_only_role",
		"worker.insights.agent_wfo", "worker.insights.no_wfo", "worker.contact_uri.unescaped", "worker.contact_uri.mismatch",
		"audit.malformed",
	} {
		assert.Positive(t, seen[rule], "examples/workers.ndjson shows %s", rule)
	}
	p, err := flexroles.LoadPolicyFile("../examples/policy.yaml")
	require.NoError(t, err)
	users, err := export.Load("../examples/users.csv")
	require.NoError(t, err)
	drift := rules(&audit.Auditor{Policy: p, Users: users})
	for _, rule := range []string{"drift.roles", "drift.refused", "drift.no_user"} {
		assert.Positive(t, drift[rule], "examples/users.csv shows %s", rule)
	}
}
