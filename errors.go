package flexroles

import (
	"errors"
	"strconv"
	"strings"
)

// The kinds of error Resolve returns. Each error is an *Error that unwraps to
// one of these, so callers test them with errors.Is.
var (
	// ErrMissingAttribute is Flex error 45050 "Missing User Attributes": a
	// SAML assertion without roles, email or full_name (absent, empty or
	// misnamed), or whose roles hold no Flex role.
	ErrMissingAttribute = errors.New("flexroles: missing user attributes (Flex error 45050)")
	// ErrInvalidAttribute is a mandatory attribute whose value Flex cannot
	// take: several email or full_name values, invalid UTF-8, NUL or control
	// characters; or an attribute past one of the limits MaxAttributeValues,
	// MaxValueSize and MaxRoleItems.
	ErrInvalidAttribute = errors.New("flexroles: invalid attribute")
	// ErrUnknownRole is a role or Console role outside the vocabulary.
	ErrUnknownRole = errors.New("flexroles: unknown role")
	// ErrConsoleOnlyRole is flex.readonlyadmin or flex.readteams asked for
	// over SSO; only the Console Support role gives them.
	ErrConsoleOnlyRole = errors.New("flexroles: role only the Console gives")
	// ErrSSOOnlyRole is a Console login asking for a role its Console role
	// does not give, such as wfo.quality_manager, which needs SSO.
	ErrSSOOnlyRole = errors.New("flexroles: role needs an SSO login")
	// ErrNoFlexAccess is a Console user whose roles open no Flex: Billing
	// Manager alone, or no role.
	ErrNoFlexAccess = errors.New("flexroles: no Flex access")
	// ErrInvalidLogin is a login of unknown source, one that mixes Console
	// and SSO input, or one of more than MaxAttributes attributes.
	ErrInvalidLogin = errors.New("flexroles: invalid login")
	// ErrInvalidWorker is worker attributes that are not one JSON object
	// with distinct keys, or larger than MaxWorkerAttributesSize.
	ErrInvalidWorker = errors.New("flexroles: invalid worker attributes")
)

// CodeMissingUserAttributes is the Flex error code of ErrMissingAttribute.
const CodeMissingUserAttributes = 45050

// Error is the detail type behind every error Resolve returns; Unwrap returns Kind.
//
// Value is only ever the offending value, or for a limit the count. For
// ErrDenied it is the first role sso.allow does not list, or the Console
// role console.allow does not list, and empty for a deny rule; RefusedBy
// says who refused and Rule names the deny rule or the setting.
type Error struct {
	Kind       error  // one of the Err… kinds above
	Attribute  string // the attribute involved, if any ("roles", "email", …)
	Value      string // the offending value, if any
	Suggestion string // did-you-mean, if any
	Code       int    // Flex error code when there is one (45050), else 0

	// Rule names what refused the login in the policy, for ErrDenied: the
	// deny rule's name, or the setting SettingSSOAllow or
	// SettingConsoleAllow; "" when Twilio's rules refused it.
	Rule string
	// RefusedBy says who refused the login: Twilio's platform rules, the
	// zero value, for every error Resolve returns; for ErrDenied, the
	// policy's sso.allow, its console.allow, or one of its deny rules.
	RefusedBy Refuser

	// What Resolve found, so that Error can say what to change; the message
	// is built only when asked for.
	problem problem
	console consoleRef // the Console role that decided, for ErrSSOOnlyRole and ErrDenied
	roles   roleSet    // the roles found (ErrMissingAttribute) or given (ErrSSOOnlyRole)
}

// Refuser says who refused a login, in Error.RefusedBy.
type Refuser uint8

// Who can refuse a login.
const (
	// RefusedByTwilio is Twilio's platform rules, which no policy
	// overrides: every error Resolve returns, and every error but
	// ErrDenied that Policy.Resolve returns.
	RefusedByTwilio Refuser = iota
	// RefusedBySSOAllow is a policy's sso.allow: a role came out that it
	// does not list.
	RefusedBySSOAllow
	// RefusedByConsoleAllow is a policy's console.allow: the Console role
	// that decides the login is not in it.
	RefusedByConsoleAllow
	// RefusedByDenyRule is one of a policy's deny rules, named in
	// Error.DenyRule.
	RefusedByDenyRule
)

