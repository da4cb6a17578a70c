package flexroles_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// coveragePolicy has a rule, a deny rule and settings that its cases reach,
// and a rule and a setting no case reaches.
const coveragePolicy = `version: 1
sso:
  allow: [agent, supervisor, wfo.team_leader, wfo.dashboard_viewer]
  default_insights_role: wfo.dashboard_viewer
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
    - name: leads
      when: {group: CC-Leads}
      grant: [supervisor, wfo.team_leader]
    - name: old admins
      when: {group: Legacy-Admins}
      grant: [supervisor]
  deny:
    - name: offboarded
      when: {group: Offboarded}
console:
  allow: [Owner, Support]
tests:
  - name: agent
    login: {sso: {email: a@x.co, full_name: A, groups: [CC-Agents]}}
    want: {roles: [agent]}
  - name: lead
    login: {sso: {email: l@x.co, full_name: L, groups: [CC-Agents, CC-Leads]}}
    want: {roles: [supervisor, agent, wfo.team_leader]}
  - name: supervisor from the IdP
    login: {sso: {email: s@x.co, full_name: S, roles: supervisor}}
    want: {roles: [supervisor, wfo.dashboard_viewer]}
  - name: leaver
    login: {sso: {email: o@x.co, full_name: O, groups: [CC-Agents, Offboarded]}}
    want: {error: denied}
  - name: no group
    login: {sso: {email: n@x.co, full_name: N}}
    want: {error: missing_attribute}
  - name: admin from the IdP
    login: {sso: {email: d@x.co, full_name: D, roles: admin}}
    want: {error: denied}
  - name: support
    login: {console: [Support]}
    want: {roles: [flex.readteams, flex.readonlyadmin]}
`

func TestCoverage(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader(coveragePolicy))
	require.NoError(t, err)
	c := p.Coverage()
	got := map[string]flexroles.CoverageItem{}
	var order []string
	for _, it := range c.Items {
		got[it.Kind+" "+it.Rule] = it
		order = append(order, it.Kind+" "+it.Rule)
	}
	require.Equal(t, []string{"deny offboarded", "grant agents", "grant leads", "grant old admins",
		"setting sso.allow", "setting sso.default_insights_role", "setting console.allow"}, order[:7],
		"deny rules, grant rules, then settings in file order")
	for name, want := range map[string]struct {
		line  int
		tests []string
	}{
		"deny offboarded":                   {16, []string{"leaver"}},
		"grant agents":                      {6, []string{"agent", "lead"}},
		"grant leads":                       {9, []string{"lead"}},
		"grant old admins":                  {12, nil},
		"setting sso.allow":                 {3, []string{"admin from the IdP"}},
		"setting sso.default_insights_role": {4, []string{"supervisor from the IdP"}},
		"setting console.allow":             {19, nil},
		"platform console.support":          {0, []string{"support"}},
		"platform console.admin":            {0, nil},
		"platform sso.roles":                {0, []string{"supervisor from the IdP"}},
		"platform insights.open":            {0, []string{"lead", "supervisor from the IdP"}},
		"platform insights.closed.agent":    {0, []string{"agent"}},
		"platform insights.closed.support":  {0, []string{"support"}},
		"platform error.missing_attribute":  {0, []string{"no group"}},
		"platform error.unknown_role":       {0, nil},
	} {
		it, ok := got[name]
		require.True(t, ok, "no item %q in %v", name, order)
		require.Equal(t, want.line, it.Line, name)
		require.Equal(t, want.tests, it.Tests, name)
	}
	for _, m := range c.Missed() {
		require.Empty(t, m.Tests)
	}
	require.Contains(t, c.Missed(), got["grant old admins"])
	require.Contains(t, c.Missed(), got["setting console.allow"], "an allow list no case refuses is not covered")
	require.NotContains(t, c.Missed(), got["grant leads"])

	var nilPolicy *flexroles.Policy
	require.Empty(t, nilPolicy.Coverage().Items)
}

