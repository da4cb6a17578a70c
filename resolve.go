package flexroles

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Source is how a user logs in to Flex.
type Source string

// The two ways into Flex.
const (
	// Console is a login from the Twilio Console; the Console role decides.
	Console Source = "console"
	// SSO is a login through the organisation's SAML identity provider; the
	// assertion's roles, email and full_name attributes decide.
	SSO Source = "sso"
)

// Login is one login attempt, as Flex receives it.
type Login struct {
	Source       Source
	ConsoleRoles []ConsoleRole       // Console logins: the user's Console role(s)
	Attributes   map[string][]string // SSO logins: assertion attributes by exact name, values as received

	// Identity is the user's Flex identity: the SAML NameID, or the Console
	// user's email. Resolve does not read it; WorkerAttributes derives
	// contact_uri from it, or from the email attribute when it is empty.
	Identity string
}

// Decision is the outcome of a login: the roles Flex writes to the worker,
// what Flex Insights allows, and why. The zero Decision grants nothing.
type Decision struct {
	Roles    []Role   `json:"roles"`    // exactly the worker's attributes.roles: canonical order, no duplicates
	Insights Insights `json:"insights"` // what Flex Insights allows this user
	Reasons  []Reason `json:"reasons"`  // why, in rule order; warnings included
}