// String returns "twilio", "sso.allow", "console.allow" or "deny rule".
func (r Refuser) String() string {
	switch r {
	case RefusedByTwilio:
		return "twilio"
	case RefusedBySSOAllow:
		return SettingSSOAllow
	case RefusedByConsoleAllow:
		return SettingConsoleAllow
	case RefusedByDenyRule:
		return "deny rule"
	}
	return "Refuser(" + strconv.Itoa(int(r)) + ")"
}

// MarshalText encodes r as its String, so that JSON output names who
// refused.
func (r Refuser) MarshalText() ([]byte, error) {
	if r > RefusedByDenyRule {
		return nil, &Error{Kind: ErrInvalidAttribute, Attribute: "refused_by", Value: strconv.Itoa(int(r))}
	}
	return []byte(r.String()), nil
}

// consoleRef names a Console role in one byte, keeping an *Error small: 1
// plus its index in consoleRoleAt, or 0 for none.
type consoleRef uint8

func consoleRefAt(i int) consoleRef {
	if i < 0 || i >= consoleRoleCount {
		return 0 // no caller passes such an index; a slip names no role, never a wrong one
	}
	return consoleRef(i + 1)
}

func (c consoleRef) role() ConsoleRole { return consoleRoleAt(int(c) - 1) }

// problem says which rule an *Error broke.
type problem uint8

const (
	problemUnset           problem = iota // built by a caller: say what the fields say
	problemAbsent                         // mandatory attribute absent; Value may hold a misnamed claim
	problemEmpty                          // mandatory attribute with no non-empty value
	problemNoFlexRole                     // roles without admin, supervisor or agent
	problemBadBytes                       // invalid UTF-8, NUL or control character
	problemSeveral                        // several email or full_name values
	problemUnknownRole                    // role outside the vocabulary
	problemUnknownConsole                 // Console role outside the vocabulary
	problemConsoleOnly                    // read-only pair over SSO
	problemSSOOnly                        // Console login asking for a role it does not get
	problemNoAccess                       // Console roles that open no Flex
	problemSource                         // unknown Login.Source
	problemMixed                          // SSO login with ConsoleRoles
	problemConsoleAttr                    // Console login with an attribute other than roles
	problemDeniedRule                     // a policy deny rule matched
	problemDeniedAllow                    // roles outside the policy's sso.allow
	problemDeniedConsole                  // Console role outside the policy's console.allow
	problemDecision                       // a Decision that the login's source never gives
	problemAttrName                       // an empty or invalid UTF-8 attribute name
	problemTypedRoles                     // a typed attribute that would overwrite roles
	problemSameKey                        // two attributes that store the same worker key
	problemTypedValue                     // a value that does not fit its attribute's type
	problemTypedSeveral                   // several values for a scalar typed attribute
	problemWorkerJSON                     // worker attributes that are not a JSON object
	problemWorkerDuplicate                // worker attributes with a key twice
	problemWorkerSize                     // worker attributes over MaxWorkerAttributesSize
	problemManyAttributes                 // a login over MaxAttributes; Value holds the count
	problemManyValues                     // an attribute over MaxAttributeValues; Value holds the count
	problemLongValue                      // a value over MaxValueSize
	problemManyRoles                      // roles items or Console roles over MaxRoleItems; Value holds the count
)

// Attribute names Flex maps from a SAML assertion, and the pseudo-attribute
// of Console roles in errors.
const (
	attrRoles       = "roles"
	attrEmail       = "email"
	attrFullName    = "full_name"
	attrConsoleRole = "console_role"
	attrGroups      = "groups" // a policy's default attribute of IdP groups
)

