package flexroles_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// Tests of LoadPolicy: every problem a policy file can have, with its
// position, and the limits on what it reads.

type wantIssue struct {
	field       string
	fieldPrefix bool
	line        int
	column      int
	message     []string
}

type loadCase struct {
	name   string
	reason string
	yaml   string
	want   []wantIssue
	// exact requires len(Issues) == len(want).
	exact bool
	// check, if set, runs instead of the want list.
	check func(t *testing.T, pe *flexroles.PolicyError)
}

// polMinimal is a valid policy for rows that add one problem to it.
const polMinimal = `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`

var loadCases = []loadCase{
	{
		name:   "a second YAML document",
		reason: "never a partly loaded policy: a deny in a second document must not vanish",
		yaml:   "version: 1\nsso:\n  rules:\n    - {name: a, when: {group: Staff}, grant: [agent]}\n---\nsso:\n  deny:\n    - {name: off, when: {group: Off}}\n",
		want:   []wantIssue{{line: 5, message: []string{"several YAML documents"}}},
		exact:  true,
	},
	{
		name:   "a condition on the roles attribute",
		reason: "fail closed: a raw match on roles is dodged by \"agent, admin\"; sso.allow restricts roles",
		yaml:   "version: 1\nsso:\n  deny:\n    - name: no-admin\n      when: {attribute: roles, equals: admin}\n",
		want:   []wantIssue{{field: "sso.deny[0].when", line: 5, message: []string{"sso.allow"}}},
		exact:  true,
	},
	{
		name:   "an empty prefix",
		reason: "an empty prefix would match every value, as if the condition were dropped",
		yaml:   "version: 1\nsso:\n  rules:\n    - name: r\n      when: {attribute: dept, prefix: \"\"}\n      grant: [agent]\n",
		want:   []wantIssue{{field: "sso.rules[0].when.prefix", line: 5}},
		exact:  true,
	},
	{
		name:   "an empty console allow list",
		reason: "as an empty sso.allow, it would refuse every Console login",
		yaml:   "version: 1\nconsole:\n  allow: []\n",
		want:   []wantIssue{{field: "console.allow", line: 3}},
		exact:  true,
	},
	{
		name:   "one attribute name for two attributes",
		reason: "sso.attributes: email mapped onto the roles attribute",
		yaml:   "version: 1\nsso:\n  attributes: {email: roles}\n",
		want:   []wantIssue{{field: "sso.attributes", line: 3, message: []string{"different attribute names"}}},
		exact:  true,
	},
	{
		name:   "comments only, with a position",
		reason: "empty file: a clear error with a position",
		yaml:   "# nothing yet\n",
		want:   []wantIssue{{line: 1, column: 1, message: []string{"empty"}}},
		exact:  true,
	},
	{
		name:   "two unnamed rules",
		reason: "every rule needs a name; no extra duplicate-name issue without a position",
		yaml:   "version: 1\nsso:\n  rules:\n    - {when: {group: A}, grant: [agent]}\n    - {when: {group: B}, grant: [agent]}\n",
		want:   []wantIssue{{field: "sso.rules[0].name", line: 4}, {field: "sso.rules[1].name", line: 5}},
		exact:  true,
	},
	{
		name:   "unknown key in a rule",
		reason: "unknown keys ... the key for an unknown key",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
      grants: [admin]
`,
		want: []wantIssue{{field: "sso.rules[0].grants", line: 7, column: 7}},
	},
	{
		name:   "unknown key in when (groups for group)",
		reason: "unknown keys ... the key for an unknown key",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when:
        groups: [CC-Agents]
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when.groups", line: 6, column: 9}},
	},
	{
		name:   "unknown top-level key",
		reason: "unknown keys",
		yaml:   polMinimal + "console_allow: [Owner]\n",
		want:   []wantIssue{{field: "console_allow", line: 7, column: 1}},
	},
	{
		name:   "wrong type: grant is a string",
		reason: "wrong types",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: agent
`,
		want: []wantIssue{{field: "sso.rules[0].grant", line: 6}},
	},
	{
		name:   "wrong type: switch is a list",
		reason: "wrong types",
		yaml: `version: 1
sso:
  case_insensitive_groups: [true]
`,
		want: []wantIssue{{field: "sso.case_insensitive_groups", line: 3}},
	},
	{
		name:   "wrong type: rules is a mapping",
		reason: "wrong types",
		yaml: `version: 1
sso:
  rules: {name: agents}
`,
		want: []wantIssue{{field: "sso.rules", line: 3}},
	},
	{
		name:   "unknown_roles not reject or drop",
		reason: "unknown_roles: reject # or drop",
		yaml: `version: 1
sso:
  unknown_roles: warn
`,
		want: []wantIssue{{field: "sso.unknown_roles", line: 3, column: 18}},
	},
	{
		name:   "unknown role in a grant, with did-you-mean",
		reason: "unknown roles with did-you-mean; the list item for a bad role",
		yaml: `version: 1
sso:
  rules:
    - name: admins
      when: {group: IT}
      grant:
        - wfo.full_access
        - Admin
`,
		want: []wantIssue{{field: "sso.rules[0].grant[1]", line: 8, column: 11, message: []string{"Admin", "admin"}}},
	},
	{
		name:   "unknown role in a flow grant",
		reason: "unknown roles with did-you-mean; the list item for a bad role",
		yaml: `version: 1
sso:
  rules:
    - name: a
      when: {group: A}
      grant: [agent]
    - name: viewers
      when: {group: V}
      grant: [supervisor, wfo.dashboards_viewer]
`,
		want: []wantIssue{{field: "sso.rules[1].grant[1]", line: 9, column: 27, message: []string{"wfo.dashboard_viewer"}}},
	},
	{
		name:   "policy roles are exact even with case_insensitive_roles",
		reason: "case_insensitive_roles: folds the roles attribute only; the policy itself is exact",
		yaml: `version: 1
sso:
  case_insensitive_roles: true
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [Agent]
`,
		want: []wantIssue{{field: "sso.rules[0].grant[0]", line: 7, message: []string{"agent"}}},
	},
	{
		name:   "console-only role in a grant",
		reason: "console-only roles anywhere under `sso`",
		yaml: `version: 1
sso:
  rules:
    - name: support
      when: {group: Support}
      grant: [flex.readonlyadmin]
`,
		want: []wantIssue{{field: "sso.rules[0].grant[0]", line: 6, column: 15}},
	},
	{
		name:   "console-only role in sso.allow",
		reason: "console-only roles anywhere under `sso`",
		yaml: `version: 1
sso:
  allow: [agent, flex.readteams]
`,
		want: []wantIssue{{field: "sso.allow[1]", line: 3, column: 18}},
	},
	{
		name:   "grant outside sso.allow",
		reason: "grants ... outside `sso.allow`",
		yaml: `version: 1
sso:
  allow: [agent, supervisor]
  rules:
    - name: leads
      when: {group: Leads}
      grant: [supervisor, wfo.team_leader]
`,
		want: []wantIssue{{field: "sso.rules[0].grant[1]", line: 7, column: 27}},
	},
	{
		name:   "default_insights_role not wfo",
		reason: "a `default_insights_role` that is not `wfo.*`",
		yaml: `version: 1
sso:
  default_insights_role: supervisor
`,
		want: []wantIssue{{field: "sso.default_insights_role", line: 3, column: 26}},
	},
	{
		name:   "default_insights_role unknown",
		reason: "unknown roles with did-you-mean",
		yaml: `version: 1
sso:
  default_insights_role: wfo.dashboards_viewer
`,
		want: []wantIssue{{field: "sso.default_insights_role", line: 3, message: []string{"wfo.dashboard_viewer"}}},
	},
	{
		name:   "default_insights_role outside sso.allow",
		reason: "grants or `default_insights_role` outside `sso.allow`",
		yaml: `version: 1
sso:
  allow: [agent, supervisor, wfo.team_leader]
  default_insights_role: wfo.dashboard_viewer
`,
		want: []wantIssue{{field: "sso.default_insights_role", line: 4, column: 26}},
	},
	{
		name:   "unknown Console role in console.allow",
		reason: "unknown Console role names",
		yaml: `version: 1
console:
  allow: [Owner, Superuser]
`,
		want: []wantIssue{{field: "console.allow[1]", line: 3, column: 18}},
	},
	{
		name:   "duplicate rule names",
		reason: "duplicate rule names",
		yaml: `version: 1
sso:
  rules:
    - name: leads
      when: {group: A}
      grant: [supervisor]
    - name: leads
      when: {group: B}
      grant: [supervisor]
`,
		want: []wantIssue{{field: "sso.rules[1].name", line: 7, message: []string{"leads"}}},
	},
	{
		name:   "deny rule named like sso.allow",
		reason: "issue 16: refusals say who refused in a typed field; a deny rule named sso.allow would read as the allow list, so it is refused at load",
		yaml: `version: 1
sso:
  deny:
    - name: sso.allow
      when: {group: Offboarded}
`,
		exact: true,
		want:  []wantIssue{{field: "sso.deny[0].name", line: 4, column: 13, message: []string{`"sso.allow"`, "setting", "rename the rule"}}},
	},
	{
		name:   "rule names like the library's own ids",
		reason: "issue 16: rule names that collide with built-in ids (settings, Reason rule ids, coverage ids) are refused at load, ignoring case",
		yaml: `version: 1
sso:
  rules:
    - name: policy.default_insights_role
      when: {group: A}
      grant: [agent]
    - name: " Insights.open"
      when: {group: B}
      grant: [agent]
  deny:
    - name: CONSOLE.allow
      when: {group: C}
    - name: twilio
      when: {group: D}
    - name: error.denied
      when: {group: E}
    - name: sso allow and more
      when: {group: F}
`,
		exact: true,
		want: []wantIssue{
			{field: "sso.rules[0].name", line: 4, message: []string{`"policy."`}},
			{field: "sso.rules[1].name", line: 7, message: []string{`"insights."`}},
			{field: "sso.deny[0].name", line: 11, message: []string{`"console.allow"`}},
			{field: "sso.deny[1].name", line: 13, message: []string{"Twilio's platform rules"}},
			{field: "sso.deny[2].name", line: 15, message: []string{`"error."`}},
		},
	},
	{
		name:   "duplicate deny names",
		reason: "duplicate rule names (ErrDenied's Value names the deny rule, so it must be unique)",
		yaml: `version: 1
sso:
  deny:
    - name: gone
      when: {group: A}
    - name: gone
      when: {group: B}
`,
		want: []wantIssue{{field: "sso.deny[1].name", line: 6, message: []string{"gone"}}},
	},
	{
		name:   "empty when",
		reason: "empty `when`",
		yaml: `version: 1
sso:
  rules:
    - name: everyone
      when: {}
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when", line: 5}},
	},
	{
		name:   "empty when in a deny (would deny everyone)",
		reason: "empty `when`",
		yaml: `version: 1
sso:
  deny:
    - name: everyone
      when: {}
`,
		want: []wantIssue{{field: "sso.deny[0].when", line: 5}},
	},
	{
		name:   "empty attributes list (would match everyone)",
		reason: "empty `when` (a when whose only condition is an empty attributes list matches everyone)",
		yaml: `version: 1
sso:
  rules:
    - name: everyone
      when: {attributes: []}
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when.attributes", line: 5}},
	},
	{
		name:   "empty grant",
		reason: "empty ... `grant`",
		yaml: `version: 1
sso:
  rules:
    - name: nothing
      when: {group: A}
      grant: []
`,
		want: []wantIssue{{field: "sso.rules[0].grant", line: 6}},
	},
	{
		name:   "when with equals and in",
		reason: "`when` with two of `equals`/`in`/`prefix`",
		yaml: `version: 1
sso:
  rules:
    - name: sales
      when:
        attribute: department
        equals: Sales
        in: [Sales, Support]
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when", fieldPrefix: true}},
	},
	{
		name:   "attributes item with equals and prefix",
		reason: "`when` with two of `equals`/`in`/`prefix`",
		yaml: `version: 1
sso:
  rules:
    - name: eu
      when:
        attributes:
          - {name: location, equals: EU, prefix: EU-}
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when.attributes[0]", fieldPrefix: true}},
	},
	{
		name:   "attribute with none of equals/in/prefix",
		reason: "one attribute condition, with exactly one of equals: V | in: [..] | prefix: P",
		yaml: `version: 1
sso:
  rules:
    - name: sales
      when:
        attribute: department
      grant: [agent]
`,
		want: []wantIssue{{field: "sso.rules[0].when", fieldPrefix: true}},
	},
	{
		name:   "missing version",
		reason: "`version: 1` required",
		yaml: `sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agent]
`,
		want: []wantIssue{{field: "version"}},
	},
	{
		name:   "version 2",
		reason: "`version: 1` required",
		yaml:   strings.Replace(polMinimal, "version: 1", "version: 2", 1),
		want:   []wantIssue{{field: "version", line: 1, column: 10}},
	},
	{
		name:   "console.grant refused: granular roles need SSO",
		reason: "a `console.grant` ... is refused with a message saying that `wfo.quality_manager` and other granular roles need SSO",
		yaml: `version: 1
console:
  allow: [Owner, Support]
  grant: [wfo.quality_manager]
`,
		want: []wantIssue{{field: "console.grant", line: 4, column: 3, message: []string{"wfo.quality_manager", "SSO"}}},
	},
	{
		name:   "console.roles refused too",
		reason: "a `console.grant` (or any such key) is refused with a message saying ... need SSO",
		yaml: `version: 1
console:
  roles: [wfo.quality_manager]
`,
		want: []wantIssue{{field: "console.roles", line: 3, column: 3, message: []string{"SSO"}}},
	},
	{
		name:   "malformed test case",
		reason: "malformed tests",
		yaml: polMinimal + `tests:
  - name: agent
    login: {sso: {email: a@x.co, full_name: A, groups: [CC-Agents]}}
    want: {error: forbidden}
`,
		want: []wantIssue{{field: "tests[0]", fieldPrefix: true, line: 10}},
	},
	{
		name:   "two problems are both reported",
		reason: "one `*PolicyError` listing every problem",
		yaml: `version: 1
sso:
  rules:
    - name: agents
      when: {group: CC-Agents}
      grant: [agnet]
    - name: leads
      when: {group: CC-Leads}
      grant: [supervisor]
      priority: 1
`,
		exact: true,
		want: []wantIssue{
			{field: "sso.rules[0].grant[0]", line: 6, column: 15, message: []string{"agent"}},
			{field: "sso.rules[1].priority", line: 10, column: 7},
		},
	},
	{
		name:   "problems in every section are all reported",
		reason: "one `*PolicyError` listing every problem",
		yaml: `version: 1
sso:
  allow: [agent, supervisor]
  default_insights_role: wfo.team_leader
  rules:
    - name: a
      when: {}
      grant: [Agent]
    - name: a
      when: {group: B}
      grant: []
console:
  allow: [Owner, Root]
`,
		exact: true,
		want: []wantIssue{
			{field: "sso.default_insights_role", line: 4},
			{field: "sso.rules[0].when", line: 7},
			{field: "sso.rules[0].grant[0]", line: 8},
			{field: "sso.rules[1].name", line: 9},
			{field: "sso.rules[1].grant", line: 11},
			{field: "console.allow[1]", line: 13},
		},
	},
	{
		name:   "duplicate keys",
		reason: "Bad input: duplicate keys: a clear error with a position",
		yaml: `version: 1
sso:
  unknown_roles: drop
  unknown_roles: reject
`,
		want: []wantIssue{{line: 4, field: "sso.unknown_roles"}},
	},
	{
		name:   "tabs",
		reason: "Bad input: tabs: a clear error with a position",
		yaml:   "version: 1\nsso:\n\trules: []\n",
		want:   []wantIssue{{line: 3, fieldPrefix: true}},
	},
	{
		name:   "anchor and alias",
		reason: "YAML anchors and aliases are refused",
		yaml: `version: 1
sso:
  rules:
    - name: a
      when: &leads {group: Leads}
      grant: [supervisor]
    - name: b
      when: *leads
      grant: [agent]
`,
		check: func(t *testing.T, pe *flexroles.PolicyError) {
			assert.True(t, slices.ContainsFunc(pe.Issues, func(i flexroles.PolicyIssue) bool {
				return i.Line == 5 || i.Line == 8
			}), "want an issue at the anchor (line 5) or the alias (line 8): %+v", pe.Issues)
		},
	},
	{
		name:   "merge key through an alias",
		reason: "YAML anchors and aliases are refused",
		yaml: `version: 1
sso:
  rules:
    - &base
      name: a
      when: {group: A}
      grant: [agent]
    - <<: *base
      name: b
`,
		check: func(t *testing.T, pe *flexroles.PolicyError) {
			assert.True(t, slices.ContainsFunc(pe.Issues, func(i flexroles.PolicyIssue) bool {
				return i.Line == 4 || i.Line == 8
			}), "want an issue at the anchor (line 4) or the alias (line 8): %+v", pe.Issues)
		},
	},
	{
		name:   "billion laughs",
		reason: "anchors and aliases ... enable expansion bombs",
		yaml: `version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
`,
	},
	{
		name:   "empty file",
		reason: "Bad input: empty file: a clear error, never a partly loaded policy",
		yaml:   "",
	},
	{
		name:   "comments only",
		reason: "Bad input: empty file; `version: 1` required",
		yaml:   "# nothing here\n\n",
	},
	{
		name:   "not YAML",
		reason: "Bad input: not YAML: a clear error with a position",
		yaml:   "version: 1\nsso: [agent\n",
		check: func(t *testing.T, pe *flexroles.PolicyError) {
			assert.True(t, slices.ContainsFunc(pe.Issues, func(i flexroles.PolicyIssue) bool { return i.Line >= 1 }),
				"want a position: %+v", pe.Issues)
		},
	},
	{
		name:   "binary",
		reason: "Bad input: not YAML",
		yaml:   "\x00\x01\x02\xff\xfe",
	},
	{
		name:   "a YAML list, not a policy",
		reason: "Bad input: wrong types",
		yaml:   "- version: 1\n",
	},
	{
		name:   "JSON with a wrong type",
		reason: "Bad input: wrong types (JSON is YAML)",
		yaml:   `{"version": "one"}`,
		want:   []wantIssue{{field: "version", line: 1}},
	},
}

