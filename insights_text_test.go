package flexroles_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestDashboardsText round-trips every dashboard level through its text
// form, the lowest and the highest included, and refuses the levels just
// outside the range and any other text.
func TestDashboardsText(t *testing.T) {
	levels := map[flexroles.Dashboards]string{
		flexroles.DashboardsNone:     "none",
		flexroles.DashboardsViewer:   "viewer",
		flexroles.DashboardsExplorer: "explorer",
		flexroles.DashboardsEditor:   "editor",
	}
	for d, text := range levels {
		assert.Equal(t, text, d.String())
		got, err := d.MarshalText()
		require.NoError(t, err, "%v", d)
		assert.Equal(t, text, string(got))

		back := flexroles.Dashboards(-1)
		require.NoError(t, back.UnmarshalText([]byte(text)), text)
		assert.Equal(t, d, back, text)
	}
	for _, d := range []flexroles.Dashboards{flexroles.DashboardsNone - 1, flexroles.DashboardsEditor + 1} {
		_, err := d.MarshalText()
		require.ErrorIs(t, err, flexroles.ErrInvalidAttribute, "%d", int(d))
		var e *flexroles.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, "dashboards", e.Attribute)
		assert.Contains(t, d.String(), "Dashboards(")
	}
	for _, text := range []string{"", "Viewer", "editors", "Dashboards(4)", "4", "0"} {
		d := flexroles.DashboardsExplorer
		err := d.UnmarshalText([]byte(text))
		require.ErrorIs(t, err, flexroles.ErrInvalidAttribute, "%q", text)
		var e *flexroles.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, text, e.Value)
		assert.Equal(t, flexroles.DashboardsExplorer, d, "a refused text leaves the level as it was")
	}
}

// TestAssessText is TestDashboardsText for Assess, whose text form of the
// middle level ("view_only") differs from its String ("view only").
func TestAssessText(t *testing.T) {
	levels := map[flexroles.Assess][2]string{
		flexroles.AssessNone:     {"none", "none"},
		flexroles.AssessViewOnly: {"view only", "view_only"},
		flexroles.AssessFull:     {"full", "full"},
	}
	for a, text := range levels {
		assert.Equal(t, text[0], a.String())
		got, err := a.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, text[1], string(got))
		back := flexroles.Assess(-1)
		require.NoError(t, back.UnmarshalText(got))
		assert.Equal(t, a, back)
	}
	for _, a := range []flexroles.Assess{flexroles.AssessNone - 1, flexroles.AssessFull + 1} {
		_, err := a.MarshalText()
		require.ErrorIs(t, err, flexroles.ErrInvalidAttribute)
		assert.Contains(t, a.String(), "Assess(")
	}
	for _, text := range []string{"", "view only", "Full"} {
		a := flexroles.AssessFull
		require.ErrorIs(t, a.UnmarshalText([]byte(text)), flexroles.ErrInvalidAttribute, "%q", text)
		assert.Equal(t, flexroles.AssessFull, a)
	}
}

// TestInsightsJSON decodes the JSON of every Insights a role set can give
// back to the same value: the levels go through their text forms.
func TestInsightsJSON(t *testing.T) {
	for _, r := range []flexroles.Role{flexroles.WFOFullAccess, flexroles.WFOTeamLeader, flexroles.WFODataAnalyst,
		flexroles.WFODataAuditor, flexroles.WFOQualityManager, flexroles.WFOQualityProcessManager, flexroles.WFODashboardViewer} {
		in := flexroles.InsightsFor([]flexroles.Role{flexroles.Supervisor, r})
		b, err := json.Marshal(in)
		require.NoError(t, err, string(r))
		var back flexroles.Insights
		require.NoError(t, json.Unmarshal(b, &back), string(b))
		assert.Equal(t, in, back, string(b))
	}
}
