package flexroles_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// TestPolicyTestFailures runs a policy's own test cases, each written to
// fail in one way or to pass, and checks what Test says of each.
func TestPolicyTestFailures(t *testing.T) {
	p := loadInline(t, `version: 1
sso:
  rules:
    - name: leads
      when: {group: Leads}
      grant: [supervisor, wfo.team_leader]
tests:
  - name: passes
    login: {sso: {email: a@x.co, full_name: A, groups: [Leads]}}
    want:
      roles: [supervisor, wfo.team_leader]
      insights: {enabled: true, play_calls: true, export_calls: false, assess_calls: full, questionnaires: false, dashboards: explorer}
  - name: wrong roles
    login: {sso: {email: a@x.co, full_name: A, groups: [Leads]}}
    want: {roles: [supervisor]}
  - name: wrong insights
    login: {sso: {email: a@x.co, full_name: A, groups: Leads}}
    want: {insights: {dashboards: viewer, assess_calls: view_only, play_calls: false}}
  - name: wants an error, gets roles
    login: {sso: {email: a@x.co, full_name: A, groups: [Leads]}}
    want: {error: denied}
  - name: wants another error
    login: {console: [Billing Manager]}
    want: {error: denied}
  - name: wants the error it gets
    login: {console: [Billing Manager]}
    want: {error: no_flex_access}
  - name: wants roles, gets an error
    login: {sso: {email: a@x.co, full_name: A}}
    want: {roles: [agent]}
  - name: wants no roles
    login: {console: [Owner]}
    want: {roles: []}
`)
	results := p.Test()
	want := []struct {
		name    string
		line    int
		failure string // "" for a pass; else each line it must hold
	}{
		{"passes", 8, ""},
		{"wrong roles", 13, "roles: want [supervisor], got [supervisor, wfo.team_leader]"},
		{"wrong insights", 16, "insights.dashboards: want viewer, got explorer\ninsights.assess_calls: want view_only, got full\ninsights.play_calls: want false, got true"},
		{"wants an error, gets roles", 19, "want error denied, got roles [supervisor, wfo.team_leader]"},
		{"wants another error", 22, "want error denied, got no_flex_access: flexroles: "},
		{"wants the error it gets", 25, ""},
		{"wants roles, gets an error", 28, "want a login, got error missing_attribute: flexroles: "},
		{"wants no roles", 31, "roles: want [], got [admin, wfo.full_access]"},
	}
	require.Len(t, results, len(want))
	for i, w := range want {
		r := results[i]
		assert.Equal(t, w.name, r.Name)
		assert.Equal(t, w.line, r.Line, w.name)
		if w.failure == "" {
			assert.Empty(t, r.Failure, w.name)
			continue
		}
		assert.True(t, strings.HasPrefix(r.Failure, w.failure), "%s: %q", w.name, r.Failure)
	}
	assert.Nil(t, (*flexroles.Policy)(nil).Test())
}

// TestErrorKindName names every error kind, nil, and an error of no kind.
func TestErrorKindName(t *testing.T) {
	kinds := map[error]string{
		flexroles.ErrMissingAttribute: "missing_attribute",
		flexroles.ErrInvalidAttribute: "invalid_attribute",
		flexroles.ErrUnknownRole:      "unknown_role",
		flexroles.ErrConsoleOnlyRole:  "console_only_role",
		flexroles.ErrSSOOnlyRole:      "sso_only_role",
		flexroles.ErrNoFlexAccess:     "no_flex_access",
		flexroles.ErrInvalidLogin:     "invalid_login",
		flexroles.ErrDenied:           "denied",
		flexroles.ErrInvalidWorker:    "invalid_worker",
	}
	for kind, name := range kinds {
		assert.Equal(t, name, flexroles.ErrorKindName(kind))
		assert.Equal(t, name, flexroles.ErrorKindName(fmt.Errorf("wrapped: %w", &flexroles.Error{Kind: kind})))
		p, err := flexroles.LoadPolicy(strings.NewReader("version: 1\ntests:\n  - {name: t, login: {console: [Owner]}, want: {error: " + name + "}}\n"))
		require.NoError(t, err, "the kind %s is known to policy tests", name)
		require.Len(t, p.Test(), 1)
	}
	assert.Equal(t, "", flexroles.ErrorKindName(nil))
	assert.Equal(t, "error", flexroles.ErrorKindName(errors.New("other")))
}

