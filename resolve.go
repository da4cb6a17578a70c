package flexroles

import (
	"slices"
	"strconv"
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

// decisionSlices returns empty slices with room for exactly nRoles roles
// and nReasons reasons: a decision's two allocations, each of its size.
func decisionSlices(nRoles, nReasons int) ([]Role, []Reason) {
	return make([]Role, 0, nRoles), make([]Reason, 0, nReasons)
}

// consoleDecision is the decision of a Console login whose most privileged
// role has index decider in consoleRoleAt (Owner, Administrator, Developer
// or Support), with console.requested when the login asked for roles.
func consoleDecision(decider int, requested bool) Decision {
	grants, rule := consoleGrant(decider)
	insights := reasonInsightsOpen
	if grants == readOnlyPair {
		insights = Reason{Rule: RuleInsightsClosedSupport, Message: msgInsightsSupport}
	}
	if !requested {
		roles, reasons := decisionSlices(grants.len(), 2)
		return Decision{Roles: grants.appendTo(roles), Insights: insightsOf(grants), Reasons: append(reasons, rule, insights)}
	}
	roles, reasons := decisionSlices(grants.len(), 3)
	reasons = append(reasons, rule, Reason{Rule: RuleConsoleRequested, Message: msgConsoleAsked}, insights)
	return Decision{Roles: grants.appendTo(roles), Insights: insightsOf(grants), Reasons: reasons}
}

// consoleGrant returns what the Console role of index decider gives, and
// the reason that says so.
func consoleGrant(decider int) (roleSet, Reason) {
	switch decider {
	case idxOwner:
		return consoleAdmins, Reason{Rule: RuleConsoleAdmin, Message: msgConsoleOwner}
	case idxAdministrator:
		return consoleAdmins, Reason{Rule: RuleConsoleAdmin, Message: msgConsoleAdmin}
	case idxDeveloper:
		return consoleAdmins, Reason{Rule: RuleConsoleAdmin, Message: msgConsoleDev}
	}
	return readOnlyPair, Reason{Rule: RuleConsoleSupport, Message: msgConsoleSupport}
}

// Resolve returns the roles Flex gives l by Twilio's platform rules alone, or
// an *Error saying what to change; on error the Decision is the zero value.
// The rules, in order, are in the package documentation.
func Resolve(l Login) (Decision, error) {
	if len(l.Attributes) > MaxAttributes {
		return Decision{}, manyAttributes(len(l.Attributes))
	}
	if len(l.ConsoleRoles) > MaxRoleItems {
		return Decision{}, manyConsoleRoles(len(l.ConsoleRoles))
	}
	switch l.Source {
	case Console:
		return resolveConsole(l)
	case SSO:
		if len(l.ConsoleRoles) > 0 {
			return Decision{}, &Error{Kind: ErrInvalidLogin, Attribute: attrConsoleRole, Value: string(l.ConsoleRoles[0]), problem: problemMixed}
		}
		var std ssoSettings // Flex's own
		got, err := parseSSO(l.Attributes, &std)
		if err != nil {
			return Decision{}, err
		}
		return decideSSO(l.Attributes, got, &std, nil)
	}
	return Decision{}, &Error{Kind: ErrInvalidLogin, Value: string(l.Source), problem: problemSource}
}

func resolveConsole(l Login) (Decision, error) {
	if name, ok := firstKeyExcept(l.Attributes, attrRoles); ok {
		return Decision{}, &Error{Kind: ErrInvalidLogin, Attribute: name, problem: problemConsoleAttr}
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
			best = min(best, idxOwner)
		case Administrator:
			best = min(best, idxAdministrator)
		case Developer:
			best = min(best, idxDeveloper)
		case BillingManager:
			billing = true
		case Support:
			support = true
		}
	}

	var grants roleSet
	decider := best
	switch {
	case best < consoleRoleCount:
		grants = consoleAdmins
	case support:
		grants, decider = readOnlyPair, idxSupport
	default:
		e := &Error{Kind: ErrNoFlexAccess, Attribute: attrConsoleRole, problem: problemNoAccess}
		if billing {
			e.Value = string(BillingManager)
		}
		return Decision{}, e
	}

	values := l.Attributes[attrRoles]
	if len(values) == 0 {
		return consoleDecision(decider, false), nil
	}
	if err := checkValues(attrRoles, values); err != nil {
		return Decision{}, err
	}
	if err := checkRoleItems(attrRoles, values); err != nil {
		return Decision{}, err
	}
	if err := checkBytes(attrRoles, values); err != nil {
		return Decision{}, err
	}
	requested := false
	var err error
	forEachItem(values, func(item string, _ bool) bool {
		r := Role(item)
		switch {
		case setOf(r) == 0:
			err = unknownRoleError(attrRoles, item)
		case !grants.has(r):
			err = &Error{Kind: ErrSSOOnlyRole, Attribute: attrRoles, Value: item, problem: problemSSOOnly, console: consoleRefAt(decider), roles: grants}
		}
		requested = true
		return err == nil
	})
	if err != nil {
		return Decision{}, err
	}
	return consoleDecision(decider, requested), nil
}

