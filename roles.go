package flexroles

import (
	"math/bits"
	"strings"

	suggestpkg "github.com/flexroles/flexroles/internal/suggest"
)

// Role is one value of a TaskRouter worker's attributes.roles: a Flex UI role
// (admin, supervisor, agent, the Console-only read-only administrator pair) or
// a Flex Insights role (wfo.*). Values are case-sensitive.
type Role string

// The role vocabulary, in canonical output order.
const (
	// Admin is the Flex UI administrator, from a Console Owner, Administrator
	// or Developer, or from SSO.
	Admin Role = "admin"
	// Supervisor is the Flex UI supervisor; SSO only.
	Supervisor Role = "supervisor"
	// Agent is the Flex UI agent; SSO only.
	Agent Role = "agent"
	// ReadTeams is the companion of ReadOnlyAdmin; Console Support only.
	ReadTeams Role = "flex.readteams"
	// ReadOnlyAdmin is the Flex UI Read-only Administrator; Console Support only,
	// always together with ReadTeams.
	ReadOnlyAdmin Role = "flex.readonlyadmin"

	// WFOFullAccess is the Insights role with every capability; the default
	// Insights role of Console administrators.
	WFOFullAccess Role = "wfo.full_access"
	// WFOTeamLeader plays and assesses calls and explores dashboards.
	WFOTeamLeader Role = "wfo.team_leader"
	// WFODataAnalyst plays and exports calls, views assessments, edits dashboards.
	WFODataAnalyst Role = "wfo.data_analyst"
	// WFODataAuditor plays and exports calls and edits dashboards.
	WFODataAuditor Role = "wfo.data_auditor"
	// WFOQualityManager plays, exports and assesses calls and views dashboards.
	// SSO only.
	WFOQualityManager Role = "wfo.quality_manager"
	// WFOQualityProcessManager creates and edits questionnaires.
	WFOQualityProcessManager Role = "wfo.quality_process_manager"
	// WFODashboardViewer plays calls and views dashboards.
	WFODashboardViewer Role = "wfo.dashboard_viewer"
)

// The canonical index of each role: its place in the vocabulary above, and
// its bit in a roleSet.
const (
	idxAdmin = iota
	idxSupervisor
	idxAgent
	idxReadTeams
	idxReadOnlyAdmin
	idxWFOFullAccess
	idxWFOTeamLeader
	idxWFODataAnalyst
	idxWFODataAuditor
	idxWFOQualityManager
	idxWFOQualityProcessManager
	idxWFODashboardViewer

	// roleCount is the size of the vocabulary.
	roleCount
)

// roleAt returns the role of canonical index i (0 ≤ i < roleCount).
func roleAt(i int) Role {
	switch i {
	case idxAdmin:
		return Admin
	case idxSupervisor:
		return Supervisor
	case idxAgent:
		return Agent
	case idxReadTeams:
		return ReadTeams
	case idxReadOnlyAdmin:
		return ReadOnlyAdmin
	case idxWFOFullAccess:
		return WFOFullAccess
	case idxWFOTeamLeader:
		return WFOTeamLeader
	case idxWFODataAnalyst:
		return WFODataAnalyst
	case idxWFODataAuditor:
		return WFODataAuditor
	case idxWFOQualityManager:
		return WFOQualityManager
	case idxWFOQualityProcessManager:
		return WFOQualityProcessManager
	case idxWFODashboardViewer:
		return WFODashboardViewer
	}
	return ""
}

// index returns r's canonical index, or -1 when r is not in the vocabulary:
// roleAt's inverse.
func (r Role) index() int {
	switch r {
	case Admin:
		return idxAdmin
	case Supervisor:
		return idxSupervisor
	case Agent:
		return idxAgent
	case ReadTeams:
		return idxReadTeams
	case ReadOnlyAdmin:
		return idxReadOnlyAdmin
	case WFOFullAccess:
		return idxWFOFullAccess
	case WFOTeamLeader:
		return idxWFOTeamLeader
	case WFODataAnalyst:
		return idxWFODataAnalyst
	case WFODataAuditor:
		return idxWFODataAuditor
	case WFOQualityManager:
		return idxWFOQualityManager
	case WFOQualityProcessManager:
		return idxWFOQualityProcessManager
	case WFODashboardViewer:
		return idxWFODashboardViewer
	}
	return -1
}

