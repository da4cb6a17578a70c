package flexroles_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// loadInline loads a policy the test expects to be valid.
func loadInline(t *testing.T, src string) *flexroles.Policy {
	t.Helper()
	p, err := flexroles.LoadPolicy(strings.NewReader(src))
	require.NoError(t, err, src)
	return p
}

// ssoGroups is a valid SSO login with no roles attribute and the given
// groups, changed further by set when it is not nil.
func ssoGroups(groups []string, set func(a map[string][]string)) flexroles.Login {
	return limitSSO(func(a map[string][]string) {
		delete(a, "roles")
		if groups != nil {
			a["groups"] = groups
		}
		if set != nil {
			set(a)
		}
	})
}

// TestPolicyConsoleAllowMostPrivileged checks that console.allow judges the
// most privileged Console role that opens Flex, never a lesser one, and
// that Billing Manager beside another role does not count.
func TestPolicyConsoleAllowMostPrivileged(t *testing.T) {
	p := loadInline(t, "version: 1\nconsole:\n  allow: [Administrator, Support]\n")
	tests := []struct {
		roles  []flexroles.ConsoleRole
		denied bool
		named  string // the Console role the refusal names
	}{
		{[]flexroles.ConsoleRole{flexroles.Administrator}, false, ""},
		{[]flexroles.ConsoleRole{flexroles.Developer, flexroles.Administrator}, false, ""},
		{[]flexroles.ConsoleRole{flexroles.Administrator, flexroles.Developer}, false, ""},
		{[]flexroles.ConsoleRole{flexroles.Administrator, flexroles.Owner}, true, "Owner"},
		{[]flexroles.ConsoleRole{flexroles.Owner, flexroles.Administrator}, true, "Owner"},
		{[]flexroles.ConsoleRole{flexroles.Developer}, true, "Developer"},
		{[]flexroles.ConsoleRole{flexroles.Developer, flexroles.Support}, true, "Developer"},
		{[]flexroles.ConsoleRole{flexroles.BillingManager, flexroles.Support}, false, ""},
		{[]flexroles.ConsoleRole{flexroles.Support, flexroles.BillingManager}, false, ""},
		{[]flexroles.ConsoleRole{"administrator"}, false, ""},
	}
	for _, tc := range tests {
		d, err := p.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: tc.roles})
		if !tc.denied {
			require.NoError(t, err, "%v", tc.roles)
			assert.NotEmpty(t, d.Roles)
			continue
		}
		require.ErrorIs(t, err, flexroles.ErrDenied, "%v", tc.roles)
		assert.Zero(t, d)
		assert.Contains(t, err.Error(), `console.allow does not list the Console role "`+tc.named+`"`, "%v", tc.roles)
	}
	_, err := p.Resolve(flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.BillingManager}})
	require.ErrorIs(t, err, flexroles.ErrNoFlexAccess, "Twilio's rules come first")
}

// TestPolicyDefaultInsightsConditions gives default_insights_role each side
// of its three conditions: set, admin or supervisor, no wfo.* role.
func TestPolicyDefaultInsightsConditions(t *testing.T) {
	with := loadInline(t, "version: 1\nsso:\n  default_insights_role: wfo.dashboard_viewer\n")
	without := loadInline(t, "version: 1\n")
	tests := []struct {
		p     *flexroles.Policy
		roles []string
		want  []flexroles.Role
	}{
		{with, []string{"supervisor"}, []flexroles.Role{flexroles.Supervisor, flexroles.WFODashboardViewer}},
		{with, []string{"admin"}, []flexroles.Role{flexroles.Admin, flexroles.WFODashboardViewer}},
		{with, []string{"agent"}, []flexroles.Role{flexroles.Agent}},
		{with, []string{"supervisor", "wfo.team_leader"}, []flexroles.Role{flexroles.Supervisor, flexroles.WFOTeamLeader}},
		{without, []string{"supervisor"}, []flexroles.Role{flexroles.Supervisor}},
	}
	for _, tc := range tests {
		d, err := tc.p.Resolve(limitSSO(func(a map[string][]string) { a["roles"] = tc.roles }))
		require.NoError(t, err, "%v", tc.roles)
		assert.Equal(t, tc.want, d.Roles, "%v", tc.roles)
		assert.Equal(t, len(tc.want) > len(tc.roles), hasRule(d, "policy.default_insights_role"), "%v", tc.roles)
	}
	assert.Equal(t, flexroles.WFODashboardViewer, with.DefaultInsightsRole())
	assert.Equal(t, flexroles.Role(""), without.DefaultInsightsRole())
	assert.Equal(t, flexroles.Role(""), (*flexroles.Policy)(nil).DefaultInsightsRole())
}