func TestLoadPolicyErrors(t *testing.T) {
	names := map[string]bool{}
	for _, c := range loadCases {
		require.False(t, names[c.name], "duplicate row name %q", c.name)
		names[c.name] = true
		require.NotEmpty(t, c.reason)
		t.Run(c.name, func(t *testing.T) {
			pe := loadPolicyError(t, strings.NewReader(c.yaml))
			if pe == nil {
				return
			}
			if c.check != nil {
				c.check(t, pe)
			}
			for _, w := range c.want {
				assertIssue(t, pe, w)
			}
			if c.exact {
				assert.Len(t, pe.Issues, len(c.want), "issues: %+v", pe.Issues)
			}
		})
	}
}

// loadPolicyError loads r, which must fail with a *PolicyError, a nil Policy
// and no panic; it returns the PolicyError (nil after reporting a failure).
func loadPolicyError(t *testing.T, r io.Reader) *flexroles.PolicyError {
	t.Helper()
	var (
		p   *flexroles.Policy
		err error
	)
	require.NotPanics(t, func() { p, err = flexroles.LoadPolicy(r) })
	assert.Nil(t, p, "never a partly loaded policy")
	require.Error(t, err)
	var pe *flexroles.PolicyError
	if !assert.ErrorAs(t, err, &pe, "LoadPolicy errors are *PolicyError: %v", err) {
		return nil
	}
	assert.NotEmpty(t, pe.Issues, "a PolicyError lists its problems")
	assert.True(t, strings.HasPrefix(err.Error(), "flexroles:"), "error %q lacks the flexroles: prefix", err)
	for _, i := range pe.Issues {
		assert.NotEmpty(t, i.Message, "issue without a message: %+v", i)
		assert.GreaterOrEqual(t, i.Line, 0)
		assert.GreaterOrEqual(t, i.Column, 0)
		// Column may be 0 ("0 if unknown"): yaml.v3 syntax errors carry a line only.
	}
	return pe
}

