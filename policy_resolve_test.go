package flexroles_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// Tests of (*Policy).Resolve: the rules, deny rules and allow lists on top
// of Twilio's, row by row.

// These tests are written from the policy issue (issue 4) alone: every row's
// reason quotes the sentence of the issue it proves.

// polSSO is an SSO login with a valid email and full_name plus attrs; a nil
// value in attrs deletes the attribute (so email or full_name can be removed).
func polSSO(attrs map[string][]string) flexroles.Login {
	l := flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"email":     {"jane.doe@example.com"},
		"full_name": {"Jane Doe"},
	}}
	applyChanges(l.Attributes, attrs)
	return l
}

func polRoles(rs ...flexroles.Role) []flexroles.Role { return rs }

// polLoad loads an inline policy that the row expects to be valid.
func polLoad(t testing.TB, src string) *flexroles.Policy {
	t.Helper()
	p, err := flexroles.LoadPolicy(strings.NewReader(src))
	require.NoError(t, err, "the row's policy must load:\n%s", src)
	require.NotNil(t, p)
	return p
}

// The policies of the Resolve table, each as small as the rule it proves.
const (
	polGroups = `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
    - name: leads
      when:
        any_group: [CC-Leads, CC-Supervisors]
      grant: [supervisor, wfo.team_leader]
    - name: qa-leads
      when:
        all_groups: [CC-Leads, QA]
      grant: [wfo.quality_manager]
    - name: ad-leads
      when:
        group: "CN=Leads,OU=CC,DC=x"
      grant: [supervisor]
    - name: dashboards
      when: {group: Dashboards}
      grant: [wfo.dashboard_viewer]
`
	polGroupsFolded = `version: 1
sso:
  case_insensitive_groups: true
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
    - name: ad-leads
      when:
        group: "CN=Leads,OU=CC,DC=x"
      grant: [supervisor]
`
	polAttributes = `version: 1
sso:
  rules:
    - name: sales
      when: {attribute: department, equals: Sales}
      grant: [agent]
    - name: support-or-billing
      when:
        attribute: team
        in: [Support, Billing]
      grant: [agent, wfo.dashboard_viewer]
    - name: eu-analysts
      when:
        attributes:
          - {name: department, equals: Analytics}
          - {name: location, prefix: EU-}
      grant: [supervisor, wfo.data_analyst]
    - name: leads-in-support
      when:
        any_group: [CC-Leads]
        attribute: department
        in: [Support, Sales]
      grant: [supervisor, wfo.team_leader]
`
	polFoldRoles = `version: 1
sso:
  case_insensitive_roles: true
`
	polDrop = `version: 1
sso:
  unknown_roles: drop
`
	polReject = `version: 1
sso:
  unknown_roles: reject
`
	polDefaultInsights = `version: 1
sso:
  default_insights_role: wfo.dashboard_viewer
  rules:
    - name: leads
      when: {group: Leads}
      grant: [supervisor]
    - name: qa
      when: {group: QA}
      grant: [wfo.quality_manager]
    - name: agents
      when: {group: Agents}
      grant: [agent]
`
	polDeny = `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
    - name: admins
      when: {group: IT-Admins}
      grant: [admin, wfo.full_access]
  deny:
    - name: offboarded
      when: {group: Offboarded}
    - name: contractors
      when: {attribute: employment, equals: contractor}
`
	polAllow = `version: 1
sso:
  allow: [agent, supervisor, wfo.team_leader]
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
    - name: leads
      when: {group: CC-Leads}
      grant: [supervisor, wfo.team_leader]
  deny:
    - name: offboarded
      when: {group: Offboarded}
`
	polConsoleAllow = `version: 1
console:
  allow: [Owner, Administrator, Support]
`
	polSSOOnly = `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`
	polCustomNames = `version: 1
sso:
  attributes: {roles: flexRoles, groups: memberOf}
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`
	polCustomIdentity = `version: 1
sso:
  attributes: {email: mail, full_name: displayName}
`
)

// policyCase is one row of the (*Policy).Resolve table. wantErr nil means
// success with exactly wantRoles.
type policyCase struct {
	name   string
	reason string // the sentence of issue 4 this row proves
	policy string
	login  flexroles.Login

	wantRoles    []flexroles.Role
	wantErr      error
	wantValue    *string             // Error.Value, checked when set
	wantRule     *string             // Error.Rule, checked when set
	wantInsights *flexroles.Insights // checked when set
	wantDropped  string              // a warning Reason must mention this dropped value
}

func polStr(s string) *string { return &s }

