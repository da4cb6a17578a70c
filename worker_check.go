package flexroles

import (
	"encoding/json"
	"strings"
)

// The findings CheckWorker reports, in the order it reports them. Rule ids are
// stable; messages may change.
var (
	reasonWorkerNoRoles = Reason{Rule: "worker.roles.missing",
		Message: "the worker has no roles: Flex opens nothing for it, and its next SSO login fails with error 45050 unless the IdP sends roles"}
	reasonWorkerSingular = Reason{Rule: "worker.roles.singular", Warning: true,
		Message: "the worker has role but no roles: role is Insights' free-text reporting attribute and grants nothing; Flex reads roles"}
	reasonWorkerNotArray = Reason{Rule: "worker.roles.not_array",
		Message: "roles is not a JSON array of strings: Flex reads roles as an array such as [\"agent\"]; the next login rewrites it"}
	reasonWorkerDuplicate = Reason{Rule: "worker.roles.duplicate", Warning: true,
		Message: "roles names a role more than once; the next login writes it once"}
	reasonWorkerNoFlexRole = Reason{Rule: "worker.roles.no_flex_role",
		Message: "roles has no Flex role (admin, supervisor or agent): Flex opens nothing for it, and its next SSO login fails with error 45050 unless the IdP sends one"}
	reasonWorkerReadOnlyMixed = Reason{Rule: "worker.readonly.mixed",
		Message: "the read-only administrator pair flex.readteams, flex.readonlyadmin comes only from the Console Support role and stands alone: the next Console login writes exactly the pair, and an SSO login never gives it"}
	reasonWorkerInsightsAgent = Reason{Rule: "worker.insights.agent_wfo", Warning: true,
		Message: "wfo.* roles on a worker without admin or supervisor open nothing: Insights needs admin or supervisor"}
	reasonWorkerInsightsNone = Reason{Rule: "worker.insights.no_wfo", Warning: true,
		Message: "admin or supervisor without a wfo.* role: Insights stays closed; give a wfo.* role such as wfo.dashboard_viewer"}
)

// Rule ids of the findings whose message is built for the worker.
const (
	ruleWorkerUnknown      = "worker.roles.unknown"
	ruleWorkerConsoleWFO   = "worker.console.sso_only_role"
	ruleWorkerContactURI   = "worker.contact_uri.unescaped"
	ruleWorkerContactMatch = "worker.contact_uri.mismatch"
)

// CheckWorker reports what is wrong with an existing worker's attributes, or will change at
// its next login, as Reasons with stable Rule ids.
//
// The findings, in this order (W marks warnings):
//   - worker.roles.missing: no roles; worker.roles.singular (W) when it has
//     role, Insights' reporting attribute, instead;
//   - worker.roles.not_array: roles is not an array of strings;
//   - worker.roles.unknown: a value outside the vocabulary, one finding each,
//     with a did-you-mean;
//   - worker.roles.duplicate (W): a role written twice;
//   - worker.roles.no_flex_role: neither admin, supervisor, agent nor the
//     read-only pair;
//   - worker.readonly.mixed: one of flex.readteams, flex.readonlyadmin
//     without the other, or with admin, supervisor or agent;
//   - worker.console.sso_only_role: the read-only pair, which only Console
//     Support users get, with wfo.* roles; the next login overwrites them;
//   - worker.insights.agent_wfo (W): wfo.* roles without admin or supervisor;
//   - worker.insights.no_wfo (W): admin or supervisor without a wfo.* role;
//   - worker.contact_uri.unescaped: a client: contact_uri with characters
//     EscapeIdentity never writes;
//   - worker.contact_uri.mismatch (W): a client: contact_uri that is not
//     ContactURI of the worker's email (SIP and phone contact URIs are not
//     checked).
//
// A clean worker gives no reasons. attributes that are not one JSON object
// with distinct keys are ErrInvalidWorker.
func CheckWorker(attributes []byte) ([]Reason, error) {
	w, err := scanWorker(attributes)
	if err != nil {
		return nil, err
	}
	return w.findings(), nil
}

// workerFacts is what CheckWorker reads from worker attributes.
type workerFacts struct {
	hasRoles, hasRole bool
	rolesArray        bool     // roles is an array of strings
	roles             roleSet  // the known roles
	duplicate         bool     // a known role twice
	unknown           []string // values outside the vocabulary
	contactURI        []byte   // the contact_uri value, if any
	email             []byte   // the email value, if any
}

func scanWorker(attributes []byte) (workerFacts, error) {
	var w workerFacts
	members, err := workerObject(attributes)
	if err != nil {
		return w, err
	}
	var roles []byte
	roles, w.hasRoles = members[attrRoles]
	if w.hasRoles {
		w.readRoles(roles)
	}
	_, w.hasRole = members[attrRole]
	w.contactURI, w.email = members[attrContactURI], members[attrEmail]
	return w, nil
}