// ParseRole returns the Role spelled exactly s. Anything else, including
// another case or surrounding space, is an *Error wrapping ErrUnknownRole with
// a did-you-mean Suggestion when a known role is close.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if r.index() < 0 {
		return "", unknownRoleError(attrRoles, s)
	}
	return r, nil
}

// IsInsights reports whether r is a Flex Insights role, one of the seven
// wfo.* roles of the vocabulary. Those roles set what Insights allows once
// it opens ([Role.OpensInsights]); on their own they open nothing.
func (r Role) IsInsights() bool { return setOf(r)&wfoRoles != 0 }

// OpensInsights reports whether r is a Flex UI role for which Flex Insights
// opens: admin or supervisor, when the worker also holds an Insights role
// ([Role.IsInsights]). An agent's wfo.* roles open nothing.
func (r Role) OpensInsights() bool { return setOf(r)&insightsGate != 0 }

// ConsoleOnly reports whether r is one of the read-only administrator pair,
// flex.readteams and flex.readonlyadmin, which only the Console's Support
// role gives: an SSO login asking for either is refused.
func (r Role) ConsoleOnly() bool { return setOf(r)&readOnlyPair != 0 }

// SplitRoles returns the role items of a roles attribute as Flex reads
// them, in input order: every value split on commas, each item trimmed of
// Unicode white space, empty items dropped. Duplicates and unknown items
// stay; Resolve writes each role once and refuses unknown ones.
//
//	["supervisor", " wfo.quality_manager,\n wfo.team_leader", ","]
//	→ ["supervisor", "wfo.quality_manager", "wfo.team_leader"]
func SplitRoles(values []string) []string {
	var out []string
	forEachItem(values, func(item string, _ bool) bool {
		out = append(out, item)
		return true
	})
	return out
}

// roleSet is a set of known roles, one bit per canonical index, so that
// iterating it yields the canonical order with no duplicates.
type roleSet uint16

const (
	flexUIRoles   roleSet = 1<<idxAdmin | 1<<idxSupervisor | 1<<idxAgent
	insightsGate  roleSet = 1<<idxAdmin | 1<<idxSupervisor // Insights opens for these
	readOnlyPair  roleSet = 1<<idxReadTeams | 1<<idxReadOnlyAdmin
	wfoRoles      roleSet = (1<<roleCount - 1) &^ (1<<idxWFOFullAccess - 1) // every wfo.* role
	consoleAdmins roleSet = 1<<idxAdmin | 1<<idxWFOFullAccess
)

func setOf(r Role) roleSet {
	i := r.index()
	if i < 0 {
		return 0
	}
	return 1 << i
}

func (s roleSet) has(r Role) bool { return s&setOf(r) != 0 }

func (s roleSet) len() int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// list returns the roles of s in canonical order; nil for the empty set.
func (s roleSet) list() []Role {
	if s == 0 {
		return nil
	}
	return s.appendTo(make([]Role, 0, s.len()))
}

// appendTo appends the roles of s to dst in canonical order.
func (s roleSet) appendTo(dst []Role) []Role {
	for ; s != 0; s &= s - 1 {
		dst = append(dst, roleAt(bits.TrailingZeros16(uint16(s))))
	}
	return dst
}

// first returns the first role of s in canonical order, or "" for the
// empty set.
func (s roleSet) first() Role {
	if s == 0 {
		return ""
	}
	return roleAt(bits.TrailingZeros16(uint16(s)))
}

// String joins the roles of s with ", " in canonical order, for messages.
func (s roleSet) String() string {
	var b strings.Builder
	for i := range roleCount {
		if s&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteString(", ")
			}
			b.WriteString(string(roleAt(i)))
		}
	}
	return b.String()
}