// TestPolicyManyGroups loads policies naming more groups than fit one
// 64-bit word, and more than the words a login keeps on its stack, and
// checks that each group grants only its own rule's role.
func TestPolicyManyGroups(t *testing.T) {
	for _, n := range []int{63, 64, 65, 129, 256, 257, 300} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var src strings.Builder
			src.WriteString("version: 1\nsso:\n  rules:\n")
			for i := 0; i < n; i++ {
				role := "agent"
				if i == n-1 {
					role = "supervisor" // the last group, in the last word
				}
				fmt.Fprintf(&src, "    - name: r%d\n      when: {group: G%d}\n      grant: [%s]\n", i, i, role)
			}
			p := loadInline(t, src.String())
			for _, g := range []int{0, 62, 63, 64, 65, 127, 128, 255, 256, n - 1} {
				if g >= n {
					continue
				}
				d, err := p.Resolve(ssoGroups([]string{fmt.Sprintf("G%d", g)}, nil))
				require.NoError(t, err, "G%d", g)
				want := []flexroles.Role{flexroles.Agent}
				if g == n-1 {
					want = []flexroles.Role{flexroles.Supervisor}
				}
				assert.Equal(t, want, d.Roles, "G%d", g)
				fired := p.Fired(ssoGroups([]string{fmt.Sprintf("G%d", g)}, nil))
				require.Len(t, fired, 1, "G%d", g)
				assert.Equal(t, fmt.Sprintf("r%d", g), fired[0].Rule)
			}
			_, err := p.Resolve(ssoGroups([]string{fmt.Sprintf("G%d", n)}, nil))
			require.ErrorIs(t, err, flexroles.ErrMissingAttribute, "a group no rule names grants nothing")
		})
	}
}

// TestPolicyExplainNamesTheFailingCondition checks that Explain names the
// first condition that failed, counting any_group, then all_groups, then
// attributes, for a rule failing at each of them in turn.
func TestPolicyExplainNamesTheFailingCondition(t *testing.T) {
	p := loadInline(t, `version: 1
sso:
  rules:
    - name: eu-leads
      when:
        group: Leads
        any_group: [CC, QA]
        all_groups: [EU, Staff]
        attributes:
          - {name: department, equals: Sales}
          - {name: location, prefix: EU-}
      grant: [supervisor]
`)
	tests := []struct {
		groups []string
		attrs  map[string][]string
		why    string
	}{
		{[]string{"CC"}, nil, `not in group "Leads"`},
		{[]string{"Leads"}, nil, `in none of the groups ["CC", "QA"]`},
		{[]string{"Leads", "QA"}, nil, `not in group "EU", one of all_groups`},
		{[]string{"Leads", "QA", "EU"}, nil, `not in group "Staff", one of all_groups`},
		{[]string{"Leads", "QA", "EU", "Staff"}, nil, "department"},
		{[]string{"Leads", "QA", "EU", "Staff"}, map[string][]string{"department": {"Sales"}}, "location"},
		{[]string{"Leads", "QA", "EU", "Staff"}, map[string][]string{"department": {"Sales"}, "location": {"EU-West"}}, ""},
	}
	for _, tc := range tests {
		l := ssoGroups(tc.groups, func(a map[string][]string) {
			a["roles"] = []string{"agent"}
			for k, v := range tc.attrs {
				a[k] = v
			}
		})
		traces := p.Explain(l)
		require.Len(t, traces, 1, "%v", tc.groups)
		assert.Equal(t, tc.why == "", traces[0].Matched, "%v %v", tc.groups, tc.attrs)
		if tc.why == "" {
			assert.Empty(t, traces[0].Why)
			continue
		}
		assert.Contains(t, traces[0].Why, tc.why, "%v %v", tc.groups, tc.attrs)
	}
}

// TestPolicyPrefixFolded checks a prefix condition under
// case_insensitive_groups at the length edges: a value exactly as long as
// the prefix, and one shorter.
func TestPolicyPrefixFolded(t *testing.T) {
	p := loadInline(t, `version: 1
sso:
  case_insensitive_groups: true
  rules:
    - name: eu
      when:
        attribute: location
        prefix: EU-
      grant: [supervisor]
`)
	for value, granted := range map[string]bool{"eu-": true, "EU-": true, "eu-west": true, "eu": false, "e": false, "": false, "xeu-": false} {
		l := limitSSO(func(a map[string][]string) { a["location"] = []string{value} })
		d, err := p.Resolve(l)
		require.NoError(t, err, value)
		assert.Equal(t, granted, d.Has(flexroles.Supervisor), "%q", value)
	}
}