func assertIssue(t *testing.T, pe *flexroles.PolicyError, w wantIssue) {
	t.Helper()
	i := slices.IndexFunc(pe.Issues, func(i flexroles.PolicyIssue) bool {
		if w.fieldPrefix {
			return strings.HasPrefix(i.Field, w.field) && (w.line == 0 || i.Line == w.line)
		}
		return i.Field == w.field
	})
	if !assert.GreaterOrEqual(t, i, 0, "no issue at field %q (line %d); issues: %+v", w.field, w.line, pe.Issues) {
		return
	}
	got := pe.Issues[i]
	if w.line != 0 {
		assert.Equal(t, w.line, got.Line, "line of %q: %+v", w.field, got)
	}
	if w.column != 0 {
		assert.Equal(t, w.column, got.Column, "column of %q: %+v", w.field, got)
	}
	for _, m := range w.message {
		assert.Contains(t, got.Message, m, "message of %q", w.field)
	}
}

func TestLoadPolicyValid(t *testing.T) {
	for name, src := range map[string]string{
		"minimal":          "version: 1\n",
		"one rule":         polMinimal,
		"groups":           polGroups,
		"attributes":       polAttributes,
		"deny":             polDeny,
		"allow":            polAllow,
		"console allow":    polConsoleAllow,
		"default insights": polDefaultInsights,
		"custom names":     polCustomNames,
	} {
		t.Run(name, func(t *testing.T) { polLoad(t, src) })
	}
}

