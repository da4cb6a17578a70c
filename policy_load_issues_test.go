package flexroles_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// wantPolicyIssue is one issue LoadPolicy must report: where, for which
// field, and a phrase of its message.
type wantPolicyIssue struct {
	line, column int
	field, msg   string
}

// TestLoadPolicyIssues feeds LoadPolicy one mistake at a time and checks
// every issue it reports, in file order, with its position and field: each
// row is a condition of the loader on the side that reports.
func TestLoadPolicyIssues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantPolicyIssue
	}{
		{"only comments", "# nothing\n", []wantPolicyIssue{{1, 1, "", "the policy is empty"}}},
		{"only white space", " \n\t\n", []wantPolicyIssue{{1, 1, "", "the policy is empty"}}},
		{"a list, not a mapping", "- version\n", []wantPolicyIssue{{1, 1, "", "want a mapping (key: value lines), got a list"}}},
		{"a scalar document", "version\n", []wantPolicyIssue{{1, 1, "", `want a mapping (key: value lines), got "version"`}}},
		{"two documents", "version: 1\n---\nversion: 1\n", []wantPolicyIssue{{2, 1, "", "several YAML documents"}}},
		{"a tab indenting", "version: 1\nsso:\n  rules:\n\t- name: x\n", []wantPolicyIssue{{4, 1, "", "tabs cannot indent YAML"}}},
		{"a tab on the first line", "\tversion: 1\n", []wantPolicyIssue{{1, 1, "", "tabs cannot indent YAML"}}},
		{"a tab on the last line, with no newline", "version: 1\nsso:\n  rules:\n  \t- name: x", []wantPolicyIssue{{4, 3, "", "tabs cannot indent YAML"}}},
		{"an anchor", "version: 1\nsso: &s\n  unknown_roles: drop\n", []wantPolicyIssue{{2, 6, "", "anchors and aliases are not allowed"}}},
		{"version 2", "version: 2\n", []wantPolicyIssue{{1, 10, "version", "unsupported version 2"}}},
		{"version 0", "version: 0\n", []wantPolicyIssue{{1, 10, "version", "unsupported version 0"}}},
		{"version as a string", "version: \"1\"\n", []wantPolicyIssue{{1, 10, "version", `want a whole number, got "1"`}}},
		{"version as a list", "version: [1]\n", []wantPolicyIssue{{1, 10, "version", "want a whole number, got a list"}}},
		{"version empty", "version:\n", []wantPolicyIssue{{1, 9, "version", "want a whole number, got nothing"}}},
		{"no version", "sso: {}\n", []wantPolicyIssue{{1, 1, "version", `missing "version: 1"`}}},
		{"a duplicate key", "version: 1\nversion: 1\n", []wantPolicyIssue{{2, 1, "version", `duplicate key "version"`}}},
		{"a misspelled key", "version: 1\nconsle: {}\n", []wantPolicyIssue{{2, 1, "consle", `unknown key "consle" (did you mean "console"?)`}}},
		{"a key that is a list", "version: 1\n? [a]\n: b\n", []wantPolicyIssue{{2, 3, "", "want a plain key"}}},
		{"sso as a list", "version: 1\nsso: []\n", []wantPolicyIssue{{2, 6, "sso", "want a mapping (key: value lines), got a list"}}},
		{"an empty sso.allow", "version: 1\nsso:\n  allow: []\n", []wantPolicyIssue{{3, 10, "sso.allow", "an empty allow list refuses every SSO login"}}},
		{"sso.allow not a list", "version: 1\nsso:\n  allow: agent\n", []wantPolicyIssue{{3, 10, "sso.allow", `want a list of roles, got "agent"`}}},
		{"an unknown allowed role", "version: 1\nsso:\n  allow: [agnet]\n", []wantPolicyIssue{{3, 11, "sso.allow[0]", `unknown role "agnet" (did you mean "agent"?)`}}},
		{"the read-only pair allowed", "version: 1\nsso:\n  allow: [agent, flex.readteams]\n", []wantPolicyIssue{{3, 18, "sso.allow[1]", `"flex.readteams" cannot come from SSO`}}},
		{"a role that is a number", "version: 1\nsso:\n  allow: [1]\n", []wantPolicyIssue{{3, 11, "sso.allow[0]", `want a string, got "1"`}}},
		{"unknown_roles neither", "version: 1\nsso:\n  unknown_roles: keep\n", []wantPolicyIssue{{3, 18, "sso.unknown_roles", `want reject or drop, got "keep"`}}},
		{"a flag that is a string", "version: 1\nsso:\n  case_insensitive_roles: \"yes\"\n", []wantPolicyIssue{{3, 27, "sso.case_insensitive_roles", `want true or false, got "yes"`}}},
		{"a default Insights role that is no wfo.* role", "version: 1\nsso:\n  default_insights_role: agent\n",
			[]wantPolicyIssue{{3, 26, "sso.default_insights_role", `must be a wfo.* Insights role, got "agent"`}}},
		{"a default Insights role outside sso.allow", "version: 1\nsso:\n  allow: [agent]\n  default_insights_role: wfo.team_leader\n",
			[]wantPolicyIssue{{4, 26, "sso.default_insights_role", "not in sso.allow"}}},
		{"a rule granting outside sso.allow", "version: 1\nsso:\n  allow: [agent]\n  rules:\n    - name: r\n      when: {group: g}\n      grant: [agent, supervisor]\n",
			[]wantPolicyIssue{{7, 22, "sso.rules[0].grant[1]", "grants supervisor, which sso.allow does not list"}}},
		{"an empty attribute name", "version: 1\nsso:\n  attributes:\n    groups: \" \"\n", []wantPolicyIssue{{4, 13, "sso.attributes.groups", "an attribute name cannot be empty"}}},
		{"an unknown attribute key", "version: 1\nsso:\n  attributes:\n    group: g\n", []wantPolicyIssue{{4, 5, "sso.attributes.group", `unknown key "group" (did you mean "groups"?)`}}},
		{"two names alike", "version: 1\nsso:\n  attributes:\n    groups: email\n", []wantPolicyIssue{{4, 5, "sso.attributes", `"email" stands for two`}}},
		{"rules not a list", "version: 1\nsso:\n  rules: {}\n", []wantPolicyIssue{{3, 10, "sso.rules", "want a list of rules, got a mapping"}}},
		{"a rule with nothing", "version: 1\nsso:\n  rules:\n    - {}\n", []wantPolicyIssue{
			{4, 7, "sso.rules[0].name", "every rule needs a name"},
			{4, 7, "sso.rules[0].when", "every rule needs a when"},
			{4, 7, "sso.rules[0].grant", "every rule needs a grant"}}},
		{"a deny rule with nothing", "version: 1\nsso:\n  deny:\n    - {}\n", []wantPolicyIssue{
			{4, 7, "sso.deny[0].name", "every rule needs a name"},
			{4, 7, "sso.deny[0].when", "every rule needs a when"}}},
		{"a deny rule that grants", "version: 1\nsso:\n  deny:\n    - {name: d, when: {group: g}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 35, "sso.deny[0].grant", `unknown key "grant"; known here: name, when`}}},
		{"a rule that is a string", "version: 1\nsso:\n  rules:\n    - r\n", []wantPolicyIssue{{4, 7, "sso.rules[0]", `want a mapping (key: value lines), got "r"`}}},
		{"a blank rule name", "version: 1\nsso:\n  rules:\n    - {name: \" \", when: {group: g}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 14, "sso.rules[0].name", "a rule name cannot be empty"}}},
		{"an empty grant", "version: 1\nsso:\n  rules:\n    - {name: r, when: {group: g}, grant: []}\n",
			[]wantPolicyIssue{{4, 42, "sso.rules[0].grant", "an empty grant does nothing"}}},
		{"a duplicate rule name across lists", "version: 1\nsso:\n  rules:\n    - {name: r, when: {group: g}, grant: [agent]}\n  deny:\n    - {name: r, when: {group: h}}\n",
			[]wantPolicyIssue{{6, 14, "sso.deny[0].name", `duplicate rule name "r"`}}},
		{"an empty when", "version: 1\nsso:\n  rules:\n    - {name: r, when: {}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 23, "sso.rules[0].when", "an empty when matches everyone"}}},
		{"an operator without an attribute", "version: 1\nsso:\n  rules:\n    - {name: r, when: {equals: x}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 23, "sso.rules[0].when", "equals, in and prefix need an attribute"}}},
		{"an attribute with two operators", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attribute: a, equals: x, prefix: y}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 24, "sso.rules[0].when", "exactly one of equals, in, prefix"}}},
		{"an attribute with no operator", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attribute: a}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 24, "sso.rules[0].when", "exactly one of equals, in, prefix"}}},
		{"an empty prefix", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attribute: a, prefix: \"\"}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 46, "sso.rules[0].when.prefix", "an empty prefix matches every value"}}},
		{"an empty any_group", "version: 1\nsso:\n  rules:\n    - {name: r, when: {any_group: []}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 35, "sso.rules[0].when.any_group", "an empty list matches nothing"}}},
		{"an empty in", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attribute: a, in: []}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 42, "sso.rules[0].when.in", "an empty list matches nothing"}}},
		{"groups that are a string", "version: 1\nsso:\n  rules:\n    - {name: r, when: {all_groups: g}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 36, "sso.rules[0].when.all_groups", `want a list, got "g"`}}},
		{"a condition on roles", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attribute: roles, equals: admin}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 24, "sso.rules[0].when", `cannot test the roles attribute "roles"`}}},
		{"an empty attributes list", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attributes: []}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 36, "sso.rules[0].when.attributes", "an empty list of attribute conditions"}}},
		{"attributes not a list", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attributes: x}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 36, "sso.rules[0].when.attributes", "want a list of {name, equals|in|prefix}"}}},
		{"an attribute condition with nothing", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attributes: [{}]}, grant: [agent]}\n", []wantPolicyIssue{
			{4, 37, "sso.rules[0].when.attributes[0].name", "needs the attribute's name"},
			{4, 37, "sso.rules[0].when.attributes[0]", "exactly one of equals, in, prefix"}}},
		{"an attribute condition that is a string", "version: 1\nsso:\n  rules:\n    - {name: r, when: {attributes: [x]}, grant: [agent]}\n",
			[]wantPolicyIssue{{4, 37, "sso.rules[0].when.attributes[0]", `want a mapping (key: value lines), got "x"`}}},
		{"console other than allow", "version: 1\nconsole:\n  grant: [admin]\n", []wantPolicyIssue{{3, 3, "console.grant", "console takes only allow"}}},
		{"an empty console.allow", "version: 1\nconsole:\n  allow: []\n", []wantPolicyIssue{{3, 10, "console.allow", "an empty allow list refuses every Console login"}}},
		{"an unknown Console role", "version: 1\nconsole:\n  allow: [Ownr]\n", []wantPolicyIssue{{3, 11, "console.allow[0]", `unknown Console role "Ownr" (did you mean "Owner"?)`}}},
		{"Billing Manager allowed", "version: 1\nconsole:\n  allow: [billing_manager]\n", []wantPolicyIssue{{3, 11, "console.allow[0]", "Billing Manager never opens Flex"}}},
		{"issues in file order", "sso:\n  unknown_roles: keep\nconsole:\n  allow: []\n", []wantPolicyIssue{
			{1, 1, "version", `missing "version: 1"`},
			{2, 18, "sso.unknown_roles", "want reject or drop"},
			{4, 10, "console.allow", "an empty allow list"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := flexroles.LoadPolicy(strings.NewReader(tc.src))
			require.Error(t, err, tc.src)
			assert.Nil(t, p)
			var pe *flexroles.PolicyError
			require.True(t, errors.As(err, &pe), "%T", err)
			require.Len(t, pe.Issues, len(tc.want), "%+v", pe.Issues)
			for i, w := range tc.want {
				is := pe.Issues[i]
				assert.Equal(t, w.line, is.Line, "line of %+v", is)
				assert.Equal(t, w.column, is.Column, "column of %+v", is)
				assert.Equal(t, w.field, is.Field, "field of %+v", is)
				assert.Contains(t, is.Message, w.msg)
			}
		})
	}
}