// Has reports whether the decision grants r.
func (d Decision) Has(r Role) bool {
	for _, x := range d.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// RoleStrings returns the roles as strings, ready for the worker's
// attributes.roles; nil for a decision with no roles.
func (d Decision) RoleStrings() []string {
	if len(d.Roles) == 0 {
		return nil
	}
	out := make([]string, len(d.Roles))
	for i, r := range d.Roles {
		out[i] = string(r)
	}
	return out
}

// Reason is one step of a decision: the rule applied, or a finding that does
// not block the login (Warning).
type Reason struct {
	Rule    string `json:"rule"`    // stable id such as "console.support" or "sso.roles.split"
	Warning bool   `json:"warning"` // true for findings that do not block the login
	Message string `json:"message"` // for people; wording may change
}

// The rule ids and messages of a Console login's reasons, as constants so
// that plainConsoleDecision can fill a decision with them in one literal.
const (
	ruleConsoleAdmin   = "console.admin"
	ruleConsoleSupport = "console.support"
	ruleInsightsOpen   = "insights.open"
	ruleInsightsClosed = "insights.closed.support"

	msgConsoleGives    = " gives the Flex role admin and wfo.full_access, the default Insights role of Console users"
	msgConsoleOwner    = "Console role Owner" + msgConsoleGives
	msgConsoleAdmin    = "Console role Administrator" + msgConsoleGives
	msgConsoleDev      = "Console role Developer" + msgConsoleGives
	msgConsoleSupport  = "Console role Support gives exactly flex.readteams and flex.readonlyadmin (Read-only Administrator); nothing can be added, and manual edits are overwritten at the next login"
	msgInsightsOpen    = "Insights opens for admin or supervisor with a wfo.* role; each capability is the highest its wfo.* roles grant"
	msgInsightsSupport = "Insights does not open for Console Support users; granular Insights roles need an SSO login"
)

// The reasons a decision can carry. Rule ids are stable; messages may change.
var (
	reasonConsoleOwner         = Reason{Rule: ruleConsoleAdmin, Message: msgConsoleOwner}
	reasonConsoleAdministrator = Reason{Rule: ruleConsoleAdmin, Message: msgConsoleAdmin}
	reasonConsoleDeveloper     = Reason{Rule: ruleConsoleAdmin, Message: msgConsoleDev}
	reasonConsoleSupport       = Reason{Rule: ruleConsoleSupport, Message: msgConsoleSupport}

	reasonConsoleRequested = Reason{Rule: "console.requested",
		Message: "every role this Console login asked for is one its Console role gives"}
	reasonSSORoles = Reason{Rule: "sso.roles",
		Message: "the SAML roles attribute sets the worker's roles, recomputed at every login"}
	reasonSSOSplit = Reason{Rule: "sso.roles.split",
		Message: "roles values were split on commas and trimmed of surrounding white space"}
	reasonSSODuplicate = Reason{Rule: "sso.roles.duplicate",
		Message: "roles named more than once are written once"}
	reasonSSODropped = Reason{Rule: "sso.roles.dropped", Warning: true,
		Message: "unknown roles were dropped, as the policy's unknown_roles: drop says"}
	reasonSSOClaimIgnored = Reason{Rule: "sso.claim.ignored", Warning: true,
		Message: "the assertion also has a claim named like roles, email or full_name in another case or spelling, or a namespaced role claim; Flex maps only the exact names and ignores it"}
	reasonInsightsOpen    = Reason{Rule: ruleInsightsOpen, Message: msgInsightsOpen}
	reasonInsightsSupport = Reason{Rule: ruleInsightsClosed, Message: msgInsightsSupport}

	reasonInsightsAgent = Reason{Rule: "insights.closed.agent",
		Message: "Insights does not open for agents; it needs admin or supervisor with a wfo.* role"}
	reasonInsightsAgentWFO = Reason{Rule: "insights.agent_wfo", Warning: true,
		Message: "wfo.* roles stay on the worker but open nothing: Insights needs admin or supervisor; add one or drop the wfo.* roles"}
	reasonInsightsNoWFO = Reason{Rule: "insights.no_wfo", Warning: true,
		Message: "admin or supervisor without a wfo.* role: Insights stays closed; add one such as wfo.dashboard_viewer"}
)

// plainConsoleDecision is the decision of a Console login that asked for no
// roles and whose most privileged role is consoleRoleAt(best), or Support
// when best is consoleRoleCount. Each case is one composite literal of
// constants: filling a block just allocated with the addresses of constant
// strings needs no write barriers, which a login pays for every pointer
// stored while the collector runs.
func plainConsoleDecision(best int) Decision {
	type block struct {
		roles   [2]Role
		reasons [2]Reason
	}
	var b *block
	switch best {
	case 0:
		b = &block{[2]Role{Admin, WFOFullAccess}, [2]Reason{{Rule: ruleConsoleAdmin, Message: msgConsoleOwner}, {Rule: ruleInsightsOpen, Message: msgInsightsOpen}}}
	case 1:
		b = &block{[2]Role{Admin, WFOFullAccess}, [2]Reason{{Rule: ruleConsoleAdmin, Message: msgConsoleAdmin}, {Rule: ruleInsightsOpen, Message: msgInsightsOpen}}}
	case 2:
		b = &block{[2]Role{Admin, WFOFullAccess}, [2]Reason{{Rule: ruleConsoleAdmin, Message: msgConsoleDev}, {Rule: ruleInsightsOpen, Message: msgInsightsOpen}}}
	default:
		b = &block{[2]Role{ReadTeams, ReadOnlyAdmin}, [2]Reason{{Rule: ruleConsoleSupport, Message: msgConsoleSupport}, {Rule: ruleInsightsClosed, Message: msgInsightsSupport}}}
		return Decision{Roles: b.roles[:], Reasons: b.reasons[:]}
	}
	return Decision{Roles: b.roles[:], Insights: insightsOf(consoleAdmins), Reasons: b.reasons[:]}
}

// decisionSlices returns empty slices with room for exactly nRoles roles
// and nReasons reasons, in one allocation of exactly their size when both
// are few, as they usually are: every byte a login allocates is a byte the
// garbage collector must later pay for, in proportion to the caller's live
// heap. The capacities are exact, so appending to one never writes into the
// other.
func decisionSlices(nRoles, nReasons int) ([]Role, []Reason) {
	switch {
	case nReasons <= 2 && nRoles == 1:
		b := new(struct {
			roles   [1]Role
			reasons [2]Reason
		})
		return b.roles[:0:1], b.reasons[:0:nReasons]
	case nReasons <= 2 && nRoles == 2:
		b := new(struct {
			roles   [2]Role
			reasons [2]Reason
		})
		return b.roles[:0:2], b.reasons[:0:nReasons]
	case nReasons <= 2 && nRoles == 3:
		b := new(struct {
			roles   [3]Role
			reasons [2]Reason
		})
		return b.roles[:0:3], b.reasons[:0:nReasons]
	case nReasons <= 2 && nRoles == 4:
		b := new(struct {
			roles   [4]Role
			reasons [2]Reason
		})
		return b.roles[:0:4], b.reasons[:0:nReasons]
	case nReasons == 3 && nRoles <= 2:
		b := new(struct {
			roles   [2]Role
			reasons [3]Reason
		})
		return b.roles[:0:nRoles], b.reasons[:0:3]
	case nReasons == 3 && nRoles <= 4:
		b := new(struct {
			roles   [4]Role
			reasons [3]Reason
		})
		return b.roles[:0:nRoles], b.reasons[:0:3]
	}
	return make([]Role, 0, nRoles), make([]Reason, 0, nReasons)
}

// Resolve returns the roles Flex gives l by Twilio's platform rules alone, or
// an *Error saying what to change; on error the Decision is the zero value.
// The rules, in order, are in the package documentation.
func Resolve(l Login) (Decision, error) {
	if len(l.Attributes) > MaxAttributes || len(l.ConsoleRoles) > MaxRoleItems {
		return Decision{}, checkLogin(&l)
	}
	switch l.Source {
	case Console:
		return resolveConsole(l)
	case SSO:
		if len(l.ConsoleRoles) > 0 {
			return Decision{}, &Error{Kind: ErrInvalidLogin, Attribute: attrConsoleRole, Value: string(l.ConsoleRoles[0]), problem: problemMixed}
		}
		return resolveSSO(l.Attributes)
	}
	return Decision{}, &Error{Kind: ErrInvalidLogin, Value: string(l.Source), problem: problemSource}
}

func resolveConsole(l Login) (Decision, error) {
	if len(l.Attributes) > 0 { // most Console logins have none
		if name, ok := firstKeyExcept(l.Attributes, attrRoles); ok {
			return Decision{}, &Error{Kind: ErrInvalidLogin, Attribute: name, problem: problemConsoleAttr}
		}
	}
	best, support, billing := consoleRoleCount, false, false
	for _, given := range l.ConsoleRoles {
		c, ok := consoleRoleFold(string(given))
		if !ok {
			return Decision{}, &Error{Kind: ErrUnknownRole, Attribute: attrConsoleRole, Value: string(given),
				Suggestion: suggestConsoleRole(string(given)), problem: problemUnknownConsole}
		}
		switch c {
		case Owner:
			best = min(best, 0)
		case Administrator:
			best = min(best, 1)
		case Developer:
			best = min(best, 2)
		case BillingManager:
			billing = true
		case Support:
			support = true
		}
	}

	var grants roleSet
	var decided consoleRef
	var rule Reason
	switch {
	case best < consoleRoleCount:
		grants, decided = consoleAdmins, consoleRefAt(best)
		rule = [...]Reason{reasonConsoleOwner, reasonConsoleAdministrator, reasonConsoleDeveloper}[best]
	case support:
		grants, decided, rule = readOnlyPair, consoleRefAt(4), reasonConsoleSupport // index 4: Support
	default:
		e := &Error{Kind: ErrNoFlexAccess, Attribute: attrConsoleRole, problem: problemNoAccess}
		if billing {
			e.Value = string(BillingManager)
		}
		return Decision{}, e
	}

	values := l.Attributes[attrRoles]
	if len(values) == 0 {
		return plainConsoleDecision(best), nil
	}
	requested := false
	if err := checkValues(attrRoles, values); err != nil {
		return Decision{}, err
	}
	if err := checkRoleItems(attrRoles, values); err != nil {
		return Decision{}, err
	}
	if err := checkBytes(attrRoles, values); err != nil {
		return Decision{}, err
	}
	var err error
	forEachItem(values, func(item string, _ bool) bool {
		r := Role(item)
		switch {
		case setOf(r) == 0:
			err = unknownRoleError(attrRoles, item)
		case !grants.has(r):
			err = &Error{Kind: ErrSSOOnlyRole, Attribute: attrRoles, Value: item, problem: problemSSOOnly, console: decided, roles: grants}
		}
		requested = true
		return err == nil
	})
	if err != nil {
		return Decision{}, err
	}

	n := 2
	if requested {
		n++
	}
	roles, reasons := decisionSlices(grants.len(), n)
	reasons = append(reasons, rule)
	if requested {
		reasons = append(reasons, reasonConsoleRequested)
	}
	if grants == readOnlyPair {
		reasons = append(reasons, reasonInsightsSupport)
	} else {
		reasons = append(reasons, reasonInsightsOpen)
	}
	return Decision{Roles: grants.appendTo(roles), Insights: insightsOf(grants), Reasons: reasons}, nil
}

func resolveSSO(attrs map[string][]string) (Decision, error) {
	var values [3][]string
	var present [3]bool
	values[0], present[0] = attrs[attrRoles]
	values[1], present[1] = attrs[attrEmail]
	values[2], present[2] = attrs[attrFullName]
	var std ssoSettings
	got, ok, err := exactSSO(&values, &std)
	if ok && err == nil && !got.duplicate && got.set&flexUIRoles != 0 && (len(attrs) == 3 || !hasShadowClaim(attrs)) {
		// The usual login: nothing to say beyond the roles and Insights.
		set := got.set
		roles, reasons := decisionSlices(set.len(), 2)
		reasons = append(reasons, reasonSSORoles, insightsReason(set))
		return Decision{Roles: set.appendTo(roles), Insights: insightsOf(set), Reasons: reasons}, nil
	}
	if !ok {
		got, err = parseSSOItems(attrs, &std, &values, &present)
	}
	if err != nil {
		return Decision{}, err
	}
	return decideSSO(attrs, got, &std, nil)
}

// ssoSettings are what an organisation's Policy changes in the SSO rules;
// the zero value is Flex's own.
type ssoSettings struct {
	names         [3]string // attribute names of roles, email, full_name; "" for Flex's
	rolesOptional bool      // roles may be absent: a policy's rules grant roles
	foldRoles     bool      // roles items match the vocabulary ignoring case
	dropUnknown   bool      // unknown roles items are dropped with a warning
}

// name returns the attribute name the settings use for Flex's attribute i
// (0 roles, 1 email, 2 full_name).
func (s *ssoSettings) name(i int) string {
	if s.names[i] != "" {
		return s.names[i]
	}
	return [...]string{attrRoles, attrEmail, attrFullName}[i]
}

// ssoRoles is what the roles attribute of an assertion asked for.
type ssoRoles struct {
	set              roleSet
	asked            bool // the roles attribute named at least one role
	split, duplicate bool
	dropped          string // the first unknown item dropped, when the settings drop them
}

// parseSSO applies the SSO rules up to the role items: the mandatory
// attributes in order, then each roles item.
func parseSSO(attrs map[string][]string, s *ssoSettings) (ssoRoles, error) {
	var values [3][]string
	var present [3]bool
	for i := range values {
		values[i], present[i] = attrs[s.name(i)]
	}
	if got, ok, err := exactSSO(&values, s); ok {
		return got, err
	}
	return parseSSOItems(attrs, s, &values, &present)
}

// exactSSO applies the SSO rules up to the role items to the usual
// assertion under settings s, given the values of roles, email and
// full_name: one plain email and full name, and roles values each a plain
// word that is exactly a role, or, when s reads roles strictly, any plain
// word. No rule before the items can refuse it, and no item needs splitting
// or trimming. ok is false for any other assertion, which parseSSOItems then
// reads.
func exactSSO(values *[3][]string, s *ssoSettings) (got ssoRoles, ok bool, err error) {
	if !oneLine(values[1]) || !oneLine(values[2]) {
		return ssoRoles{}, false, nil
	}
	set, dup, bad, ok := exactRoles(values[0], !s.foldRoles && !s.dropUnknown)
	if !ok || bad < 0 {
		return ssoRoles{set: set, asked: ok, duplicate: dup}, ok, nil
	}
	item := values[0][bad]
	if setOf(Role(item)) == 0 {
		return ssoRoles{}, true, unknownRoleError(s.name(0), item)
	}
	return ssoRoles{}, true, consoleOnlyError(s.name(0), item)
}

// oneLine reports whether values is a single non-blank value of printable
// ASCII within MaxValueSize, which every check on email and full_name
// accepts.
func oneLine(values []string) bool {
	if len(values) != 1 || len(values[0]) > MaxValueSize || !printableASCII(values[0]) {
		return false
	}
	v := values[0]
	return v != "" && (v[0] != ' ' || strings.TrimLeft(v, " ") != "")
}

// exactRoles reads a roles attribute of at most MaxRoleItems values, each
// exactly one role of the vocabulary or, when strict, any plain word of
// printable ASCII within MaxValueSize (which the item rules then refuse
// unless it is a role); ok is false for any other. set holds the roles, dup
// says one came twice, and bad is the index of the first value the item
// rules refuse, an unknown or a Console-only role, or -1.
func exactRoles(values []string, strict bool) (set roleSet, dup bool, bad int, ok bool) {
	bad = -1
	if len(values) > MaxRoleItems {
		return 0, false, -1, false
	}
	for i, v := range values {
		bit := setOf(Role(v))
		if bit == 0 && !(strict && len(v) <= MaxValueSize && plainItem(v) && printableASCII(v)) {
			return 0, false, -1, false
		}
		if (bit == 0 || bit&readOnlyPair != 0) && bad < 0 {
			bad = i
		}
		dup = dup || set&bit != 0
		set |= bit
	}
	return set, dup, bad, len(values) > 0
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func consoleOnlyError(name, item string) error {
	return &Error{Kind: ErrConsoleOnlyRole, Attribute: name, Value: item, problem: problemConsoleOnly}
}

func unknownRoleError(name, item string) error {
	return &Error{Kind: ErrUnknownRole, Attribute: name, Value: item, Suggestion: suggestRole(item), problem: problemUnknownRole}
}

// parseSSOItems is parseSSO for any assertion, given the values of the
// three attributes and whether each is present.
func parseSSOItems(attrs map[string][]string, s *ssoSettings, values *[3][]string, present *[3]bool) (ssoRoles, error) {
	var got ssoRoles
	// Where a mandatory attribute is missing, the others are searched for a
	// misnamed one; with Flex's own names and nothing but them present,
	// none can be.
	others := attrs
	if s.names == [3]string{} && len(attrs) == b2i(present[0])+b2i(present[1])+b2i(present[2]) {
		others = nil
	}
	for i := range values {
		if err := checkValues(s.name(i), values[i]); err != nil {
			return got, err
		}
	}
	if err := checkRoleItems(s.name(0), values[0]); err != nil {
		return got, err
	}
	for i, std := range [...]string{attrRoles, attrEmail, attrFullName} {
		if i == 0 && s.rolesOptional && (!present[0] || isEmpty(std, values[0])) {
			continue // a policy's rules may grant every role; IdPs often send roles empty
		}
		if err := checkMandatory(others, s.name(i), std, values[i], present[i]); err != nil {
			return got, err
		}
	}
	rolesName := s.name(0)
	var err error
	forEachItem(values[0], func(item string, trimmed bool) bool {
		got.split = got.split || trimmed
		r := Role(item)
		if s.foldRoles {
			r = foldRole(item)
		}
		bit := setOf(r)
		switch {
		case bit == 0 && s.dropUnknown:
			if got.dropped == "" {
				got.dropped = item
			}
			return true
		case bit == 0:
			err = unknownRoleError(rolesName, item)
			return false
		case readOnlyPair&bit != 0:
			err = consoleOnlyError(rolesName, item)
			return false
		}
		got.duplicate = got.duplicate || got.set&bit != 0
		got.set |= bit
		got.asked = true
		return true
	})
	return got, err
}

// decideSSO finishes an SSO login whose roles are got.set, extended by a
// policy whose reasons are extra: at least one Flex role must remain, then
// the reasons and Insights follow.
func decideSSO(attrs map[string][]string, got ssoRoles, s *ssoSettings, extra []Reason) (Decision, error) {
	set := got.set
	if set&flexUIRoles == 0 {
		return Decision{}, &Error{Kind: ErrMissingAttribute, Code: CodeMissingUserAttributes, Attribute: s.name(0), problem: problemNoFlexRole, roles: set}
	}

	shadow := s.names == [3]string{} && len(attrs) > 3 && hasShadowClaim(attrs)
	n := 1 + len(extra) // the Insights finding, and the policy's
	for _, b := range [...]bool{got.asked, got.split, got.duplicate, got.dropped != "", shadow} {
		if b {
			n++
		}
	}
	roles, reasons := decisionSlices(set.len(), n)
	if got.asked {
		reasons = append(reasons, reasonSSORoles)
	}
	if got.split {
		reasons = append(reasons, reasonSSOSplit)
	}
	if got.duplicate {
		reasons = append(reasons, reasonSSODuplicate)
	}
	if got.dropped != "" {
		r := reasonSSODropped
		r.Message = "unknown roles such as " + quoteShort(got.dropped) + " were dropped, as the policy's unknown_roles: drop says"
		reasons = append(reasons, r)
	}
	if shadow {
		reasons = append(reasons, reasonSSOClaimIgnored)
	}
	reasons = append(reasons, extra...)
	reasons = append(reasons, insightsReason(set))
	return Decision{Roles: set.appendTo(roles), Insights: insightsOf(set), Reasons: reasons}, nil
}

// insightsReason is the finding on Insights for a login granted set.
func insightsReason(set roleSet) Reason {
	switch {
	case set&insightsGate == 0 && set&wfoRoles != 0:
		return reasonInsightsAgentWFO
	case set&insightsGate == 0:
		return reasonInsightsAgent
	case set&wfoRoles == 0:
		return reasonInsightsNoWFO
	}
	return reasonInsightsOpen
}

// foldRole returns the role equal to item ignoring case, or "".
func foldRole(item string) Role {
	for i := 0; i < roleCount; i++ {
		if strings.EqualFold(item, string(roleAt(i))) {
			return roleAt(i)
		}
	}
	return ""
}

// checkMandatory applies Flex's checks on one mandatory SAML attribute, std
// (roles, email or full_name), sent as name with values (ok says it is
// there): it must be there under its exact name, hold a non-empty value,
// hold only plain text, and (email, full_name) hold one value.
// When the attribute is missing, the error names a misnamed claim found
// among others (nil: none looked for).
func checkMandatory(others map[string][]string, name, std string, values []string, ok bool) error {
	if !ok {
		return &Error{Kind: ErrMissingAttribute, Code: CodeMissingUserAttributes, Attribute: name,
			Value: misnamedClaim(others, name, std), problem: problemAbsent}
	}
	if isEmpty(std, values) {
		return &Error{Kind: ErrMissingAttribute, Code: CodeMissingUserAttributes, Attribute: name,
			Value: misnamedClaim(others, name, std), problem: problemEmpty}
	}
	if err := checkBytes(name, values); err != nil {
		return err
	}
	if std == attrRoles || len(values) == 1 {
		return nil
	}
	first := true
	for _, v := range values {
		if isBlank(v) {
			continue
		}
		if !first {
			return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: v, problem: problemSeveral}
		}
		first = false
	}
	return nil
}

// isEmpty reports whether a mandatory attribute says nothing: no value, only
// blank values, or (roles) no item once split on commas.
func isEmpty(name string, values []string) bool {
	if name == attrRoles {
		empty := true
		forEachItem(values, func(string, bool) bool {
			empty = false
			return false
		})
		return empty
	}
	for _, v := range values {
		if !isBlank(v) {
			return false
		}
	}
	return true
}

func isBlank(v string) bool { return strings.TrimSpace(v) == "" }

// checkBytes refuses invalid UTF-8, NUL and control characters other than
// tab, newline and carriage return, which pretty-printed XML carries.
func checkBytes(name string, values []string) error {
	for _, v := range values {
		if !plainText(v) {
			return &Error{Kind: ErrInvalidAttribute, Attribute: name, Value: v, problem: problemBadBytes}
		}
	}
	return nil
}

func plainText(v string) bool {
	if printableASCII(v) {
		return true // most values
	}
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsControl(r) {
			return false
		}
		i += size
	}
	return true
}