// polFiller is a reader of n bytes: a valid policy followed by comment lines.
func polFiller(n int64) io.Reader {
	line := "# " + strings.Repeat("x", 1021) + "\n" // 1 KiB
	head := polMinimal
	rest := n - int64(len(head))
	full := rest / int64(len(line))
	tail := rest % int64(len(line))
	readers := []io.Reader{strings.NewReader(head)}
	for i := int64(0); i < full; i++ {
		readers = append(readers, strings.NewReader(line))
	}
	if tail > 0 {
		readers = append(readers, strings.NewReader("#"+strings.Repeat("y", int(tail)-1)))
	}
	return io.MultiReader(readers...)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestLoadPolicySize(t *testing.T) {
	const limit = 4 << 20

	t.Run("exactly 4 MiB loads", func(t *testing.T) {
		p, err := flexroles.LoadPolicy(polFiller(limit))
		require.NoError(t, err, "files over 4 MiB are refused (this one is not over)")
		assert.NotNil(t, p)
	})
	t.Run("4 MiB + 1 byte refused", func(t *testing.T) {
		pe := loadPolicyError(t, polFiller(limit+1))
		if pe != nil {
			assert.Contains(t, strings.ToLower(pe.Error()), "mib", "the error says the limit")
		}
	})
	t.Run("50 MB refused before parsing", func(t *testing.T) {
		r := &countingReader{r: polFiller(50 << 20)}
		_ = loadPolicyError(t, r)
		assert.LessOrEqual(t, r.n, int64(limit+1<<20), "files over 4 MiB are refused before parsing: read %d bytes", r.n)
	})
	t.Run("LoadPolicyFile over 4 MiB", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "big.yaml")
		f, err := os.Create(path)
		require.NoError(t, err)
		_, err = io.Copy(f, polFiller(limit+1024))
		require.NoError(t, err)
		require.NoError(t, f.Close())
		p, err := flexroles.LoadPolicyFile(path)
		assert.Nil(t, p)
		var pe *flexroles.PolicyError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, path, pe.File)
	})
}

