package audit_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/internal/audittest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDriftExampleExport checks the drift against the example policy and an IdP
// export in each of its forms. The workers of testdata/drift.ndjson,
// one per line:
//
//	1 ana   agent, email in other case; user in CC-Agents        no drift
//	2 lee   agent; user a lead in Sales                         gains supervisor, wfo.team_leader
//	3 sam   supervisor, agent, wfo.quality_manager; lead, Sales gains wfo.team_leader, loses wfo.quality_manager
//	4 quinn the four roles of a QA lead, another order          no drift
//	5 olga  a lead; user also in Offboarded                     drift.refused
//	6 gus   email not in the export                             drift.no_user
//	7 sue   the read-only pair (Console Support); user agent    no drift
//	8 dan   a lead's roles; user now an agent                   loses supervisor, wfo.team_leader
//	9 -     no email                                            drift.no_user
func TestDriftExampleExport(t *testing.T) {
	workers := readAuditData(t, "drift.ndjson")
	drift := []findingAt{
		{2, audittest.SID(0x12), "drift.roles"},
		{3, audittest.SID(0x13), "drift.roles"},
		{5, audittest.SID(0x15), "drift.refused"},
		{6, audittest.SID(0x16), "drift.no_user"},
		{8, audittest.SID(0x18), "drift.roles"},
		{9, audittest.SID(0x19), "drift.no_user"},
	}
	messages := map[string][]string{
		audittest.SID(0x12): {"[supervisor, agent, wfo.team_leader]", "gains supervisor, wfo.team_leader"},
		audittest.SID(0x13): {"gains wfo.team_leader; loses wfo.quality_manager"},
		audittest.SID(0x15): {`"olga.old@example.com" is refused`, `"offboarded"`},
		audittest.SID(0x16): {`"gus.gone@example.com"`},
		audittest.SID(0x18): {"rewrites roles to [agent]: loses supervisor, wfo.team_leader"},
		audittest.SID(0x19): {"no email"},
	}
	levels := map[string]string{"drift.roles": "error", "drift.refused": "error", "drift.no_user": "warning"}
	tests := []struct {
		name   string
		reason string
		users  string // the IdP export under testdata, with the example policy; "" for neither
		want   []findingAt
	}{
		{
			name:   "users as a JSON array",
			reason: "usage: the IdP export as JSON, attributes such as department under attributes",
			users:  "users.json",
			want:   drift,
		},
		{
			name:   "users as NDJSON",
			reason: "usage: the IdP export as NDJSON gives the same drift",
			users:  "users.ndjson",
			want:   drift,
		},
		{
			name:   "users as CSV",
			reason: `usage: CSV with header email,name,groups,department; several groups split on ";"`,
			users:  "users.csv",
			want:   drift,
		},
		{
			name:   "no drift without a policy",
			reason: "these workers are clean by CheckWorker: every finding above is the drift's",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var a audit.Auditor
			if tt.users != "" {
				p, err := flexroles.LoadPolicyFile("../examples/policy.yaml")
				require.NoError(t, err)
				users, err := export.Load(filepath.Join("testdata", tt.users))
				require.NoError(t, err)
				a.Policy, a.Users = p, users
			}
			got, table, stats := auditFile(t, &a, workers)
			if tt.want == nil {
				assert.Empty(t, got, tt.reason)
				assert.Zero(t, stats.Errors, "no error-level finding (audit exits 0); %s", tt.reason)
				return
			}
			assert.Positive(t, stats.Errors, "error-level findings (audit exits 1); %s", tt.reason)
			require.Equal(t, tt.want, findingsAt(got), tt.reason)
			for _, f := range got {
				assert.Equal(t, levels[f.Rule], f.Level, "level of %s; %s", f.Rule, tt.reason)
				for _, s := range messages[f.SID] {
					assert.Contains(t, f.Message, s, "message of %s; %s", f.SID, tt.reason)
				}
			}
			assert.True(t, strings.HasSuffix(table, audittest.SummaryLine(9, 6, 4, 2)), "summary; %s\n%s", tt.reason, table)
		})
	}
}