// readRoles reads the roles value.
func (w *workerFacts) readRoles(v []byte) {
	var roles []json.RawMessage
	w.rolesArray = v[0] == '[' && json.Unmarshal(v, &roles) == nil
	for _, e := range roles {
		text, isString := jsonString(e)
		if !isString {
			w.rolesArray = false
			return
		}
		bit := setOf(Role(text))
		switch {
		case bit == 0:
			w.unknown = append(w.unknown, text)
		case w.roles&bit != 0:
			w.duplicate = true
		}
		w.roles |= bit
	}
}

// jsonString decodes the JSON value v when it is a string.
func jsonString(v []byte) (string, bool) {
	var s string
	if len(v) == 0 || v[0] != '"' || json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

// findings lists the reasons for w in CheckWorker's order.
func (w *workerFacts) findings() []Reason {
	var out []Reason
	switch {
	case !w.hasRoles:
		out = append(out, reasonWorkerNoRoles)
		if w.hasRole {
			out = append(out, reasonWorkerSingular)
		}
		return append(out, w.contactFindings()...)
	case !w.rolesArray:
		out = append(out, reasonWorkerNotArray)
		return append(out, w.contactFindings()...)
	}
	for _, u := range w.unknown {
		out = append(out, Reason{Rule: ruleWorkerUnknown, Message: "unknown role " + quoteShort(u) + didYouMean(suggestRole(u)) +
			"; Flex ignores it, and an SSO login that sends it is refused; roles are exact and case-sensitive"})
	}
	if w.duplicate {
		out = append(out, reasonWorkerDuplicate)
	}
	s := w.roles
	if s&(flexUIRoles|readOnlyPair) == 0 {
		out = append(out, reasonWorkerNoFlexRole)
	}
	if s&readOnlyPair != 0 {
		if s&readOnlyPair != readOnlyPair || s&flexUIRoles != 0 {
			out = append(out, reasonWorkerReadOnlyMixed)
		}
		if wfo := s & wfoRoles; wfo != 0 {
			out = append(out, Reason{Rule: ruleWorkerConsoleWFO, Message: "the read-only administrator pair marks a Console Support user, who gets exactly flex.readteams, flex.readonlyadmin: " +
				wfo.String() + " will be removed at the next login; granular Insights roles need an SSO login"})
		}
	} else {
		if s&wfoRoles != 0 && s&insightsGate == 0 {
			out = append(out, reasonWorkerInsightsAgent)
		}
		if s&insightsGate != 0 && s&wfoRoles == 0 {
			out = append(out, reasonWorkerInsightsNone)
		}
	}
	return append(out, w.contactFindings()...)
}

// contactFindings checks a client: contact_uri against Flex's escaping and
// the worker's email.
func (w *workerFacts) contactFindings() []Reason {
	uri, isString := jsonString(w.contactURI)
	if !isString {
		return nil
	}
	escaped, ok := strings.CutPrefix(uri, contactScheme)
	if !ok {
		return nil
	}
	if !escapedIdentity(escaped) {
		return []Reason{{Rule: ruleWorkerContactURI, Message: "contact_uri " + quoteShort(uri) +
			" is not escaped as Flex escapes identities (only letters, digits and _ with two hex digits), so calls cannot reach the worker; write " + quoteShort(ContactURI(escaped))}}
	}
	if email, isString := jsonString(w.email); isString {
		email = strings.TrimSpace(email)
		if len(email) > 0 && !isEscapeOf(escaped, email) {
			return []Reason{{Rule: ruleWorkerContactMatch, Warning: true, Message: "contact_uri " + quoteShort(uri) +
				" is not the escaped identity of email " + quoteShort(email) + " (" + quoteShort(ContactURI(email)) + "); check that calls reach this worker"}}
		}
	}
	return nil
}

// isEscapeOf reports whether escaped is EscapeIdentity(identity), without
// building it.
func isEscapeOf(escaped, identity string) bool {
	const hex = "0123456789ABCDEF"
	j := 0
	for i := 0; i < len(identity); i++ {
		c := identity[i]
		if identityByte(c) {
			if j >= len(escaped) || escaped[j] != c {
				return false
			}
			j++
			continue
		}
		if j+3 > len(escaped) || escaped[j] != '_' || escaped[j+1] != hex[c>>4] || escaped[j+2] != hex[c&0xf] {
			return false
		}
		j += 3
	}
	return j == len(escaped)
}

// escapedIdentity reports whether s is what EscapeIdentity writes: letters,
// digits, and "_" followed by two uppercase hex digits.
func escapedIdentity(s string) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if identityByte(c) {
			continue
		}
		if c != '_' || i+2 >= len(s) || !upperHex(s[i+1]) || !upperHex(s[i+2]) {
			return false
		}
		i += 2
	}
	return true
}

func upperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }
