package flexroles

import (
	"errors"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// policyTest is one test case written in a policy file's tests list.
type policyTest struct {
	name     string
	line     int
	login    Login
	roles    []Role // want these roles exactly, when hasRoles
	hasRoles bool
	insights []insightWant
	kind     string // want an error of this kind name, when not ""
}

// insightWant is one Insights field a test case expects.
type insightWant struct{ field, value string }

// PolicyTestResult is the outcome of one test case of a policy file.
type PolicyTestResult struct {
	Name    string // the case's name
	Line    int    // where the case starts in the policy file
	Failure string // what differs, one line each; "" when the case passed
}

// Test runs the test cases written in the policy file's tests list against
// the policy, in file order, through the same Resolve that serves logins.
func (p *Policy) Test() []PolicyTestResult {
	if p == nil {
		return nil
	}
	out := make([]PolicyTestResult, len(p.tests))
	for i, tc := range p.tests {
		out[i] = PolicyTestResult{Name: tc.name, Line: tc.line, Failure: tc.run(p)}
	}
	return out
}

func (tc *policyTest) run(p *Policy) string {
	d, err := p.Resolve(tc.login)
	if tc.kind != "" {
		if err == nil {
			return "want error " + tc.kind + ", got roles " + rolesText(d.Roles)
		}
		if got := ErrorKindName(err); got != tc.kind {
			return "want error " + tc.kind + ", got " + got + ": " + err.Error()
		}
		return ""
	}
	if err != nil {
		return "want a login, got error " + ErrorKindName(err) + ": " + err.Error()
	}
	var diffs []string
	if tc.hasRoles && rolesText(d.Roles) != rolesText(tc.roles) {
		diffs = append(diffs, "roles: want "+rolesText(tc.roles)+", got "+rolesText(d.Roles))
	}
	for _, w := range tc.insights {
		if got, _ := insightField(d.Insights, w.field); got != w.value {
			diffs = append(diffs, "insights."+w.field+": want "+w.value+", got "+got)
		}
	}
	return strings.Join(diffs, "\n")
}

func rolesText(roles []Role) string {
	parts := make([]string, len(roles))
	for i, r := range roles {
		parts[i] = string(r)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// insightField returns the value of an Insights field as a test case
// writes it, and whether field names one.
func insightField(in Insights, field string) (string, bool) {
	c := Capability(field)
	if !c.Known() {
		return "", false
	}
	return c.LevelName(in.Level(c)), true
}

// insightValue reports whether v is a value the Insights field can take.
func insightValue(field, v string) bool {
	_, ok := Capability(field).ParseLevel(v)
	return ok
}

// errorKindNames names the error kinds as policy files and JSON output do.
func errorKindName(i int) (string, error) {
	switch i {
	case 0:
		return "missing_attribute", ErrMissingAttribute
	case 1:
		return "invalid_attribute", ErrInvalidAttribute
	case 2:
		return "unknown_role", ErrUnknownRole
	case 3:
		return "console_only_role", ErrConsoleOnlyRole
	case 4:
		return "sso_only_role", ErrSSOOnlyRole
	case 5:
		return "no_flex_access", ErrNoFlexAccess
	case 6:
		return "invalid_login", ErrInvalidLogin
	case 7:
		return "denied", ErrDenied
	case 8:
		return "invalid_worker", ErrInvalidWorker
	}
	return "", nil
}

const errorKindCount = 9

// ErrorKindName returns the snake-case name of err's kind, as policy test
// cases and JSON output write it ("missing_attribute", "denied", …), or ""
// for nil and "error" for an error of no known kind.
func ErrorKindName(err error) string {
	if err == nil {
		return ""
	}
	for i := range errorKindCount {
		if name, kind := errorKindName(i); errors.Is(err, kind) {
			return name
		}
	}
	return "error"
}

func knownKindName(s string) bool {
	for i := range errorKindCount {
		if name, _ := errorKindName(i); name == s {
			return true
		}
	}
	return false
}

// tests reads the tests list of a policy file.
func (ld *loader) tests(n *yaml.Node, field string) []policyTest {
	if n.Kind != yaml.SequenceNode {
		ld.add(n, field, "want a list of test cases, got "+kindName(n))
		return nil
	}
	out := make([]policyTest, 0, len(n.Content))
	names := map[string]bool{}
	for i, c := range n.Content {
		f := index(field, i)
		tc := policyTest{line: c.Line}
		hasLogin, hasWant := false, false
		ld.mapping(c, f, func(key string, k, v *yaml.Node, kf string) {
			switch key {
			case "name":
				tc.name, _ = ld.str(v, kf)
			case "login":
				hasLogin = true
				ld.testLogin(&tc, v, kf)
			case "want":
				hasWant = true
				ld.testWant(&tc, v, kf)
			default:
				ld.unknownKey(k, kf, "name", "login", "want")
			}
		})
		if c.Kind != yaml.MappingNode {
			continue
		}
		switch {
		case tc.name == "":
			ld.add(c, f+".name", "every test case needs a name")
		case names[tc.name]:
			ld.add(c, f+".name", "duplicate test name "+strconv.Quote(tc.name))
		}
		names[tc.name] = true
		if !hasLogin {
			ld.add(c, f+".login", "every test case needs a login: {sso: {…}} or {console: [ROLE]}")
		}
		if !hasWant {
			ld.add(c, f+".want", "every test case needs a want: roles and insights, or error")
		}
		out = append(out, tc)
	}
	return out
}

func (ld *loader) testLogin(tc *policyTest, n *yaml.Node, field string) {
	ld.mapping(n, field, func(key string, k, v *yaml.Node, f string) {
		if tc.login.Source != "" {
			ld.add(k, f, "a test login is either sso or console, not both")
			return
		}
		switch key {
		case "sso":
			tc.login.Source = SSO
			tc.login.Attributes = map[string][]string{}
			ld.mapping(v, f, func(name string, _, av *yaml.Node, af string) {
				if av.Kind == yaml.SequenceNode {
					tc.login.Attributes[name] = ld.strings(av, af)
				} else if s, ok := ld.str(av, af); ok {
					tc.login.Attributes[name] = []string{s}
				}
			})
		case "console":
			tc.login.Source = Console
			for _, s := range ld.strings(v, f) {
				tc.login.ConsoleRoles = append(tc.login.ConsoleRoles, ConsoleRole(s))
			}
		default:
			ld.unknownKey(k, f, "sso", "console")
		}
	})
	if n.Kind == yaml.MappingNode && tc.login.Source == "" {
		ld.add(n, field, "a test login needs sso or console")
	}
}

func (ld *loader) testWant(tc *policyTest, n *yaml.Node, field string) {
	ld.mapping(n, field, func(key string, k, v *yaml.Node, f string) {
		switch key {
		case "roles":
			tc.hasRoles = true
			tc.roles = []Role{}
			if v.Kind != yaml.SequenceNode {
				ld.add(v, f, "want a list of roles, got "+kindName(v))
			}
			var want roleSet
			for i, c := range v.Content {
				if s, ok := ld.str(c, index(f, i)); ok {
					if _, err := ParseRole(s); err != nil {
						ld.add(c, index(f, i), strings.TrimPrefix(err.Error(), "flexroles: "))
					}
					want |= setOf(Role(s))
				}
			}
			tc.roles = want.list()
		case "insights":
			ld.mapping(v, f, func(name string, ik, iv *yaml.Node, inf string) {
				if _, known := insightField(Insights{}, name); !known {
					names := make([]string, 0, len(Capabilities()))
					for _, c := range Capabilities() {
						names = append(names, string(c))
					}
					ld.unknownKey(ik, inf, names...)
					return
				}
				if iv.Kind != yaml.ScalarNode || !insightValue(name, iv.Value) {
					ld.add(iv, inf, "not a value of "+name+": "+kindName(iv))
					return
				}
				tc.insights = append(tc.insights, insightWant{name, iv.Value})
			})
		case "error":
			if s, ok := ld.str(v, f); ok {
				if !knownKindName(s) {
					ld.add(v, f, "unknown error kind "+strconv.Quote(s)+"; want one of missing_attribute, invalid_attribute, "+
						"unknown_role, console_only_role, sso_only_role, no_flex_access, invalid_login, denied")
				}
				tc.kind = s
			}
		default:
			ld.unknownKey(k, f, "roles", "insights", "error")
		}
	})
	if tc.kind != "" && (tc.hasRoles || len(tc.insights) > 0) {
		ld.add(n, field, "a test case wants either an error or roles and insights, not both")
	}
	if n.Kind == yaml.MappingNode && tc.kind == "" && !tc.hasRoles && len(tc.insights) == 0 {
		ld.add(n, field, "want roles, insights or error")
	}
}
