package flexroles_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/flexroles/flexroles"
)

// insightsTable is the capability table of SPEC §4 [INSIGHTS], one row per wfo role,
// as seen by a supervisor or admin (so Enabled is true).
var insightsTable = []struct {
	role flexroles.Role
	caps flexroles.Insights
}{
	{flexroles.WFOFullAccess, flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
		AssessCalls: flexroles.AssessFull, Questionnaires: true, Dashboards: flexroles.DashboardsEditor}},
	{flexroles.WFOTeamLeader, flexroles.Insights{Enabled: true, PlayCalls: true,
		AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsExplorer}},
	{flexroles.WFODataAnalyst, flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
		AssessCalls: flexroles.AssessViewOnly, Dashboards: flexroles.DashboardsEditor}},
	{flexroles.WFODataAuditor, flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
		Dashboards: flexroles.DashboardsEditor}},
	{flexroles.WFOQualityManager, flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
		AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsViewer}},
	{flexroles.WFOQualityProcessManager, flexroles.Insights{Enabled: true, Questionnaires: true}},
	{flexroles.WFODashboardViewer, flexroles.Insights{Enabled: true, PlayCalls: true,
		Dashboards: flexroles.DashboardsViewer}},
}

// unionInsights is the §4 union rule written out independently: each capability is the
// highest any role grants.
func unionInsights(a, b flexroles.Insights) flexroles.Insights {
	return flexroles.Insights{
		Enabled:        a.Enabled || b.Enabled,
		PlayCalls:      a.PlayCalls || b.PlayCalls,
		ExportCalls:    a.ExportCalls || b.ExportCalls,
		AssessCalls:    max(a.AssessCalls, b.AssessCalls),
		Questionnaires: a.Questionnaires || b.Questionnaires,
		Dashboards:     max(a.Dashboards, b.Dashboards),
	}
}

func TestInsightsForTable(t *testing.T) {
	assert.Len(t, insightsTable, 7, "§1: seven wfo roles")
	for _, row := range insightsTable {
		for _, flex := range []flexroles.Role{flexroles.Supervisor, flexroles.Admin} {
			t.Run(string(flex)+"+"+string(row.role), func(t *testing.T) {
				// §4 table [INSIGHTS]; Insights opens for supervisor or admin with a wfo role.
				assert.Equal(t, row.caps, flexroles.InsightsFor([]flexroles.Role{flex, row.role}))
				// Input order never matters.
				assert.Equal(t, row.caps, flexroles.InsightsFor([]flexroles.Role{row.role, flex}))
				// Duplicates change nothing.
				assert.Equal(t, row.caps, flexroles.InsightsFor([]flexroles.Role{row.role, flex, row.role, flex}))
			})
		}
		t.Run("agent+"+string(row.role), func(t *testing.T) {
			// §4: agent-only with wfo roles: Insights does not open; Decision: capabilities all none.
			assert.Equal(t, flexroles.Insights{}, flexroles.InsightsFor([]flexroles.Role{flexroles.Agent, row.role}))
		})
		t.Run("alone/"+string(row.role), func(t *testing.T) {
			// §4: Insights opens only for supervisor or admin.
			assert.Equal(t, flexroles.Insights{}, flexroles.InsightsFor([]flexroles.Role{row.role}))
		})
		t.Run("readonlyadmin+"+string(row.role), func(t *testing.T) {
			// §4: flex.readonlyadmin is not admin; Console Support users cannot use Insights [KB].
			assert.Equal(t, flexroles.Insights{},
				flexroles.InsightsFor([]flexroles.Role{flexroles.ReadTeams, flexroles.ReadOnlyAdmin, row.role}))
		})
	}
}

func TestInsightsForUnion(t *testing.T) {
	// §4: several roles combine as the union, every pair and all seven.
	all := []flexroles.Role{flexroles.Supervisor}
	want := flexroles.Insights{}
	for i, a := range insightsTable {
		all = append(all, a.role)
		want = unionInsights(want, a.caps)
		for _, b := range insightsTable[i+1:] {
			t.Run(string(a.role)+"+"+string(b.role), func(t *testing.T) {
				assert.Equal(t, unionInsights(a.caps, b.caps),
					flexroles.InsightsFor([]flexroles.Role{flexroles.Supervisor, a.role, b.role}))
				assert.Equal(t, unionInsights(a.caps, b.caps),
					flexroles.InsightsFor([]flexroles.Role{b.role, a.role, flexroles.Admin}))
			})
		}
	}
	assert.Equal(t, want, flexroles.InsightsFor(all), "all seven wfo roles")

	// A few unions written out by hand, so the helper itself is checked against §4.
	hand := []struct {
		name  string
		roles []flexroles.Role
		want  flexroles.Insights
	}{
		{"team_leader+data_analyst: assess full beats view only, Editor beats Explorer",
			[]flexroles.Role{flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFODataAnalyst},
			flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
				AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsEditor}},
		{"quality_process_manager+dashboard_viewer",
			[]flexroles.Role{flexroles.Admin, flexroles.WFOQualityProcessManager, flexroles.WFODashboardViewer},
			flexroles.Insights{Enabled: true, PlayCalls: true, Questionnaires: true, Dashboards: flexroles.DashboardsViewer}},
		{"quality_manager+team_leader: Explorer beats Viewer",
			[]flexroles.Role{flexroles.Supervisor, flexroles.WFOQualityManager, flexroles.WFOTeamLeader},
			flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
				AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsExplorer}},
		{"data_analyst+quality_process_manager",
			[]flexroles.Role{flexroles.Supervisor, flexroles.WFODataAnalyst, flexroles.WFOQualityProcessManager},
			flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
				AssessCalls: flexroles.AssessViewOnly, Questionnaires: true, Dashboards: flexroles.DashboardsEditor}},
	}
	for _, tc := range hand {
		t.Run("hand/"+tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, flexroles.InsightsFor(tc.roles))
		})
	}
}