// ConsoleRole is a Twilio Console user role. Only Owner, Administrator,
// Developer and Support open Flex.
type ConsoleRole string

// The Console roles, most privileged first.
const (
	// Owner is the account owner; gives admin and wfo.full_access.
	Owner ConsoleRole = "Owner"
	// Administrator gives admin and wfo.full_access.
	Administrator ConsoleRole = "Administrator"
	// Developer gives admin and wfo.full_access.
	Developer ConsoleRole = "Developer"
	// BillingManager gives no Flex access.
	BillingManager ConsoleRole = "Billing Manager"
	// Support gives the read-only administrator pair, flex.readteams and
	// flex.readonlyadmin, and nothing else.
	Support ConsoleRole = "Support"
)

// The index of each Console role, most privileged first: its place in
// consoleRoleAt, and its bit in a policy's console.allow.
const (
	idxOwner = iota
	idxAdministrator
	idxDeveloper
	idxBillingManager
	idxSupport

	// consoleRoleCount is the number of Console roles.
	consoleRoleCount
)

// consoleRoleAt returns the Console role of index i, most privileged first.
func consoleRoleAt(i int) ConsoleRole {
	switch i {
	case idxOwner:
		return Owner
	case idxAdministrator:
		return Administrator
	case idxDeveloper:
		return Developer
	case idxBillingManager:
		return BillingManager
	case idxSupport:
		return Support
	}
	return ""
}

// ParseConsoleRole returns the Console role named s, ignoring case and
// surrounding space and treating "_", "-" and " " alike, so "support",
// "Billing Manager", "billing_manager" and "BILLING-MANAGER" are all accepted.
// Anything else is an *Error wrapping ErrUnknownRole with Attribute
// "console_role".
func ParseConsoleRole(s string) (ConsoleRole, error) {
	if c, ok := consoleRoleFold(s); ok {
		return c, nil
	}
	return "", &Error{Kind: ErrUnknownRole, Attribute: attrConsoleRole, Value: s, Suggestion: suggestConsoleRole(s), problem: problemUnknownConsole}
}

// consoleRoleFold matches s against the Console roles as ParseConsoleRole
// describes, without allocating.
func consoleRoleFold(s string) (ConsoleRole, bool) {
	switch c := ConsoleRole(s); c {
	case Owner, Administrator, Developer, BillingManager, Support:
		return c, true // spelled as the constants, as most callers do
	}
	s = strings.TrimSpace(s)
	for i := range consoleRoleCount {
		c := consoleRoleAt(i)
		if foldSeparators(s, string(c)) {
			return c, true
		}
	}
	return "", false
}

// foldSeparators reports whether s equals name ignoring ASCII case and
// treating '_', '-' and ' ' as the same character.
func foldSeparators(s, name string) bool {
	if len(s) != len(name) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := lowerSep(s[i]), lowerSep(name[i])
		if a != b {
			return false
		}
	}
	return true
}

func lowerSep(c byte) byte {
	switch {
	case c == '_' || c == '-':
		return ' '
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	}
	return c
}

// suggestRole returns the known role that s most likely meant, or "".
// The closest role within edit distance 2 of s, compared in lower case (so
// a role equal to s ignoring case, at distance 0, wins), first in canonical
// order on a tie. A plural "s" too many or too few is within that distance.
func suggestRole(s string) string {
	return suggest(s, roleCount, func(i int) string { return string(roleAt(i)) })
}

// suggestConsoleRole is suggestRole for Console role names, whose separators
// are folded first.
func suggestConsoleRole(s string) string {
	return suggest(strings.TrimSpace(s), consoleRoleCount, func(i int) string { return string(consoleRoleAt(i)) })
}

// suggest is suggest.Closest: one rule for every "did you mean".
func suggest(s string, n int, name func(int) string) string { return suggestpkg.Closest(s, n, name) }
