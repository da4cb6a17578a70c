package flexroles_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// The claim names Entra ID (Azure AD) sends by default; Flex does not map them (SPEC §3).
const (
	claimRoleNS  = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
	claimEmailNS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
	claimNameNS  = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
)

// canonicalOrder is the documented output order of roles (SPEC §1 Decision (order)).
var canonicalOrder = []flexroles.Role{
	flexroles.Admin, flexroles.Supervisor, flexroles.Agent, flexroles.ReadTeams, flexroles.ReadOnlyAdmin,
	flexroles.WFOFullAccess, flexroles.WFOTeamLeader, flexroles.WFODataAnalyst, flexroles.WFODataAuditor,
	flexroles.WFOQualityManager, flexroles.WFOQualityProcessManager, flexroles.WFODashboardViewer,
}

// allErrorKinds lists the seven error kinds of SPEC §5.
var allErrorKinds = []error{
	flexroles.ErrMissingAttribute, flexroles.ErrInvalidAttribute, flexroles.ErrUnknownRole,
	flexroles.ErrConsoleOnlyRole, flexroles.ErrSSOOnlyRole, flexroles.ErrNoFlexAccess, flexroles.ErrInvalidLogin,
}

// The two role sets a Console user can have (SPEC §2).
var (
	consoleAdminRoles   = []flexroles.Role{flexroles.Admin, flexroles.WFOFullAccess}
	consoleSupportRoles = []flexroles.Role{flexroles.ReadTeams, flexroles.ReadOnlyAdmin}
)

// ruleOrder lists the rule ids documented in the package doc, in the order Reasons list them;
// warningRules are the ones that are warnings (findings that do not block the login).
var (
	ruleOrder = []string{
		"console.admin", "console.support", "console.requested",
		"sso.roles", "sso.roles.split", "sso.roles.duplicate", "sso.claim.ignored",
		"insights.open", "insights.closed.support", "insights.closed.agent", "insights.agent_wfo", "insights.no_wfo",
	}
	warningRules = map[string]bool{"sso.claim.ignored": true, "insights.agent_wfo": true, "insights.no_wfo": true}
)

// wantReason is a rule id expected among Decision.Reasons, with its warning flag.
type wantReason struct {
	rule    string
	warning bool
}

func ok(rule string) wantReason   { return wantReason{rule: rule} }
func warn(rule string) wantReason { return wantReason{rule: rule, warning: true} }

// resolveCase is one row of the shared table. wantErr nil means success and
// wantRoles is then the exact expected Roles; the pointer fields are checked
// only when set.
type resolveCase struct {
	name   string
	reason string // the SPEC section and rule/source this row proves
	login  flexroles.Login

	wantRoles []flexroles.Role
	wantErr   error

	wantAttribute  *string
	wantValue      *string
	wantSuggestion *string
	wantCode       *int
	wantMessage    []string // substrings of err.Error(), compared case-insensitively
	wantInsights   *flexroles.Insights
	wantReasons    []wantReason
}

func ref[T any](v T) *T { return &v }

func roleList(rs ...flexroles.Role) []flexroles.Role { return rs }

// ssoRoles is an SSO login with a valid email and full_name and the given roles values.
func ssoRoles(values ...string) flexroles.Login {
	return flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"roles":     values,
		"email":     {"jane.doe@example.com"},
		"full_name": {"Jane Doe"},
	}}
}

// ssoWith is ssoRoles(roles...) with attributes changed: a nil slice deletes the attribute.
func ssoWith(change map[string][]string, roles ...string) flexroles.Login {
	l := ssoRoles(roles...)
	applyChanges(l.Attributes, change)
	return l
}

// applyChanges sets each attribute of change in attrs; a nil slice deletes it.
func applyChanges(attrs, change map[string][]string) {
	for k, v := range change {
		if v == nil {
			delete(attrs, k)
			continue
		}
		attrs[k] = v
	}
}

func consoleLogin(roles ...flexroles.ConsoleRole) flexroles.Login {
	return flexroles.Login{Source: flexroles.Console, ConsoleRoles: roles}
}

// consoleAsking is a Console login whose roles attribute requests roles (SPEC §2 Decision).
func consoleAsking(request []string, roles ...flexroles.ConsoleRole) flexroles.Login {
	l := consoleLogin(roles...)
	l.Attributes = map[string][]string{"roles": request}
	return l
}

var (
	insightsNone       = flexroles.Insights{}
	insightsFullAccess = flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
		AssessCalls: flexroles.AssessFull, Questionnaires: true, Dashboards: flexroles.DashboardsEditor}
)

