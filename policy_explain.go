package flexroles

import (
	"slices"
	"strconv"
	"strings"
)

// RuleTrace says how one policy rule applied to a login.
type RuleTrace struct {
	Rule    string // the rule's name
	Line    int    // where the rule is written in the policy file
	Deny    bool   // a deny rule rather than a grant rule
	Matched bool   // every condition held
	Why     string // for a rule that did not match: the first condition that failed
	Grant   []Role // what a grant rule gives
}

// Explain returns, for an SSO login, each deny rule and then each grant rule
// in file order, matched or not and why not. It explains; Resolve decides,
// and Twilio's rules still apply there. A Console login, or a nil Policy,
// has no rules to trace, and neither has a login past the limits on what
// the policy reads (MaxAttributes, and MaxAttributeValues and MaxValueSize
// for its groups and condition attributes): Resolve refuses it and says why.
func (p *Policy) Explain(l Login) []RuleTrace {
	if p == nil || l.Source != SSO || len(l.Attributes) > MaxAttributes || checkValues(p.groups, l.Attributes[p.groups]) != nil {
		return nil
	}
	for _, name := range p.attrNames {
		if checkValues(name, l.Attributes[name]) != nil {
			return nil
		}
	}
	groups := l.Attributes[p.groups]
	in := p.userGroups(groups, nil)
	vals := p.attributeValues(l.Attributes, nil)
	out := make([]RuleTrace, 0, len(p.deny)+len(p.rules))
	for _, list := range [...][]policyRule{p.deny, p.rules} {
		for i := range list {
			r := &list[i]
			why := r.why(r.failing(in, vals, p.foldGroups), groups, l.Attributes, p.groups)
			out = append(out, RuleTrace{Rule: r.name, Line: r.at.line, Deny: r.deny, Matched: why == "", Why: why, Grant: r.grant.list()})
		}
	}
	return out
}

// why says in words which condition of r failed: n as failing returns it.
func (r *policyRule) why(n int, groups []string, attrs map[string][]string, groupsName string) string {
	has := " (" + groupsName + " has " + quoteList(groups) + ")"
	switch {
	case n < 0:
		return ""
	case n < len(r.anyGroups):
		if any := r.anyGroups[n]; len(any) > 1 {
			return "in none of the groups " + quoteList(any) + has
		}
		return "not in group " + strconv.Quote(r.anyGroups[n][0]) + has
	case n < len(r.anyGroups)+len(r.allGroups):
		return "not in group " + strconv.Quote(r.allGroups[n-len(r.anyGroups)]) + ", one of all_groups" + has
	}
	c := r.attrs[n-len(r.anyGroups)-len(r.allGroups)]
	verb := map[string]string{"equals": "equal to", "in": "among", "prefix": "starting with"}[c.op]
	if len(attrs[c.name]) == 0 {
		return "attribute " + strconv.Quote(c.name) + " is absent; the rule wants a value " + verb + " " + quoteList(c.values)
	}
	return "attribute " + strconv.Quote(c.name) + " " + quoteList(attrs[c.name]) + " has no value " + verb + " " + quoteList(c.values)
}

// maxListed bounds how many values a list in a message repeats: a user in
// thousands of groups must not make every rule's explanation that long.
const maxListed = 10

// quoteList quotes values for a message, each cut as quoteShort cuts it, at
// most maxListed of them and then how many more there are.
func quoteList(values []string) string {
	q := make([]string, 0, min(len(values), maxListed)+1)
	for i, v := range values {
		if i == maxListed {
			q = append(q, "… "+strconv.Itoa(len(values)-maxListed)+" more")
			break
		}
		q = append(q, quoteShort(v))
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// Lint returns what is legal in the policy but likely a mistake: a grant
// rule that a deny rule always overrides, because every login the grant
// rule matches is one the deny rule matches too.
func (p *Policy) Lint() []PolicyIssue {
	if p == nil {
		return nil
	}
	var out []PolicyIssue
	for _, g := range p.rules {
		for _, d := range p.deny {
			if d.impliedBy(&g) {
				out = append(out, PolicyIssue{Line: g.at.line, Column: g.at.column, Field: g.field,
					Message: "rule " + strconv.Quote(g.name) + " never grants anything: every login it matches is refused by deny rule " + strconv.Quote(d.name)})
				break
			}
		}
	}
	return out
}

// impliedBy reports whether every login g matches is one r matches too,
// judged from the conditions as written (exact names, no case folding).
func (r *policyRule) impliedBy(g *policyRule) bool {
	required := slices.Clone(g.allGroups)
	for _, any := range g.anyGroups {
		if len(any) == 1 {
			required = append(required, any[0])
		}
	}
	for _, any := range r.anyGroups {
		ok := false
		for _, want := range any {
			ok = ok || slices.Contains(required, want)
		}
		for _, gany := range g.anyGroups {
			ok = ok || subset(gany, any)
		}
		if !ok {
			return false
		}
	}
	for _, want := range r.allGroups {
		if !slices.Contains(required, want) {
			return false
		}
	}
	for _, c := range r.attrs {
		if !slices.ContainsFunc(g.attrs, func(gc attrCondition) bool {
			membership := gc.op != "prefix" && c.op != "prefix" // equals is in with one value
			return gc.name == c.name && (gc.op == c.op || membership) && subset(gc.values, c.values)
		}) {
			return false
		}
	}
	return true
}

// subset reports whether every value of a is in b.
func subset(a, b []string) bool {
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}

// Fired returns the policy's rules that decided an SSO login, as Resolve
// decides it: the deny rule that refused the login, or else every grant rule
// whose conditions it meets, in file order, each with Matched set; their
// roles go into the decision unless an allow list or Flex's need for a Flex
// role then refuses the login. Nothing fires
// for a login that Twilio's rules or the limits refuse first, for a Console
// login, or for a nil Policy. Unlike Explain it says nothing about the rules
// that did not match, which keeps it about as cheap as Resolve: tools that
// attribute every user's roles to rules, such as a policy diff, call it per
// user.
func (p *Policy) Fired(l Login) []RuleTrace {
	if p == nil || l.Source != SSO || len(l.ConsoleRoles) > 0 || len(l.Attributes) > MaxAttributes {
		return nil
	}
	var buf [4]uint64
	var valBuf [8][]string
	_, in, vals, err := p.ssoInput(l.Attributes, buf[:0], valBuf[:0])
	if err != nil {
		return nil
	}
	for i := range p.deny {
		if r := &p.deny[i]; r.failing(in, vals, p.foldGroups) < 0 {
			return []RuleTrace{{Rule: r.name, Line: r.at.line, Deny: true, Matched: true}}
		}
	}
	var out []RuleTrace
	for i := range p.rules {
		if r := &p.rules[i]; r.failing(in, vals, p.foldGroups) < 0 {
			out = append(out, RuleTrace{Rule: r.name, Line: r.at.line, Matched: true, Grant: r.grant.list()})
		}
	}
	return out
}