// The mandatory SSO attributes, in the order Flex checks them: the index of
// each in ssoSettings.names and in the values an SSO login reads.
const (
	slotRoles = iota
	slotEmail
	slotFullName
	slotCount
)

// ssoSettings are what an organisation's Policy changes in the SSO rules;
// the zero value is Flex's own.
type ssoSettings struct {
	names         [slotCount]string // attribute names of roles, email, full_name; "" for Flex's
	rolesOptional bool              // roles may be absent: a policy's rules grant roles
	foldRoles     bool              // roles items match the vocabulary ignoring case
	dropUnknown   bool              // unknown roles items are dropped with a warning
	// groups is a policy's attribute of IdP groups, "" without a policy;
	// mapped are the attributes its conditions test. A claim that looks
	// meant for groups but is not this name is reported as misnamed; these
	// names never are.
	groups string
	mapped []string
}

// name returns the attribute name the settings use for Flex's attribute
// of slot i.
func (s *ssoSettings) name(i int) string {
	if s.names[i] != "" {
		return s.names[i]
	}
	return stdName(i)
}

// stdName returns Flex's own name of the mandatory attribute of slot i.
func stdName(i int) string {
	switch i {
	case slotRoles:
		return attrRoles
	case slotEmail:
		return attrEmail
	}
	return attrFullName
}

// ssoRoles is what the roles attribute of an assertion asked for.
type ssoRoles struct {
	set              roleSet
	items            int  // how many items the roles attribute holds
	asked            bool // the roles attribute named at least one role
	split, duplicate bool
	dropped          string // the first unknown item dropped, when the settings drop them

	// refused is the first item the item rules refuse, and why; the
	// error is built only when it is the one returned.
	refused string
	why     problem
}

// parseSSO applies the SSO rules up to and including the role items under
// settings s, in their order: the limits on the values of each mandatory
// attribute (before anything is split, so that they bound the work), the
// roles split once into items (readRoleItems) and their number, the
// mandatory attributes (checkSSO), and last the first item refused.
func parseSSO(attrs map[string][]string, s *ssoSettings) (ssoRoles, error) {
	var values [slotCount][]string
	var present [slotCount]bool
	values[slotRoles], present[slotRoles] = attrs[s.name(slotRoles)]
	values[slotEmail], present[slotEmail] = attrs[s.name(slotEmail)]
	values[slotFullName], present[slotFullName] = attrs[s.name(slotFullName)]
	for i := range values {
		if err := checkValues(s.name(i), values[i]); err != nil {
			return ssoRoles{}, err
		}
	}
	got := readRoleItems(values[slotRoles], s)
	if got.items > MaxRoleItems {
		return ssoRoles{}, manyRoleItems(s.name(slotRoles), got.items)
	}
	if err := checkSSO(attrs, s, &values, &present, got.items == 0); err != nil {
		return ssoRoles{}, err
	}
	switch got.why {
	case problemUnknownRole:
		return ssoRoles{}, unknownRoleError(s.name(slotRoles), got.refused)
	case problemConsoleOnly:
		return ssoRoles{}, consoleOnlyError(s.name(slotRoles), got.refused)
	}
	return got, nil
}