// printableASCII reports whether v holds only bytes 0x20 to 0x7e, eight at
// a time: x - 0x20 in each byte borrows, setting its top bit, exactly when
// the byte is below 0x20, and x + 1 carries into it when the byte is 0x7f or
// above (a byte ≥ 0x80 has it set already). A value of eight bytes or more
// ends with a word that overlaps the one before.
func printableASCII(v string) bool {
	const lsb, msb = 0x0101010101010101, 0x8080808080808080
	if len(v) < 8 {
		for i := 0; i < len(v); i++ {
			if c := v[i]; c < 0x20 || c >= 0x7f {
				return false
			}
		}
		return true
	}
	word := func(w string) uint64 { // eight bytes the compiler loads as one word
		_ = w[7]
		return uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
	}
	bad := func(x uint64) bool { return ((x-lsb*0x20)|x|(x&^msb+lsb))&msb != 0 }
	for i := 0; i+8 <= len(v); i += 8 {
		if bad(word(v[i:])) {
			return false
		}
	}
	return !bad(word(v[len(v)-8:]))
}

// forEachItem calls yield with each role item of a roles attribute, in order:
// IdPs send several AttributeValues, one comma-separated value, or both, and
// pretty-printed XML adds white space, so every value is split on commas,
// each item trimmed of Unicode white space, and empty items skipped. trimmed
// says the item did not stand alone in its value. It stops when yield returns
// false.
func forEachItem(values []string, yield func(item string, trimmed bool) bool) {
	for _, v := range values {
		if plainItem(v) {
			// The usual case, one role a value: nothing to split or trim.
			if !yield(v, false) {
				return
			}
			continue
		}
		rest := v
		for {
			part, next, more := strings.Cut(rest, ",")
			item := strings.TrimSpace(part)
			if item != "" && !yield(item, len(item) != len(v)) {
				return
			}
			if !more {
				break
			}
			rest = next
		}
	}
}