// Error returns a message that names the rule broken and what to change,
// prefixed "flexroles:".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("flexroles: ")
	a, v := strconv.Quote(e.Attribute), quoteShort(e.Value)
	switch e.problem {
	case problemAbsent:
		b.WriteString("Flex error 45050 Missing User Attributes: the assertion has no " + a + " attribute")
		if e.Attribute == attrRoles && isRoleAttribute(e.Value) {
			b.WriteString(" but has " + v + ", the singular, which Flex reads as the free-text Insights reporting attribute, never as roles: send the roles under " + a)
		} else if e.Value != "" {
			b.WriteString(" but has " + v + "; Flex maps attribute names exactly (case-sensitive, never namespaced claim URIs): rename that claim to " + a)
		} else {
			b.WriteString("; add an attribute statement named exactly " + a)
		}
		b.WriteString(fixFor(e.Attribute))
	case problemEmpty:
		b.WriteString("Flex error 45050 Missing User Attributes: the " + a + " attribute is empty")
		if e.Value != "" {
			b.WriteString(" and the assertion also has " + v + ", which Flex does not map: send the values under " + a)
		}
		b.WriteString(fixFor(e.Attribute))
	case problemNoFlexRole:
		if e.roles != 0 {
			b.WriteString("Flex error 45050 Missing User Attributes: " + a + " has " + e.roles.String() + " but no Flex role; add admin, supervisor or agent")
		} else {
			b.WriteString("Flex error 45050 Missing User Attributes: no role came from " + a + " or the policy's rules; send admin, supervisor or agent, or grant one by a rule")
		}
		switch {
		case e.Value != "" && e.Suggestion == attrRoles && isRoleAttribute(e.Value):
			b.WriteString("; the assertion has " + v + ", the singular, which Flex reads as the free-text Insights reporting attribute, never as roles: send the roles under " + strconv.Quote(e.Suggestion))
		case e.Value != "" && e.Suggestion != "":
			b.WriteString("; the assertion has " + v + ", which is not read: only the exact name " + strconv.Quote(e.Suggestion) + " is, so rename that claim to " + strconv.Quote(e.Suggestion))
		}
	case problemBadBytes:
		b.WriteString("invalid " + a + " value " + v + ": invalid UTF-8, NUL or a control character; send plain text")
	case problemSeveral:
		b.WriteString("the " + a + " attribute has several values (another is " + v + "); send exactly one")
	case problemUnknownRole:
		b.WriteString("unknown role " + v + " in " + a)
		b.WriteString(didYouMean(e.Suggestion))
		b.WriteString("; roles are exact and case-sensitive: admin, supervisor, agent and the wfo.* Insights roles")
		switch {
		case looksJSON(e.Value):
			b.WriteString("; the value looks like JSON, which Flex does not parse: send each role as its own value, or one comma-separated value such as agent,supervisor")
		case strings.ContainsAny(e.Value, " \t\r\n;|"):
			b.WriteString("; separate roles with commas or send one value per role")
		}
	case problemUnknownConsole:
		b.WriteString("unknown Console role " + v)
		b.WriteString(didYouMean(e.Suggestion))
		b.WriteString(consoleRoleHint(e.Value))
	case problemConsoleOnly:
		b.WriteString(v + " cannot come from SSO: the read-only administrator pair flex.readteams, flex.readonlyadmin is given only to Console users with the Support role; remove it from \"roles\" and send admin, supervisor or agent")
	case problemSSOOnly:
		writeSSOOnly(&b, e, v)
	case problemNoAccess:
		if e.Value == "" {
			b.WriteString("the Console login has no Console role")
		} else {
			b.WriteString("Console role " + v + " gives no Flex access")
		}
		b.WriteString("; Flex opens for Owner, Administrator, Developer (admin) and Support (read-only admin)")
	case problemSource:
		b.WriteString("unknown login source " + v + `; set Source to "console" or "sso"`)
	case problemMixed:
		b.WriteString("an SSO login carries Console roles; Console and SSO identities are separate workers: set ConsoleRoles only on Console logins")
	case problemConsoleAttr:
		b.WriteString("a Console login carries the attribute " + a + "; only \"roles\", a request for roles, may come with a Console login")
	case problemDeniedRule:
		b.WriteString("the policy's deny rule " + quoteShort(e.DenyRule()) + " refuses this login; remove the user from what the rule matches, or change the rule")
	case problemDeniedAllow:
		b.WriteString("the policy's sso.allow does not list " + e.roles.String() + "; remove it from the user's roles and rules, or add it to sso.allow")
	case problemDeniedConsole:
		b.WriteString("the policy's console.allow does not list the Console role " + strconv.Quote(string(e.console.role())) +
			" that decides this login; a lesser Console role is never used instead: add it to console.allow, or change the user's Console role")
	case problemManyAttributes:
		b.WriteString("the login carries " + e.Value + " attributes, more than MaxAttributes (" + strconv.Itoa(MaxAttributes) + "); pass only the assertion's attributes")
	case problemManyValues:
		b.WriteString("the " + a + " attribute has " + e.Value + " values, more than MaxAttributeValues (" + strconv.Itoa(MaxAttributeValues) + "); send fewer")
	case problemLongValue:
		b.WriteString("a value of the " + a + " attribute is longer than MaxValueSize (" + strconv.Itoa(MaxValueSize) + " bytes): " + v)
	case problemManyRoles:
		if e.Attribute == attrConsoleRole {
			b.WriteString("the Console login carries " + e.Value + " Console roles, more than MaxRoleItems (" + strconv.Itoa(MaxRoleItems) + "); a user has a handful")
		} else {
			b.WriteString("the " + a + " attribute names " + e.Value + " role items, more than MaxRoleItems (" + strconv.Itoa(MaxRoleItems) + "); there are twelve roles: send each once")
		}
	case problemDecision:
		if e.roles == 0 {
			b.WriteString("the decision has no roles")
		} else {
			b.WriteString("the decision's roles " + e.roles.String() + " are not roles this login's source gives")
		}
		b.WriteString(" (Console: admin, wfo.full_access or flex.readteams, flex.readonlyadmin; SSO: admin, supervisor or agent, never the read-only pair); pass the Decision that Resolve returned for this login, and write nothing when it refused the login")
	case problemAttrName:
		b.WriteString("attribute name " + a + " is empty or not valid UTF-8; Flex stores each attribute under its name")
	case problemTypedRoles:
		b.WriteString("the typed attribute " + a + " would overwrite the worker's roles, which come only from the decision; send roles as \"roles\"")
	case problemSameKey:
		b.WriteString("the attributes " + a + " and " + v + " both write the worker attribute " + strconv.Quote(typedKey(e.Attribute)) + "; send only one")
	case problemTypedValue:
		b.WriteString("value " + v + " of " + a + " does not fit its type; Flex refuses the whole update (400 invalid attribute format): " + typeHint(e.Attribute))
	case problemTypedSeveral:
		b.WriteString("the typed attribute " + a + " holds one value but has several; Flex refuses the whole update (400 invalid attribute format): send one value, or use an array type such as .stringarray")
	case problemWorkerJSON:
		b.WriteString("worker attributes " + v + " are not a JSON object; TaskRouter worker attributes are one JSON object such as {\"roles\":[\"agent\"]}")
	case problemWorkerDuplicate:
		b.WriteString("worker attributes have the key " + a + " more than once; keep one")
	case problemWorkerSize:
		b.WriteString("worker attributes of " + e.Value + " are over the limit of " + strconv.Itoa(MaxWorkerAttributesSize) + " bytes")
	default:
		return e.plainError()
	}
	return b.String()
}

