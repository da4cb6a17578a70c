package flexroles_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/policytest"
)

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
		reason:    "deny: {name, when}: a match refuses the login; `ErrDenied` errors are `*Error` whose `Value` names the deny rule",
		login:     polSSO(map[string][]string{"groups": {"CC-Agents", "Offboarded"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("offboarded"),
	},
	{
		name: "deny wins over admin grants and the roles attribute", policy: polDeny,
		reason:    "deny: a match refuses the login (whatever was granted)",
		login:     polSSO(map[string][]string{"roles": {"admin"}, "groups": {"IT-Admins", "Offboarded"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("offboarded"),
	},
	{
		name: "deny by attribute", policy: polDeny,
		reason:    "deny: {name, when} with the same when conditions as rules",
		login:     polSSO(map[string][]string{"roles": {"agent"}, "employment": {"permanent", "contractor"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("contractors"),
	},
	{
		name: "two denies match: the first in order is named", policy: polDeny,
		reason:    "deny rules are a list in order; Value names the deny rule",
		login:     polSSO(map[string][]string{"roles": {"agent"}, "groups": {"Offboarded"}, "employment": {"contractor"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("offboarded"),
	},
	{
		name: "no deny matches", policy: polDeny,
		reason:    "deny: only a match refuses the login",
		login:     polSSO(map[string][]string{"groups": {"CC-Agents"}, "employment": {"permanent"}}),
		wantRoles: polRoles(flexroles.Agent),
	},
	{
		name: "deny comes before no Flex role", policy: polDeny,
		reason:    "Precedence: ... deny rules, allow lists, then \"no Flex role\" which is 45050",
		login:     polSSO(map[string][]string{"groups": {"Offboarded"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("offboarded"),
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
		reason:    "`sso.allow` restricts the final roles, the `roles` attribute included; a role outside it is `ErrDenied` (Value names the key)",
		login:     polSSO(map[string][]string{"roles": {"admin"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("sso.allow"),
	},
	{
		name: "one wfo role outside sso.allow refuses the login", policy: polAllow,
		reason:    "a role outside it is `ErrDenied` (not dropped)",
		login:     polSSO(map[string][]string{"roles": {"supervisor, wfo.data_analyst"}, "groups": {"CC-Leads"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("sso.allow"),
	},
	{
		name: "deny comes before allow", policy: polAllow,
		reason:    "Precedence: ... deny rules, allow lists",
		login:     polSSO(map[string][]string{"roles": {"admin"}, "groups": {"Offboarded"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("offboarded"),
	},
	{
		name: "allow comes before no Flex role", policy: polAllow,
		reason:    "Precedence: ... allow lists, then \"no Flex role\" which is 45050",
		login:     polSSO(map[string][]string{"roles": {"wfo.data_analyst"}}),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("sso.allow"),
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
		reason:    "A Console user whose most privileged Console role is not in `console.allow` is `ErrDenied`",
		login:     consoleLogin(flexroles.Developer),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("console.allow"),
	},
	{
		name: "console Developer+Support denied, no downgrade", policy: polConsoleAllow,
		reason:    "most privileged Console role is not in `console.allow` is `ErrDenied` (no silent downgrade to a lesser role)",
		login:     consoleLogin(flexroles.Support, flexroles.Developer),
		wantErr:   flexroles.ErrDenied,
		wantValue: polStr("console.allow"),
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

// TestPolicyValidFile proves the realistic policy in testdata/policy/valid.yaml.
func TestPolicyValidFile(t *testing.T) {
	path := filepath.Join("testdata", "policy", "valid.yaml")
	p, err := flexroles.LoadPolicyFile(path)
	require.NoError(t, err)
	require.NotNil(t, p)

	rows := []policyCase{
		{
			name: "agent", reason: "agents get agent from a group",
			login:     polSSO(map[string][]string{"groups": {"CC-Overflow"}}),
			wantRoles: polRoles(flexroles.Agent),
		},
		{
			name: "team lead", reason: "team leads get wfo.team_leader",
			login:     polSSO(map[string][]string{"groups": {"CC-Leads"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
		},
		{
			name: "team lead, group in other case", reason: "case_insensitive_groups: true",
			login:     polSSO(map[string][]string{"groups": {"cc-leads"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader),
		},
		{
			name: "QA", reason: "QA with wfo.quality_manager (group AND department in)",
			login:     polSSO(map[string][]string{"groups": {"CC-QA"}, "department": {"Quality"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOQualityManager),
		},
		{
			name: "QA group outside the QA departments", reason: "every condition present must hold",
			login:   polSSO(map[string][]string{"groups": {"CC-QA"}, "department": {"Finance"}}),
			wantErr: flexroles.ErrMissingAttribute,
		},
		{
			name: "QA lead", reason: "every matching rule's grant is added",
			login:     polSSO(map[string][]string{"groups": {"CC-Leads", "CC-QA"}, "department": {"Support"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFOQualityManager),
		},
		{
			name: "analyst", reason: "analysts with wfo.data_analyst (attributes AND)",
			login:     polSSO(map[string][]string{"department": {"Analytics"}, "location": {"EU-Dublin"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFODataAnalyst),
		},
		{
			name: "supervisor from roles gets the default Insights role", reason: "default_insights_role",
			login:     polSSO(map[string][]string{"roles": {"supervisor"}}),
			wantRoles: polRoles(flexroles.Supervisor, flexroles.WFODashboardViewer),
		},
		{
			name: "offboarded lead", reason: "an offboarded deny",
			login:   polSSO(map[string][]string{"groups": {"CC-Leads", "Offboarded"}}),
			wantErr: flexroles.ErrDenied, wantValue: polStr("offboarded"),
		},
		{
			name: "SSO admin", reason: "admins only via Console: admin is outside sso.allow",
			login:   polSSO(map[string][]string{"roles": {"admin"}}),
			wantErr: flexroles.ErrDenied, wantValue: polStr("sso.allow"),
		},
		{
			name: "console Owner", reason: "console.allow [Owner, Administrator, Support]",
			login:     consoleLogin(flexroles.Owner),
			wantRoles: polRoles(flexroles.Admin, flexroles.WFOFullAccess),
		},
		{
			name: "console Support", reason: "console.allow [Owner, Administrator, Support]",
			login:     consoleLogin(flexroles.Support),
			wantRoles: polRoles(flexroles.ReadTeams, flexroles.ReadOnlyAdmin),
		},
		{
			name: "console Developer", reason: "console.allow [Owner, Administrator, Support]",
			login:   consoleLogin(flexroles.Developer),
			wantErr: flexroles.ErrDenied, wantValue: polStr("console.allow"),
		},
	}
	for _, c := range rows {
		t.Run(c.name, func(t *testing.T) {
			d, err := p.Resolve(cloneLogin(c.login))
			checkPolicyResult(t, c, d, err)
		})
	}
}

// The file's own tests list runs as subtests (policytest.Run).
func TestPolicyValidFileCases(t *testing.T) {
	policytest.Run(t, filepath.Join("testdata", "policy", "valid.yaml"))
}

// One Policy used by 64 goroutines answers as sequential calls do (run with -race).
func TestPolicyConcurrent(t *testing.T) {
	p, err := flexroles.LoadPolicyFile(filepath.Join("testdata", "policy", "valid.yaml"))
	require.NoError(t, err)
	logins := []flexroles.Login{
		polSSO(map[string][]string{"groups": {"CC-Agents"}}),
		polSSO(map[string][]string{"groups": {"cc-leads", "CC-QA"}, "department": {"Quality"}}),
		polSSO(map[string][]string{"department": {"Analytics"}, "location": {"EU-Dublin"}}),
		polSSO(map[string][]string{"roles": {"supervisor"}}),
		polSSO(map[string][]string{"groups": {"CC-Leads", "Offboarded"}}),
		polSSO(map[string][]string{"roles": {"admin"}}),
		polSSO(map[string][]string{"roles": {"Admin"}}),
		polSSO(map[string][]string{"groups": {"Finance"}}),
		polSSO(map[string][]string{"email": nil, "groups": {"CC-Agents"}}),
		consoleLogin(flexroles.Owner),
		consoleLogin(flexroles.Support, flexroles.Developer),
		consoleLogin(flexroles.Support),
	}
	type result struct {
		d   flexroles.Decision
		err string
	}
	want := make([]result, len(logins))
	for i, l := range logins {
		d, err := p.Resolve(l)
		want[i] = result{d, fmt.Sprint(err)}
	}
	var wg sync.WaitGroup
	for g := 0; g < 64; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; n < 20; n++ {
				i := (g + n) % len(logins)
				// The logins are shared: Resolve must only read them.
				d, err := p.Resolve(logins[i])
				assert.Equal(t, want[i], result{d, fmt.Sprint(err)}, "goroutine %d, login %d", g, i)
			}
		}(g)
	}
	wg.Wait()
}

// wantIssue is one PolicyIssue a bad policy must report. line and column are
// checked when non-zero; fieldPrefix accepts any Field starting with field
// where the issue leaves the exact node open; message lists substrings.
type wantIssue struct {
	field       string
	fieldPrefix bool
	line        int
	column      int
	message     []string
}

type loadCase struct {
	name   string
	reason string
	yaml   string
	want   []wantIssue
	// exact requires len(Issues) == len(want).
	exact bool
	// check, if set, runs instead of the want list.
	check func(t *testing.T, pe *flexroles.PolicyError)
}

// polMinimal is a valid policy for rows that add one problem to it.
const polMinimal = `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`

var loadCases = []loadCase{
	{
		name:   "a second YAML document",
		reason: "never a partly loaded policy: a deny in a second document must not vanish",
		yaml:   "version: 1\nsso:\n  rules:\n    - {name: a, when: {group: Staff}, grant: [agent]}\n---\nsso:\n  deny:\n    - {name: off, when: {group: Off}}\n",
		want:   []wantIssue{{line: 5, message: []string{"several YAML documents"}}},
		exact:  true,
	},
	{
		name:   "a condition on the roles attribute",
		reason: "fail closed: a raw match on roles is dodged by \"agent, admin\"; sso.allow restricts roles",
		yaml:   "version: 1\nsso:\n  deny:\n    - name: no-admin\n      when: {attribute: roles, equals: admin}\n",
		want:   []wantIssue{{field: "sso.deny[0].when", line: 5, message: []string{"sso.allow"}}},
		exact:  true,
	},
	{
		name:   "an empty prefix",
		reason: "an empty prefix would match every value, as if the condition were dropped",
		yaml:   "version: 1\nsso:\n  rules:\n    - name: r\n      when: {attribute: dept, prefix: \"\"}\n      grant: [agent]\n",
		want:   []wantIssue{{field: "sso.rules[0].when.prefix", line: 5}},
		exact:  true,
	},
	{
		name:   "an empty console allow list",
		reason: "as an empty sso.allow, it would refuse every Console login",
		yaml:   "version: 1\nconsole:\n  allow: []\n",
		want:   []wantIssue{{field: "console.allow", line: 3}},
		exact:  true,
	},
	{
		name:   "one attribute name for two attributes",
		reason: "sso.attributes: email mapped onto the roles attribute",
		yaml:   "version: 1\nsso:\n  attributes: {email: roles}\n",
		want:   []wantIssue{{field: "sso.attributes", line: 3, message: []string{"different attribute names"}}},
		exact:  true,
	},
	{
		name:   "comments only, with a position",
		reason: "empty file: a clear error with a position",
		yaml:   "# nothing yet\n",
		want:   []wantIssue{{line: 1, column: 1, message: []string{"empty"}}},
		exact:  true,
	},
	{
		name:   "two unnamed rules",
		reason: "every rule needs a name; no extra duplicate-name issue without a position",
		yaml:   "version: 1\nsso:\n  rules:\n    - {when: {group: A}, grant: [agent]}\n    - {when: {group: B}, grant: [agent]}\n",
		want:   []wantIssue{{field: "sso.rules[0].name", line: 4}, {field: "sso.rules[1].name", line: 5}},
		exact:  true,
	},
	{
		name:   "unknown key in a rule",
		reason: "unknown keys ... the key for an unknown key",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
      grants: [admin]
`,
		want: []wantIssue{{field: "sso.rules[0].grants", line: 7, column: 7}},
	},
	{
		name:   "unknown key in when (groups for group)",
		reason: "unknown keys ... the key for an unknown key",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when:
        groups: [CC-Agents]
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when.groups", line: 6, column: 9}},
	},
	{
		name:   "unknown top-level key",
		reason: "unknown keys",
		yaml:   polMinimal + "console_allow: [Owner]\n",
		want:   []wantIssue{{field: "console_allow", line: 7, column: 1}},
	},
	{
		name:   "wrong type: grant is a string",
		reason: "wrong types",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: agent
`,
		want: []wantIssue{{field: "sso.rules[0].grant", line: 6}},
	},
	{
		name:   "wrong type: switch is a list",
		reason: "wrong types",
		yaml: `version: 1
sso:
  case_insensitive_groups: [true]
`,
		want: []wantIssue{{field: "sso.case_insensitive_groups", line: 3}},
	},
	{
		name:   "wrong type: rules is a mapping",
		reason: "wrong types",
		yaml: `version: 1
sso:
  rules: {name: agents}
`,
		want: []wantIssue{{field: "sso.rules", line: 3}},
	},
	{
		name:   "unknown_roles not reject or drop",
		reason: "unknown_roles: reject # or drop",
		yaml: `version: 1
sso:
  unknown_roles: warn
`,
		want: []wantIssue{{field: "sso.unknown_roles", line: 3, column: 18}},
	},
	{
		name:   "unknown role in a grant, with did-you-mean",
		reason: "unknown roles with did-you-mean; the list item for a bad role",
		yaml: `version: 1
sso:
  rules:
    - name: admins
      when: {group: IT}
      grant:
        - wfo.full_access
        - Admin
`,
		want: []wantIssue{{field: "sso.rules[0].grant[1]", line: 8, column: 11, message: []string{"Admin", "admin"}}},
	},
	{
		name:   "unknown role in a flow grant",
		reason: "unknown roles with did-you-mean; the list item for a bad role",
		yaml: `version: 1
sso:
  rules:
    - name: a
      when: {group: A}
      grant: [agent]
    - name: viewers
      when: {group: V}
      grant: [supervisor, wfo.dashboards_viewer]
`,
		want: []wantIssue{{field: "sso.rules[1].grant[1]", line: 9, column: 27, message: []string{"wfo.dashboard_viewer"}}},
	},
	{
		name:   "policy roles are exact even with case_insensitive_roles",
		reason: "case_insensitive_roles: folds the roles attribute only; the policy itself is exact",
		yaml: `version: 1
sso:
  case_insensitive_roles: true
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [Agent]
`,
		want: []wantIssue{{field: "sso.rules[0].grant[0]", line: 7, message: []string{"agent"}}},
	},
	{
		name:   "console-only role in a grant",
		reason: "console-only roles anywhere under `sso`",
		yaml: `version: 1
sso:
  rules:
    - name: support
      when: {group: Support}
      grant: [flex.readonlyadmin]
`,
		want: []wantIssue{{field: "sso.rules[0].grant[0]", line: 6, column: 15}},
	},
	{
		name:   "console-only role in sso.allow",
		reason: "console-only roles anywhere under `sso`",
		yaml: `version: 1
sso:
  allow: [agent, flex.readteams]
`,
		want: []wantIssue{{field: "sso.allow[1]", line: 3, column: 18}},
	},
	{
		name:   "grant outside sso.allow",
		reason: "grants ... outside `sso.allow`",
		yaml: `version: 1
sso:
  allow: [agent, supervisor]
  rules:
    - name: leads
      when: {group: Leads}
      grant: [supervisor, wfo.team_leader]
`,
		want: []wantIssue{{field: "sso.rules[0].grant[1]", line: 7, column: 27}},
	},
	{
		name:   "default_insights_role not wfo",
		reason: "a `default_insights_role` that is not `wfo.*`",
		yaml: `version: 1
sso:
  default_insights_role: supervisor
`,
		want: []wantIssue{{field: "sso.default_insights_role", line: 3, column: 26}},
	},
	{
		name:   "default_insights_role unknown",
		reason: "unknown roles with did-you-mean",
		yaml: `version: 1
sso:
  default_insights_role: wfo.dashboards_viewer
`,
		want: []wantIssue{{field: "sso.default_insights_role", line: 3, message: []string{"wfo.dashboard_viewer"}}},
	},
	{
		name:   "default_insights_role outside sso.allow",
		reason: "grants or `default_insights_role` outside `sso.allow`",
		yaml: `version: 1
sso:
  allow: [agent, supervisor, wfo.team_leader]
  default_insights_role: wfo.dashboard_viewer
`,
		want: []wantIssue{{field: "sso.default_insights_role", line: 4, column: 26}},
	},
	{
		name:   "unknown Console role in console.allow",
		reason: "unknown Console role names",
		yaml: `version: 1
console:
  allow: [Owner, Superuser]
`,
		want: []wantIssue{{field: "console.allow[1]", line: 3, column: 18}},
	},
	{
		name:   "duplicate rule names",
		reason: "duplicate rule names",
		yaml: `version: 1
sso:
  rules:
    - name: leads
      when: {group: A}
      grant: [supervisor]
    - name: leads
      when: {group: B}
      grant: [supervisor]
`,
		want: []wantIssue{{field: "sso.rules[1].name", line: 7, message: []string{"leads"}}},
	},
	{
		name:   "duplicate deny names",
		reason: "duplicate rule names (ErrDenied's Value names the deny rule, so it must be unique)",
		yaml: `version: 1
sso:
  deny:
    - name: gone
      when: {group: A}
    - name: gone
      when: {group: B}
`,
		want: []wantIssue{{field: "sso.deny[1].name", line: 6, message: []string{"gone"}}},
	},
	{
		name:   "empty when",
		reason: "empty `when`",
		yaml: `version: 1
sso:
  rules:
    - name: everyone
      when: {}
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when", line: 5}},
	},
	{
		name:   "empty when in a deny (would deny everyone)",
		reason: "empty `when`",
		yaml: `version: 1
sso:
  deny:
    - name: everyone
      when: {}
`,
		want: []wantIssue{{field: "sso.deny[0].when", line: 5}},
	},
	{
		name:   "empty attributes list (would match everyone)",
		reason: "empty `when` (a when whose only condition is an empty attributes list matches everyone)",
		yaml: `version: 1
sso:
  rules:
    - name: everyone
      when: {attributes: []}
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when.attributes", line: 5}},
	},
	{
		name:   "empty grant",
		reason: "empty ... `grant`",
		yaml: `version: 1
sso:
  rules:
    - name: nothing
      when: {group: A}
      grant: []
`,
		want: []wantIssue{{field: "sso.rules[0].grant", line: 6}},
	},
	{
		name:   "when with equals and in",
		reason: "`when` with two of `equals`/`in`/`prefix`",
		yaml: `version: 1
sso:
  rules:
    - name: sales
      when:
        attribute: department
        equals: Sales
        in: [Sales, Support]
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when", fieldPrefix: true}},
	},
	{
		name:   "attributes item with equals and prefix",
		reason: "`when` with two of `equals`/`in`/`prefix`",
		yaml: `version: 1
sso:
  rules:
    - name: eu
      when:
        attributes:
          - {name: location, equals: EU, prefix: EU-}
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when.attributes[0]", fieldPrefix: true}},
	},
	{
		name:   "attribute with none of equals/in/prefix",
		reason: "one attribute condition, with exactly one of equals: V | in: [..] | prefix: P",
		yaml: `version: 1
sso:
  rules:
    - name: sales
      when:
        attribute: department
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when", fieldPrefix: true}},
	},
	{
		name:   "missing version",
		reason: "`version: 1` required",
		yaml: `sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`,
		want: []wantIssue{{field: "version"}},
	},
	{
		name:   "version 2",
		reason: "`version: 1` required",
		yaml:   strings.Replace(polMinimal, "version: 1", "version: 2", 1),
		want:   []wantIssue{{field: "version", line: 1, column: 10}},
	},
	{
		name:   "console.grant refused: granular roles need SSO",
		reason: "a `console.grant` ... is refused with a message saying that `wfo.quality_manager` and other granular roles need SSO",
		yaml: `version: 1
console:
  allow: [Owner, Support]
  grant: [wfo.quality_manager]
`,
		want: []wantIssue{{field: "console.grant", line: 4, column: 3, message: []string{"wfo.quality_manager", "SSO"}}},
	},
	{
		name:   "console.roles refused too",
		reason: "a `console.grant` (or any such key) is refused with a message saying ... need SSO",
		yaml: `version: 1
console:
  roles: [wfo.quality_manager]
`,
		want: []wantIssue{{field: "console.roles", line: 3, column: 3, message: []string{"SSO"}}},
	},
	{
		name:   "malformed test case",
		reason: "malformed tests",
		yaml: polMinimal + `tests:
  - name: agent
    login: {sso: {email: a@x.co, full_name: A, groups: [CC-Agents]}}
    want: {error: forbidden}
`,
		want: []wantIssue{{field: "tests[0]", fieldPrefix: true, line: 10}},
	},
	{
		name:   "two problems are both reported",
		reason: "one `*PolicyError` listing every problem",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agnet]
    - name: leads
      when: {group: CC-Leads}
      grant: [supervisor]
      priority: 1
`,
		exact: true,
		want: []wantIssue{
			{field: "sso.rules[0].grant[0]", line: 6, column: 15, message: []string{"agent"}},
			{field: "sso.rules[1].priority", line: 10, column: 7},
		},
	},
	{
		name:   "problems in every section are all reported",
		reason: "one `*PolicyError` listing every problem",
		yaml: `version: 1
sso:
  allow: [agent, supervisor]
  default_insights_role: wfo.team_leader
  rules:
    - name: a
      when: {}
      grant: [Agent]
    - name: a
      when: {group: B}
      grant: []
console:
  allow: [Owner, Root]
`,
		exact: true,
		want: []wantIssue{
			{field: "sso.default_insights_role", line: 4},
			{field: "sso.rules[0].when", line: 7},
			{field: "sso.rules[0].grant[0]", line: 8},
			{field: "sso.rules[1].name", line: 9},
			{field: "sso.rules[1].grant", line: 11},
			{field: "console.allow[1]", line: 13},
		},
	},
	{
		name:   "duplicate keys",
		reason: "Bad input: duplicate keys: a clear error with a position",
		yaml: `version: 1
sso:
  unknown_roles: drop
  unknown_roles: reject
`,
		want: []wantIssue{{line: 4, field: "sso.unknown_roles"}},
	},
	{
		name:   "tabs",
		reason: "Bad input: tabs: a clear error with a position",
		yaml:   "version: 1\nsso:\n\trules: []\n",
		want:   []wantIssue{{line: 3, fieldPrefix: true}},
	},
	{
		name:   "anchor and alias",
		reason: "YAML anchors and aliases are refused",
		yaml: `version: 1
sso:
  rules:
    - name: a
      when: &leads {group: Leads}
      grant: [supervisor]
    - name: b
      when: *leads
      grant: [agent]
`,
		check: func(t *testing.T, pe *flexroles.PolicyError) {
			assert.True(t, slices.ContainsFunc(pe.Issues, func(i flexroles.PolicyIssue) bool {
				return i.Line == 5 || i.Line == 8
			}), "want an issue at the anchor (line 5) or the alias (line 8): %+v", pe.Issues)
		},
	},
	{
		name:   "merge key through an alias",
		reason: "YAML anchors and aliases are refused",
		yaml: `version: 1
sso:
  rules:
    - &base
      name: a
      when: {group: A}
      grant: [agent]
    - <<: *base
      name: b
`,
		check: func(t *testing.T, pe *flexroles.PolicyError) {
			assert.True(t, slices.ContainsFunc(pe.Issues, func(i flexroles.PolicyIssue) bool {
				return i.Line == 4 || i.Line == 8
			}), "want an issue at the anchor (line 4) or the alias (line 8): %+v", pe.Issues)
		},
	},
	{
		name:   "billion laughs",
		reason: "anchors and aliases ... enable expansion bombs",
		yaml: `version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`,
	},
	{
		name:   "empty file",
		reason: "Bad input: empty file: a clear error, never a partly loaded policy",
		yaml:   "",
	},
	{
		name:   "comments only",
		reason: "Bad input: empty file; `version: 1` required",
		yaml:   "# nothing here\n\n",
	},
	{
		name:   "not YAML",
		reason: "Bad input: not YAML: a clear error with a position",
		yaml:   "version: 1\nsso: [agent\n",
		check: func(t *testing.T, pe *flexroles.PolicyError) {
			assert.True(t, slices.ContainsFunc(pe.Issues, func(i flexroles.PolicyIssue) bool { return i.Line >= 1 }),
				"want a position: %+v", pe.Issues)
		},
	},
	{
		name:   "binary",
		reason: "Bad input: not YAML",
		yaml:   "\x00\x01\x02\xff\xfe",
	},
	{
		name:   "a YAML list, not a policy",
		reason: "Bad input: wrong types",
		yaml:   "- version: 1\n",
	},
	{
		name:   "JSON with a wrong type",
		reason: "Bad input: wrong types (JSON is YAML)",
		yaml:   `{"version": "one"}`,
		want:   []wantIssue{{field: "version", line: 1}},
	},
}

func TestLoadPolicyErrors(t *testing.T) {
	names := map[string]bool{}
	for _, c := range loadCases {
		require.False(t, names[c.name], "duplicate row name %q", c.name)
		names[c.name] = true
		require.NotEmpty(t, c.reason)
		t.Run(c.name, func(t *testing.T) {
			pe := loadPolicyError(t, strings.NewReader(c.yaml))
			if pe == nil {
				return
			}
			if c.check != nil {
				c.check(t, pe)
			}
			for _, w := range c.want {
				assertIssue(t, pe, w)
			}
			if c.exact {
				assert.Len(t, pe.Issues, len(c.want), "issues: %+v", pe.Issues)
			}
		})
	}
}

// loadPolicyError loads r, which must fail with a *PolicyError, a nil Policy
// and no panic; it returns the PolicyError (nil after reporting a failure).
func loadPolicyError(t *testing.T, r io.Reader) *flexroles.PolicyError {
	t.Helper()
	var (
		p   *flexroles.Policy
		err error
	)
	require.NotPanics(t, func() { p, err = flexroles.LoadPolicy(r) })
	assert.Nil(t, p, "never a partly loaded policy")
	require.Error(t, err)
	var pe *flexroles.PolicyError
	if !assert.ErrorAs(t, err, &pe, "LoadPolicy errors are *PolicyError: %v", err) {
		return nil
	}
	assert.NotEmpty(t, pe.Issues, "a PolicyError lists its problems")
	assert.True(t, strings.HasPrefix(err.Error(), "flexroles:"), "error %q lacks the flexroles: prefix", err)
	for _, i := range pe.Issues {
		assert.NotEmpty(t, i.Message, "issue without a message: %+v", i)
		assert.GreaterOrEqual(t, i.Line, 0)
		assert.GreaterOrEqual(t, i.Column, 0)
		// Column may be 0 ("0 if unknown"): yaml.v3 syntax errors carry a line only.
	}
	return pe
}

func assertIssue(t *testing.T, pe *flexroles.PolicyError, w wantIssue) {
	t.Helper()
	i := slices.IndexFunc(pe.Issues, func(i flexroles.PolicyIssue) bool {
		if w.fieldPrefix {
			return strings.HasPrefix(i.Field, w.field) && (w.line == 0 || i.Line == w.line)
		}
		return i.Field == w.field
	})
	if !assert.GreaterOrEqual(t, i, 0, "no issue at field %q (line %d); issues: %+v", w.field, w.line, pe.Issues) {
		return
	}
	got := pe.Issues[i]
	if w.line != 0 {
		assert.Equal(t, w.line, got.Line, "line of %q: %+v", w.field, got)
	}
	if w.column != 0 {
		assert.Equal(t, w.column, got.Column, "column of %q: %+v", w.field, got)
	}
	for _, m := range w.message {
		assert.Contains(t, got.Message, m, "message of %q", w.field)
	}
}

func TestLoadPolicyValid(t *testing.T) {
	for name, src := range map[string]string{
		"minimal":          "version: 1\n",
		"one rule":         polMinimal,
		"groups":           polGroups,
		"attributes":       polAttributes,
		"deny":             polDeny,
		"allow":            polAllow,
		"console allow":    polConsoleAllow,
		"default insights": polDefaultInsights,
		"custom names":     polCustomNames,
	} {
		t.Run(name, func(t *testing.T) { polLoad(t, src) })
	}
}

// polFiller is a reader of n bytes: a valid policy followed by comment lines.
func polFiller(n int64) io.Reader {
	line := "# " + strings.Repeat("x", 1021) + "\n" // 1 KiB
	head := polMinimal
	rest := n - int64(len(head))
	full := rest / int64(len(line))
	tail := rest % int64(len(line))
	readers := []io.Reader{strings.NewReader(head)}
	for i := int64(0); i < full; i++ {
		readers = append(readers, strings.NewReader(line))
	}
	if tail > 0 {
		readers = append(readers, strings.NewReader("#"+strings.Repeat("y", int(tail)-1)))
	}
	return io.MultiReader(readers...)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestLoadPolicySize(t *testing.T) {
	const limit = 4 << 20

	t.Run("exactly 4 MiB loads", func(t *testing.T) {
		p, err := flexroles.LoadPolicy(polFiller(limit))
		require.NoError(t, err, "files over 4 MiB are refused (this one is not over)")
		assert.NotNil(t, p)
	})
	t.Run("4 MiB + 1 byte refused", func(t *testing.T) {
		pe := loadPolicyError(t, polFiller(limit+1))
		if pe != nil {
			assert.Contains(t, strings.ToLower(pe.Error()), "mib", "the error says the limit")
		}
	})
	t.Run("50 MB refused before parsing", func(t *testing.T) {
		r := &countingReader{r: polFiller(50 << 20)}
		_ = loadPolicyError(t, r)
		assert.LessOrEqual(t, r.n, int64(limit+1<<20), "files over 4 MiB are refused before parsing: read %d bytes", r.n)
	})
	t.Run("LoadPolicyFile over 4 MiB", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.yaml")
		f, err := os.Create(path)
		require.NoError(t, err)
		_, err = io.Copy(f, polFiller(limit+1024))
		require.NoError(t, err)
		require.NoError(t, f.Close())
		p, err := flexroles.LoadPolicyFile(path)
		assert.Nil(t, p)
		var pe *flexroles.PolicyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, path, pe.File)
	})
}

func TestLoadPolicyFileError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nsso:\n  allow: [agent, Admin]\n"), 0o600))
	p, err := flexroles.LoadPolicyFile(path)
	assert.Nil(t, p)
	var pe *flexroles.PolicyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, path, pe.File)
	assertIssue(t, pe, wantIssue{field: "sso.allow[1]", line: 3, column: 18, message: []string{"admin"}})
	assert.True(t, strings.HasPrefix(err.Error(), "flexroles:"), "error %q lacks the flexroles: prefix", err)
	assert.Contains(t, err.Error(), path, "the error names the file")

	_, err = flexroles.LoadPolicyFile(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadPolicyDeepNesting(t *testing.T) {
	inputs := map[string]string{
		"flow sequences": "version: 1\nsso:\n  allow: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n",
		"flow mappings":  "version: 1\nsso: " + strings.Repeat("{a: ", 50_000) + "b" + strings.Repeat("}", 50_000) + "\n",
		"block mappings": func() string {
			var b strings.Builder
			b.WriteString("version: 1\n")
			for i := 0; i < 1500; i++ {
				b.WriteString(strings.Repeat(" ", i) + "k:\n")
			}
			return b.String()
		}(),
		"unclosed": "version: 1\nsso: " + strings.Repeat("[", 1_000_000),
	}
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			_ = loadPolicyError(t, strings.NewReader(src))
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

func TestPolicyAttributeName(t *testing.T) {
	var none *flexroles.Policy
	p, err := flexroles.LoadPolicy(strings.NewReader("version: 1\nsso:\n  attributes: {email: mail, groups: memberOf}\n"))
	require.NoError(t, err)
	for _, tc := range []struct{ std, nilWant, want string }{
		{"roles", "roles", "roles"}, {"email", "email", "mail"}, {"full_name", "full_name", "full_name"},
		{"groups", "groups", "memberOf"}, {"department", "", ""},
	} {
		assert.Equal(t, tc.nilWant, none.AttributeName(tc.std), "nil policy, %s", tc.std)
		assert.Equal(t, tc.want, p.AttributeName(tc.std), "policy, %s", tc.std)
	}
}

func TestPolicyRolesAndAttributes(t *testing.T) {
	var none *flexroles.Policy
	assert.Equal(t, []flexroles.Role{flexroles.Admin, flexroles.Supervisor, flexroles.Agent,
		flexroles.WFOFullAccess, flexroles.WFOTeamLeader, flexroles.WFODataAnalyst, flexroles.WFODataAuditor,
		flexroles.WFOQualityManager, flexroles.WFOQualityProcessManager, flexroles.WFODashboardViewer}, none.Roles())
	assert.Nil(t, none.Attributes())

	p, err := flexroles.LoadPolicyFile("examples/policy.yaml")
	require.NoError(t, err)
	assert.Equal(t, []flexroles.Role{flexroles.Supervisor, flexroles.Agent, flexroles.WFOTeamLeader,
		flexroles.WFODataAnalyst, flexroles.WFOQualityManager, flexroles.WFODashboardViewer}, p.Roles(), "sso.allow, canonical order")
	assert.Equal(t, []string{"department", "location"}, p.Attributes())
}