var policyCases = []policyCase{
	// Rules by group.
	{
		name: "group grants agent without a roles attribute", policy: polGroups,
		reason:    "SSO roles = the `roles` attribute (optional when a policy is used) ∪ the grants of matching rules; also: group: X",
		login:     polSSO(map[string][]string{"groups": {"CC-Agents"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "any_group matches on one of its groups", policy: polGroups,
		reason:    "any_group: [CC-Leads, CC-Supervisors]",
		login:     polSSO(map[string][]string{"groups": {"Staff", "CC-Supervisors"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
	},
	{
		name: "all_groups with every group, grants of several rules unioned", policy: polGroups,
		reason:    "all_groups: [X, Y]; rules in order; every matching rule's grant is added",
		login:     polSSO(map[string][]string{"groups": {"QA", "CC-Leads"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFOQualityManager),
	},
	{
		name: "all_groups missing one group does not match", policy: polGroups,
		reason:    "all_groups: [X, Y] (every group); every condition present must hold",
		login:     polSSO(map[string][]string{"groups": {"QA", "CC-Agents"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "three rules union with the roles attribute", policy: polGroups,
		reason:    "SSO roles = the `roles` attribute ∪ the grants of matching rules",
		login:     polSSO(map[string][]string{"roles": {"agent"}, "groups": {"CC-Leads", "QA"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.Agent, flexroles.WFOTeamLeader, flexroles.WFOQualityManager),
	},
	{
		name: "roles attribute alone still works under a policy", policy: polGroups,
		reason:    "SSO roles = the `roles` attribute ∪ ... (no rule matches: the attribute alone)",
		login:     polSSO(map[string][]string{"roles": {"admin, wfo.data_analyst"}}),
		wantRoles: polRoles(flexroles.Admin, flexroles.WFODataAnalyst),
	},
	{
		name: "grant duplicates the roles attribute", policy: polGroups,
		reason:    "SSO roles = ... ∪ ... (a union: no duplicates)",
		login:     polSSO(map[string][]string{"roles": {"agent"}, "groups": {"CC-Agents"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "AD group DN matches as one value", policy: polGroups,
		reason:    "Groups are taken one per value as sent, never split (AD group DNs contain commas)",
		login:     polSSO(map[string][]string{"groups": {"CN=Leads,OU=CC,DC=x"}}),
		wantRoles: polRoles(flexroles.Supervisor),
	},
	{
		name: "DN parts as separate values do not match the DN", policy: polGroups,
		reason:  "Groups are taken one per value as sent, never split: no Flex role → 45050",
		login:   polSSO(map[string][]string{"groups": {"CN=Leads", "OU=CC", "DC=x"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "comma-separated group value is not split", policy: polGroups,
		reason:  "Groups are taken one per value as sent, never split",
		login:   polSSO(map[string][]string{"groups": {"CC-Agents,CC-Leads"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "group names are case-sensitive by default", policy: polGroups,
		reason:  "group names and attribute values match exactly unless the case-insensitive switch is on",
		login:   polSSO(map[string][]string{"groups": {"cc-agents"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "group with surrounding space is a different group", policy: polGroups,
		reason:  "Groups are taken one per value as sent; group names match exactly",
		login:   polSSO(map[string][]string{"groups": {" CC-Agents"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "case_insensitive_groups folds the user's groups", policy: polGroupsFolded,
		reason:    "case_insensitive_groups: group names match exactly unless the case-insensitive switch is on",
		login:     polSSO(map[string][]string{"groups": {"CC-AGENTS"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "case_insensitive_groups folds a DN, still unsplit", policy: polGroupsFolded,
		reason:    "case_insensitive_groups; groups never split (AD group DNs contain commas)",
		login:     polSSO(map[string][]string{"groups": {"cn=leads,ou=cc,dc=x"}}),
		wantRoles: polRoles(flexroles.Supervisor),
	},

	// Rules by attribute.
	{
		name: "attribute equals", policy: polAttributes,
		reason:    "attribute: department ... with exactly one of equals: V",
		login:     polSSO(map[string][]string{"department": {"Sales"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "attribute equals is exact", policy: polAttributes,
		reason:  "attribute values match exactly unless the case-insensitive switch is on",
		login:   polSSO(map[string][]string{"department": {"sales"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "attribute in", policy: polAttributes,
		reason:    "attribute: ... in: [Support, Sales]",
		login:     polSSO(map[string][]string{"team": {"Billing"}}),
		wantRoles: polRoles(flexroles.Agent, flexroles.WFODashboardViewer),
	},
	{
		name: "multi-valued attribute matches if any value does", policy: polAttributes,
		reason:    "a multi-valued attribute matches if any value does",
		login:     polSSO(map[string][]string{"department": {"Engineering", "Sales"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "attributes list: all hold (equals and prefix)", policy: polAttributes,
		reason:    "attributes: [{name: department, equals: Sales}, {name: location, prefix: EU-}] for several (AND)",
		login:     polSSO(map[string][]string{"department": {"Analytics"}, "location": {"EU-Dublin"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFODataAnalyst),
	},
	{
		name: "attributes list: prefix fails", policy: polAttributes,
		reason:  "every condition present must hold (AND); prefix: P",
		login:   polSSO(map[string][]string{"department": {"Analytics"}, "location": {"US-EU-1"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "attributes list: second attribute absent", policy: polAttributes,
		reason:  "every condition present must hold (AND)",
		login:   polSSO(map[string][]string{"department": {"Analytics"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "group and attribute both hold", policy: polAttributes,
		reason:    "when: every condition present must hold (AND): any_group + attribute/in",
		login:     polSSO(map[string][]string{"groups": {"CC-Leads"}, "department": {"Support"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
	},
	{
		name: "group holds, attribute does not", policy: polAttributes,
		reason:  "when: every condition present must hold (AND)",
		login:   polSSO(map[string][]string{"groups": {"CC-Leads"}, "department": {"Engineering"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "attribute holds, group does not", policy: polAttributes,
		reason:    "when: every condition present must hold (AND); sales still matches on its own",
		login:     polSSO(map[string][]string{"groups": {"CC-Agents"}, "department": {"Sales"}}),
		wantRoles: polRoles(flexroles.Agent),
	},

	// The roles attribute under a policy.
	{
		name: "roles are case-sensitive by default", policy: polGroups,
		reason:  "case_insensitive_roles: false (default); the core's unknown-role check applies",
		login:   polSSO(map[string][]string{"roles": {"Agent"}}),
		wantErr: flexroles.ErrUnknownRole,
	},
	{
		name: "case_insensitive_roles folds the roles attribute", policy: polFoldRoles,
		reason:    "case_insensitive_roles: folds the roles attribute only",
		login:     polSSO(map[string][]string{"roles": {"Agent"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "case_insensitive_roles folds wfo roles too", policy: polFoldRoles,
		reason:    "case_insensitive_roles: folds the roles attribute only",
		login:     polSSO(map[string][]string{"roles": {"SUPERVISOR, WFO.Team_Leader"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
	},
	{
		name: "case_insensitive_roles still refuses console-only roles", policy: polFoldRoles,
		reason:  "Twilio's rules come first and no policy can override them: console-only roles over SSO",
		login:   polSSO(map[string][]string{"roles": {"agent", "Flex.ReadOnlyAdmin"}}),
		wantErr: flexroles.ErrConsoleOnlyRole,
	},
	{
		name: "unknown_roles: drop drops with a warning", policy: polDrop,
		reason:      "unknown_roles: reject # or drop (with a warning reason)",
		login:       polSSO(map[string][]string{"roles": {"agent, wfo.dashboards_viewer"}}),
		wantRoles:   polRoles(flexroles.Agent),
		wantDropped: "wfo.dashboards_viewer",
	},
	{
		name: "unknown_roles: drop leaving no Flex role is 45050", policy: polDrop,
		reason:  "then \"no Flex role\" which is 45050 (`ErrMissingAttribute`) as on Flex",
		login:   polSSO(map[string][]string{"roles": {"Admin"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "unknown_roles: drop does not drop console-only roles", policy: polDrop,
		reason:  "Twilio's rules come first ...: console-only roles over SSO",
		login:   polSSO(map[string][]string{"roles": {"agent, flex.readonlyadmin"}}),
		wantErr: flexroles.ErrConsoleOnlyRole,
	},
	{
		name: "unknown_roles: reject", policy: polReject,
		reason:  "unknown_roles: reject",
		login:   polSSO(map[string][]string{"roles": {"agent, foo"}}),
		wantErr: flexroles.ErrUnknownRole,
	},
	{
		name: "unknown_roles defaults to reject", policy: polGroups,
		reason:  "unknown_roles: reject # or drop (the file shows the default); core: unknown roles",
		login:   polSSO(map[string][]string{"roles": {"agent, foo"}}),
		wantErr: flexroles.ErrUnknownRole,
	},

	// default_insights_role.
	{
		name: "default Insights role for an admin without wfo", policy: polDefaultInsights,
		reason:       "default_insights_role: e.g. wfo.dashboard_viewer for admins/supervisors with no wfo role",
		login:        polSSO(map[string][]string{"roles": {"admin"}}),
		wantRoles:    polRoles(flexroles.Admin, flexroles.WFODashboardViewer),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, Dashboards: flexroles.DashboardsViewer},
	},
	{
		name: "default Insights role for a granted supervisor", policy: polDefaultInsights,
		reason:    "SSO roles = ... ∪ the grants ... ∪ `default_insights_role` where it applies",
		login:     polSSO(map[string][]string{"groups": {"Leads"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFODashboardViewer),
	},
	{
		name: "no default when a wfo role is granted", policy: polDefaultInsights,
		reason:    "default_insights_role: for admins/supervisors with no wfo role",
		login:     polSSO(map[string][]string{"groups": {"Leads", "QA"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOQualityManager),
	},
	{
		name: "no default when the roles attribute has a wfo role", policy: polDefaultInsights,
		reason:    "default_insights_role: for admins/supervisors with no wfo role",
		login:     polSSO(map[string][]string{"roles": {"supervisor,wfo.team_leader"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
	},
	{
		name: "no default for an agent", policy: polDefaultInsights,
		reason:    "default_insights_role: for admins/supervisors (Insights opens only for them)",
		login:     polSSO(map[string][]string{"groups": {"Agents"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "default does not make a wfo-only user a Flex user", policy: polDefaultInsights,
		reason:  "then \"no Flex role\" which is 45050",
		login:   polSSO(map[string][]string{"groups": {"QA"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},

	// deny.
	{
		name: "deny rule refuses a granted agent", policy: polDeny,
		reason:   "deny: {name, when}: a match refuses the login; `ErrDenied` errors are `*Error` whose `Rule` names the deny rule",
		login:    polSSO(map[string][]string{"groups": {"CC-Agents", "Offboarded"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("offboarded"),
	},
	{
		name: "deny wins over admin grants and the roles attribute", policy: polDeny,
		reason:   "deny: a match refuses the login (whatever was granted)",
		login:    polSSO(map[string][]string{"roles": {"admin"}, "groups": {"IT-Admins", "Offboarded"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("offboarded"),
	},
	{
		name: "deny by attribute", policy: polDeny,
		reason:   "deny: {name, when} with the same when conditions as rules",
		login:    polSSO(map[string][]string{"roles": {"agent"}, "employment": {"permanent", "contractor"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("contractors"),
	},
	{
		name: "two denies match: the first in order is named", policy: polDeny,
		reason:   "deny rules are a list in order; Value names the deny rule",
		login:    polSSO(map[string][]string{"roles": {"agent"}, "groups": {"Offboarded"}, "employment": {"contractor"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("offboarded"),
	},
	{
		name: "no deny matches", policy: polDeny,
		reason:    "deny: only a match refuses the login",
		login:     polSSO(map[string][]string{"groups": {"CC-Agents"}, "employment": {"permanent"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "deny comes before no Flex role", policy: polDeny,
		reason:   "Precedence: ... deny rules, allow lists, then \"no Flex role\" which is 45050",
		login:    polSSO(map[string][]string{"groups": {"Offboarded"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("offboarded"),
	},
	{
		name: "missing email comes before deny", policy: polDeny,
		reason:  "Precedence: invalid login, the core's attribute and role-item checks, deny rules (45050 for missing email)",
		login:   polSSO(map[string][]string{"email": nil, "roles": {"agent"}, "groups": {"Offboarded"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "unknown role item comes before deny", policy: polDeny,
		reason:  "Precedence: the core's attribute and role-item checks, deny rules",
		login:   polSSO(map[string][]string{"roles": {"Admin"}, "groups": {"Offboarded"}}),
		wantErr: flexroles.ErrUnknownRole,
	},
	{
		name: "console-only role item comes before deny", policy: polDeny,
		reason:  "Precedence: the core's attribute and role-item checks, deny rules",
		login:   polSSO(map[string][]string{"roles": {"flex.readonlyadmin"}, "groups": {"Offboarded"}}),
		wantErr: flexroles.ErrConsoleOnlyRole,
	},
	{
		name: "invalid login comes first", policy: polDeny,
		reason: "Precedence: invalid login, ...",
		login: flexroles.Login{Source: flexroles.SSO, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
			Attributes: map[string][]string{"email": {"a@x.co"}, "full_name": {"A"}, "groups": {"Offboarded"}}},
		wantErr: flexroles.ErrInvalidLogin,
	},

	// sso.allow.
	{
		name: "grants inside sso.allow", policy: polAllow,
		reason:    "allow: the only roles SSO may end up with",
		login:     polSSO(map[string][]string{"groups": {"CC-Leads"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
	},
	{
		name: "roles attribute inside sso.allow", policy: polAllow,
		reason:    "`sso.allow` restricts the final roles, the `roles` attribute included",
		login:     polSSO(map[string][]string{"roles": {"agent"}, "groups": {"CC-Agents"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "admin from the roles attribute is outside sso.allow", policy: polAllow,
		reason:   "`sso.allow` restricts the final roles, the `roles` attribute included; a role outside it is `ErrDenied` (Rule names the key, Value the role)",
		login:    polSSO(map[string][]string{"roles": {"admin"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("sso.allow"),
	},
	{
		name: "one wfo role outside sso.allow refuses the login", policy: polAllow,
		reason:   "a role outside it is `ErrDenied` (not dropped)",
		login:    polSSO(map[string][]string{"roles": {"supervisor, wfo.data_analyst"}, "groups": {"CC-Leads"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("sso.allow"),
	},
	{
		name: "deny comes before allow", policy: polAllow,
		reason:   "Precedence: ... deny rules, allow lists",
		login:    polSSO(map[string][]string{"roles": {"admin"}, "groups": {"Offboarded"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("offboarded"),
	},
	{
		name: "allow comes before no Flex role", policy: polAllow,
		reason:   "Precedence: ... allow lists, then \"no Flex role\" which is 45050",
		login:    polSSO(map[string][]string{"roles": {"wfo.data_analyst"}}),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("sso.allow"),
	},
	{
		name: "allowed but no Flex role is 45050", policy: polAllow,
		reason:  "then \"no Flex role\" which is 45050 (`ErrMissingAttribute`) as on Flex",
		login:   polSSO(map[string][]string{"roles": {"wfo.team_leader"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "core role-item check comes before allow", policy: polAllow,
		reason:  "Precedence: the core's attribute and role-item checks, deny rules, allow lists",
		login:   polSSO(map[string][]string{"roles": {"admin, flex.readonlyadmin"}}),
		wantErr: flexroles.ErrConsoleOnlyRole,
	},
	{
		name: "missing full_name comes before allow", policy: polAllow,
		reason:  "45050 for missing email/full_name; Precedence: the core's attribute checks before allow lists",
		login:   polSSO(map[string][]string{"full_name": nil, "roles": {"admin"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},

	// console.allow.
	{
		name: "console Owner allowed", policy: polConsoleAllow,
		reason:    "console: allow: [Owner, Administrator, Support] # Console roles that may use Flex",
		login:     consoleLogin(flexroles.Owner),
		wantRoles: polRoles(flexroles.Admin, flexroles.WFOFullAccess),
	},
	{
		name: "console Administrator allowed", policy: polConsoleAllow,
		reason:    "console.allow: [Owner, Administrator, Support]",
		login:     consoleLogin(flexroles.Administrator),
		wantRoles: polRoles(flexroles.Admin, flexroles.WFOFullAccess),
	},
	{
		name: "console Support allowed", policy: polConsoleAllow,
		reason:    "console.allow: [..., Support]; Support gets exactly the read-only pair",
		login:     consoleLogin(flexroles.Support),
		wantRoles: polRoles(flexroles.ReadTeams, flexroles.ReadOnlyAdmin),
	},
	{
		name: "console Developer denied", policy: polConsoleAllow,
		reason:   "A Console user whose most privileged Console role is not in `console.allow` is `ErrDenied`",
		login:    consoleLogin(flexroles.Developer),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("console.allow"),
	},
	{
		name: "console Developer+Support denied, no downgrade", policy: polConsoleAllow,
		reason:   "most privileged Console role is not in `console.allow` is `ErrDenied` (no silent downgrade to a lesser role)",
		login:    consoleLogin(flexroles.Support, flexroles.Developer),
		wantErr:  flexroles.ErrDenied,
		wantRule: polStr("console.allow"),
	},
	{
		name: "console Owner+Developer allowed by Owner", policy: polConsoleAllow,
		reason:    "whose most privileged Console role is not in console.allow (Owner is, and is most privileged)",
		login:     consoleLogin(flexroles.Developer, flexroles.Owner),
		wantRoles: polRoles(flexroles.Admin, flexroles.WFOFullAccess),
	},
	{
		name: "console Support asking for wfo.quality_manager", policy: polConsoleAllow,
		reason:  "Twilio's rules come first: no granular wfo role for Console users",
		login:   flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}, Attributes: map[string][]string{"roles": {"wfo.quality_manager"}}},
		wantErr: flexroles.ErrSSOOnlyRole,
	},
	{
		name: "unknown Console role", policy: polConsoleAllow,
		reason:  "Twilio's rules come first: the core's checks (unknown roles)",
		login:   consoleLogin("Superuser"),
		wantErr: flexroles.ErrUnknownRole,
	},
	{
		name: "no console.allow: Developer is not restricted", policy: polSSOOnly,
		reason:    "console.allow is optional (the policy restricts only what it names)",
		login:     consoleLogin(flexroles.Developer),
		wantRoles: polRoles(flexroles.Admin, flexroles.WFOFullAccess),
	},
	{
		name: "console.allow does not touch SSO logins", policy: polConsoleAllow,
		reason:    "console.allow: Console roles that may use Flex",
		login:     polSSO(map[string][]string{"roles": {"admin"}}),
		wantRoles: polRoles(flexroles.Admin),
	},

	// Twilio's rules under a policy.
	{
		name: "missing email is 45050", policy: polGroups,
		reason:  "Twilio's rules come first: 45050 for missing email/full_name",
		login:   polSSO(map[string][]string{"email": nil, "groups": {"CC-Agents"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "several emails are invalid", policy: polGroups,
		reason:  "Twilio's rules come first and no policy can override them: the core's checks",
		login:   polSSO(map[string][]string{"email": {"a@x.co", "b@x.co"}, "groups": {"CC-Agents"}}),
		wantErr: flexroles.ErrInvalidAttribute,
	},
	{
		name: "flex.readonlyadmin in roles over SSO", policy: polGroups,
		reason:  "Twilio's rules come first: console-only roles over SSO",
		login:   polSSO(map[string][]string{"roles": {"flex.readonlyadmin"}, "groups": {"CC-Agents"}}),
		wantErr: flexroles.ErrConsoleOnlyRole,
	},
	{
		name: "grants give only a wfo role", policy: polGroups,
		reason:  "then \"no Flex role\" which is 45050 (`ErrMissingAttribute`) as on Flex",
		login:   polSSO(map[string][]string{"groups": {"Dashboards"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "no rule matches and no roles attribute", policy: polGroups,
		reason:  "then \"no Flex role\" which is 45050",
		login:   polSSO(map[string][]string{"groups": {"Finance"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "unknown source", policy: polGroups,
		reason:  "Precedence: invalid login first",
		login:   flexroles.Login{Source: "ldap"},
		wantErr: flexroles.ErrInvalidLogin,
	},

	// Custom attribute names.
	{
		name: "groups from a renamed attribute", policy: polCustomNames,
		reason:    "sso.attributes: {roles: roles, email: email, full_name: full_name, groups: groups} # defaults",
		login:     polSSO(map[string][]string{"memberOf": {"CC-Agents"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "default groups name is not read once renamed", policy: polCustomNames,
		reason:  "sso.attributes renames groups: the default name is no longer the groups attribute",
		login:   polSSO(map[string][]string{"groups": {"CC-Agents"}}),
		wantErr: flexroles.ErrMissingAttribute,
	},
	{
		name: "roles from a renamed attribute", policy: polCustomNames,
		reason:    "sso.attributes: {roles: flexRoles}",
		login:     polSSO(map[string][]string{"flexRoles": {"supervisor, wfo.team_leader"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
	},
	{
		name: "renamed roles attribute unioned with grants", policy: polCustomNames,
		reason:    "SSO roles = the `roles` attribute ∪ the grants of matching rules",
		login:     polSSO(map[string][]string{"flexRoles": {"supervisor"}, "memberOf": {"CC-Agents"}}),
		wantRoles: polRoles(flexroles.Supervisor, flexroles.Agent),
	},
	{
		name: "renamed email and full_name", policy: polCustomIdentity,
		reason: "sso.attributes: {email: email, full_name: full_name} can be renamed",
		login: flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
			"mail": {"a@x.co"}, "displayName": {"A"}, "roles": {"agent"}}},
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "renamed email missing is 45050", policy: polCustomIdentity,
		reason: "45050 for missing email/full_name (under its configured name)",
		login: flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
			"email": {"a@x.co"}, "displayName": {"A"}, "roles": {"agent"}}},
		wantErr: flexroles.ErrMissingAttribute,
	},
}

func TestPolicyResolve(t *testing.T) {
	names := map[string]bool{}
	for _, c := range policyCases {
		require.False(t, names[c.name], "duplicate row name %q", c.name)
		names[c.name] = true
		require.NotEmpty(t, c.reason, "row %q has no reason", c.name)
		t.Run(c.name, func(t *testing.T) {
			p := polLoad(t, c.policy)
			login := cloneLogin(c.login)
			d, err := p.Resolve(login)
			assert.Equal(t, c.login, login, "Resolve must not change its input")
			checkPolicyResult(t, c, d, err)

			// Same input, same output.
			d2, err2 := p.Resolve(cloneLogin(c.login))
			assert.Equal(t, d, d2)
			assert.Equal(t, fmt.Sprint(err), fmt.Sprint(err2))
		})
	}
}

func checkPolicyResult(t *testing.T, c policyCase, d flexroles.Decision, err error) {
	t.Helper()
	if c.wantErr != nil {
		require.Error(t, err, "want %v (%s), got roles %v", c.wantErr, c.reason, d.Roles)
		assert.ErrorIs(t, err, c.wantErr, "reason: %s", c.reason)
		assert.Equal(t, flexroles.Decision{}, d, "on error the decision is the zero value")
		assert.True(t, strings.HasPrefix(err.Error(), "flexroles:"), "error %q lacks the flexroles: prefix", err)
		var e *flexroles.Error
		if assert.ErrorAs(t, err, &e, "errors are *Error values") {
			assert.Same(t, c.wantErr, e.Kind)
			if c.wantRule != nil {
				assert.Equal(t, *c.wantRule, e.Rule, "Error.Rule (%s)", c.reason)
			}
			if c.wantValue != nil {
				assert.Equal(t, *c.wantValue, e.Value, "Error.Value (%s)", c.reason)
			}
			if errors.Is(err, flexroles.ErrMissingAttribute) {
				assert.Equal(t, 45050, e.Code)
			} else {
				assert.Equal(t, 0, e.Code)
			}
		}
		return
	}
	require.NoError(t, err, "reason: %s", c.reason)
	assert.Equal(t, c.wantRoles, d.Roles, "reason: %s", c.reason)
	assert.Equal(t, flexroles.InsightsFor(d.Roles), d.Insights, "Decision.Insights = InsightsFor(Roles)")
	if c.wantInsights != nil {
		assert.Equal(t, *c.wantInsights, d.Insights)
	}
	assert.NotEmpty(t, d.Reasons, "a successful decision carries reasons")
	if c.wantDropped != "" {
		// The issue asks for "a warning reason", not for its wording.
		assert.True(t, slices.ContainsFunc(d.Reasons, func(r flexroles.Reason) bool { return r.Warning }),
			"want a warning Reason for the dropped %q, got %+v", c.wantDropped, d.Reasons)
	}
}

// A nil *Policy means Twilio's rules alone: exactly flexroles.Resolve.
func TestPolicyNil(t *testing.T) {
	var p *flexroles.Policy
	logins := map[string]flexroles.Login{
		"sso agent":           polSSO(map[string][]string{"roles": {"agent"}}),
		"sso supervisor+wfo":  polSSO(map[string][]string{"roles": {"supervisor, wfo.quality_manager"}}),
		"sso groups only":     polSSO(map[string][]string{"groups": {"CC-Agents"}}),
		"sso unknown role":    polSSO(map[string][]string{"roles": {"Admin"}}),
		"sso missing email":   polSSO(map[string][]string{"roles": {"agent"}, "email": nil}),
		"sso readonlyadmin":   polSSO(map[string][]string{"roles": {"flex.readonlyadmin"}}),
		"console owner":       consoleLogin(flexroles.Owner),
		"console support":     consoleLogin(flexroles.Support),
		"console developer":   consoleLogin(flexroles.Developer),
		"console billing":     consoleLogin(flexroles.BillingManager),
		"invalid login":       {Source: "ldap"},
		"sso admin, no wfo":   polSSO(map[string][]string{"roles": {"admin"}}),
		"sso only wfo role":   polSSO(map[string][]string{"roles": {"wfo.team_leader"}}),
		"sso with department": polSSO(map[string][]string{"roles": {"agent"}, "department": {"Sales"}}),
	}
	for name, l := range logins {
		t.Run(name, func(t *testing.T) {
			want, wantErr := flexroles.Resolve(cloneLogin(l))
			var (
				got    flexroles.Decision
				gotErr error
			)
			require.NotPanics(t, func() { got, gotErr = p.Resolve(cloneLogin(l)) }, "a nil *Policy means Twilio's rules alone")
			assert.Equal(t, want, got)
			assert.Equal(t, wantErr, gotErr)
		})
	}
}

// TestPolicyReviewCases covers logins where a careless policy layer would
// differ from what the policy says.
func TestPolicyReviewCases(t *testing.T) {
	p := polLoad(t, `version: 1
sso:
  case_insensitive_groups: true
  rules:
    - {name: staff, when: {group: Staff}, grant: [agent]}
    - {name: cc-admin, when: {group: cc-admin}, grant: [admin]}
  deny:
    - {name: suspended, when: {group: Suspended}}
`)
	cases := []struct {
		name, reason string
		attrs        map[string][]string
		wantRoles    []flexroles.Role
		wantErr      error
	}{
		{"empty roles under a policy", "roles is optional under a policy; an empty one counts as absent",
			map[string][]string{"roles": {""}, "groups": {"Staff"}}, []flexroles.Role{flexroles.Agent}, nil},
		{"comma-only roles under a policy", "an empty item list counts as absent",
			map[string][]string{"roles": {" , "}, "groups": {"Staff"}}, []flexroles.Role{flexroles.Agent}, nil},
		{"empty roles does not hide a deny", "deny rules come before 45050",
			map[string][]string{"roles": {""}, "groups": {"Suspended"}}, nil, flexroles.ErrDenied},
		{"long s folds like EqualFold", "case_insensitive_groups folds group names as attribute values are folded",
			map[string][]string{"groups": {"Staff", "\u017fuspended"}}, nil, flexroles.ErrDenied},
		{"dotted capital I is not i", "EqualFold(cc-admin, CC-ADM\u0130N) is false, so no admin",
			map[string][]string{"groups": {"Staff", "CC-ADM\u0130N"}}, []flexroles.Role{flexroles.Agent}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := p.Resolve(polSSO(c.attrs))
			if c.wantErr != nil {
				require.ErrorIs(t, err, c.wantErr, c.reason)
				assert.Equal(t, flexroles.Decision{}, d)
				return
			}
			require.NoError(t, err, c.reason)
			assert.Equal(t, c.wantRoles, d.Roles, c.reason)
		})
	}
}

// TestPolicyRefusedBy holds each refusal to who refused it, in the typed
// fields: a deny rule by name, sso.allow, console.allow, and Twilio's
// rules, whatever the deny rule is called.
func TestPolicyRefusedBy(t *testing.T) {
	p := polLoad(t, `version: 1
sso:
  allow: [agent, supervisor]
  rules:
    - name: leads
      when: {group: CC-Leads}
      grant: [supervisor]
    - name: admins
      when: {group: CC-Admins}
      grant: [agent]
  deny:
    - name: allow list
      when: {group: Offboarded}
console:
  allow: [Owner]
`)
	for _, tc := range []struct {
		name     string
		login    flexroles.Login
		by       flexroles.Refuser
		denyRule string
		rule     string // Rule: the deny rule or the setting
		value    string // Value: the offending value only
	}{
		{"deny rule", polSSO(map[string][]string{"groups": {"Offboarded", "CC-Leads"}}), flexroles.RefusedByDenyRule, "allow list", "allow list", ""},
		{"sso.allow", polSSO(map[string][]string{"roles": {"admin"}}), flexroles.RefusedBySSOAllow, "", "sso.allow", "admin"},
		{"console.allow", flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}},
			flexroles.RefusedByConsoleAllow, "", "console.allow", "Support"},
		{"Twilio's rules", polSSO(map[string][]string{"roles": {"flex.readonlyadmin"}}), flexroles.RefusedByTwilio, "", "", "flex.readonlyadmin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Resolve(tc.login)
			var e *flexroles.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.by, e.RefusedBy)
			assert.Equal(t, tc.denyRule, e.DenyRule())
			assert.Equal(t, tc.rule, e.Rule)
			assert.Equal(t, tc.value, e.Value)
			assert.Equal(t, tc.by != flexroles.RefusedByTwilio, errors.Is(err, flexroles.ErrDenied))
			if tc.by == flexroles.RefusedByDenyRule {
				assert.Contains(t, err.Error(), `deny rule "allow list"`)
			}
		})
	}
	text, err := flexroles.RefusedBySSOAllow.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "sso.allow", string(text))
	for r, want := range map[flexroles.Refuser]string{flexroles.RefusedByTwilio: "twilio", flexroles.RefusedByConsoleAllow: "console.allow", flexroles.RefusedByDenyRule: "deny rule"} {
		assert.Equal(t, want, r.String())
		text, err := r.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, want, string(text))
	}
	_, err = (flexroles.RefusedByDenyRule + 1).MarshalText()
	require.ErrorIs(t, err, flexroles.ErrInvalidAttribute)
	_, err = flexroles.Refuser(9).MarshalText()
	assert.Error(t, err)
}

// TestPolicyMisnamedClaims: under any policy, a claim that looks like one
// of the attributes the policy reads, but is not the name it reads, is
// reported as without a policy: a warning when the login goes through, and
// named with the rename to make when nothing came of the attribute.
func TestPolicyMisnamedClaims(t *testing.T) {
	const roleClaim = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
	standard := polLoad(t, `version: 1
sso:
  attributes: {roles: roles, email: email, full_name: full_name, groups: groups}
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`)
	renamed := polLoad(t, `version: 1
sso:
  attributes: {roles: `+roleClaim+`, email: mail, full_name: displayName, groups: memberOf}
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
    - name: by department
      when: {attribute: "http://schemas.xmlsoap.org/claims/Group", equals: Sales}
      grant: [agent]
`)
	plain := polLoad(t, "version: 1\nsso:\n  rules:\n    - {name: agents, when: {group: CC-Agents}, grant: [agent]}\n")
	byEmail := polLoad(t, "version: 1\nsso:\n  rules:\n    - {name: everyone, when: {attribute: email, prefix: j}, grant: [agent]}\n")
	renamedLogin := func(attrs map[string][]string) flexroles.Login {
		l := flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{"mail": {"a@example.com"}, "displayName": {"A B"}}}
		for k, v := range attrs {
			l.Attributes[k] = v
		}
		return l
	}
	for _, tc := range []struct {
		name        string
		p           *flexroles.Policy
		login       flexroles.Login
		wantClaim   string // the claim a warning or the 45050 error names
		wantRename  string // what to rename it to
		wantGranted bool
	}{
		{"namespaced role claim beside the granting group", standard,
			polSSO(map[string][]string{roleClaim: {"supervisor"}, "groups": {"CC-Agents"}}), roleClaim, "roles", true},
		{"namespaced role claim and nothing else", standard,
			polSSO(map[string][]string{roleClaim: {"supervisor"}}), roleClaim, "roles", false},
		{"Roles in another case", plain, polSSO(map[string][]string{"Roles": {"agent"}}), "Roles", "roles", false},
		{"Roles in another case as the third attribute, granted by a rule", byEmail,
			polSSO(map[string][]string{"Roles": {"admin"}}), "Roles", "roles", true},
		{"groups under another name", plain, polSSO(map[string][]string{"memberOf": {"CC-Agents"}}), "memberOf", "groups", false},
		{"namespaced groups claim beside roles", standard,
			polSSO(map[string][]string{"roles": {"agent"}, "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": {"CC-Agents"}}),
			"http://schemas.microsoft.com/ws/2008/06/identity/claims/groups", "groups", true},
		{"the standard name beside the renamed one", renamed,
			renamedLogin(map[string][]string{roleClaim: {"agent"}, "roles": {"supervisor"}}), "roles", roleClaim, true},
		{"email under its OID where the policy reads mail", renamed,
			flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
				roleClaim: {"agent"}, "urn:oid:0.9.2342.19200300.100.1.3": {"a@example.com"}, "displayName": {"A B"}}},
			"urn:oid:0.9.2342.19200300.100.1.3", "", false},
		{"a name the policy reads is never misnamed", renamed,
			renamedLogin(map[string][]string{roleClaim: {"agent"}, "http://schemas.xmlsoap.org/claims/Group": {"Sales"}, "memberOf": {"X"}}), "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tc.p.Resolve(tc.login)
			if tc.wantGranted {
				require.NoError(t, err)
				var warned []string
				for _, r := range d.Reasons {
					if r.Rule == flexroles.RuleSSOClaimIgnored {
						require.True(t, r.Warning)
						warned = append(warned, r.Message)
					}
				}
				if tc.wantClaim == "" {
					assert.Empty(t, warned)
					return
				}
				require.Len(t, warned, 1, "%+v", d.Reasons)
				assert.Contains(t, warned[0], `"`+tc.wantClaim+`"`)
				assert.Contains(t, warned[0], `"`+tc.wantRename+`"`)
				return
			}
			require.ErrorIs(t, err, flexroles.ErrMissingAttribute)
			var e *flexroles.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.wantClaim, e.Value)
			assert.Contains(t, err.Error(), "rename that claim to")
			if tc.wantRename != "" {
				assert.Equal(t, tc.wantRename, e.Suggestion)
				assert.Contains(t, err.Error(), `"`+tc.wantRename+`"`)
			}
		})
	}
}
