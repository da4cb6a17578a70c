package flexroles_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/flexroles/flexroles"
)

// The YAML case files under testdata/resolve. Each file is
//
//	cases:
//	  - name: unique within the file
//	    reason: the SPEC section and rule/source the case proves
//	    login: {source: sso|console|…, console_roles: [...], attributes: {name: [values]}}
//	    # either success:
//	    roles: [expected roles in canonical order]
//	    insights: {enabled, play_calls, export_calls, assess_calls, questionnaires, dashboards}  # optional
//	    warnings: [rule ids]  # the exact set of warning reasons; absent means none
//	    # or failure:
//	    error: missing_attribute|invalid_attribute|unknown_role|console_only_role|sso_only_role|no_flex_access|invalid_login
//	    attribute: …   # optional Error.Attribute
//	    value: …       # optional Error.Value
//	    suggestion: …  # optional Error.Suggestion
//
// assess_calls is none|view_only|full; dashboards is none|viewer|explorer|editor.
// Decoding is strict: an unknown key anywhere fails the test.
type yamlFile struct {
	Cases []yamlCase `yaml:"cases"`
}

type yamlCase struct {
	Name       string        `yaml:"name"`
	Reason     string        `yaml:"reason"`
	Login      yamlLogin     `yaml:"login"`
	Roles      *[]string     `yaml:"roles"`
	Insights   *yamlInsights `yaml:"insights"`
	Warnings   []string      `yaml:"warnings"`
	Error      string        `yaml:"error"`
	Attribute  *string       `yaml:"attribute"`
	Value      *string       `yaml:"value"`
	Suggestion *string       `yaml:"suggestion"`
}

type yamlLogin struct {
	Source       string              `yaml:"source"`
	ConsoleRoles []string            `yaml:"console_roles"`
	Attributes   map[string][]string `yaml:"attributes"`
}

type yamlInsights struct {
	Enabled        bool   `yaml:"enabled"`
	PlayCalls      bool   `yaml:"play_calls"`
	ExportCalls    bool   `yaml:"export_calls"`
	AssessCalls    string `yaml:"assess_calls"`
	Questionnaires bool   `yaml:"questionnaires"`
	Dashboards     string `yaml:"dashboards"`
}

// yamlErrorKinds maps the snake-case kind names (as ErrorKindName writes them) to the §5 kinds.
var yamlErrorKinds = map[string]error{
	"missing_attribute": flexroles.ErrMissingAttribute,
	"invalid_attribute": flexroles.ErrInvalidAttribute,
	"unknown_role":      flexroles.ErrUnknownRole,
	"console_only_role": flexroles.ErrConsoleOnlyRole,
	"sso_only_role":     flexroles.ErrSSOOnlyRole,
	"no_flex_access":    flexroles.ErrNoFlexAccess,
	"invalid_login":     flexroles.ErrInvalidLogin,
}

var yamlAssess = map[string]flexroles.Assess{
	"": flexroles.AssessNone, "none": flexroles.AssessNone,
	"view_only": flexroles.AssessViewOnly, "full": flexroles.AssessFull,
}

var yamlDashboards = map[string]flexroles.Dashboards{
	"": flexroles.DashboardsNone, "none": flexroles.DashboardsNone, "viewer": flexroles.DashboardsViewer,
	"explorer": flexroles.DashboardsExplorer, "editor": flexroles.DashboardsEditor,
}

func TestTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "resolve", "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no testdata/resolve/*.yaml found")

	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".yaml"), func(t *testing.T) {
			cases := decodeCaseFile(t, path)
			require.NotEmpty(t, cases, "%s has no cases", path)
			names := map[string]bool{}
			for _, c := range cases {
				require.NotEmpty(t, c.Name, "%s: a case without a name", path)
				require.False(t, names[c.Name], "%s: duplicate case name %q", path, c.Name)
				names[c.Name] = true
				t.Run(c.Name, func(t *testing.T) { runYAMLCase(t, c) })
			}
		})
	}
}