func TestInsightsForClosed(t *testing.T) {
	// §4 Decision: Insights.Enabled = (admin or supervisor) and at least one wfo.* role;
	// otherwise all capabilities are none (no default role for SSO users).
	closed := map[string][]flexroles.Role{
		"nil":                 nil,
		"empty":               {},
		"agent":               {flexroles.Agent},
		"supervisor":          {flexroles.Supervisor},
		"admin":               {flexroles.Admin},
		"admin+supervisor":    {flexroles.Admin, flexroles.Supervisor, flexroles.Agent},
		"console support":     {flexroles.ReadTeams, flexroles.ReadOnlyAdmin},
		"agent+wfo":           {flexroles.Agent, flexroles.WFOFullAccess, flexroles.WFOTeamLeader},
		"wfo only":            {flexroles.WFOFullAccess},
		"unknown role + wfo":  {flexroles.Role("Admin"), flexroles.WFOFullAccess},
		"unknown wfo + admin": {flexroles.Admin, flexroles.Role("wfo.dashboards_viewer")},
	}
	for name, roles := range closed {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, flexroles.Insights{}, flexroles.InsightsFor(roles))
		})
	}
	// The two Console role sets (§2): admin gets full access, Support nothing.
	assert.Equal(t, insightsFullAccess, flexroles.InsightsFor(consoleAdminRoles))
	assert.Equal(t, flexroles.Insights{}, flexroles.InsightsFor(consoleSupportRoles))
}

// TestCapabilities reads each capability's level from Insights the way
// review tools compare two decisions, and names the levels as policy test
// cases write them.
func TestCapabilities(t *testing.T) {
	assert.Equal(t, []flexroles.Capability{"enabled", "play_calls", "export_calls", "assess_calls", "questionnaires", "dashboards"},
		flexroles.Capabilities())
	analyst := flexroles.InsightsFor([]flexroles.Role{flexroles.Supervisor, flexroles.WFODataAnalyst})
	levels := map[flexroles.Capability]int{}
	names := map[flexroles.Capability]string{}
	for _, c := range flexroles.Capabilities() {
		levels[c] = analyst.Level(c)
		names[c] = c.LevelName(analyst.Level(c))
		assert.True(t, c.Known())
		assert.Equal(t, c == flexroles.CapabilityAssessCalls || c == flexroles.CapabilityDashboards, c.Graded(), "%s", c)
		for level := 0; level <= c.MaxLevel(); level++ {
			got, ok := c.ParseLevel(c.LevelName(level))
			assert.True(t, ok)
			assert.Equal(t, level, got, "%s", c)
		}
		assert.Equal(t, "", c.LevelName(c.MaxLevel()+1))
		assert.Equal(t, 0, flexroles.Insights{}.Level(c), "closed Insights allows nothing")
	}
	assert.Equal(t, map[flexroles.Capability]int{"enabled": 1, "play_calls": 1, "export_calls": 1, "assess_calls": 1, "questionnaires": 0, "dashboards": 3}, levels)
	assert.Equal(t, map[flexroles.Capability]string{"enabled": "true", "play_calls": "true", "export_calls": "true",
		"assess_calls": "view_only", "questionnaires": "false", "dashboards": "editor"}, names)
	assert.Greater(t, flexroles.InsightsFor([]flexroles.Role{flexroles.Admin, flexroles.WFOFullAccess}).Level(flexroles.CapabilityAssessCalls),
		analyst.Level(flexroles.CapabilityAssessCalls), "a higher level ranks higher")
	// A closed Insights allows nothing, whatever its other fields say.
	assert.Equal(t, 0, flexroles.Insights{PlayCalls: true, Dashboards: flexroles.DashboardsEditor}.Level(flexroles.CapabilityDashboards))
	unknown := flexroles.Capability("dashboard")
	assert.False(t, unknown.Known())
	assert.Equal(t, 0, analyst.Level(unknown))
	_, ok := unknown.ParseLevel("true")
	assert.False(t, ok)
}