func TestLoadPolicyFileError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("version: 1\nsso:\n  allow: [agent, Admin]\n"), 0o600))
	p, err := flexroles.LoadPolicyFile(path)
	assert.Nil(t, p)
	var pe *flexroles.PolicyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, path, pe.File)
	assertIssue(t, pe, wantIssue{field: "sso.allow[1]", line: 3, column: 18, message: []string{"admin"}})
	assert.True(t, strings.HasPrefix(err.Error(), "flexroles:"), "error %q lacks the flexroles: prefix", err)
	assert.Contains(t, err.Error(), path, "the error names the file")

	_, err = flexroles.LoadPolicyFile(filepath.Join(t.TempDir(), "missing.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestLoadPolicyDeepNesting(t *testing.T) {
	inputs := map[string]string{
		"flow sequences": "version: 1\nsso:\n  allow: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n",
		"flow mappings":  "version: 1\nsso: " + strings.Repeat("{a: ", 50_000) + "b" + strings.Repeat("}", 50_000) + "\n",
		"block mappings": func() string {
			var b strings.Builder
			b.WriteString("version: 1\n")
			for i := 0; i < 1500; i++ {
				b.WriteString(strings.Repeat(" ", i) + "k:\n")
			}
			return b.String()
		}(),
		"unclosed": "version: 1\nsso: " + strings.Repeat("[", 1_000_000),
	}
	for name, src := range inputs {
		t.Run(name, func(t *testing.T) {
			_ = loadPolicyError(t, strings.NewReader(src))
		})
	}
}

// TestPolicyDigest: the digest names the bytes read, whichever way they were
// read, and a one-byte change gives another digest.
func TestPolicyDigest(t *testing.T) {
	data, err := os.ReadFile("examples/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	want := "sha256:" + hex.EncodeToString(sum[:])
	fromFile, err := flexroles.LoadPolicyFile("examples/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fromReader, err := flexroles.LoadPolicy(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if fromFile.Digest() != want || fromReader.Digest() != want {
		t.Errorf("digests %q and %q, want %q", fromFile.Digest(), fromReader.Digest(), want)
	}
	changed, err := flexroles.LoadPolicy(bytes.NewReader(append(data, '\n')))
	if err != nil {
		t.Fatal(err)
	}
	if changed.Digest() == want {
		t.Errorf("a policy with one more byte kept the digest %q", want)
	}
	if (*flexroles.Policy)(nil).Digest() != "" {
		t.Error("a nil policy has a digest")
	}
}