// checkSSO applies the rules of the mandatory attributes in order, given
// their values, whether each is present, and whether the roles hold no
// item.
func checkSSO(attrs map[string][]string, s *ssoSettings, values *[slotCount][]string, present *[slotCount]bool, noItems bool) error {
	for i := range values {
		empty := noItems
		if i != slotRoles {
			empty = isEmpty(stdName(i), values[i])
		}
		if i == slotRoles && s.rolesOptional && empty {
			continue // a policy's rules may grant every role; IdPs often send roles empty
		}
		if err := checkMandatory(attrs, s, i, values[i], present[i], empty); err != nil {
			return err
		}
	}
	return nil
}

// readRoleItems splits a roles attribute into its items once, in input
// order, counting them, and applies the item rules (ssoRoles.add) to each
// until one refuses. parseSSO applies what it finds in the rules' order.
func readRoleItems(values []string, s *ssoSettings) ssoRoles {
	var got ssoRoles
	forEachItem(values, func(item string, trimmed bool) bool {
		got.items++
		if got.why == problemUnset {
			got.add(item, trimmed, s)
		}
		return true
	})
	return got
}

// add applies the item rules to one roles item under settings s: an
// unknown role is refused (or dropped, when s drops them), a Console-only
// role is refused, and the rest are collected once each. trimmed says the
// item did not stand alone in its value. A refused item is kept in
// got.refused, with why.
func (got *ssoRoles) add(item string, trimmed bool, s *ssoSettings) {
	got.split = got.split || trimmed
	bit := setOf(Role(item))
	if bit == 0 && s.foldRoles {
		bit = setOf(foldRole(item))
	}
	switch {
	case bit == 0 && s.dropUnknown:
		if got.dropped == "" {
			got.dropped = item
		}
		return
	case bit == 0:
		got.refused, got.why = item, problemUnknownRole
		return
	case readOnlyPair&bit != 0:
		got.refused, got.why = item, problemConsoleOnly
		return
	}
	got.duplicate = got.duplicate || got.set&bit != 0
	got.set |= bit
	got.asked = true
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
	suggestion := suggestRole(item)
	if looksJSON(item) {
		suggestion = jsonRole(item)
	}
	return &Error{Kind: ErrUnknownRole, Attribute: name, Value: item, Suggestion: suggestion, problem: problemUnknownRole}
}

// decideSSO finishes an SSO login whose roles are got.set, extended by a
// policy whose reasons are extra: at least one Flex role must remain, then
// the reasons and Insights follow.
func decideSSO(attrs map[string][]string, got ssoRoles, s *ssoSettings, extra []Reason) (Decision, error) {
	set := got.set
	if set&flexUIRoles == 0 {
		e := &Error{Kind: ErrMissingAttribute, Code: CodeMissingUserAttributes, Attribute: s.name(slotRoles), problem: problemNoFlexRole, roles: set}
		if set == 0 {
			// Nothing came from the roles attribute: a misnamed claim may
			// hold the roles, or the groups a policy's rules read.
			if c := misnamedClaim(attrs, s, attrRoles); c != "" {
				e.Value, e.Suggestion = c, s.name(slotRoles)
			} else if c := misnamedClaim(attrs, s, attrGroups); c != "" && s.groups != "" {
				e.Value, e.Suggestion = c, s.groups
			}
		}
		return Decision{}, e
	}

	var claim, meant string
	if len(attrs) != slotCount || !got.asked { // roles, email and full_name alone shadow nothing
		claim, meant = shadowClaim(attrs, s)
	}
	shadow := claim != ""
	// The Insights finding, the policy's reasons, and one for each of the
	// rest that applies.
	n := 1 + len(extra) + b2i(got.asked) + b2i(got.split) + b2i(got.duplicate) + b2i(got.dropped != "") + b2i(shadow)
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
		r := reasonSSOClaimIgnored
		r.Message = "the assertion has the claim " + quoteShort(claim) + ", which looks meant for " + strconv.Quote(meant) +
			" but is not read: only the exact name " + strconv.Quote(meant) + " is; rename the claim, or stop sending it"
		reasons = append(reasons, r)
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
	for i := range roleCount {
		if strings.EqualFold(item, string(roleAt(i))) {
			return roleAt(i)
		}
	}
	return ""
}

