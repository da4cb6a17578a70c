package flexroles_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestCoverageSettingsInFileOrder writes the four settings in the reverse of
// the order Coverage knows them by and checks that it lists them in file
// order, each reached by exactly the cases it changes or refuses.
func TestCoverageSettingsInFileOrder(t *testing.T) {
	p := loadInline(t, `version: 1
console:
  allow: [Owner]
sso:
  unknown_roles: drop
  default_insights_role: wfo.dashboard_viewer
  allow: [agent, supervisor, wfo.dashboard_viewer]
tests:
  - name: developer refused
    login: {console: [Developer]}
    want: {error: denied}
  - name: owner
    login: {console: [Owner]}
    want: {roles: [admin, wfo.full_access]}
  - name: typo dropped
    login: {sso: {email: a@x.co, full_name: A, roles: "agent, agnet"}}
    want: {roles: [agent]}
  - name: supervisor gets a default
    login: {sso: {email: a@x.co, full_name: A, roles: supervisor}}
    want: {roles: [supervisor, wfo.dashboard_viewer]}
  - name: admin refused
    login: {sso: {email: a@x.co, full_name: A, roles: admin}}
    want: {error: denied}
  - name: admin refused again
    login: {sso: {email: b@x.co, full_name: B, roles: admin}}
    want: {error: denied}
`)
	var settings []flexroles.CoverageItem
	for _, it := range p.Coverage().Items {
		if it.Kind == flexroles.CoverSetting {
			settings = append(settings, it)
		}
	}
	require.Equal(t, []flexroles.CoverageItem{
		{Kind: flexroles.CoverSetting, Rule: "console.allow", Line: 3, Tests: []string{"developer refused"}},
		{Kind: flexroles.CoverSetting, Rule: "sso.unknown_roles", Line: 5, Tests: []string{"typo dropped"}},
		{Kind: flexroles.CoverSetting, Rule: "sso.default_insights_role", Line: 6, Tests: []string{"supervisor gets a default"}},
		{Kind: flexroles.CoverSetting, Rule: "sso.allow", Line: 7, Tests: []string{"admin refused", "admin refused again"}},
	}, settings)
	for _, r := range p.Test() {
		assert.Empty(t, r.Failure, r.Name)
	}
}