// TestLoadPolicyTestIssues checks each issue the loader reports in a
// policy's tests list, with its line, column and field.
func TestLoadPolicyTestIssues(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []wantPolicyIssue
	}{
		{"tests not a list", "tests: {}\n", []wantPolicyIssue{{1, 8, "tests", "want a list of test cases, got a mapping"}}},
		{"a case with nothing", "tests:\n  - {}\n", []wantPolicyIssue{
			{2, 5, "tests[0].name", "every test case needs a name"},
			{2, 5, "tests[0].login", "every test case needs a login"},
			{2, 5, "tests[0].want", "every test case needs a want"}}},
		{"a case that is a string", "tests:\n  - t\n", []wantPolicyIssue{{2, 5, "tests[0]", `want a mapping (key: value lines), got "t"`}}},
		{"two cases of one name", "tests:\n  - {name: t, login: {console: [Owner]}, want: {error: denied}}\n  - {name: t, login: {console: [Owner]}, want: {error: denied}}\n",
			[]wantPolicyIssue{{3, 5, "tests[1].name", `duplicate test name "t"`}}},
		{"an unknown case key", "tests:\n  - {name: t, logn: {console: [Owner]}, want: {error: denied}}\n", []wantPolicyIssue{
			{2, 5, "tests[0].login", "needs a login"},
			{2, 15, "tests[0].logn", `unknown key "logn" (did you mean "login"?)`}}},
		{"a login of both kinds", "tests:\n  - {name: t, login: {console: [Owner], sso: {}}, want: {error: denied}}\n",
			[]wantPolicyIssue{{2, 41, "tests[0].login.sso", "either sso or console, not both"}}},
		{"a login of neither kind", "tests:\n  - {name: t, login: {}, want: {error: denied}}\n",
			[]wantPolicyIssue{{2, 22, "tests[0].login", "a test login needs sso or console"}}},
		{"an unknown login key", "tests:\n  - {name: t, login: {web: {}}, want: {error: denied}}\n", []wantPolicyIssue{
			{2, 22, "tests[0].login", "a test login needs sso or console"},
			{2, 23, "tests[0].login.web", `unknown key "web"`}}},
		{"an SSO value that is a mapping", "tests:\n  - {name: t, login: {sso: {email: {}}}, want: {error: denied}}\n",
			[]wantPolicyIssue{{2, 36, "tests[0].login.sso.email", "want a string, got a mapping"}}},
		{"roles not a list", "tests:\n  - {name: t, login: {console: [Owner]}, want: {roles: admin}}\n",
			[]wantPolicyIssue{{2, 56, "tests[0].want.roles", `want a list of roles, got "admin"`}}},
		{"an unknown wanted role", "tests:\n  - {name: t, login: {console: [Owner]}, want: {roles: [Admin]}}\n",
			[]wantPolicyIssue{{2, 57, "tests[0].want.roles[0]", `unknown role "Admin"`}}},
		{"an unknown Insights field", "tests:\n  - {name: t, login: {console: [Owner]}, want: {insights: {enabeld: true}}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "want roles, insights or error"}, {2, 60, "tests[0].want.insights.enabeld", `unknown key "enabeld" (did you mean "enabled"?)`}}},
		{"a bad Insights value", "tests:\n  - {name: t, login: {console: [Owner]}, want: {insights: {dashboards: all}}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "want roles, insights or error"}, {2, 72, "tests[0].want.insights.dashboards", `not a value of dashboards: "all"`}}},
		{"a bad Insights flag", "tests:\n  - {name: t, login: {console: [Owner]}, want: {insights: {enabled: yes}}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "want roles, insights or error"}, {2, 69, "tests[0].want.insights.enabled", `not a value of enabled: "yes"`}}},
		{"a bad assess value", "tests:\n  - {name: t, login: {console: [Owner]}, want: {insights: {assess_calls: view}}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "want roles, insights or error"}, {2, 74, "tests[0].want.insights.assess_calls", `not a value of assess_calls: "view"`}}},
		{"an Insights value that is a list", "tests:\n  - {name: t, login: {console: [Owner]}, want: {insights: {enabled: []}}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "want roles, insights or error"}, {2, 69, "tests[0].want.insights.enabled", "not a value of enabled: a list"}}},
		{"an unknown error kind", "tests:\n  - {name: t, login: {console: [Owner]}, want: {error: refused}}\n",
			[]wantPolicyIssue{{2, 56, "tests[0].want.error", `unknown error kind "refused"`}}},
		{"an empty error kind", "tests:\n  - {name: t, login: {console: [Owner]}, want: {error: \"\"}}\n", []wantPolicyIssue{
			{2, 48, "tests[0].want", "want roles, insights or error"},
			{2, 56, "tests[0].want.error", `unknown error kind ""`}}},
		{"an error and roles", "tests:\n  - {name: t, login: {console: [Owner]}, want: {error: denied, roles: [admin]}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "either an error or roles and insights, not both"}}},
		{"an error and insights", "tests:\n  - {name: t, login: {console: [Owner]}, want: {error: denied, insights: {enabled: true}}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "either an error or roles and insights, not both"}}},
		{"an empty want", "tests:\n  - {name: t, login: {console: [Owner]}, want: {}}\n",
			[]wantPolicyIssue{{2, 48, "tests[0].want", "want roles, insights or error"}}},
		{"an unknown want key", "tests:\n  - {name: t, login: {console: [Owner]}, want: {role: [admin]}}\n", []wantPolicyIssue{
			{2, 48, "tests[0].want", "want roles, insights or error"},
			{2, 49, "tests[0].want.role", `unknown key "role" (did you mean "roles"?)`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := flexroles.LoadPolicy(strings.NewReader("version: 1\n" + tc.src))
			var pe *flexroles.PolicyError
			require.True(t, errors.As(err, &pe), "%v", err)
			require.Len(t, pe.Issues, len(tc.want), "%+v", pe.Issues)
			for i, w := range tc.want {
				is := pe.Issues[i]
				assert.Equal(t, w.line+1, is.Line, "line of %+v", is)
				assert.Equal(t, w.column, is.Column, "column of %+v", is)
				assert.Equal(t, w.field, is.Field, "field of %+v", is)
				assert.Contains(t, is.Message, w.msg)
			}
		})
	}
}