// TestPolicyLimitsOnWhatItReads checks the limits a policy applies to its
// groups attribute and to the attributes its conditions read, exactly at
// and one past them, in Resolve, Explain and Fired.
func TestPolicyLimitsOnWhatItReads(t *testing.T) {
	p := loadInline(t, `version: 1
sso:
  rules:
    - name: sales
      when: {group: Leads, attribute: department, equals: Sales}
      grant: [supervisor]
`)
	tests := []struct {
		name string
		set  func(a map[string][]string)
		ok   bool
	}{
		{"groups at MaxAttributeValues", func(a map[string][]string) {
			a["groups"] = padded("Leads", flexroles.MaxAttributeValues)
		}, true},
		{"groups past MaxAttributeValues", func(a map[string][]string) {
			a["groups"] = padded("Leads", flexroles.MaxAttributeValues+1)
		}, false},
		{"department at MaxAttributeValues", func(a map[string][]string) {
			a["department"] = padded("Sales", flexroles.MaxAttributeValues)
		}, true},
		{"department past MaxAttributeValues", func(a map[string][]string) {
			a["department"] = padded("Sales", flexroles.MaxAttributeValues+1)
		}, false},
		{"a group of MaxValueSize", func(a map[string][]string) {
			a["groups"] = []string{"Leads", strings.Repeat("g", flexroles.MaxValueSize)}
		}, true},
		{"a group past MaxValueSize", func(a map[string][]string) {
			a["groups"] = []string{"Leads", strings.Repeat("g", flexroles.MaxValueSize+1)}
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := limitSSO(func(a map[string][]string) {
				a["groups"] = []string{"Leads"}
				a["department"] = []string{"Sales"}
				tc.set(a)
			})
			d, err := p.Resolve(l)
			explained, fired := p.Explain(l), p.Fired(l)
			if tc.ok {
				require.NoError(t, err)
				assert.True(t, d.Has(flexroles.Supervisor))
				require.Len(t, explained, 1)
				assert.True(t, explained[0].Matched)
				require.Len(t, fired, 1)
				return
			}
			require.ErrorIs(t, err, flexroles.ErrInvalidAttribute)
			assert.Nil(t, explained, "Explain traces nothing for a login past the limits")
			assert.Nil(t, fired, "nothing fires for a login past the limits")
		})
	}
	over := limitSSO(func(a map[string][]string) {
		withExtra(flexroles.MaxAttributes - 4)(a)
		a["groups"] = []string{"Leads"}
		a["department"] = []string{"Sales"}
	})
	require.Len(t, over.Attributes, flexroles.MaxAttributes+1)
	assert.Nil(t, p.Explain(over))
	assert.Nil(t, p.Fired(over))
	delete(over.Attributes, "x-extra-0000")
	assert.Len(t, p.Explain(over), 1, "at MaxAttributes")
	assert.Len(t, p.Fired(over), 1, "at MaxAttributes")
}

// TestPolicyErrorFormat checks how a *PolicyError lists its issues: the
// file, line and column each only when known, the field only when set, and
// "problem" in the singular for one.
func TestPolicyErrorFormat(t *testing.T) {
	tests := []struct {
		e    flexroles.PolicyError
		want string
	}{
		{flexroles.PolicyError{Issues: []flexroles.PolicyIssue{{Message: "m"}}},
			"flexroles: invalid policy: 1 problem\n  m"},
		{flexroles.PolicyError{File: "p.yaml", Issues: []flexroles.PolicyIssue{{Line: 3, Column: 5, Field: "sso.rules[0]", Message: "m"}}},
			"flexroles: invalid policy p.yaml: 1 problem\n  p.yaml:3:5: sso.rules[0]: m"},
		{flexroles.PolicyError{Issues: []flexroles.PolicyIssue{{Line: 1, Message: "a"}, {Field: "f", Message: "b"}}},
			"flexroles: invalid policy: 2 problems\n  1: a\n  f: b"},
		{flexroles.PolicyError{File: "p.yaml", Issues: []flexroles.PolicyIssue{{Column: 2, Message: "m"}}},
			"flexroles: invalid policy p.yaml: 1 problem\n  p.yaml: m"},
		{flexroles.PolicyError{}, "flexroles: invalid policy: 0 problems"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.e.Error())
	}
}

// TestPolicyAttributesOnce checks that an attribute several conditions test
// is listed, and read, once: the first attribute a policy names as much as a
// later one.
func TestPolicyAttributesOnce(t *testing.T) {
	p := loadInline(t, `version: 1
sso:
  rules:
    - name: sales
      when: {attribute: department, equals: Sales}
      grant: [agent]
    - name: eu-sales
      when:
        attributes:
          - {name: location, prefix: EU-}
          - {name: department, equals: Sales}
      grant: [supervisor]
    - name: eu
      when: {attribute: location, equals: EU-West}
      grant: [wfo.dashboard_viewer]
`)
	assert.Equal(t, []string{"department", "location"}, p.Attributes())
	d, err := p.Resolve(ssoGroups(nil, func(a map[string][]string) {
		a["department"] = []string{"Sales"}
		a["location"] = []string{"EU-West"}
	}))
	require.NoError(t, err)
	assert.Equal(t, []flexroles.Role{flexroles.Supervisor, flexroles.Agent, flexroles.WFODashboardViewer}, d.Roles)
	assert.Nil(t, (*flexroles.Policy)(nil).Attributes())
	assert.Nil(t, loadInline(t, "version: 1\n").Attributes())
}