// plainItem reports whether v is one item as it stands: not empty, no
// comma, and no white space at either end (ASCII letters, digits and
// punctuation there; anything else takes the general path).
func plainItem(v string) bool {
	if v == "" || !wordByte(v[0]) || !wordByte(v[len(v)-1]) {
		return false
	}
	return strings.IndexByte(v, ',') < 0
}

func wordByte(c byte) bool { return c > ' ' && c < utf8.RuneSelf && c != ',' }

// firstKeyExcept returns the least key of m other than except, so the choice
// does not depend on map order.
func firstKeyExcept(m map[string][]string, except string) (string, bool) {
	least, found := "", false
	for k := range m {
		if k != except && (!found || k < least) {
			least, found = k, true
		}
	}
	return least, found
}

// MisnamedAttribute returns which of Flex's attributes "roles", "email" and
// "full_name" the assertion attribute called name looks meant for although
// Flex will not map it: a namespaced claim such as Entra ID's
// "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", or the name
// in another case or spelling ("Roles", "full-name", "displayName"). It
// returns "" for the exact names, which Flex maps, and for anything else.
// Debugging tools use it to say which claim to rename.
func MisnamedAttribute(name string) string {
	switch name {
	case attrRoles, attrEmail, attrFullName:
		return ""
	}
	return claimFor(name)
}