// plainError describes an *Error built outside this package from its fields.
func (e *Error) plainError() string {
	msg := "flexroles: error"
	if e.Kind != nil {
		msg = e.Kind.Error()
	}
	if e.Attribute != "" {
		msg += ": attribute " + strconv.Quote(e.Attribute)
	}
	if e.Value != "" {
		msg += ": value " + quoteShort(e.Value)
	}
	return msg + didYouMean(e.Suggestion)
}

// Unwrap returns the kind of error, for errors.Is.
func (e *Error) Unwrap() error { return e.Kind }

// DenyRule returns the name of the policy's deny rule that refused the
// login, when RefusedBy is RefusedByDenyRule, and "" otherwise, or for a
// nil *Error.
func (e *Error) DenyRule() string {
	if e == nil || e.RefusedBy != RefusedByDenyRule {
		return ""
	}
	return e.Rule
}

func fixFor(attribute string) string {
	switch attribute {
	case attrRoles:
		return "; send at least one of admin, supervisor, agent (several values, or one comma-separated value)"
	case attrEmail:
		return "; send the user's email address as one value"
	case attrFullName:
		return "; send the user's full name as one value"
	}
	return ""
}

// typedKey returns the worker key a typed attribute name stores.
func typedKey(name string) string {
	key, _ := splitTyped(name)
	return key
}

