package outcome_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/outcome"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecisionJSON holds the JSON of a granted login to the bytes it had
// when the package spelt out its own copies of Insights and Reason: the
// library's types, which the package now uses, encode the same.
func TestDecisionJSON(t *testing.T) {
	roles := []flexroles.Role{flexroles.Supervisor, flexroles.WFOQualityManager, flexroles.WFODashboardViewer}
	d := flexroles.Decision{Roles: roles, Insights: flexroles.InsightsFor(roles),
		Reasons: []flexroles.Reason{{Rule: "sso.roles", Message: "from roles"}, {Rule: "sso.claim.ignored", Warning: true, Message: "ignored"}}}
	got, err := json.Marshal(outcome.DecisionOf(d))
	require.NoError(t, err)
	assert.JSONEq(t, `{"granted":true,"roles":["supervisor","wfo.quality_manager","wfo.dashboard_viewer"],`+
		`"insights":{"enabled":true,"play_calls":true,"export_calls":true,"assess_calls":"full","questionnaires":false,"dashboards":"viewer"},`+
		`"reasons":[{"rule":"sso.roles","warning":false,"message":"from roles"},{"rule":"sso.claim.ignored","warning":true,"message":"ignored"}]}`, string(got))
	assert.Equal(t, `{"granted":true,"roles":["supervisor","wfo.quality_manager","wfo.dashboard_viewer"],`+
		`"insights":{"enabled":true,"play_calls":true,"export_calls":true,"assess_calls":"full","questionnaires":false,"dashboards":"viewer"},`+
		`"reasons":[{"rule":"sso.roles","warning":false,"message":"from roles"},{"rule":"sso.claim.ignored","warning":true,"message":"ignored"}]}`, string(got), "byte for byte, in field order")

	got, err = json.Marshal(outcome.DecisionOf(flexroles.Decision{}))
	require.NoError(t, err)
	assert.Equal(t, `{"granted":true,"roles":[],"insights":{"enabled":false,"play_calls":false,"export_calls":false,"assess_calls":"none","questionnaires":false,"dashboards":"none"},"reasons":[]}`,
		string(got), "roles and reasons are never null")
}

// TestRefusalJSON checks that a refusal says who refused it, and names
// the deny rule when one did.
func TestRefusalJSON(t *testing.T) {
	load := func(text string) *flexroles.Policy {
		p, err := flexroles.LoadPolicy(strings.NewReader(text))
		require.NoError(t, err)
		return p
	}
	p := load("version: 1\nsso:\n  allow: [agent]\n  deny:\n    - {name: leavers, when: {group: Gone}}\nconsole:\n  allow: [Owner]\n")
	sso := func(attrs map[string]string) flexroles.Login {
		l := flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{"email": {"a@x.co"}, "full_name": {"A"}}}
		for k, v := range attrs {
			l.Attributes[k] = []string{v}
		}
		return l
	}
	for _, tc := range []struct {
		name  string
		login flexroles.Login
		want  string // the end of the error object
	}{
		{"deny rule", sso(map[string]string{"roles": "agent", "groups": "Gone"}), `,"refused_by":"deny rule","rule":"leavers","deny_rule":"leavers"}`},
		{"sso.allow", sso(map[string]string{"roles": "supervisor"}), `,"refused_by":"sso.allow","rule":"sso.allow"}`},
		{"console.allow", flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}}, `,"refused_by":"console.allow","rule":"console.allow"}`},
		{"twilio", sso(nil), `,"refused_by":"twilio"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Resolve(tc.login)
			require.Error(t, err)
			got, jerr := json.Marshal(outcome.RefusalOf(err))
			require.NoError(t, jerr)
			assert.Contains(t, string(got), `"message":`)
			assert.Equal(t, tc.want+"}", string(got)[len(got)-len(tc.want)-1:])
		})
	}
}