// misnamedClaim returns the least attribute name in attrs, other than name,
// that stands for Flex's attribute std, or "".
func misnamedClaim(attrs map[string][]string, name, std string) string {
	least := ""
	for k := range attrs {
		if k != name && claimFor(k) == std && (least == "" || k < least) {
			least = k
		}
	}
	return least
}

// hasShadowClaim reports whether attrs carry, beside the exact names, a claim
// people may take for one of them: roles, email or full_name in another case
// or spelling ("Roles", "full-name"), or a namespaced role claim such as
// Entra ID's, whose app roles Flex ignores. Namespaced email and name claims
// are Entra ID's defaults and not worth a warning.
func hasShadowClaim(attrs map[string][]string) bool {
	for k := range attrs {
		switch k {
		case attrRoles, attrEmail, attrFullName:
			continue
		}
		if c, ns := claimOf(k); c != "" && (!ns || c == attrRoles) {
			return true
		}
	}
	return false
}

// claimFor returns the mandatory attribute that claim name k stands for, or
// "". A plain name stands for one when equal to it ignoring case and the
// separators '_', '-', ' ' and '.' (email also as "emailaddress" or "mail",
// full_name as "displayname"); a namespaced one (a URI, "urn:…") by its last
// segment, where "role" and "name" count too. A plain "role" is the Insights
// reporting attribute and stands for nothing.
func claimFor(k string) string {
	c, _ := claimOf(k)
	return c
}

// claimOf is claimFor, also saying whether k is namespaced: holds '/' or
// ':'.
func claimOf(k string) (claim string, ns bool) {
	seg := 0 // where the last segment starts
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '/', ':':
			ns, seg = true, i+1
		case '#':
			seg = i + 1
		}
	}
	if !ns {
		seg = 0
	}
	// The segment with ASCII letters lowered and separators dropped; no
	// name it can stand for is longer than the buffer.
	var buf [len("emailaddress")]byte
	n := 0
	for i := seg; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-' || c == ' ' || c == '.':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if n == len(buf) {
			return "", ns
		}
		buf[n] = c
		n++
	}
	switch string(buf[:n]) {
	case "roles":
		return attrRoles, ns
	case "role":
		if ns {
			return attrRoles, ns
		}
	case "email", "emailaddress", "mail":
		return attrEmail, ns
	case "fullname", "displayname":
		return attrFullName, ns
	case "name":
		if ns {
			return attrFullName, ns
		}
	}
	return "", ns
}