// typeHint says what values a typed attribute takes.
func typeHint(name string) string {
	switch _, t := splitTyped(name); t {
	case typeInt, typeIntArray:
		return "send base-10 integers that fit in 64 bits"
	case typeBoolean, typeBooleanArray:
		return "send true or false"
	}
	return "send text"
}

// didYouMean returns ` (did you mean "s"?)`, or "" when there is no suggestion.
func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return " (did you mean " + strconv.Quote(s) + "?)"
}

// writeSSOOnly explains a requested role that a Console login does not get,
// and what that login gets instead.
func writeSSOOnly(b *strings.Builder, e *Error, v string) {
	gets := "; Console role " + strconv.Quote(string(e.console.role())) + " gets " + e.roles.String()
	r := Role(e.Value)
	switch {
	case consoleAdmins.has(r):
		b.WriteString(v + " is not given to this Console user" + gets + "; " + v + " needs Console role Owner, Administrator or Developer, or an SSO login")
	case readOnlyPair.has(r):
		b.WriteString(v + " is given only to Console users whose Flex access comes from the Support role alone" + gets)
	default:
		b.WriteString(v + " needs an SSO login: Console users only ever get admin, wfo.full_access or flex.readteams, flex.readonlyadmin" + gets + "; log this user in through your identity provider with " + v + " in \"roles\"")
	}
}

// maxQuoted bounds how much of a value a message repeats.
const maxQuoted = 64

// quoteShort quotes v for a message, cut to maxQuoted bytes.
func quoteShort(v string) string {
	if len(v) <= maxQuoted {
		return strconv.Quote(v)
	}
	cut := maxQuoted
	for cut > 0 && !isRuneStart(v[cut]) {
		cut--
	}
	return strconv.Quote(v[:cut]) + "… (" + strconv.Itoa(len(v)) + " bytes)"
}

func isRuneStart(c byte) bool { return c&0xC0 != 0x80 }

// consoleRoleHint lists the Console roles and what each gives in Flex, for
// a message about value, which is not one of them; a Flex role named as a
// Console role is told apart.
func consoleRoleHint(value string) string {
	hint := "; the Console roles are Owner, Administrator, Developer, Billing Manager and Support: Owner, Administrator and Developer give Flex admin, Support the read-only administrator pair, Billing Manager no Flex access"
	if r := Role(strings.ToLower(strings.TrimSpace(value))); setOf(r) != 0 {
		return "; " + strconv.Quote(string(r)) + " is a Flex role, not a Console role" + hint
	}
	return hint
}

// looksJSON reports whether a roles item looks like a piece of a JSON
// array or string, as ["agent","supervisor"] split on commas gives.
func looksJSON(item string) bool {
	return strings.ContainsAny(item, "[]\"")
}

// jsonRole returns the role a JSON-looking roles item holds once its
// brackets and quotes are taken off, or "".
func jsonRole(item string) string {
	r := Role(strings.Trim(strings.TrimSpace(item), "[]\" "))
	if setOf(r) == 0 {
		return ""
	}
	return string(r)
}

// isRoleAttribute reports whether name is the singular attribute "role" in
// any case: the Insights reporting attribute, which people send roles in.
func isRoleAttribute(name string) bool { return strings.EqualFold(name, "role") }
