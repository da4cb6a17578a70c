package flexroles

// The Rule ids of the Reasons that Resolve and Policy.Resolve give, in the
// order a Decision lists them. Ids are stable; messages are for people and
// may change. Tools that look for a reason compare its Rule with these.
const (
	// RuleConsoleAdmin: Console role Owner, Administrator or Developer gave
	// admin and wfo.full_access.
	RuleConsoleAdmin = "console.admin"
	// RuleConsoleSupport: Console role Support gave flex.readteams and
	// flex.readonlyadmin.
	RuleConsoleSupport = "console.support"
	// RuleConsoleRequested: every role a Console login asked for is one its
	// Console role gives.
	RuleConsoleRequested = "console.requested"
	// RuleSSORoles: the SAML roles attribute set the roles.
	RuleSSORoles = "sso.roles"
	// RuleSSORolesSplit: roles values were split on commas or trimmed.
	RuleSSORolesSplit = "sso.roles.split"
	// RuleSSORolesDuplicate: a role named more than once is written once.
	RuleSSORolesDuplicate = "sso.roles.duplicate"
	// RuleSSORolesDropped (warning): unknown roles were dropped, as a
	// policy's unknown_roles: drop says.
	RuleSSORolesDropped = "sso.roles.dropped"
	// RuleSSOClaimIgnored (warning): the assertion has a claim that looks
	// meant for roles, email or full_name but is not the name Flex, or the
	// policy, reads.
	RuleSSOClaimIgnored = "sso.claim.ignored"
	// RulePolicyRule: a policy's grant rule matched; the message names it.
	RulePolicyRule = "policy.rule"
	// RulePolicyDefaultInsights: a policy's sso.default_insights_role was
	// added for admin or supervisor without a wfo.* role.
	RulePolicyDefaultInsights = "policy.default_insights_role"
	// RuleInsightsOpen: Insights opens, each capability the highest its
	// wfo.* roles grant.
	RuleInsightsOpen = "insights.open"
	// RuleInsightsClosedSupport: Insights does not open for Console Support.
	RuleInsightsClosedSupport = "insights.closed.support"
	// RuleInsightsClosedAgent: Insights does not open for agents.
	RuleInsightsClosedAgent = "insights.closed.agent"
	// RuleInsightsAgentWFO (warning): an agent holds wfo.* roles, which open
	// nothing.
	RuleInsightsAgentWFO = "insights.agent_wfo"
	// RuleInsightsNoWFO (warning): admin or supervisor without a wfo.* role;
	// Insights stays closed.
	RuleInsightsNoWFO = "insights.no_wfo"
)

// The names of a policy's settings that can refuse a login, as
// Error.RefusedBy reports them and Coverage lists them.
const (
	// SettingSSOAllow is the policy's allow list of SSO roles.
	SettingSSOAllow = "sso.allow"
	// SettingConsoleAllow is the policy's allow list of Console roles.
	SettingConsoleAllow = "console.allow"
)

// The messages of a Console login's reasons, as constants so that
// consoleDecision can fill a decision with them in one literal.
const (
	msgConsoleGives    = " gives the Flex role admin and wfo.full_access, the default Insights role of Console users"
	msgConsoleOwner    = "Console role Owner" + msgConsoleGives
	msgConsoleAdmin    = "Console role Administrator" + msgConsoleGives
	msgConsoleDev      = "Console role Developer" + msgConsoleGives
	msgConsoleSupport  = "Console role Support gives exactly flex.readteams and flex.readonlyadmin (Read-only Administrator); nothing can be added, and manual edits are overwritten at the next login"
	msgConsoleAsked    = "every role this Console login asked for is one its Console role gives"
	msgInsightsOpen    = "Insights opens for admin or supervisor with a wfo.* role; each capability is the highest its wfo.* roles grant"
	msgInsightsSupport = "Insights does not open for Console Support users; granular Insights roles need an SSO login"
)

// The reasons a decision can carry.
var (
	reasonSSORoles = Reason{Rule: RuleSSORoles,
		Message: "the SAML roles attribute sets the worker's roles, recomputed at every login"}
	reasonSSOSplit = Reason{Rule: RuleSSORolesSplit,
		Message: "roles values were split on commas and trimmed of surrounding white space"}
	reasonSSODuplicate = Reason{Rule: RuleSSORolesDuplicate,
		Message: "roles named more than once are written once"}
	reasonSSODropped = Reason{Rule: RuleSSORolesDropped, Warning: true,
		Message: "unknown roles were dropped, as the policy's unknown_roles: drop says"}
	reasonSSOClaimIgnored = Reason{Rule: RuleSSOClaimIgnored, Warning: true} // the message names the claim
	reasonDefaultInsights = Reason{Rule: RulePolicyDefaultInsights,
		Message: "the policy's default_insights_role is added for admin or supervisor without a wfo.* role"}
	reasonInsightsOpen = Reason{Rule: RuleInsightsOpen, Message: msgInsightsOpen}

	reasonInsightsAgent = Reason{Rule: RuleInsightsClosedAgent,
		Message: "Insights does not open for agents; it needs admin or supervisor with a wfo.* role"}
	reasonInsightsAgentWFO = Reason{Rule: RuleInsightsAgentWFO, Warning: true,
		Message: "wfo.* roles stay on the worker but open nothing: Insights needs admin or supervisor; add one or drop the wfo.* roles"}
	reasonInsightsNoWFO = Reason{Rule: RuleInsightsNoWFO, Warning: true,
		Message: "admin or supervisor without a wfo.* role: Insights stays closed; add one such as wfo.dashboard_viewer"}
)
