// Package outcome holds the JSON forms of a login's outcome that the
// command prints (resolve --json, saml --json) and the playground's API
// answers with, so that all of them write the same document: a granted
// login {"granted":true,"roles":[...],"insights":{...},"reasons":[...]}, a
// refused one {"granted":false,"error":{"kind","code","attribute","value",
// "suggestion","message","refused_by","deny_rule"}}. Roles and reasons are
// never null. Insights and reasons are the library's own types, which
// carry their JSON names.
package outcome

import (
	"errors"

	"github.com/flexroles/flexroles"
)

// Detail returns the *flexroles.Error behind err, or one with no Detail.
func Detail(err error) *flexroles.Error {
	var e *flexroles.Error
	if errors.As(err, &e) {
		return e
	}
	return &flexroles.Error{}
}

// RoleStrings returns d's roles as strings, never nil.
func RoleStrings(d flexroles.Decision) []string {
	if s := d.RoleStrings(); s != nil {
		return s
	}
	return []string{}
}

// Decision is the JSON form of a granted login.
type Decision struct {
	Granted  bool               `json:"granted"` // always true
	Roles    []string           `json:"roles"`   // never null
	Insights flexroles.Insights `json:"insights"`
	Reasons  []flexroles.Reason `json:"reasons"` // never null
}

// Refusal is the JSON form of a refused login.
type Refusal struct {
	Granted bool  `json:"granted"` // always false
	Error   Error `json:"error"`
}

// Error is the JSON form of a *flexroles.Error.
type Error struct {
	Kind       string `json:"kind"` // snake case, such as "missing_attribute"
	Code       int    `json:"code"` // Flex error code, 0 when none
	Attribute  string `json:"attribute"`
	Value      string `json:"value"`
	Suggestion string `json:"suggestion"`
	Message    string `json:"message"`
	// RefusedBy says who refused the login, as flexroles.Refuser names
	// it: "twilio", "sso.allow", "console.allow" or "deny rule".
	RefusedBy string `json:"refused_by"`
	// Rule names what refused the login in the policy: the deny rule's
	// name, "sso.allow" or "console.allow"; absent when Twilio's rules
	// refused it.
	Rule     string `json:"rule,omitempty"`
	DenyRule string `json:"deny_rule,omitempty"` // the deny rule's name, when one refused
}

// DecisionOf returns the JSON form of a granted login.
func DecisionOf(d flexroles.Decision) Decision {
	out := Decision{Granted: true, Roles: RoleStrings(d), Insights: d.Insights, Reasons: d.Reasons}
	if out.Reasons == nil {
		out.Reasons = []flexroles.Reason{}
	}
	return out
}

// RefusalOf returns the JSON form of a refused login.
func RefusalOf(err error) Refusal {
	e := Detail(err)
	out := Refusal{Error: Error{
		Kind:       flexroles.ErrorKindName(err),
		Code:       e.Code,
		Attribute:  e.Attribute,
		Value:      e.Value,
		Suggestion: e.Suggestion,
		Message:    err.Error(),
		RefusedBy:  e.RefusedBy.String(),
		Rule:       e.Rule,
		DenyRule:   e.DenyRule(),
	}}
	return out
}

// PolicyCounts returns the number of grant rules, deny rules and test
// cases of p. Explain traces every rule for any SSO login, matched or not,
// so an empty SSO login counts the rules; the test cases are run to be
// counted, which costs a Resolve each.
func PolicyCounts(p *flexroles.Policy) (rules, deny, tests int) {
	for _, tr := range p.Explain(flexroles.Login{Source: flexroles.SSO}) {
		if tr.Deny {
			deny++
		} else {
			rules++
		}
	}
	return rules, deny, len(p.Test())
}