// testdataLogins returns the login of every case in testdata/resolve, in
// file order.
func testdataLogins(t *testing.T) []flexroles.Login {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "resolve", "*.yaml"))
	require.NoError(t, err)
	var logins []flexroles.Login
	for _, path := range files {
		for _, c := range decodeCaseFile(t, path) {
			logins = append(logins, yamlLoginOf(c.Login))
		}
	}
	return logins
}

func decodeCaseFile(t *testing.T, path string) []yamlCase {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	dec := yaml.NewDecoder(f)
	dec.KnownFields(true)
	var file yamlFile
	require.NoError(t, dec.Decode(&file), "decoding %s strictly", path)
	var extra any
	require.ErrorIs(t, dec.Decode(&extra), io.EOF, "%s must hold exactly one YAML document", path)
	return file.Cases
}

func runYAMLCase(t *testing.T, c yamlCase) {
	require.NotEmpty(t, c.Reason, "every case cites the spec")
	hasRoles, hasErr := c.Roles != nil, c.Error != ""
	require.True(t, hasRoles != hasErr, "a case has exactly one of roles and error (roles set: %v, error set: %v)", hasRoles, hasErr)

	d, err := flexroles.Resolve(yamlLoginOf(c.Login))

	if hasErr {
		kind, known := yamlErrorKinds[c.Error]
		require.True(t, known, "unknown error kind %q", c.Error)
		require.Nil(t, c.Insights, "insights belong to success cases")
		require.Empty(t, c.Warnings, "warnings belong to success cases")
		require.Error(t, err, "reason: %s; got decision %+v", c.Reason, d)
		assert.ErrorIs(t, err, kind, "reason: %s", c.Reason)
		assert.Equal(t, flexroles.Decision{}, d, "§5: on error the decision is the zero value")
		assertErrorShape(t, err)
		var e *flexroles.Error
		require.True(t, errors.As(err, &e))
		if c.Attribute != nil {
			assert.Equal(t, *c.Attribute, e.Attribute, "Error.Attribute (%s)", c.Reason)
		}
		if c.Value != nil {
			assert.Equal(t, *c.Value, e.Value, "Error.Value (%s)", c.Reason)
		}
		if c.Suggestion != nil {
			assert.Equal(t, *c.Suggestion, e.Suggestion, "Error.Suggestion (%s)", c.Reason)
		}
		return
	}

	require.True(t, c.Attribute == nil && c.Value == nil && c.Suggestion == nil, "attribute/value/suggestion belong to error cases")
	require.NoError(t, err, "reason: %s", c.Reason)
	assert.Equal(t, *c.Roles, d.RoleStrings(), "roles (%s)", c.Reason)
	if c.Insights != nil {
		assess, ok1 := yamlAssess[c.Insights.AssessCalls]
		dash, ok2 := yamlDashboards[c.Insights.Dashboards]
		require.True(t, ok1, "unknown assess_calls %q", c.Insights.AssessCalls)
		require.True(t, ok2, "unknown dashboards %q", c.Insights.Dashboards)
		want := flexroles.Insights{
			Enabled: c.Insights.Enabled, PlayCalls: c.Insights.PlayCalls, ExportCalls: c.Insights.ExportCalls,
			AssessCalls: assess, Questionnaires: c.Insights.Questionnaires, Dashboards: dash,
		}
		assert.Equal(t, want, d.Insights, "insights (%s)", c.Reason)
	}
	var warnings []string
	for _, r := range d.Reasons {
		if r.Warning {
			warnings = append(warnings, r.Rule)
		}
	}
	assert.ElementsMatch(t, c.Warnings, warnings, "warning rule ids (%s): %+v", c.Reason, d.Reasons)
	assertDecisionInvariants(t, d)
}

// yamlLoginOf returns the Login a case file describes.
func yamlLoginOf(y yamlLogin) flexroles.Login {
	l := flexroles.Login{Source: flexroles.Source(y.Source), Attributes: y.Attributes}
	for _, r := range y.ConsoleRoles {
		l.ConsoleRoles = append(l.ConsoleRoles, flexroles.ConsoleRole(r))
	}
	return l
}
