// Package flexroles decides which roles a Twilio Flex user gets at login, the
// way Flex itself does, and explains each decision in Flex's own terms.
//
// Flex writes the outcome into the TaskRouter worker's attributes.roles: Flex
// UI roles (admin, supervisor, agent, and the Console-only Read-only
// Administrator pair flex.readteams + flex.readonlyadmin) and Flex Insights
// roles (wfo.*), which set what the user may do in Insights. [Resolve] applies
// Twilio's platform rules to a [Login] and returns a [Decision]: the roles,
// the Insights capabilities ([Insights]) and the [Reason] for each step. It
// fails closed: anything it cannot place is an [*Error] that says what to
// change, and the Decision is then the zero value, which grants nothing.
//
// # The vocabulary
//
// Roles are exact and case-sensitive. The known values, in the canonical
// order in which every Decision lists them:
//
//	admin  supervisor  agent  flex.readteams  flex.readonlyadmin
//	wfo.full_access  wfo.team_leader  wfo.data_analyst  wfo.data_auditor
//	wfo.quality_manager  wfo.quality_process_manager  wfo.dashboard_viewer
//
// Anything else is [ErrUnknownRole], with a did-you-mean [Error.Suggestion]
// when a known role is equal ignoring case or within edit distance 2:
//
//	"Admin"                 → ErrUnknownRole, did you mean "admin"
//	"wfo.dashboards_viewer" → ErrUnknownRole, did you mean "wfo.dashboard_viewer"
//
// The singular attribute "role" is a free-text Insights reporting attribute
// and is never read as roles. [Role.IsInsights] tells the wfo.* roles, and
// [Role.OpensInsights] admin and supervisor, for which Insights can open;
// [Role.ConsoleOnly] the read-only administrator pair.
//
// # Console logins
//
// A Console login ([Console]) carries the user's Twilio Console roles. Their
// names are matched ignoring case and surrounding space, with '_', '-' and ' '
// alike ("billing_manager" is Billing Manager). The most privileged role wins:
//
//  1. Owner, Administrator or Developer, alone or with others:
//     [Owner] → ["admin","wfo.full_access"] (wfo.full_access is the default
//     Insights role of Console users).
//  2. Support, without any of those: [Support] → ["flex.readteams","flex.readonlyadmin"],
//     exactly and only; Insights stays closed.
//  3. Billing Manager alone, or no role: [ErrNoFlexAccess].
//
// Any other name is [ErrUnknownRole], whose message lists the Console roles
// and what each gives: "admin" → "admin" is a Flex role, not a Console
// role; Owner, Administrator and Developer give Flex admin.
//
// These are the only two role sets a Console user can have. A Console login
// may carry one attribute, "roles", as a request; every requested role the
// user does not get is [ErrSSOOnlyRole], whose message says what the user
// gets instead:
//
//	Support asking for wfo.quality_manager → ErrSSOOnlyRole (needs an SSO login)
//	Developer asking for admin             → ["admin","wfo.full_access"]
//
// Any other attribute on a Console login is [ErrInvalidLogin]. Manual edits to
// a Console user's worker roles are overwritten at the next login, and Console
// and SSO identities are separate workers, never synchronised.
//
// # SSO logins
//
// An SSO login ([SSO]) carries the SAML assertion's attributes by name, with
// their values as received. The rules, in order:
//
//  1. The mandatory attributes are roles, email and full_name, under those
//     exact, case-sensitive names. Checked in that order, the first one
//     absent, or with no non-empty value, is Flex error 45050
//     ([ErrMissingAttribute], Code 45050). A misnamed claim is named in
//     [Error.Value] with the rename to make:
//     {"http://schemas.microsoft.com/ws/2008/06/identity/claims/role": ["agent"], …}
//     → 45050 for "roles", rename that claim to "roles"; {"role": ["agent"], …}
//     → 45050 naming "role", the Insights reporting attribute.
//  2. Each mandatory value must be plain text: invalid UTF-8, NUL, or a
//     control character other than tab, newline and carriage return is
//     [ErrInvalidAttribute]. email and full_name hold exactly one non-empty
//     value: {"email": ["a@x.co", "b@x.co"]} → ErrInvalidAttribute.
//  3. roles may come as several values, one comma-separated value, or both:
//     every value is split on commas, each item trimmed of Unicode white
//     space, empty items dropped and duplicates written once:
//     ["supervisor", " wfo.quality_manager,\n wfo.team_leader"] →
//     ["supervisor","wfo.team_leader","wfo.quality_manager"].
//     White space inside an item ("agent admin") makes an unknown role,
//     and so does JSON ("[\"agent\"", whose message says it looks like JSON
//     and suggests "agent"). [SplitRoles] splits as this rule does.
//  4. Each item, in input order: an unknown role is [ErrUnknownRole];
//     flex.readonlyadmin or flex.readteams is [ErrConsoleOnlyRole], since
//     only the Console gives them.
//  5. At least one of admin, supervisor, agent must remain:
//     ["wfo.team_leader"] → 45050.
//
// Every login recomputes the roles from the assertion. Beside the exact
// names, a claim in another case or spelling ("Roles", "full-name",
// "mail"), a namespaced role claim, or an LDAP OID name
// ("urn:oid:0.9.2342.19200300.100.1.3") is ignored by Flex and noted with
// the warning sso.claim.ignored, which names it. Under a [Policy] the names
// compared against are the ones it reads (its sso.attributes, its groups
// attribute, which also stands for "Groups", "memberOf" and namespaced
// group claims, and its conditions' attributes).
//
// # Flex Insights
//
// Insights opens only for admin or supervisor holding at least one wfo.*
// role; the wfo.* roles then set its capabilities ([InsightsFor]):
//
//	role                         play  export  assess     questionnaires  dashboards
//	wfo.full_access              yes   yes     full       yes             editor
//	wfo.team_leader              yes   -       full       -               explorer
//	wfo.data_analyst             yes   yes     view only  -               editor
//	wfo.data_auditor             yes   yes     -          -               editor
//	wfo.quality_manager          yes   yes     full       -               viewer
//	wfo.quality_process_manager  -     -       -          yes             -
//	wfo.dashboard_viewer         yes   -       -          -               viewer
//
// Each column is a [Capability], named as JSON output and policy test cases
// write it ([Capabilities] lists them in order); [Insights.Level] reads a
// capability's level, higher including lower, and [Capability.LevelName]
// names it. Several roles combine as the union, each capability the highest
// any of them grants: supervisor + wfo.team_leader + wfo.quality_manager can play, export
// and assess calls, and explore dashboards. An agent with wfo.* roles keeps
// them in roles, but Insights stays closed (warning insights.agent_wfo). An
// SSO admin or supervisor with no wfo.* role gets no Insights (warning
// insights.no_wfo): no default Insights role is added for SSO users.
//
// # Errors
//
// Every error is an [*Error] that unwraps to its kind, so errors.Is works,
// and carries the attribute, value and suggestion involved, and who refused
// ([Error.RefusedBy]: Twilio's rules, or a policy's sso.allow, console.allow
// or deny rule, named by [Error.DenyRule]). The first rule broken wins:
//
//  1. Limits: more than [MaxAttributes] attributes → [ErrInvalidLogin]; more
//     than [MaxRoleItems] Console roles → [ErrInvalidAttribute].
//  2. [ErrInvalidLogin]: unknown source, an SSO login with Console roles, or
//     a Console login with an attribute other than roles.
//  3. SSO, limits on roles, email, full_name in turn: more than
//     [MaxAttributeValues] values or a value longer than [MaxValueSize], then
//     more than [MaxRoleItems] role items → [ErrInvalidAttribute].
//  4. SSO, for roles, email, full_name in turn: absent or empty →
//     [ErrMissingAttribute] (45050); bad bytes or several email or full_name
//     values → [ErrInvalidAttribute].
//  5. SSO, each role item in input order: unknown → [ErrUnknownRole];
//     Console-only → [ErrConsoleOnlyRole].
//  6. SSO: no admin, supervisor or agent → [ErrMissingAttribute] (45050).
//  7. Console: unknown Console role → [ErrUnknownRole]; no Flex access →
//     [ErrNoFlexAccess]; then the requested roles: past the limits of step 3
//     → [ErrInvalidAttribute]; each in input order: bad bytes →
//     [ErrInvalidAttribute], unknown → [ErrUnknownRole], not given →
//     [ErrSSOOnlyRole].
//
// Nothing is ever truncated: a login past a limit is refused whole, and the
// limits sit far above what identity providers send. A policy's groups
// attribute and the attributes its rules test have the same limits on
// values, checked after Twilio's rules.
//
// # Policies
//
// An organisation's rules go on top of Twilio's in a [Policy], loaded from
// YAML by [LoadPolicy]: rules that grant roles by IdP group and attribute,
// deny rules, and allow lists for SSO roles and Console roles. Its Resolve
// keeps Twilio's checks first, then deny rules, then the allow lists
// ([ErrDenied]), then Flex's need for a Flex role (45050):
//
//	rules: [{name: leads, when: {group: CC-Leads}, grant: [supervisor, wfo.team_leader]}]
//	{"groups": ["CC-Leads"], "email": …, "full_name": …} → ["supervisor","wfo.team_leader"]
//
// A refusal says who refused in [Error.RefusedBy] and names the deny rule
// or the setting in [Error.Rule]; Value is only ever the offending value
// (the role sso.allow does not list). Rule names that could be taken for the library's own ids ("sso.allow",
// "console.allow", "twilio", or starting with "sso.", "console.",
// "insights.", "policy.", "worker.", "error.") are refused at load.
//
// A policy file carries its own test cases, which package policytest runs
// under go test. docs/policy.md in the repository documents every key.
// [Policy.Explain] traces each rule for one login; [Policy.Fired] names the
// rules that decided it, cheaply enough for every user of an organisation;
// [Policy.Coverage] says which rules, settings and platform rules the
// file's own cases reach.
//
// # A login as Flex reads it
//
// [ReadAsFlex] (and [Policy.ReadAsFlex], under a policy's names) is the one
// place that reads an SSO login's email, full name and identity, and what
// it lacks or names wrongly; the bridge, the SAML verifier's Flex helpers,
// the saml debugger and the playground ask it rather than derive their
// own. The email and full name are the first value that is not blank,
// trimmed; the identity is the NameID, or that email; an attribute is
// missing when absent or empty (roles: no item once split on commas); a
// claim is misnamed when [MisnamedAttribute] says what it looks meant for
// and that name is not the one read:
//
//	{"email": [" ", "ana@example.com"], "roles": [","], "User.full_name": ["Ana"]}
//	→ Email "ana@example.com", Identity "ana@example.com",
//	  Missing roles (empty) and full_name (candidate "User.full_name")
//
// # Workers
//
// Flex writes the decision into the TaskRouter worker's attributes at every
// login. [WorkerAttributes] returns the attributes a login leaves: roles
// overwritten; on SSO, every assertion attribute written (typed names such
// as skill.int stored as skill with the JSON type, as [WorkerKey] names
// them, a bad value refusing the whole update), absent ones kept; contact_uri derived from the identity by
// [ContactURI] when there is none; every other value kept byte for byte:
//
//	{"roles":["agent","admin"],"routing":{"skills":["fr"]}} + SSO roles=agent, skill.int=7
//	→ {"contact_uri":"client:jane_2Edoe_40example_2Ecom","email":…,"full_name":…,"roles":["agent"],"routing":{"skills":["fr"]},"skill":7}
//
// [CheckWorker] reads existing attributes and reports, as Reasons with
// stable ids (worker.roles.missing, worker.console.sso_only_role, …), what
// breaks Flex's rules or will change at the next login.
//
// # Output
//
// [Decision.Roles] is de-duplicated and in canonical order, whatever the
// input order. [Decision.Reasons] lists, in this order, by their Rule ids:
//
//  1. the rule that granted the roles: console.admin ([RuleConsoleAdmin]),
//     console.support ([RuleConsoleSupport]) or sso.roles ([RuleSSORoles]);
//  2. what was done to the input: console.requested ([RuleConsoleRequested]),
//     sso.roles.split ([RuleSSORolesSplit]), sso.roles.duplicate
//     ([RuleSSORolesDuplicate]), and the warning sso.roles.dropped
//     ([RuleSSORolesDropped]) under a policy that drops unknown roles;
//  3. the warning about an ignored claim, sso.claim.ignored
//     ([RuleSSOClaimIgnored]);
//  4. under a policy, each grant rule that matched, policy.rule
//     ([RulePolicyRule]), then policy.default_insights_role
//     ([RulePolicyDefaultInsights]);
//  5. exactly one Insights finding: insights.open ([RuleInsightsOpen]),
//     insights.closed.support ([RuleInsightsClosedSupport]),
//     insights.closed.agent ([RuleInsightsClosedAgent]), or the warnings
//     insights.agent_wfo ([RuleInsightsAgentWFO]) and insights.no_wfo
//     ([RuleInsightsNoWFO]).
//
// Rule ids are stable; messages are for people and may change.
//
// The package never logs. A [Login] handed to log/slog logs with its
// identity and attribute values redacted, roles aside ([Login.LogValue]).
package flexroles