var resolveCases = []resolveCase{
	// ---- §2 Console logins ----
	{
		name: "console/owner", reason: "§2 Owner → admin, wfo.full_access [KB][CORE][UIUSERS][INSIGHTS default]",
		login: consoleLogin(flexroles.Owner), wantRoles: consoleAdminRoles,
		wantInsights: &insightsFullAccess, wantReasons: []wantReason{ok("console.admin"), ok("insights.open")},
	},
	{
		name: "console/administrator", reason: "§2 Administrator → admin, wfo.full_access [KB][CORE]",
		login: consoleLogin(flexroles.Administrator), wantRoles: consoleAdminRoles,
		wantInsights: &insightsFullAccess, wantReasons: []wantReason{ok("console.admin"), ok("insights.open")},
	},
	{
		name: "console/developer", reason: "§2 Developer → admin, wfo.full_access [KB][UIUSERS]",
		login: consoleLogin(flexroles.Developer), wantRoles: consoleAdminRoles,
		wantInsights: &insightsFullAccess, wantReasons: []wantReason{ok("console.admin"), ok("insights.open")},
	},
	{
		name: "console/developer+support", reason: "§2 Decision: most privileged wins; Developer with others → admin pair",
		login: consoleLogin(flexroles.Developer, flexroles.Support), wantRoles: consoleAdminRoles,
		wantInsights: &insightsFullAccess, wantReasons: []wantReason{ok("console.admin")},
	},
	{
		name: "console/support+developer", reason: "§2 Decision: most privileged wins whatever the input order",
		login: consoleLogin(flexroles.Support, flexroles.Developer), wantRoles: consoleAdminRoles,
		wantReasons: []wantReason{ok("console.admin")},
	},
	{
		name: "console/developer+billing-manager", reason: "§2 Developer (alone or with others) → admin pair",
		login: consoleLogin(flexroles.BillingManager, flexroles.Developer), wantRoles: consoleAdminRoles,
		wantInsights: &insightsFullAccess, wantReasons: []wantReason{ok("console.admin")},
	},
	{
		name: "console/developer+support+billing-manager", reason: "§2 Developer (alone or with others) → admin pair",
		login: consoleLogin(flexroles.Developer, flexroles.Support, flexroles.BillingManager), wantRoles: consoleAdminRoles,
	},
	{
		name: "console/owner+support", reason: "§2 Decision: any combination accepted, most privileged wins (Owner should stand alone)",
		login: consoleLogin(flexroles.Owner, flexroles.Support), wantRoles: consoleAdminRoles,
		wantReasons: []wantReason{ok("console.admin")},
	},
	{
		name: "console/administrator+billing-manager", reason: "§2 Decision: any combination accepted, most privileged wins",
		login: consoleLogin(flexroles.Administrator, flexroles.BillingManager), wantRoles: consoleAdminRoles,
	},
	{
		name: "console/support", reason: "§2 Support → flex.readteams, flex.readonlyadmin [KB]; §4 Support cannot use Insights [KB]",
		login: consoleLogin(flexroles.Support), wantRoles: consoleSupportRoles,
		wantInsights: &insightsNone, wantReasons: []wantReason{ok("console.support"), ok("insights.closed.support")},
	},
	{
		name: "console/support+billing-manager", reason: "§2 Support (without Owner/Administrator/Developer) → read-only pair [KB]",
		login: consoleLogin(flexroles.Support, flexroles.BillingManager), wantRoles: consoleSupportRoles,
		wantInsights: &insightsNone, wantReasons: []wantReason{ok("console.support"), ok("insights.closed.support")},
	},
	{
		name: "console/support-twice", reason: "§1 Decision (order): output de-duplicated; §2 Support → read-only pair",
		login: consoleLogin(flexroles.Support, flexroles.Support), wantRoles: consoleSupportRoles,
	},
	{
		name: "console/billing-manager-only", reason: "§2 Billing Manager only → no Flex access [SSO FAQ]",
		login: consoleLogin(flexroles.BillingManager), wantErr: flexroles.ErrNoFlexAccess,
	},
	{
		name: "console/no-role-nil", reason: "§2 no Console role → no Flex access [SSO FAQ]",
		login: consoleLogin(), wantErr: flexroles.ErrNoFlexAccess,
	},
	{
		name: "console/no-role-empty", reason: "§2 no Console role → no Flex access [SSO FAQ]",
		login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{}}, wantErr: flexroles.ErrNoFlexAccess,
	},
	{
		name: "console/lowercase-support", reason: "§2 Decision (Console role names): case ignored; Support → read-only pair",
		login: consoleLogin("support"), wantRoles: consoleSupportRoles,
	},
	{
		name: "console/uppercase-padded-owner", reason: "§2 Decision (Console role names): case and surrounding space ignored",
		login: consoleLogin("  OWNER "), wantRoles: consoleAdminRoles,
	},
	{
		name: "console/underscore-billing-manager+developer", reason: "§2 Decision (Console role names): '_' same as space; Developer wins",
		login: consoleLogin("billing_manager", "developer"), wantRoles: consoleAdminRoles,
	},
	{
		name: "console/underscore-billing-manager-only", reason: "§2 Decision (Console role names) + Billing Manager only → no Flex access",
		login: consoleLogin("billing_manager"), wantErr: flexroles.ErrNoFlexAccess,
	},
	{
		name: "console/dash-billing-manager+support", reason: "§2 Decision (Console role names): '-' same as space, any case",
		login: consoleLogin("BILLING-MANAGER", "support"), wantRoles: consoleSupportRoles,
	},
	{
		name: "console/unknown-role", reason: "§2 Decision (Console role names): anything else → ErrUnknownRole, Attribute console_role",
		login: consoleLogin("Superuser"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("console_role"), wantValue: ref("Superuser"),
	},
	{
		name: "console/admin-is-not-a-console-role", reason: "§2 Console roles are Owner, Administrator, Developer, Billing Manager, Support; 'Admin' is none",
		login: consoleLogin("Admin"), wantErr: flexroles.ErrUnknownRole, wantAttribute: ref("console_role"), wantValue: ref("Admin"),
	},
	{
		name: "console/unknown-role-with-owner", reason: "§5 precedence 5: unknown Console role is reported even next to Owner",
		login: consoleLogin(flexroles.Owner, "Superuser"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("console_role"), wantValue: ref("Superuser"),
	},
	{
		name: "console/unknown-role-before-no-access", reason: "§5 precedence 5: unknown Console role before no Flex access",
		login: consoleLogin(flexroles.BillingManager, "Auditor"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("console_role"), wantValue: ref("Auditor"),
	},

	// ---- §2 Decision (requests on a Console login) ----
	{
		name: "console-request/support-asks-quality-manager", reason: "§2 Decision (requests) [KB scenario]: wfo.quality_manager is SSO-only → ErrSSOOnlyRole",
		login: consoleAsking([]string{"wfo.quality_manager"}, flexroles.Support), wantErr: flexroles.ErrSSOOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("wfo.quality_manager"),
		// "whose message names the role, says it needs an SSO login, and says what this Console user gets instead"
		wantMessage: []string{"wfo.quality_manager", "sso", "flex.readonlyadmin"},
	},
	{
		name: "console-request/support-asks-readonlyadmin", reason: "§2 Decision (requests): a requested role the user does get is fine",
		login: consoleAsking([]string{"flex.readonlyadmin"}, flexroles.Support), wantRoles: consoleSupportRoles,
		wantReasons: []wantReason{ok("console.support"), ok("console.requested"), ok("insights.closed.support")},
	},
	{
		name: "console-request/support-asks-pair-comma-string", reason: "§2 Decision (requests) with §3 split/trim: both granted → fine",
		login: consoleAsking([]string{" flex.readteams , flex.readonlyadmin ,"}, flexroles.Support), wantRoles: consoleSupportRoles,
		wantReasons: []wantReason{ok("console.requested")},
	},
	{
		name: "console-request/developer-asks-admin-full-access", reason: "§2 Decision (requests): Developer gets admin,wfo.full_access → fine",
		login: consoleAsking([]string{"admin,wfo.full_access"}, flexroles.Developer), wantRoles: consoleAdminRoles,
		wantInsights: &insightsFullAccess, wantReasons: []wantReason{ok("console.admin"), ok("console.requested"), ok("insights.open")},
	},
	{
		name: "console-request/developer-asks-two-values", reason: "§2 Decision (requests): several values, all granted → fine",
		login: consoleAsking([]string{"wfo.full_access", "admin"}, flexroles.Developer), wantRoles: consoleAdminRoles,
	},
	{
		name: "console-request/developer-asks-team-leader", reason: "§2 granular Insights roles are SSO-only [KB] → ErrSSOOnlyRole",
		login: consoleAsking([]string{"wfo.team_leader"}, flexroles.Developer), wantErr: flexroles.ErrSSOOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("wfo.team_leader"), wantMessage: []string{"wfo.team_leader", "sso", "admin"},
	},
	{
		name: "console-request/developer-asks-supervisor", reason: "§1 supervisor is SSO only; §2 a requested role not granted → ErrSSOOnlyRole",
		login: consoleAsking([]string{"admin, supervisor"}, flexroles.Developer), wantErr: flexroles.ErrSSOOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("supervisor"),
	},
	{
		name: "console-request/owner-asks-agent", reason: "§1 agent is SSO only; §2 a requested role not granted → ErrSSOOnlyRole",
		login: consoleAsking([]string{"agent"}, flexroles.Owner), wantErr: flexroles.ErrSSOOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("agent"),
	},
	{
		name: "console-request/support-asks-admin", reason: "§2 'Every requested role that this Console user does not get is refused with ErrSSOOnlyRole'",
		login: consoleAsking([]string{"admin"}, flexroles.Support), wantErr: flexroles.ErrSSOOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("admin"),
	},
	{
		name: "console-request/support-asks-pair-and-quality-manager", reason: "§2 Decision (requests): the role not granted is the one named",
		login: consoleAsking([]string{"flex.readonlyadmin", "wfo.quality_manager"}, flexroles.Support), wantErr: flexroles.ErrSSOOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("wfo.quality_manager"),
	},
	{
		name: "console-request/billing-manager-asks", reason: "§5 precedence 5: no Flex access before requested roles",
		login: consoleAsking([]string{"wfo.quality_manager"}, flexroles.BillingManager), wantErr: flexroles.ErrNoFlexAccess,
	},
	{
		name: "console-request/unknown-console-role-asks", reason: "§5 precedence 5: unknown Console role first",
		login: consoleAsking([]string{"wfo.quality_manager"}, "Superuser"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("console_role"), wantValue: ref("Superuser"),
	},
	{
		name: "console-request/developer-asks-unknown-Admin", reason: "§1 Decision (case) + §5 ErrUnknownRole: a role not in the vocabulary (design: Attribute roles)",
		login: consoleAsking([]string{"Admin"}, flexroles.Developer), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("roles"), wantValue: ref("Admin"), wantSuggestion: ref("admin"),
	},
	{
		name: "console-request/email-attribute", reason: "§2 'Any other attribute on a Console login … is ErrInvalidLogin'",
		login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
			Attributes: map[string][]string{"email": {"owner@example.com"}}},
		wantErr: flexroles.ErrInvalidLogin, wantAttribute: ref("email"),
	},
	{
		name: "console-request/roles-and-full-name", reason: "§2 only roles may be carried by a Console login",
		login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Developer},
			Attributes: map[string][]string{"roles": {"admin"}, "full_name": {"Dev Eloper"}}},
		wantErr: flexroles.ErrInvalidLogin, wantAttribute: ref("full_name"),
	},
	{
		name: "console-request/Roles-capitalised", reason: "§2 only `roles` (exact name, §3 case-sensitive) may be carried by a Console login",
		login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support},
			Attributes: map[string][]string{"Roles": {"flex.readonlyadmin"}}},
		wantErr: flexroles.ErrInvalidLogin, wantAttribute: ref("Roles"),
	},
	{
		name: "console-request/email-before-no-access", reason: "§5 precedence 1: a login mixing both sources is ErrInvalidLogin before anything else",
		login: flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.BillingManager},
			Attributes: map[string][]string{"email": {"bm@example.com"}}},
		wantErr: flexroles.ErrInvalidLogin,
	},

	// ---- §3 SSO: the roles attribute ----
	{
		name: "sso/agent", reason: "§1 agent is an SSO Flex role [SSO][E45050]; §4 Insights opens only for supervisor/admin",
		login: ssoRoles("agent"), wantRoles: roleList(flexroles.Agent), wantInsights: &insightsNone,
		wantReasons: []wantReason{ok("sso.roles"), ok("insights.closed.agent")},
	},
	{
		name: "sso/admin-without-wfo", reason: "§4 Decision: SSO admin without wfo.* → Insights{} and a warning, no default role",
		login: ssoRoles("admin"), wantRoles: roleList(flexroles.Admin), wantInsights: &insightsNone,
		wantReasons: []wantReason{ok("sso.roles"), warn("insights.no_wfo")},
	},
	{
		name: "sso/supervisor-without-wfo", reason: "§4 Decision: SSO supervisor without wfo.* → Insights{} and warning insights.no_wfo",
		login: ssoRoles("supervisor"), wantRoles: roleList(flexroles.Supervisor), wantInsights: &insightsNone,
		wantReasons: []wantReason{ok("sso.roles"), warn("insights.no_wfo")},
	},
	{
		name: "sso/several-values", reason: "§3 roles arrives as several AttributeValues [SSO][OKTA]",
		login: ssoRoles("supervisor", "wfo.team_leader"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFOTeamLeader),
		wantReasons: []wantReason{ok("sso.roles"), ok("insights.open")},
	},
	{
		name: "sso/one-comma-string", reason: "§3 one comma-separated string, items trimmed (docs write `agent, admin`)",
		login: ssoRoles("agent, admin"), wantRoles: roleList(flexroles.Admin, flexroles.Agent),
		wantReasons: []wantReason{ok("sso.roles"), ok("sso.roles.split"), warn("insights.no_wfo")},
	},
	{
		name: "sso/mixed-values-and-commas", reason: "§3 several values and comma strings mixed [GOOGLE]",
		login:       ssoRoles("supervisor, wfo.quality_manager", "wfo.team_leader"),
		wantRoles:   roleList(flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFOQualityManager),
		wantReasons: []wantReason{ok("sso.roles.split")},
	},
	{
		name: "sso/canonical-order", reason: "§1 Decision (order): [supervisor, wfo.quality_manager, wfo.team_leader] → [supervisor, wfo.team_leader, wfo.quality_manager]",
		login:     ssoRoles("supervisor", "wfo.quality_manager", "wfo.team_leader"),
		wantRoles: roleList(flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFOQualityManager),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
			AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsExplorer},
	},
	{
		name: "sso/kb-admin-pair-reversed", reason: "§1 Decision (order): reproduces the [KB] array [admin, wfo.full_access]; input order never matters",
		login: ssoRoles("wfo.full_access", "admin"), wantRoles: consoleAdminRoles, wantInsights: &insightsFullAccess,
	},
	{
		name: "sso/trim-pretty-printed-xml", reason: "§3 Decision: trim Unicode white space; pretty-printed XML adds newlines and tabs",
		login:       ssoRoles("\n        supervisor\n      ", "\n\t\twfo.dashboard_viewer\n\t"),
		wantRoles:   roleList(flexroles.Supervisor, flexroles.WFODashboardViewer),
		wantReasons: []wantReason{ok("sso.roles.split"), ok("insights.open")},
	},
	{
		name: "sso/trim-unicode-spaces", reason: "§3 Decision: trim Unicode white space (NBSP, ideographic space)",
		login: ssoRoles("\u00a0agent\u3000"), wantRoles: roleList(flexroles.Agent),
	},
	{
		name: "sso/trim-crlf", reason: "§3 Decision: CR is allowed (bytes rule) and trimmed as white space",
		login: ssoRoles("agent\r\n"), wantRoles: roleList(flexroles.Agent),
	},
	{
		name: "sso/trim-unicode-space", reason: "§3 Decision: Unicode white space is trimmed too; U+2000 ends in the byte 0x80",
		login: ssoRoles("agent\u2000"), wantRoles: roleList(flexroles.Agent),
		wantReasons: []wantReason{ok("sso.roles"), ok("sso.roles.split")},
	},
	{
		name: "sso/empty-items-dropped", reason: "§3 Decision: drop empty items (`agent,,`, `,`, ``)",
		login: ssoRoles("agent,,", ",", ""), wantRoles: roleList(flexroles.Agent),
	},
	{
		name: "sso/blank-item-inside-list", reason: "§3 Decision: white-space-only items are empty and dropped",
		login: ssoRoles("agent, ,admin"), wantRoles: roleList(flexroles.Admin, flexroles.Agent),
	},
	{
		name: "sso/duplicates", reason: "§3 Decision: de-duplicate; §1 output has no duplicates",
		login: ssoRoles("agent", "agent", " agent ,agent"), wantRoles: roleList(flexroles.Agent),
		wantReasons: []wantReason{ok("sso.roles"), ok("sso.roles.duplicate")},
	},
	{
		name: "sso/duplicate-wfo", reason: "§3 Decision: de-duplicate across values",
		login: ssoRoles("supervisor,wfo.team_leader", "wfo.team_leader"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFOTeamLeader),
		wantReasons: []wantReason{ok("sso.roles.duplicate")},
	},
	{
		name: "sso/every-role", reason: "§1 the three SSO Flex roles and all seven wfo roles combine; §1 canonical order",
		login: ssoRoles("wfo.dashboard_viewer,wfo.quality_process_manager,wfo.quality_manager", "wfo.data_auditor",
			"wfo.data_analyst, wfo.team_leader,wfo.full_access", "agent", "supervisor", "admin"),
		wantRoles: roleList(flexroles.Admin, flexroles.Supervisor, flexroles.Agent, flexroles.WFOFullAccess, flexroles.WFOTeamLeader,
			flexroles.WFODataAnalyst, flexroles.WFODataAuditor, flexroles.WFOQualityManager, flexroles.WFOQualityProcessManager,
			flexroles.WFODashboardViewer),
		wantInsights: &insightsFullAccess,
	},
	{
		name: "sso/inner-space-unknown", reason: "§3 Decision: white space inside an item (`agent admin`) makes it an unknown role",
		login: ssoRoles("agent admin"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("roles"), wantValue: ref("agent admin"),
	},
	{
		name: "sso/Admin-case-sensitive", reason: "§1 Decision (case): `Admin` is unknown, with suggestion `admin`",
		login: ssoRoles("Admin"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("roles"), wantValue: ref("Admin"), wantSuggestion: ref("admin"),
	},
	{
		name: "sso/ADMIN-upper", reason: "§1 Decision (suggestions): equal ignoring case → did-you-mean",
		login: ssoRoles("ADMIN"), wantErr: flexroles.ErrUnknownRole, wantValue: ref("ADMIN"), wantSuggestion: ref("admin"),
	},
	{
		name: "sso/dashboards-viewer-plural", reason: "§1 `wfo.dashboards_viewer` is a common misspelling, not a role; suggestion wfo.dashboard_viewer",
		login: ssoRoles("supervisor", "wfo.dashboards_viewer"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("roles"), wantValue: ref("wfo.dashboards_viewer"), wantSuggestion: ref("wfo.dashboard_viewer"),
	},
	{
		name: "sso/agent-comma-foo", reason: "§3 unknown values (`agent,foo`) → ErrUnknownRole, fail closed; no near role → no suggestion",
		login: ssoRoles("agent,foo"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("roles"), wantValue: ref("foo"), wantSuggestion: ref(""),
	},
	{
		name: "sso/typo-supervisr", reason: "§1 Decision (suggestions): within edit distance 2",
		login: ssoRoles("supervisr"), wantErr: flexroles.ErrUnknownRole, wantValue: ref("supervisr"), wantSuggestion: ref("supervisor"),
	},
	{
		name: "sso/cyrillic-a-admin", reason: "§3 Decision (bytes): look-alike characters (Cyrillic а) simply make an unknown role",
		login: ssoRoles("\u0430dmin"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("roles"), wantValue: ref("\u0430dmin"), wantSuggestion: ref("admin"),
	},
	{
		name: "sso/zero-width-space", reason: "§3 Decision (bytes): a zero-width space simply makes an unknown role (it is not white space)",
		login: ssoRoles("admin\u200b"), wantErr: flexroles.ErrUnknownRole,
		wantAttribute: ref("roles"), wantValue: ref("admin\u200b"),
	},
	{
		name: "sso/Admin-next-to-admin", reason: "§3 unknown values fail closed even next to a valid one",
		login: ssoRoles("admin", "Admin"), wantErr: flexroles.ErrUnknownRole, wantValue: ref("Admin"),
	},
	{
		name: "sso/role-singular-is-not-roles", reason: "§1 `role` (singular) is a free-text Insights attribute; never read as roles → roles missing",
		login:   ssoWith(map[string][]string{"roles": nil, "role": {"admin"}}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},
	{
		name: "sso/role-singular-next-to-roles", reason: "§1 `role` (singular) is never read as roles: it must not grant admin",
		login:     ssoWith(map[string][]string{"role": {"admin"}}, "agent"),
		wantRoles: roleList(flexroles.Agent),
	},
	{
		name: "sso/other-attributes-ignored", reason: "§3 only roles decides the roles; other attributes do not",
		login:     ssoWith(map[string][]string{"department": {"Sales"}, "team_member": {"Blue"}, "location": {"admin"}}, "agent"),
		wantRoles: roleList(flexroles.Agent),
	},

	// ---- §3 SSO: mandatory attributes, 45050 ----
	{
		name: "sso-missing/namespaced-roles-claim", reason: "§3 namespaced claim names are not mapped [SSO][ENTRA]: Attribute roles, Value = claim name",
		login:   ssoWith(map[string][]string{"roles": nil, claimRoleNS: {"admin"}}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantValue: ref(claimRoleNS), wantCode: ref(45050),
		wantMessage: []string{"rename"},
	},
	{
		name: "sso-missing/namespaced-email-claim", reason: "§3 namespaced emailaddress claim not mapped [ENTRA]: Attribute email, Value = claim name",
		login:   ssoWith(map[string][]string{"email": nil, claimEmailNS: {"jane.doe@example.com"}}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("email"), wantValue: ref(claimEmailNS), wantCode: ref(45050),
		wantMessage: []string{"rename"},
	},
	{
		name: "sso-missing/namespaced-name-claim", reason: "§3 namespaced claims not mapped (Attribute \"roles\" or \"email\" …); design: .../claims/name for full_name",
		login:   ssoWith(map[string][]string{"full_name": nil, claimNameNS: {"Jane Doe"}}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("full_name"), wantValue: ref(claimNameNS), wantCode: ref(45050),
	},
	{
		name: "sso-missing/Roles-capitalised", reason: "§3 attribute names are exact and case-sensitive [GOOGLE]; design: near-miss name in Value",
		login:   ssoWith(map[string][]string{"roles": nil, "Roles": {"agent"}}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantValue: ref("Roles"), wantCode: ref(45050),
	},
	{
		name: "sso/namespaced-role-next-to-roles", reason: "§3 namespaced claims are not mapped: the claim's admin must not be granted (design: warning sso.claim.ignored)",
		login:       ssoWith(map[string][]string{claimRoleNS: {"admin"}}, "agent"),
		wantRoles:   roleList(flexroles.Agent),
		wantReasons: []wantReason{ok("sso.roles"), warn("sso.claim.ignored")},
	},
	{
		name: "sso-missing/no-attributes", reason: "§3 mandatory roles, email, full_name checked in that order; first missing reported",
		login:   flexroles.Login{Source: flexroles.SSO},
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantValue: ref(""), wantCode: ref(45050),
	},
	{
		name: "sso-missing/empty-map", reason: "§3 roles missing → 45050",
		login:   flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{}},
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/roles", reason: "§3 roles absent → 45050 [E45050]",
		login:   ssoWith(map[string][]string{"roles": nil}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantValue: ref(""), wantCode: ref(45050),
	},
	{
		name: "sso-missing/email", reason: "§3 email absent → 45050 [E45050]",
		login:   ssoWith(map[string][]string{"email": nil}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("email"), wantValue: ref(""), wantCode: ref(45050),
	},
	{
		name: "sso-missing/full_name", reason: "§3 full_name absent → 45050 [E45050]",
		login:   ssoWith(map[string][]string{"full_name": nil}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("full_name"), wantValue: ref(""), wantCode: ref(45050),
	},
	{
		name: "sso-missing/roles-and-email", reason: "§3 checked in order roles, email, full_name; the first missing is reported",
		login:   ssoWith(map[string][]string{"roles": nil, "email": nil}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/email-and-full_name", reason: "§3 checked in order roles, email, full_name; the first missing is reported",
		login:   ssoWith(map[string][]string{"email": nil, "full_name": nil}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("email"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/roles-and-full_name", reason: "§3 checked in order roles, email, full_name; the first missing is reported",
		login:   ssoWith(map[string][]string{"roles": nil, "full_name": nil}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/roles-no-value", reason: "§3 empty (no value) counts as missing",
		login:   ssoWith(map[string][]string{"roles": {}}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/roles-empty-string", reason: "§3 empty (only empty values) counts as missing",
		login:   ssoRoles(""),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/roles-whitespace-only", reason: "§3 only white-space values count as empty",
		login:   ssoRoles("  ", "\n\t"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/roles-commas-only", reason: "§3 Decision: a roles attribute with no item once split on commas is empty, as Flex reads it",
		login:   ssoRoles(",", " , "),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
		wantMessage: []string{`the "roles" attribute is empty`},
	},
	{
		name: "sso-missing/roles-empty-beside-other-case", reason: "§3 empty roles with the values under a mis-named claim: 45050 names the claim to rename",
		login:   ssoWith(map[string][]string{"roles": {""}, "Roles": {"admin"}}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantValue: ref("Roles"), wantCode: ref(45050),
		wantMessage: []string{`also has "Roles"`},
	},
	{
		name: "sso-missing/email-whitespace-only", reason: "§3 only white-space values count as empty",
		login:   ssoWith(map[string][]string{"email": {"   "}}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("email"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/full_name-empty-values", reason: "§3 only empty/white-space values count as empty (not several values)",
		login:   ssoWith(map[string][]string{"full_name": {"", " "}}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("full_name"), wantCode: ref(45050),
	},
	{
		name: "sso-missing/only-wfo-role", reason: "§3 at least one of admin/supervisor/agent; only wfo.* fails with 45050 [E45050]",
		login:   ssoRoles("wfo.full_access"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantValue: ref(""), wantCode: ref(45050),
	},
	{
		name: "sso-missing/only-wfo-roles", reason: "§3 only wfo.* roles → 45050 [E45050]",
		login:   ssoRoles("wfo.team_leader, wfo.quality_manager", "wfo.dashboard_viewer"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"), wantCode: ref(45050),
	},

	// ---- §3 SSO: console-only roles ----
	{
		name: "sso/readonlyadmin", reason: "§1 read-only admin can never come from SSO [ROADMIN]; §3 Decision → ErrConsoleOnlyRole",
		login: ssoRoles("flex.readonlyadmin"), wantErr: flexroles.ErrConsoleOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("flex.readonlyadmin"),
	},
	{
		name: "sso/readteams-with-admin", reason: "§3 Decision: flex.readteams from SSO → ErrConsoleOnlyRole",
		login: ssoRoles("admin", "flex.readteams"), wantErr: flexroles.ErrConsoleOnlyRole,
		wantAttribute: ref("roles"), wantValue: ref("flex.readteams"),
	},
	{
		name: "sso/readteams-then-readonlyadmin", reason: "§5 precedence 3: each role item in input order; the first is reported",
		login: ssoRoles("agent, flex.readteams, flex.readonlyadmin"), wantErr: flexroles.ErrConsoleOnlyRole, wantValue: ref("flex.readteams"),
	},
	{
		name: "sso/unknown-before-console-only", reason: "§5 precedence 3: role items in input order, unknown first here",
		login: ssoRoles("foo,flex.readonlyadmin"), wantErr: flexroles.ErrUnknownRole, wantValue: ref("foo"),
	},
	{
		name: "sso/console-only-before-unknown", reason: "§5 precedence 3: role items in input order, console-only first here",
		login: ssoRoles("flex.readonlyadmin", "foo"), wantErr: flexroles.ErrConsoleOnlyRole, wantValue: ref("flex.readonlyadmin"),
	},

	// ---- §3 Decision (bytes) and several values ----
	{
		name: "sso-bytes/nul-in-email", reason: "§3 Decision (bytes): NUL in a mandatory attribute → ErrInvalidAttribute",
		login:   ssoWith(map[string][]string{"email": {"jane\x00@example.com"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("email"),
	},
	{
		name: "sso-bytes/control-in-full_name", reason: "§3 Decision (bytes): control character other than tab/newline/CR → ErrInvalidAttribute",
		login:   ssoWith(map[string][]string{"full_name": {"Jane\x01Doe"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("full_name"),
	},
	{
		name: "sso-bytes/del-in-full_name", reason: "§3 Decision (bytes): DEL is a control character",
		login:   ssoWith(map[string][]string{"full_name": {"Jane Doe\x7f"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("full_name"),
	},
	{
		name: "sso-bytes/escape-in-roles", reason: "§3 Decision (bytes): control character anywhere in a roles value",
		login:   ssoRoles("\x1b[31magent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "sso-bytes/nul-in-roles", reason: "§3 Decision (bytes): NUL anywhere in a value of roles",
		login:   ssoRoles("agent\x00"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "sso-bytes/vertical-tab-in-roles", reason: "§3 Decision (bytes): only tab, newline and CR allowed; \\v is a control character even though it is white space",
		login:   ssoRoles("\vagent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "sso-bytes/invalid-utf8-in-roles", reason: "§3 Decision (bytes): invalid UTF-8 → ErrInvalidAttribute",
		login:   ssoRoles("agent\xff"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "sso-bytes/invalid-utf8-in-email", reason: "§3 Decision (bytes): invalid UTF-8 in email → ErrInvalidAttribute",
		login:   ssoWith(map[string][]string{"email": {"jane\xc3@example.com"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("email"),
	},
	{
		name: "sso-bytes/encoded-surrogate-in-full_name", reason: "§3 Decision (bytes): an encoded UTF-16 surrogate is invalid UTF-8",
		login:   ssoWith(map[string][]string{"full_name": {"Jane \xed\xa0\x80Doe"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("full_name"),
	},
	{
		name: "sso-bytes/overlong-slash-in-roles", reason: "§3 Decision (bytes): an overlong encoding is invalid UTF-8",
		login:   ssoRoles("agent\xc0\xaf"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "sso-bytes/replacement-character-is-valid-utf8", reason: "§3 Decision (bytes): only invalid UTF-8 is refused; an encoded U+FFFD is valid UTF-8 and not a control character",
		login:     ssoWith(map[string][]string{"full_name": {"Jos\uFFFD M\u00fcller"}}, "agent"),
		wantRoles: roleList(flexroles.Agent),
	},
	{
		name: "sso-bytes/tab-newline-allowed", reason: "§3 Decision (bytes): tab, newline and carriage return are allowed",
		login:     ssoWith(map[string][]string{"full_name": {"Jane\tDoe\n"}, "email": {"jane.doe@example.com\r\n"}}, "agent\t"),
		wantRoles: roleList(flexroles.Agent),
	},
	{
		name: "sso-bytes/bad-bytes-in-other-attribute", reason: "§3 Decision (bytes) applies to mandatory attributes only",
		login:     ssoWith(map[string][]string{"department": {"Sa\x00les\xff"}}, "agent"),
		wantRoles: roleList(flexroles.Agent),
	},
	{
		name: "sso-several/two-emails", reason: "§3 email: exactly one non-empty value; Decision: more than one → ErrInvalidAttribute",
		login:   ssoWith(map[string][]string{"email": {"jane@example.com", "jd@example.com"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("email"),
	},
	{
		name: "sso-several/two-identical-emails", reason: "§3 Decision: more than one value → ErrInvalidAttribute, even if equal",
		login:   ssoWith(map[string][]string{"email": {"jane@example.com", "jane@example.com"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("email"),
	},
	{
		name: "sso-several/two-full-names", reason: "§3 full_name: exactly one non-empty value",
		login:   ssoWith(map[string][]string{"full_name": {"Jane", "Doe"}}, "agent"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("full_name"),
	},

	// ---- §5 ErrInvalidLogin ----
	{
		name: "login/sso-with-console-roles", reason: "§2 `ConsoleRoles` on an SSO login is ErrInvalidLogin (mixed source)",
		login: flexroles.Login{Source: flexroles.SSO, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
			Attributes: ssoRoles("agent").Attributes},
		wantErr: flexroles.ErrInvalidLogin, wantAttribute: ref("console_role"),
	},
	{
		name: "login/unknown-source", reason: "§5 ErrInvalidLogin: unknown source",
		login: flexroles.Login{Source: "saml", Attributes: ssoRoles("agent").Attributes}, wantErr: flexroles.ErrInvalidLogin,
		wantValue: ref("saml"),
	},
	{
		name: "login/empty-source", reason: "§5 ErrInvalidLogin: unknown source (empty)",
		login: flexroles.Login{ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}}, wantErr: flexroles.ErrInvalidLogin,
	},

	// ---- §5 precedence ----
	{
		name: "precedence/mixed-before-missing", reason: "§5 precedence 1: ErrInvalidLogin first, before missing attributes",
		login:   flexroles.Login{Source: flexroles.SSO, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}},
		wantErr: flexroles.ErrInvalidLogin,
	},
	{
		name: "precedence/unknown-source-before-anything", reason: "§5 precedence 1: unknown source first",
		login:   flexroles.Login{Source: "ldap", ConsoleRoles: []flexroles.ConsoleRole{flexroles.BillingManager}},
		wantErr: flexroles.ErrInvalidLogin,
	},
	{
		name: "precedence/missing-roles-before-bad-email", reason: "§5 precedence 2: roles checked before email",
		login:   ssoWith(map[string][]string{"roles": nil, "email": {"a\x00b"}}),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "precedence/missing-email-before-two-full-names", reason: "§5 precedence 2: email checked before full_name",
		login:   ssoWith(map[string][]string{"email": nil, "full_name": {"A", "B"}}, "agent"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("email"),
	},
	{
		name: "precedence/bad-roles-bytes-before-unknown", reason: "§5 precedence 2 (bad bytes) before 3 (unknown role)",
		login:   ssoRoles("foo", "agent\x00"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "precedence/two-emails-before-unknown", reason: "§5 precedence 2 (several email values) before 3 (unknown role)",
		login:   ssoWith(map[string][]string{"email": {"a@example.com", "b@example.com"}}, "Admin"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("email"),
	},
	{
		name: "precedence/missing-full_name-before-unknown", reason: "§5 precedence 2 (missing) before 3 (unknown role)",
		login:   ssoWith(map[string][]string{"full_name": nil}, "agent,foo"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("full_name"), wantCode: ref(45050),
	},
	{
		name: "precedence/bad-full_name-before-console-only", reason: "§5 precedence 2 (bad bytes) before 3 (console-only)",
		login:   ssoWith(map[string][]string{"full_name": {"Jane\x02"}}, "flex.readonlyadmin"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("full_name"),
	},
	{
		name: "precedence/missing-email-before-only-wfo", reason: "§5 precedence 2 (missing email) before 4 (no Flex role)",
		login:   ssoWith(map[string][]string{"email": nil}, "wfo.full_access"),
		wantErr: flexroles.ErrMissingAttribute, wantAttribute: ref("email"), wantCode: ref(45050),
	},
	{
		name: "precedence/bad-roles-before-only-wfo", reason: "§5 precedence 2 (bad bytes) before 4 (no Flex role)",
		login:   ssoRoles("wfo.full_access\x00"),
		wantErr: flexroles.ErrInvalidAttribute, wantAttribute: ref("roles"),
	},
	{
		name: "precedence/unknown-before-no-flex-role", reason: "§5 precedence 3 (unknown) before 4 (no Flex role)",
		login:   ssoRoles("wfo.team_leader", "wfo.dashboards_viewer"),
		wantErr: flexroles.ErrUnknownRole, wantValue: ref("wfo.dashboards_viewer"), wantSuggestion: ref("wfo.dashboard_viewer"),
	},
	{
		name: "precedence/console-only-before-no-flex-role", reason: "§5 precedence 3 (console-only) before 4 (no Flex role)",
		login:   ssoRoles("wfo.full_access", "flex.readteams"),
		wantErr: flexroles.ErrConsoleOnlyRole, wantValue: ref("flex.readteams"),
	},

	// ---- §4 Insights through Resolve ----
	{
		name: "insights/supervisor+full_access", reason: "§4 table wfo.full_access: play, export, assess, questionnaires, Editor",
		login: ssoRoles("supervisor", "wfo.full_access"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFOFullAccess),
		wantInsights: &insightsFullAccess, wantReasons: []wantReason{ok("insights.open")},
	},
	{
		name: "insights/supervisor+team_leader", reason: "§4 table wfo.team_leader: play, assess, Explorer",
		login: ssoRoles("supervisor", "wfo.team_leader"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFOTeamLeader),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsExplorer},
	},
	{
		name: "insights/supervisor+data_analyst", reason: "§4 table wfo.data_analyst: play, export, assess view only, Editor",
		login: ssoRoles("supervisor", "wfo.data_analyst"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFODataAnalyst),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true, AssessCalls: flexroles.AssessViewOnly, Dashboards: flexroles.DashboardsEditor},
	},
	{
		name: "insights/supervisor+data_auditor", reason: "§4 table wfo.data_auditor: play, export, Editor",
		login: ssoRoles("supervisor", "wfo.data_auditor"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFODataAuditor),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true, Dashboards: flexroles.DashboardsEditor},
	},
	{
		name: "insights/supervisor+quality_manager", reason: "§4 table wfo.quality_manager: play, export, assess, Viewer",
		login: ssoRoles("supervisor", "wfo.quality_manager"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFOQualityManager),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true, AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsViewer},
	},
	{
		name: "insights/supervisor+quality_process_manager", reason: "§4 table wfo.quality_process_manager: questionnaires only",
		login: ssoRoles("supervisor", "wfo.quality_process_manager"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFOQualityProcessManager),
		wantInsights: &flexroles.Insights{Enabled: true, Questionnaires: true},
	},
	{
		name: "insights/supervisor+dashboard_viewer", reason: "§4 table wfo.dashboard_viewer: play, Viewer",
		login: ssoRoles("supervisor", "wfo.dashboard_viewer"), wantRoles: roleList(flexroles.Supervisor, flexroles.WFODashboardViewer),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, Dashboards: flexroles.DashboardsViewer},
	},
	{
		name: "insights/admin+data_analyst", reason: "§4 Insights opens for admin with a wfo role; table wfo.data_analyst",
		login: ssoRoles("admin,wfo.data_analyst"), wantRoles: roleList(flexroles.Admin, flexroles.WFODataAnalyst),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true, AssessCalls: flexroles.AssessViewOnly, Dashboards: flexroles.DashboardsEditor},
		wantReasons:  []wantReason{ok("insights.open")},
	},
	{
		name: "insights/union-team_leader+data_auditor", reason: "§4 several roles combine as the union: each capability is the highest any role grants",
		login:     ssoRoles("supervisor", "wfo.data_auditor", "wfo.team_leader"),
		wantRoles: roleList(flexroles.Supervisor, flexroles.WFOTeamLeader, flexroles.WFODataAuditor),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, ExportCalls: true,
			AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsEditor},
	},
	{
		name: "insights/union-qpm+dashboard_viewer", reason: "§4 union of wfo.quality_process_manager and wfo.dashboard_viewer",
		login:        ssoRoles("admin", "wfo.quality_process_manager,wfo.dashboard_viewer"),
		wantRoles:    roleList(flexroles.Admin, flexroles.WFOQualityProcessManager, flexroles.WFODashboardViewer),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, Questionnaires: true, Dashboards: flexroles.DashboardsViewer},
	},
	{
		name: "insights/agent-with-wfo", reason: "§4 agent with wfo.* roles: roles stay in the array, Insights closed; Decision: capabilities none + warning",
		login:        ssoRoles("agent", "wfo.full_access,wfo.quality_manager"),
		wantRoles:    roleList(flexroles.Agent, flexroles.WFOFullAccess, flexroles.WFOQualityManager),
		wantInsights: &insightsNone,
		wantReasons:  []wantReason{ok("sso.roles"), warn("insights.agent_wfo")},
	},
	{
		name: "insights/admin+agent+team_leader", reason: "§4 Insights.Enabled = (admin or supervisor) and a wfo role, agent alongside does not matter",
		login:        ssoRoles("agent,admin,wfo.team_leader"),
		wantRoles:    roleList(flexroles.Admin, flexroles.Agent, flexroles.WFOTeamLeader),
		wantInsights: &flexroles.Insights{Enabled: true, PlayCalls: true, AssessCalls: flexroles.AssessFull, Dashboards: flexroles.DashboardsExplorer},
		wantReasons:  []wantReason{ok("insights.open")},
	},
	{
		name: "insights/supervisor+agent-without-wfo", reason: "§4 Decision: supervisor without wfo → Insights{} and warning",
		login:        ssoRoles("agent", "supervisor"),
		wantRoles:    roleList(flexroles.Supervisor, flexroles.Agent),
		wantInsights: &insightsNone, wantReasons: []wantReason{warn("insights.no_wfo")},
	},
}

func TestResolve(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range resolveCases {
		require.False(t, seen[tc.name], "duplicate row name %q", tc.name)
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			require.NotEmpty(t, tc.reason, "every row cites the spec")
			before := cloneLogin(tc.login)
			d, err := flexroles.Resolve(tc.login)
			assert.Equal(t, before, tc.login, "Resolve must not modify its input")

			if tc.wantErr != nil {
				require.Error(t, err, "reason: %s; got decision %+v", tc.reason, d)
				assert.ErrorIs(t, err, tc.wantErr, "reason: %s", tc.reason)
				assert.Equal(t, flexroles.Decision{}, d, "§5: on error the decision is the zero value")
				var e *flexroles.Error
				require.ErrorAs(t, err, &e, "§5: errors are *Error values")
				if tc.wantAttribute != nil {
					assert.Equal(t, *tc.wantAttribute, e.Attribute, "Error.Attribute (%s)", tc.reason)
				}
				if tc.wantValue != nil {
					assert.Equal(t, *tc.wantValue, e.Value, "Error.Value (%s)", tc.reason)
				}
				if tc.wantSuggestion != nil {
					assert.Equal(t, *tc.wantSuggestion, e.Suggestion, "Error.Suggestion (%s)", tc.reason)
				}
				if tc.wantCode != nil {
					assert.Equal(t, *tc.wantCode, e.Code, "Error.Code (%s)", tc.reason)
				}
				for _, s := range tc.wantMessage {
					assert.Contains(t, strings.ToLower(err.Error()), strings.ToLower(s), "message (%s)", tc.reason)
				}
				return
			}

			require.NoError(t, err, "reason: %s", tc.reason)
			assert.Equal(t, tc.wantRoles, d.Roles, "Roles (%s)", tc.reason)
			if tc.wantInsights != nil {
				assert.Equal(t, *tc.wantInsights, d.Insights, "Insights (%s)", tc.reason)
			}
			assertReasons(t, d, tc.wantReasons)
			assertDecisionInvariants(t, d)

			again, err2 := flexroles.Resolve(tc.login)
			require.NoError(t, err2)
			assert.Equal(t, d, again, "same login, same decision")
		})
	}
}

// TestResolveErrorDetails checks every error row of the table for the shape §5 promises:
// an *Error that unwraps to exactly one kind, prefixed "flexroles:", Code 45050 exactly
// for ErrMissingAttribute.
func TestResolveErrorDetails(t *testing.T) {
	for _, tc := range resolveCases {
		if tc.wantErr == nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			_, err := flexroles.Resolve(tc.login)
			require.Error(t, err)
			assertErrorShape(t, err)
		})
	}
}

// TestErrorKinds checks the sentinel kinds: distinct, prefixed, and each reached by Unwrap.
func TestErrorKinds(t *testing.T) {
	for i, k := range allErrorKinds {
		require.NotNil(t, k, "kind %d", i)
		assert.True(t, strings.HasPrefix(k.Error(), "flexroles:"), "kind %q lacks the flexroles: prefix", k)
		for j, other := range allErrorKinds {
			if i != j {
				assert.NotErrorIs(t, k, other, "kinds %q and %q must be distinct", k, other)
			}
		}
		e := &flexroles.Error{Kind: k}
		assert.Same(t, k, e.Unwrap(), "Unwrap returns Kind")
		assert.ErrorIs(t, e, k)
		assert.True(t, strings.HasPrefix(e.Error(), "flexroles:"), "%q lacks the flexroles: prefix", e.Error())
	}
}

// assertErrorShape checks what §5 says of every error Resolve returns.
func assertErrorShape(t *testing.T, err error) {
	t.Helper()
	var e *flexroles.Error
	require.ErrorAs(t, err, &e, "§5: errors are *Error values")
	assert.True(t, strings.HasPrefix(err.Error(), "flexroles:"), "error %q lacks the flexroles: prefix", err)
	assert.True(t, strings.HasPrefix(e.Error(), "flexroles:"), "error %q lacks the flexroles: prefix", e.Error())
	assert.Equal(t, e.Kind, e.Unwrap(), "Unwrap returns Kind")
	kinds := 0
	for _, k := range allErrorKinds {
		if errors.Is(err, k) {
			kinds++
			assert.Same(t, k, e.Kind)
		}
	}
	assert.Equal(t, 1, kinds, "error %q must unwrap to exactly one kind", err)
	if errors.Is(err, flexroles.ErrMissingAttribute) {
		assert.Equal(t, 45050, e.Code, "§5: Code is 45050 for ErrMissingAttribute")
	} else {
		assert.Equal(t, 0, e.Code, "§5: Code is 0 for kinds other than ErrMissingAttribute")
	}
}

// assertReasons checks that each wanted rule id is among d.Reasons with the wanted warning flag.
func assertReasons(t *testing.T, d flexroles.Decision, want []wantReason) {
	t.Helper()
	for _, w := range want {
		i := slices.IndexFunc(d.Reasons, func(r flexroles.Reason) bool { return r.Rule == w.rule })
		if !assert.GreaterOrEqual(t, i, 0, "reason %q missing from %+v", w.rule, d.Reasons) {
			continue
		}
		assert.Equal(t, w.warning, d.Reasons[i].Warning, "reason %q warning flag", w.rule)
	}
}

// assertDecisionInvariants checks what holds for every successful decision
// (SPEC §1 order, §4 Insights, §5 reasons).
func assertDecisionInvariants(t *testing.T, d flexroles.Decision) {
	t.Helper()
	require.NotEmpty(t, d.Roles, "a successful decision grants roles")
	require.NotEmpty(t, d.Reasons, "§5: every successful decision carries at least one reason")

	last := -1
	seen := map[flexroles.Role]bool{}
	for _, r := range d.Roles {
		assert.False(t, seen[r], "duplicate role %q in %v", r, d.Roles)
		seen[r] = true
		i := slices.Index(canonicalOrder, r)
		assert.GreaterOrEqual(t, i, 0, "unknown role %q in %v", r, d.Roles)
		assert.Greater(t, i, last, "roles %v not in canonical order (§1)", d.Roles)
		last = i
	}
	assert.Equal(t, flexroles.InsightsFor(d.Roles), d.Insights, "Decision.Insights = InsightsFor(Roles)")

	flexUI := d.Has(flexroles.Admin) || d.Has(flexroles.Supervisor)
	wfo := slices.ContainsFunc(d.Roles, func(r flexroles.Role) bool { return strings.HasPrefix(string(r), "wfo.") })
	assert.Equal(t, flexUI && wfo, d.Insights.Enabled, "§4: Enabled = (admin or supervisor) and a wfo role")

	insightsReasons, grantReasons, lastRule := 0, 0, -1
	for _, r := range d.Reasons {
		assert.NotEmpty(t, r.Rule, "reason without a rule id: %+v", r)
		assert.NotEmpty(t, r.Message, "reason %q without a message", r.Rule)
		if strings.HasPrefix(r.Rule, "insights.") {
			insightsReasons++
		}
		switch r.Rule {
		case "console.admin", "console.support", "sso.roles":
			grantReasons++
		}
		i := slices.Index(ruleOrder, r.Rule)
		if i < 0 {
			continue
		}
		assert.GreaterOrEqual(t, i, lastRule, "reasons not in rule order: %+v", d.Reasons)
		lastRule = i
		assert.Equal(t, warningRules[r.Rule], r.Warning, "warning flag of %q", r.Rule)
	}
	assert.Equal(t, 1, grantReasons, "§5: one reason naming the rule that granted the roles: %+v", d.Reasons)
	assert.Equal(t, 1, insightsReasons, "exactly one insights.* reason: %+v", d.Reasons)
	hasWarning := func(rule string) bool {
		return slices.ContainsFunc(d.Reasons, func(r flexroles.Reason) bool { return r.Rule == rule && r.Warning })
	}
	// §5: one warning reason for each §4 finding (agent with wfo roles, admin/supervisor without).
	assert.Equal(t, !flexUI && wfo, hasWarning("insights.agent_wfo"), "warning insights.agent_wfo in %+v", d.Reasons)
	assert.Equal(t, flexUI && !wfo, hasWarning("insights.no_wfo"), "warning insights.no_wfo in %+v", d.Reasons)
}

func cloneLogin(l flexroles.Login) flexroles.Login {
	c := l
	c.ConsoleRoles = slices.Clone(l.ConsoleRoles)
	if l.Attributes != nil {
		c.Attributes = maps.Clone(l.Attributes)
		for k, v := range c.Attributes {
			c.Attributes[k] = slices.Clone(v)
		}
	}
	return c
}

func TestMisnamedAttribute(t *testing.T) {
	for name, want := range map[string]string{
		"roles": "", "email": "", "full_name": "", "department": "", "role": "", "groups": "",
		claimRoleNS: "roles", claimEmailNS: "email", claimNameNS: "full_name",
		"Roles": "roles", "full-name": "full_name", "displayName": "full_name", "mail": "email", "EMAIL": "email",
		"urn:oid:0.9.2342.19200300.100.1.3": "email", "urn:oid:2.16.840.1.113730.3.1.241": "full_name",
		"urn:oid:1.3.6.1.4.1.5923.1.1.1.1": "", "E-Mail": "email", "emailAddress": "email", "commonName": "full_name",
		"memberOf": "", "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups": "", "name": "",
		"User.email": "email", "User.roles": "roles", "user.FullName": "full_name", "User.emailaddress": "email",
		"User.FirstName": "", "User.role": "", "a.b.department": "", "User.memberOf": "", "x:User.email": "",
		"User.emailaddresses": "", "Userverylongprefix.email": "email",
	} {
		assert.Equal(t, flexroles.FlexAttribute(want), flexroles.MisnamedAttribute(name), "%q", name)
	}
}

// TestLeastNameWhateverMapOrder: where several attributes could be named
// (misnamed roles claims, the singular role, a claim that shadows roles,
// attributes a Console login must not carry), the message names the least
// in byte order, so that it does not depend on the order a map gives.
// Each login is resolved many times, as map order changes from run to run.
func TestLeastNameWhateverMapOrder(t *testing.T) {
	sso := func(a map[string][]string) flexroles.Login {
		a["email"], a["full_name"] = []string{"a@x.co"}, []string{"A"}
		return flexroles.Login{Source: flexroles.SSO, Attributes: a}
	}
	for _, tc := range []struct {
		name  string
		login flexroles.Login
		want  string // the error's Value or Attribute, or the warning's claim
	}{
		{"misnamed roles claims", sso(map[string][]string{"Roles": {"agent"}, "rOles": {"agent"}, "ROLES": {"agent"}}), "ROLES"},
		{"the singular role", sso(map[string][]string{"role": {"agent"}, "ROLE": {"agent"}, "Role": {"agent"}}), "ROLE"},
		{"claims shadowing roles", sso(map[string][]string{"roles": {"agent"}, "Roles": {"x"}, "rOles": {"x"}, "ROLES": {"x"}}), "ROLES"},
		{"attributes of a Console login", flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
			Attributes: map[string][]string{"site": {"x"}, "dept": {"y"}, "team": {"z"}}}, "dept"},
		{"an attribute named \"\" on a Console login", flexroles.Login{Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner},
			Attributes: map[string][]string{"": {"x"}, "b": {"y"}, "c": {"z"}}}, ""},
	} {
		for range 30 {
			d, err := flexroles.Resolve(tc.login)
			var got string
			var e *flexroles.Error
			switch {
			case errors.As(err, &e) && e.Value != "":
				got = e.Value
			case errors.As(err, &e):
				got = e.Attribute
			default:
				require.NoError(t, err, tc.name)
				for _, r := range d.Reasons {
					if r.Rule == flexroles.RuleSSOClaimIgnored {
						got, _, _ = strings.Cut(strings.TrimPrefix(r.Message, `the assertion has the claim "`), `"`)
					}
				}
			}
			require.Equal(t, tc.want, got, tc.name)
		}
	}
}