// checkMandatory applies Flex's checks on the mandatory SAML attribute of
// slot i under settings s, sent with values (ok says it is there): it must
// be there under the name s reads, hold a non-empty value, hold only plain
// text, and (email, full_name) hold one value. empty says the values say
// nothing (isEmpty). When the attribute is missing, the error names a
// claim of attrs that looks meant for it.
func checkMandatory(attrs map[string][]string, s *ssoSettings, i int, values []string, ok, empty bool) error {
	name, std := s.name(i), stdName(i)
	if !ok {
		return &Error{Kind: ErrMissingAttribute, Code: CodeMissingUserAttributes, Attribute: name,
			Value: misnamedClaim(attrs, s, std), problem: problemAbsent}
	}
	if empty {
		return &Error{Kind: ErrMissingAttribute, Code: CodeMissingUserAttributes, Attribute: name,
			Value: misnamedClaim(attrs, s, std), problem: problemEmpty}
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

// printableASCII reports whether v holds only bytes 0x20 to 0x7e.
func printableASCII(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i]-0x20 >= 0x7f-0x20 { // below 0x20, it wraps past 0x5f
			return false
		}
	}
	return true
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

// wordByte reports whether c is ASCII and neither white space nor a
// control: a byte that no trimming removes.
func wordByte(c byte) bool { return c > ' ' && c < utf8.RuneSelf }

// lesser returns k when it sorts before least or least is "" (none yet),
// else least: the least of some names, whatever order a map gives them in.
// The names it is given are never empty (an attribute named "" is a claim
// of nothing).
func lesser(least, k string) string {
	if least == "" {
		return k
	}
	return min(least, k)
}

// firstKeyExcept returns the least key of m other than except, so the choice
// does not depend on map order.
func firstKeyExcept(m map[string][]string, except string) (string, bool) {
	least, found := "", false
	for k := range m {
		switch {
		case k == except:
		case found:
			least = min(least, k)
		default:
			least, found = k, true
		}
	}
	return least, found
}

// MisnamedAttribute returns which of Flex's attributes "roles", "email" and
// "full_name" the assertion attribute called name looks meant for although
// Flex will not map it: a namespaced claim such as Entra ID's
// "http://schemas.microsoft.com/ws/2008/06/identity/claims/role", the name
// in another case or spelling ("Roles", "full-name", "displayName",
// "mail"), a plain dotted name by its last part (OneLogin's "User.email"),
// or an LDAP OID ("urn:oid:0.9.2342.19200300.100.1.3", mail). It
// returns "" for the exact names, which Flex maps, and for anything else.
// Debugging tools use it to say which claim to rename.
func MisnamedAttribute(name string) FlexAttribute {
	switch name {
	case attrRoles, attrEmail, attrFullName:
		return ""
	}
	if c, _ := claimOf(name); c != attrGroups {
		return FlexAttribute(c)
	}
	return ""
}

// reads reports whether the settings s read the attribute called k: the
// names of roles, email and full_name, and a policy's groups and condition
// attributes.
func (s *ssoSettings) reads(k string) bool {
	for i := range slotCount {
		if k == s.name(i) {
			return true
		}
	}
	return k == s.groups && k != "" || slices.Contains(s.mapped, k)
}

// meant returns the name s reads for the attribute that claimOf calls std,
// or "" when s reads no such attribute (groups, without a policy).
func (s *ssoSettings) meant(std string) string {
	switch std {
	case attrRoles:
		return s.name(slotRoles)
	case attrEmail:
		return s.name(slotEmail)
	case attrFullName:
		return s.name(slotFullName)
	case attrGroups:
		return s.groups
	}
	return ""
}

// misnamedClaim returns the least attribute name in attrs that looks meant
// for the attribute std (roles, email, full_name or groups) but is not one
// that the settings s read, or "". For roles, when there is none, it
// returns the singular "role" in any case: the Insights reporting
// attribute, which no warning names, but where roles are often sent.
func misnamedClaim(attrs map[string][]string, s *ssoSettings, std string) string {
	least, role := "", ""
	for k := range attrs {
		if s.reads(k) {
			continue
		}
		if c, _ := claimOf(k); c == std {
			least = lesser(least, k)
		}
		if std == attrRoles && isRoleAttribute(k) {
			role = lesser(role, k)
		}
	}
	if least == "" {
		return role
	}
	return least
}

// shadowClaim returns the least attribute name in attrs that people may
// take for one that the settings s read, although s does not read it: the
// name of roles, email, full_name or a policy's groups in another case or
// spelling ("Roles", "full-name", "memberOf"), or a namespaced role or
// group claim such as Entra ID's, whose app roles Flex ignores; and the
// name s reads in its place. Namespaced email and name claims are Entra
// ID's defaults and not worth a warning. It returns "", "" when there is
// none.
func shadowClaim(attrs map[string][]string, s *ssoSettings) (claim, meant string) {
	roles, email, fullName := s.name(slotRoles), s.name(slotEmail), s.name(slotFullName)
	for k := range attrs {
		if k == roles || k == email || k == fullName {
			continue // most of a login's attributes, cheaply
		}
		c, ns := claimOf(k)
		if c == "" || ns && c != attrRoles && c != attrGroups || s.reads(k) {
			continue
		}
		if m := s.meant(c); m != "" && lesser(claim, k) == k {
			claim, meant = k, m
		}
	}
	return claim, meant
}

// The LDAP attribute OIDs that SAML identity providers name attributes by
// (urn:oid:…), for the attributes Flex maps.
const (
	oidMail        = "0.9.2342.19200300.100.1.3"
	oidDisplayName = "2.16.840.1.113730.3.1.241"
	oidCommonName  = "2.5.4.3"
)

// claimOf returns the attribute that claim name k looks meant for, one of
// roles, email, full_name and groups, or "", and whether k is namespaced
// (holds '/' or ':'). A plain name stands for one when equal to it
// ignoring case and the separators '_', '-', ' ' and '.' (email also as
// "emailaddress", "emails" or "mail", full_name as "displayname" or
// "commonname", groups as "group" or "memberof"); a namespaced one by its
// last segment, where "role", "name" and "cn" count too, or by its LDAP OID
// (urn:oid:…); a plain dotted name by its last part ("User.email"). A
// plain "role" is the Insights reporting attribute and stands for nothing.
func claimOf(k string) (claim string, ns bool) {
	if oid, ok := strings.CutPrefix(k, "urn:oid:"); ok {
		switch oid {
		case oidMail:
			return attrEmail, true
		case oidDisplayName, oidCommonName:
			return attrFullName, true
		}
		return "", true
	}
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
			return dottedClaim(k, ns), ns
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
	case "email", "emails", "emailaddress", "mail":
		return attrEmail, ns
	case "fullname", "displayname", "commonname":
		return attrFullName, ns
	case "name", "cn":
		if ns {
			return attrFullName, ns
		}
	case "groups", "group", "memberof":
		return attrGroups, ns
	}
	return dottedClaim(k, ns), ns
}

// dottedClaim returns what a plain dotted name, such as OneLogin's
// "User.email", stands for by its last part; "" for a namespaced name or
// one without a dot.
func dottedClaim(k string, ns bool) string {
	dot := strings.LastIndexByte(k, '.')
	if ns || dot < 0 {
		return ""
	}
	c, _ := claimOf(k[dot+1:])
	return c
}