// TestLoadPolicyNoTabHint: a character that starts no YAML token is not
// always a tab; the tab hint and its column come only when the line named
// holds one.
func TestLoadPolicyNoTabHint(t *testing.T) {
	_, err := flexroles.LoadPolicy(strings.NewReader("@version: 1\n"))
	var pe *flexroles.PolicyError
	require.ErrorAs(t, err, &pe)
	require.Len(t, pe.Issues, 1)
	assert.Equal(t, 1, pe.Issues[0].Line)
	assert.Equal(t, 0, pe.Issues[0].Column)
	assert.Contains(t, pe.Issues[0].Message, "cannot start any token")
	assert.NotContains(t, pe.Issues[0].Message, "tab")
}

// TestLoadPolicyNestingDepth loads a policy whose one unknown key holds lists
// nested as deep as the loader looks, and one level deeper.
func TestLoadPolicyNestingDepth(t *testing.T) {
	nested := func(depth int) string {
		return "version: 1\nx: " + strings.Repeat("[", depth) + strings.Repeat("]", depth) + "\n"
	}
	_, err := flexroles.LoadPolicy(strings.NewReader(nested(64)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown key "x"`)
	assert.NotContains(t, err.Error(), "nests deeper")

	_, err = flexroles.LoadPolicy(strings.NewReader(nested(65)))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the policy nests deeper than 64 levels")
}