func TestFired(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader(coveragePolicy))
	require.NoError(t, err)
	sso := func(attrs map[string][]string) flexroles.Login {
		attrs["email"], attrs["full_name"] = []string{"a@x.co"}, []string{"A"}
		return flexroles.Login{Source: flexroles.SSO, Attributes: attrs}
	}
	require.Equal(t, []flexroles.RuleTrace{
		{Rule: "agents", Line: 6, Matched: true, Grant: []flexroles.Role{flexroles.Agent}},
		{Rule: "leads", Line: 9, Matched: true, Grant: []flexroles.Role{flexroles.Supervisor, flexroles.WFOTeamLeader}},
	}, p.Fired(sso(map[string][]string{"groups": {"CC-Leads", "CC-Agents"}})), "grant rules in file order")
	require.Equal(t, []flexroles.RuleTrace{{Rule: "offboarded", Line: 16, Deny: true, Matched: true}},
		p.Fired(sso(map[string][]string{"groups": {"CC-Leads", "Offboarded"}})), "the deny rule alone")
	require.Equal(t, []flexroles.RuleTrace{{Rule: "old admins", Line: 12, Matched: true, Grant: []flexroles.Role{flexroles.Supervisor}}},
		p.Fired(sso(map[string][]string{"groups": {"Legacy-Admins"}, "roles": {"admin"}})),
		"a rule fires even when sso.allow then refuses the login")
	require.Nil(t, p.Fired(sso(map[string][]string{"groups": {"CC-Agents"}, "roles": {"Admin"}})),
		"Twilio's rules refuse first: nothing fires")
	require.Nil(t, p.Fired(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{"groups": {"CC-Agents"}}}),
		"45050 for a missing email comes first")
	require.Nil(t, p.Fired(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}}))
	var nilPolicy *flexroles.Policy
	require.Nil(t, nilPolicy.Fired(sso(map[string][]string{"groups": {"CC-Agents"}})))
}

func TestCoverageString(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader(coveragePolicy))
	require.NoError(t, err)
	got := p.Coverage().String()
	lines := strings.Split(got, "\n")
	require.Equal(t, "rules reached: 5 of 7 policy rules and settings, 6 of 19 platform rules", lines[0])
	require.Equal(t, `  reached  deny     offboarded                 line 16  1 case: "leaver"`, lines[1])
	require.Equal(t, `  reached  grant    agents                     line 6  2 cases: "agent", …`, lines[2])
	require.Equal(t, `  MISSED   grant    old admins                 line 12`, lines[4])
	require.Equal(t, `  MISSED   setting  console.allow              line 19`, lines[7])
	require.True(t, strings.HasPrefix(lines[8], "  platform rules no case reaches: console.admin, console.requested, sso.roles.split,"), lines[8])
}

func TestCoverageDropUnknown(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader(`version: 1
sso:
  unknown_roles: drop
tests:
  - name: typo dropped
    login: {sso: {email: a@x.co, full_name: A, roles: "agent, wfo.dashboards_viewer"}}
    want: {roles: [agent]}
  - name: plain agent
    login: {sso: {email: b@x.co, full_name: B, roles: agent}}
    want: {roles: [agent]}
`))
	require.NoError(t, err)
	items := p.Coverage().Items
	require.Equal(t, flexroles.CoverageItem{Kind: flexroles.CoverSetting, Rule: "sso.unknown_roles", Line: 3, Tests: []string{"typo dropped"}}, items[0])
	require.Equal(t, flexroles.CoverPlatform, items[1].Kind, "no rules: the setting, then the platform rules")
}

// TestExplainBounded checks that a rule's explanation repeats at most ten
// of a user's groups, however many the user is in.
func TestExplainBounded(t *testing.T) {
	p, err := flexroles.LoadPolicy(strings.NewReader(coveragePolicy))
	require.NoError(t, err)
	groups := make([]string, 5000)
	for i := range groups {
		groups[i] = "G" + strings.Repeat("x", 200)
	}
	trace := p.Explain(flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"email": {"a@x.co"}, "full_name": {"A"}, "groups": groups}})
	require.NotEmpty(t, trace)
	for _, tr := range trace {
		require.Less(t, len(tr.Why), 1500, tr.Rule)
		require.Contains(t, tr.Why, "… 4990 more]", tr.Rule)
	}
}
