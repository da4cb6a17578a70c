package review_test

import (
	"encoding/json"
	"testing"

	"github.com/flexroles/flexroles/review"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// compareAll compares the policies oldText and newText over the users of
// a CSV export, failing on failOn, and returns the changes and the text
// report.
func compareAll(t *testing.T, oldText, newText, failOn, users string) ([]*review.Change, string) {
	t.Helper()
	dir := t.TempDir()
	r := reviewExport(t, writeFile(t, dir, "old.yaml", oldText), writeFile(t, dir, "new.yaml", newText), failOn, asText, writeFile(t, dir, "users.csv", users))
	return r.changes, r.out
}

// TestInsightsLevels checks that a capability whose level moves is one
// gain or one loss, "dashboards=viewer→editor", and that gain:CAP and
// lose:CAP match only that direction.
func TestInsightsLevels(t *testing.T) {
	const (
		viewer = "version: 1\nsso:\n  rules:\n    - {name: leads, when: {group: CC-Leads}, grant: [supervisor, wfo.dashboard_viewer]}\n"
		editor = "version: 1\nsso:\n  rules:\n    - {name: leads, when: {group: CC-Leads}, grant: [supervisor, wfo.data_analyst]}\n"
		users  = "email,name,groups\nl@x.co,L,CC-Leads\n"
	)
	changes, _ := compareAll(t, viewer, editor, "lose:dashboards", users)
	require.Len(t, changes, 1)
	assert.Equal(t, []string{"export_calls", "assess_calls=view_only", "dashboards=viewer→editor"}, changes[0].GainedInsights)
	assert.Empty(t, changes[0].LostInsights)
	assert.Empty(t, changes[0].FailedOn, "viewer to editor loses nothing")
	doc, err := json.Marshal(changes[0])
	require.NoError(t, err)
	assert.Contains(t, string(doc), `"lost_insights":[]`, "arrays are arrays, never null, for tools that read the document")
	changes, _ = compareAll(t, viewer, editor, "gain:dashboards", users)
	assert.Equal(t, []string{"gain:dashboards"}, changes[0].FailedOn)

	changes, text := compareAll(t, editor, viewer, "gain:dashboards", users)
	assert.Empty(t, changes[0].FailedOn, "editor to viewer gains nothing")
	assert.Contains(t, text, "    insights - export_calls, - assess_calls=view_only, - dashboards=editor→viewer\n")
	changes, _ = compareAll(t, editor, viewer, "lose:dashboards", users)
	assert.Equal(t, []string{"lose:dashboards"}, changes[0].FailedOn)
}

// TestRolesAttributeRenamed checks that a role from the roles attribute is
// named as such under the name the policy reads it by.
func TestRolesAttributeRenamed(t *testing.T) {
	const (
		open  = "version: 1\nsso:\n  attributes: {roles: Role}\n  rules:\n    - {name: agents, when: {group: CC-Agents}, grant: [agent]}\n"
		allow = "version: 1\nsso:\n  attributes: {roles: Role}\n  allow: [agent]\n  rules:\n    - {name: agents, when: {group: CC-Agents}, grant: [agent]}\n"
	)
	changes, _ := compareAll(t, open, allow, "", "email,name,groups,roles\ns@x.co,S,CC-Agents,supervisor\n")
	require.Len(t, changes, 1)
	assert.Equal(t, []review.RoleChange{
		{Role: "supervisor", From: []string{"roles attribute"}},
		{Role: "agent", From: []string{`rule "agents"`}},
	}, changes[0].Lost)
}
