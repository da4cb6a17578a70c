package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cli runs the command line in-process and returns its exit status and
// output.
func cli(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

// sso returns --sso flags for an otherwise valid SSO login with roles.
func sso(roles ...string) []string {
	args := []string{"resolve"}
	for _, r := range roles {
		args = append(args, "--sso", "roles="+r)
	}
	return append(args, "--sso", "email=ana.diaz@example.com", "--sso", "full_name=Ana Diaz")
}

// TestRunText checks the text output, exit statuses and usage errors.
func TestRunText(t *testing.T) {
	tests := []struct {
		name       string
		reason     string
		args       []string
		wantCode   int
		wantStdout []string // substrings of stdout, each required
		notStdout  []string // substrings stdout must not hold
		wantStderr []string // substrings of stderr; stderr must be empty when nil
	}{
		{
			name:     "console support",
			reason:   "SPEC §2: Console Support gets exactly the read-only admin pair, Insights closed; --console is parsed case-insensitively",
			args:     []string{"resolve", "--console", "support"},
			wantCode: exitGranted,
			wantStdout: []string{
				"granted\n",
				`roles: ["flex.readteams","flex.readonlyadmin"]` + "\n",
				"insights: closed\n",
				"dashboards:     none\n",
				"console.support: ",
				"insights.closed.support: ",
			},
			notStdout: []string{"refused", "WARNING"},
		},
		{
			name:     "console developer asking for admin",
			reason:   "SPEC §2: a Console login may request roles it gets anyway; --console with --sso roles= is a Console login",
			args:     []string{"resolve", "--console", "Developer", "--sso", "roles=admin"},
			wantCode: exitGranted,
			wantStdout: []string{
				`roles: ["admin","wfo.full_access"]` + "\n",
				"insights: open\n",
				"console.admin: ",
				"console.requested: ",
			},
		},
		{
			name:     "sso supervisor with team leader",
			reason:   "SPEC §4: supervisor + wfo.team_leader opens Insights with the team leader's capabilities",
			args:     sso("supervisor,wfo.team_leader"),
			wantCode: exitGranted,
			wantStdout: []string{
				`roles: ["supervisor","wfo.team_leader"]` + "\n",
				"insights: open\n",
				"play calls:     yes\n",
				"export calls:   no\n",
				"assess calls:   full\n",
				"questionnaires: no\n",
				"dashboards:     explorer\n",
				"sso.roles: ",
				"insights.open: ",
			},
			notStdout: []string{"WARNING"},
		},
		{
			name:     "several roles values and a comma list",
			reason:   "SPEC §3: repeated --sso roles are several AttributeValues; each is split on commas, trimmed, de-duplicated, canonical order",
			args:     sso("agent", "wfo.quality_manager, supervisor", "agent"),
			wantCode: exitGranted,
			wantStdout: []string{
				`roles: ["supervisor","agent","wfo.quality_manager"]` + "\n",
				"sso.roles.split: ",
				"sso.roles.duplicate: ",
			},
		},
		{
			name:       "agent with wfo role is a warning",
			reason:     "SPEC §4: wfo roles without admin/supervisor stay but open nothing, with a warning marked as such",
			args:       sso("agent,wfo.team_leader"),
			wantCode:   exitGranted,
			wantStdout: []string{`roles: ["agent","wfo.team_leader"]`, "insights: closed\n", "  WARNING insights.agent_wfo: "},
		},
		{
			name:       "missing email",
			reason:     "SPEC §3: email is mandatory; its absence is Flex error 45050",
			args:       []string{"resolve", "--sso", "roles=agent", "--sso", "full_name=Ana Diaz"},
			wantCode:   exitRefused,
			wantStdout: []string{"refused: missing_attribute\n", "code: 45050\n", "attribute: email\n", "message: flexroles: "},
			notStdout:  []string{"granted"},
		},
		{
			name:       "empty email value",
			reason:     "SPEC §3: an empty value is missing too; --sso NAME= passes an empty value through",
			args:       []string{"resolve", "--sso", "roles=agent", "--sso", "email=", "--sso", "full_name=Ana Diaz"},
			wantCode:   exitRefused,
			wantStdout: []string{"refused: missing_attribute\n", "code: 45050\n", "attribute: email\n"},
		},
		{
			name:       "unknown role Admin",
			reason:     "SPEC §1: roles are case-sensitive; Admin is unknown with did-you-mean admin",
			args:       sso("agent", "Admin"),
			wantCode:   exitRefused,
			wantStdout: []string{"refused: unknown_role\n", "attribute: roles\n", `value: "Admin"` + "\n", "suggestion: admin\n"},
			notStdout:  []string{"code:"},
		},
		{
			name:     "console support asking for quality manager",
			reason:   "SPEC §2: wfo.quality_manager is SSO-only; a Console Support login asking for it is refused",
			args:     []string{"resolve", "--console", "Support", "--sso", "roles=wfo.quality_manager"},
			wantCode: exitRefused,
			wantStdout: []string{
				"refused: sso_only_role\n",
				`value: "wfo.quality_manager"` + "\n",
				"SSO",
			},
		},
		{
			name:       "console role alias billing_manager",
			reason:     "SPEC §2: billing_manager parses as Billing Manager, which opens no Flex",
			args:       []string{"resolve", "--console", "billing_manager"},
			wantCode:   exitRefused,
			wantStdout: []string{"refused: no_flex_access\n", "Billing Manager"},
		},
		{
			name:       "unknown console role is a refusal",
			reason:     "brief: an unknown --console is refused by the library (exit 1), not a usage error",
			args:       []string{"resolve", "--console", "Ownr"},
			wantCode:   exitRefused,
			wantStdout: []string{"refused: unknown_role\n", "attribute: console_role\n", `value: "Ownr"`, "suggestion: Owner\n"},
		},
		{
			name:       "console login with another attribute",
			reason:     "SPEC §2: only roles may come with a Console login; the CLI passes the rest through for the library to refuse",
			args:       []string{"resolve", "--console", "Owner", "--sso", "email=a@b.co"},
			wantCode:   exitRefused,
			wantStdout: []string{"refused: invalid_login\n", "attribute: email\n"},
		},
		{
			name:       "sso value split at the first equals sign",
			reason:     "brief: NAME=VALUE splits at the first '=', so the second email value is x=y",
			args:       []string{"resolve", "--sso", "roles=agent", "--sso", "email=a@b.co", "--sso", "email=x=y", "--sso", "full_name=A"},
			wantCode:   exitRefused,
			wantStdout: []string{"refused: invalid_attribute\n", "attribute: email\n", `value: "x=y"` + "\n"},
		},
		{
			name:       "no login flags",
			reason:     "brief: resolve needs --console or --sso",
			args:       []string{"resolve"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: resolve: no login given", "usage:"},
		},
		{
			name:       "json alone is no login",
			reason:     "brief: --json does not describe a login",
			args:       []string{"resolve", "--json"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: resolve: no login given"},
		},
		{
			name:       "sso without equals",
			reason:     "brief: --sso without '=' is bad usage",
			args:       []string{"resolve", "--sso", "roles"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: resolve: ", `"roles"`, "NAME=VALUE"},
		},
		{
			name:       "sso with empty name",
			reason:     "an attribute needs a name; --sso =x is bad usage",
			args:       []string{"resolve", "--sso", "=x"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: resolve: ", "NAME is empty"},
		},
		{
			name:       "unknown flag",
			reason:     "brief: an unknown flag is bad usage",
			args:       []string{"resolve", "--console", "Owner", "--admin"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: resolve: ", "-admin"},
		},
		{
			name:       "stray argument",
			reason:     "a positional argument after the flags would be silently lost otherwise",
			args:       []string{"resolve", "--console", "Owner", "Support"},
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: resolve: unexpected argument "Support"`},
		},
		{
			name:       "unknown subcommand",
			reason:     "an unknown command is bad usage, not a guess at the nearest one",
			args:       []string{"resolv", "--console", "Owner"},
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: unknown command "resolv"`, "usage:"},
		},
		{
			name:       "flag before the command",
			reason:     "flags belong to the resolve command",
			args:       []string{"--json", "resolve", "--console", "Owner"},
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: unknown flag "--json"`},
		},
		{
			name:       "no arguments",
			reason:     "brief: no args prints the usage on stderr, exit 2",
			args:       nil,
			wantCode:   exitUsage,
			wantStderr: []string{"usage:", "flexroles resolve"},
		},
		{
			name:       "--help",
			reason:     "brief: --help prints the usage on stdout, exit 0",
			args:       []string{"--help"},
			wantCode:   exitGranted,
			wantStdout: []string{"usage:", "flexroles resolve", "Exit status"},
		},
		{
			name:       "-h",
			reason:     "brief: -h is --help",
			args:       []string{"-h"},
			wantCode:   exitGranted,
			wantStdout: []string{"usage:", "flexroles resolve"},
		},
		{
			name:       "help",
			reason:     "brief: help is --help",
			args:       []string{"help"},
			wantCode:   exitGranted,
			wantStdout: []string{"usage:", "flexroles resolve"},
		},
		{
			name:       "resolve -h",
			reason:     "the resolve command's help lists its flags, on stdout, exit 0",
			args:       []string{"resolve", "-h"},
			wantCode:   exitGranted,
			wantStdout: []string{"--console ROLE", "--sso NAME=VALUE", "--json"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli(tt.args...)
			assert.Equal(t, tt.wantCode, code, "exit status; %s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			for _, s := range tt.wantStdout {
				assert.Contains(t, stdout, s, tt.reason)
			}
			for _, s := range tt.notStdout {
				assert.NotContains(t, stdout, s, tt.reason)
			}
			if tt.wantStderr == nil {
				assert.Empty(t, stderr, tt.reason)
			} else {
				assert.Empty(t, stdout, "usage errors write nothing to stdout; %s", tt.reason)
			}
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr, s, tt.reason)
			}
		})
	}
}

// jsonInsights is the documented JSON form of the Insights capabilities,
// written out here rather than shared with the code, so that a change of
// names or values fails.
type jsonInsights struct {
	Enabled        bool   `json:"enabled"`
	PlayCalls      bool   `json:"play_calls"`
	ExportCalls    bool   `json:"export_calls"`
	AssessCalls    string `json:"assess_calls"`
	Questionnaires bool   `json:"questionnaires"`
	Dashboards     string `json:"dashboards"`
}

// jsonReason is the documented JSON form of a reason.
type jsonReason struct {
	Rule    string `json:"rule"`
	Warning bool   `json:"warning"`
	Message string `json:"message"`
}

// jsonError is the documented JSON form of a refusal's error.
type jsonError struct {
	Kind       string `json:"kind"`
	Code       int    `json:"code"`
	Attribute  string `json:"attribute"`
	Value      string `json:"value"`
	Suggestion string `json:"suggestion"`
	Message    string `json:"message"`
	RefusedBy  string `json:"refused_by"`
	Rule       string `json:"rule"`
	DenyRule   string `json:"deny_rule"`
}

// jsonOutput is the documented JSON object, granted or refused.
type jsonOutput struct {
	Granted  bool          `json:"granted"`
	Roles    []string      `json:"roles"`
	Insights *jsonInsights `json:"insights"`
	Reasons  []jsonReason  `json:"reasons"`
	Error    *jsonError    `json:"error"`
}

// TestRunJSON decodes the --json output of granted and refused logins.
func TestRunJSON(t *testing.T) {
	tests := []struct {
		name         string
		reason       string
		args         []string
		wantCode     int
		wantRoles    []string
		wantInsights *jsonInsights
		wantRules    []string   // rule ids in order
		wantWarnings []string   // rule ids marked warning
		wantError    *jsonError // Message only checked to be non-empty and prefixed
	}{
		{
			name:         "sso supervisor with team leader",
			reason:       "SPEC §4: team leader plays and assesses calls and explores dashboards, no export, no questionnaires",
			args:         sso("supervisor,wfo.team_leader"),
			wantCode:     exitGranted,
			wantRoles:    []string{"supervisor", "wfo.team_leader"},
			wantInsights: &jsonInsights{Enabled: true, PlayCalls: true, AssessCalls: "full", Dashboards: "explorer"},
			wantRules:    []string{"sso.roles", "sso.roles.split", "insights.open"},
		},
		{
			name:         "data analyst assesses view only",
			reason:       "SPEC §4: wfo.data_analyst has view-only assessments, written view_only in JSON",
			args:         sso("admin", "wfo.data_analyst"),
			wantCode:     exitGranted,
			wantRoles:    []string{"admin", "wfo.data_analyst"},
			wantInsights: &jsonInsights{Enabled: true, PlayCalls: true, ExportCalls: true, AssessCalls: "view_only", Dashboards: "editor"},
			wantRules:    []string{"sso.roles", "insights.open"},
		},
		{
			name:         "supervisor without wfo role",
			reason:       "SPEC §4: no default Insights role over SSO; Insights closed with a warning",
			args:         sso("supervisor"),
			wantCode:     exitGranted,
			wantRoles:    []string{"supervisor"},
			wantInsights: &jsonInsights{AssessCalls: "none", Dashboards: "none"},
			wantRules:    []string{"sso.roles", "insights.no_wfo"},
			wantWarnings: []string{"insights.no_wfo"},
		},
		{
			name:         "console support",
			reason:       "SPEC §2: Console Support gets the read-only admin pair, Insights closed",
			args:         []string{"resolve", "--json", "--console", "Support"},
			wantCode:     exitGranted,
			wantRoles:    []string{"flex.readteams", "flex.readonlyadmin"},
			wantInsights: &jsonInsights{AssessCalls: "none", Dashboards: "none"},
			wantRules:    []string{"console.support", "insights.closed.support"},
		},
		{
			name:      "missing email",
			reason:    "SPEC §3/§5: email absent is missing_attribute with Flex code 45050",
			args:      []string{"resolve", "--json", "--sso", "roles=agent", "--sso", "full_name=Ana Diaz"},
			wantCode:  exitRefused,
			wantError: &jsonError{Kind: "missing_attribute", Code: 45050, Attribute: "email", RefusedBy: "twilio"},
		},
		{
			name:      "unknown role Admin",
			reason:    "SPEC §1: Admin is unknown, with suggestion admin, and no Flex code",
			args:      sso("Admin"),
			wantCode:  exitRefused,
			wantError: &jsonError{Kind: "unknown_role", Attribute: "roles", Value: "Admin", Suggestion: "admin", RefusedBy: "twilio"},
		},
		{
			name:      "console support asking for quality manager",
			reason:    "SPEC §2: a Console login asking for an SSO-only role is sso_only_role",
			args:      []string{"resolve", "--json", "--console", "Support", "--sso", "roles=wfo.quality_manager"},
			wantCode:  exitRefused,
			wantError: &jsonError{Kind: "sso_only_role", Attribute: "roles", Value: "wfo.quality_manager", RefusedBy: "twilio"},
		},
		{
			name:      "policy deny rule",
			reason:    "issue 4: a deny rule that matches refuses with kind denied, Value naming the rule",
			args:      []string{"resolve", "--policy", examplePolicy, "--sso", "email=o@x.co", "--sso", "full_name=O", "--sso", "groups=CC-Leads", "--sso", "groups=Offboarded"},
			wantCode:  exitRefused,
			wantError: &jsonError{Kind: "denied", RefusedBy: "deny rule", Rule: "offboarded", DenyRule: "offboarded"},
		},
		{
			name:      "console only role over sso",
			reason:    "SPEC §3: flex.readonlyadmin cannot come from SSO",
			args:      sso("agent,flex.readonlyadmin"),
			wantCode:  exitRefused,
			wantError: &jsonError{Kind: "console_only_role", Attribute: "roles", Value: "flex.readonlyadmin", RefusedBy: "twilio"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := tt.args
			if args[1] != "--json" {
				args = append([]string{"resolve", "--json"}, args[1:]...)
			}
			code, stdout, stderr := cli(args...)
			require.Equal(t, tt.wantCode, code, "exit status; %s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			assert.Empty(t, stderr, tt.reason)

			var got jsonOutput
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&got), "stdout is one JSON object with only the documented fields; %s\n%s", tt.reason, stdout)
			assert.False(t, dec.More(), "one object only; %s", tt.reason)

			if tt.wantError != nil {
				assert.False(t, got.Granted, tt.reason)
				assert.Nil(t, got.Roles, "a refusal grants no roles; %s", tt.reason)
				assert.Nil(t, got.Insights, tt.reason)
				require.NotNil(t, got.Error, tt.reason)
				assert.True(t, strings.HasPrefix(got.Error.Message, "flexroles: "), "message %q; %s", got.Error.Message, tt.reason)
				want := *tt.wantError
				want.Message = got.Error.Message
				assert.Equal(t, want, *got.Error, tt.reason)
				assert.Contains(t, stdout, `"value": `, "value is always present; %s", tt.reason)
				assert.Contains(t, stdout, `"suggestion": `, "suggestion is always present; %s", tt.reason)
				return
			}
			assert.True(t, got.Granted, tt.reason)
			assert.Nil(t, got.Error, tt.reason)
			assert.Equal(t, tt.wantRoles, got.Roles, tt.reason)
			require.NotNil(t, got.Insights, tt.reason)
			assert.Equal(t, *tt.wantInsights, *got.Insights, tt.reason)
			var rules, warnings []string
			for _, r := range got.Reasons {
				rules = append(rules, r.Rule)
				assert.NotEmpty(t, r.Message, "reason %s; %s", r.Rule, tt.reason)
				if r.Warning {
					warnings = append(warnings, r.Rule)
				}
			}
			assert.Equal(t, tt.wantRules, rules, tt.reason)
			assert.Equal(t, tt.wantWarnings, warnings, tt.reason)
		})
	}
}

// TestRunJSONRolesIsArray checks that roles and reasons are JSON arrays, not
// null or absent, on a granted login.
func TestRunJSONRolesIsArray(t *testing.T) {
	code, stdout, _ := cli("resolve", "--json", "--console", "Owner")
	require.Equal(t, exitGranted, code, stdout)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(stdout), &raw))
	for _, key := range []string{"roles", "reasons"} {
		v, ok := raw[key]
		require.True(t, ok, "%s is present", key)
		assert.True(t, bytes.HasPrefix(bytes.TrimSpace(v), []byte("[")), "%s is an array: %s", key, v)
	}
	assert.JSONEq(t, `["admin","wfo.full_access"]`, string(raw["roles"]), "SPEC §2: Owner gets admin and wfo.full_access")
}

// examplePolicy is the shipped example policy, whose tests all pass.
const examplePolicy = "../../examples/policy.yaml"

// badPolicy has an unknown role at 6:15, a duplicate rule name, an empty
// when and an unknown key at 10:3.
const badPolicy = `version: 1
sso:
  rules:
    - name: leads
      when: {group: CC-Leads}
      grant: [supervisr]
    - name: leads
      when: {}
      grant: [agent]
  colour: blue
`

// writePolicy writes a policy file into dir and returns its path.
func writePolicy(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// TestRunPolicy checks validate, test, explain and resolve --policy: their
// output, in order, and exit statuses.
func TestRunPolicy(t *testing.T) {
	dir := t.TempDir()
	bad := writePolicy(t, dir, "bad.yaml", badPolicy)
	failing := "testdata/failing-policy.yaml" // valid; a grant rule its deny rule always overrides (a lint warning at 7:7), and three test cases of which the last two fail
	untested := writePolicy(t, dir, "untested.yaml", "version: 1\n")
	missing := filepath.Join(dir, "missing.yaml")
	qaInSales := []string{"--sso", "email=q@x.co", "--sso", "full_name=Q", "--sso", "groups=CC-Leads", "--sso", "groups=QA", "--sso", "department=Sales"}
	offboarded := []string{"--sso", "email=o@x.co", "--sso", "full_name=O", "--sso", "groups=CC-Leads", "--sso", "groups=Offboarded"}
	args := func(a []string, more ...string) []string { return append(a[:len(a):len(a)], more...) }

	tests := []struct {
		name       string
		reason     string
		args       []string
		wantCode   int
		wantStdout []string // substrings of stdout, each required, in this order
		notStdout  []string // substrings stdout must not hold
		wantStderr []string // substrings of stderr; stderr must be empty when nil, stdout empty when not
	}{
		{
			name:       "validate the example",
			reason:     "issue 4: a valid policy prints POLICY: ok with its counts (4 rules, 1 deny rule, 12 tests) and exits 0",
			args:       []string{"validate", examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{examplePolicy + ": ok (4 rules, 1 deny rule, 12 tests)\n"},
			notStdout:  []string{"warning:"},
		},
		{
			name:     "validate a bad policy",
			reason:   "issue 4: every problem is listed with FILE:LINE:COL: FIELD: MESSAGE, exit 1, never ok",
			args:     []string{"validate", bad},
			wantCode: exitFailed,
			wantStdout: []string{
				bad + `:6:15: sso.rules[0].grant[0]: unknown role "supervisr" (did you mean "supervisor"?)` + "\n",
				bad + `:7:13: sso.rules[1].name: duplicate rule name "leads"`,
				bad + `:8:13: sso.rules[1].when: `,
				bad + `:10:3: sso.colour: unknown key "colour"`,
			},
			notStdout: []string{": ok"},
		},
		{
			name:       "validate warns about a shadowed rule",
			reason:     "issue 4: validate warns about grant rules a deny always overrides; warnings do not fail validation",
			args:       []string{"validate", failing},
			wantCode:   exitOK,
			wantStdout: []string{"warning: " + failing + `:7:7: sso.rules[1]: rule "shadowed" never grants anything`, failing + ": ok (2 rules, 1 deny rule, 3 tests)\n"},
		},
		{
			name:       "validate a missing file",
			reason:     "a file that cannot be opened is an invalid policy (exit 1) printed without a position",
			args:       []string{"validate", missing},
			wantCode:   exitFailed,
			wantStdout: []string{missing + ": open: no such file"},
			notStdout:  []string{": ok"},
		},
		{
			name:       "validate without a file",
			reason:     "validate needs the policy file: bad usage",
			args:       []string{"validate"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: validate: no policy file given", "usage:"},
		},
		{
			name:       "validate two files",
			reason:     "a second argument would be silently ignored otherwise",
			args:       []string{"validate", examplePolicy, bad},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: validate: unexpected argument"},
		},
		{
			name:       "test the example",
			reason:     "issue 4: the shipped example's cases all pass; without -v only the summary line prints",
			args:       []string{"test", examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{"ok  " + examplePolicy + "  12 passed\n"},
			notStdout:  []string{"--- PASS", "--- FAIL"},
		},
		{
			name:     "test the example verbosely",
			reason:   "-v prints each passing case in file order, then the summary",
			args:     []string{"test", "-v", examplePolicy},
			wantCode: exitOK,
			wantStdout: []string{
				"--- PASS: agent gets the agent desktop only\n",
				"--- PASS: offboarded lead is refused whatever else matches\n",
				"--- PASS: console owner is the admin\n",
				"ok  " + examplePolicy + "  12 passed\n",
			},
			notStdout: []string{"--- FAIL"},
		},
		{
			name:     "test the example with coverage",
			reason:   "issue 9: --coverage reports each policy rule and setting with its cases, then the platform rules no case reaches",
			args:     []string{"test", "--coverage", examplePolicy},
			wantCode: exitOK,
			wantStdout: []string{
				"ok  " + examplePolicy + "  12 passed\nrules reached: 8 of 8 policy rules and settings, 8 of 19 platform rules\n",
				`  reached  deny     offboarded                 line 39  1 case: "offboarded lead is refused whatever else matches"` + "\n",
				`  reached  setting  console.allow              line 43  1 case: "console developer is not allowed"` + "\n",
				"  platform rules no case reaches: console.requested, sso.roles.split,",
			},
			notStdout: []string{"MISSED"},
		},
		{
			name:       "test a failing policy with coverage",
			reason:     "the coverage report follows the failures and leaves the exit status alone",
			args:       []string{"test", "--coverage", failing},
			wantCode:   exitFailed,
			wantStdout: []string{"FAIL  " + failing + "  1 passed, 2 failed\nrules reached: "},
		},
		{
			name:     "test a failing policy",
			reason:   "issue 4: a failing case is --- FAIL with its position and the indented difference; exit 1",
			args:     []string{"test", failing},
			wantCode: exitFailed,
			wantStdout: []string{
				"--- FAIL: agent is supervisor (" + failing + ":17)\n    roles: want [supervisor], got [agent]\n",
				"--- FAIL: wrongly expected denial (" + failing + ":20)\n    want error denied, got roles [agent]\n",
				"FAIL  " + failing + "  1 passed, 2 failed\n",
			},
			notStdout: []string{"--- PASS", "ok  "},
		},
		{
			name:       "test a failing policy verbosely",
			reason:     "-v adds the passing cases, in file order among the failures",
			args:       []string{"test", "-v", failing},
			wantCode:   exitFailed,
			wantStdout: []string{"--- PASS: agent\n", "--- FAIL: agent is supervisor", "FAIL  " + failing + "  1 passed, 2 failed\n"},
		},
		{
			name:       "test a bad policy",
			reason:     "issue 4: a policy that does not load fails, its problems printed as validate prints them",
			args:       []string{"test", bad},
			wantCode:   exitFailed,
			wantStdout: []string{bad + ":6:15: sso.rules[0].grant[0]: unknown role", "FAIL  " + bad + "  [invalid policy]\n"},
			notStdout:  []string{"ok  "},
		},
		{
			name:       "test a policy without tests",
			reason:     "an untested policy proves nothing: exit 1 with a message",
			args:       []string{"test", untested},
			wantCode:   exitFailed,
			wantStdout: []string{untested + ": no test cases", "FAIL  " + untested + "  [no tests]\n"},
			notStdout:  []string{"ok  "},
		},
		{
			name:     "explain a QA lead in sales",
			reason:   "issue 4: explain shows deny then grant rules in file order, matched, or not and why not, then the decision as resolve prints it",
			args:     args([]string{"explain", "--policy", examplePolicy}, qaInSales...),
			wantCode: exitGranted,
			wantStdout: []string{
				`deny "offboarded": not matched: not in group "Offboarded" (groups has ["CC-Leads", "QA"])` + "\n",
				`rule "agents" grants [agent]: matched` + "\n",
				`rule "team leads" grants [supervisor, wfo.team_leader]: matched` + "\n",
				`rule "quality assurance" grants [wfo.quality_manager]: not matched: attribute "department" ["Sales"] has no value equal to ["Quality"]` + "\n",
				`rule "analysts" grants [supervisor, wfo.data_analyst]: not matched: not in group "CC-Analytics"`,
				"\ngranted\n",
				`roles: ["supervisor","agent","wfo.team_leader"]` + "\n",
				`policy.rule: policy rule "team leads" grants`,
			},
			notStdout: []string{"refused"},
		},
		{
			name:       "explain an offboarded lead",
			reason:     "issue 4: a matching deny rule shows matched and the refusal follows, exit 1 as resolve",
			args:       args([]string{"explain", "--policy", examplePolicy}, offboarded...),
			wantCode:   exitRefused,
			wantStdout: []string{`deny "offboarded": matched` + "\n", `rule "agents" grants [agent]: matched`, "refused: denied\n", `rule: "offboarded"`},
			notStdout:  []string{"granted"},
		},
		{
			name:       "explain a console login",
			reason:     "rules apply to SSO logins only; a Developer outside console.allow is still refused by the policy",
			args:       []string{"explain", "--policy", examplePolicy, "--console", "Developer"},
			wantCode:   exitRefused,
			wantStdout: []string{"no rules apply to a Console login", "refused: denied\n", `rule: "console.allow"`, `value: "Developer"`},
			notStdout:  []string{"rule \""},
		},
		{
			name:       "explain without a policy",
			reason:     "explain needs --policy: bad usage",
			args:       args([]string{"explain"}, qaInSales...),
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: explain: no policy given"},
		},
		{
			name:       "explain with a bad policy",
			reason:     "a policy that does not load is exit 2 for explain, its problems on stderr, nothing on stdout",
			args:       args([]string{"explain", "--policy", bad}, qaInSales...),
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: explain: the policy " + bad + " does not load", bad + ":6:15: sso.rules[0].grant[0]: unknown role"},
		},
		{
			name:       "resolve through the policy",
			reason:     "issue 4: with --policy the roles attribute is optional and matching rules grant the roles",
			args:       args([]string{"resolve", "--policy", examplePolicy}, qaInSales...),
			wantCode:   exitGranted,
			wantStdout: []string{"granted\n", `roles: ["supervisor","agent","wfo.team_leader"]` + "\n", `policy.rule: policy rule "agents" grants agent`},
			notStdout:  []string{"not matched"},
		},
		{
			name:       "resolve denied by the policy",
			reason:     "issue 4: a matching deny rule is kind denied, exit 1, the value naming the rule",
			args:       args([]string{"resolve", "--policy", examplePolicy}, offboarded...),
			wantCode:   exitRefused,
			wantStdout: []string{"refused: denied\n", `rule: "offboarded"` + "\n"},
			notStdout:  []string{"granted"},
		},
		{
			name:       "resolve with a bad policy",
			reason:     "doc: an invalid --policy file is exit 2 with its problems on stderr, never a decision",
			args:       args([]string{"resolve", "--json", "--policy", bad}, qaInSales...),
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: resolve: the policy " + bad + " does not load", bad + ":10:3: sso.colour: unknown key"},
		},
		{
			name:       "resolve with a missing policy",
			reason:     "doc: an unreadable --policy file is exit 2, not a refusal",
			args:       []string{"resolve", "--policy", missing, "--console", "Owner"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: resolve: the policy " + missing + " does not load"},
		},
		{
			name:       "help lists every command",
			reason:     "the usage names each command",
			args:       []string{"help"},
			wantCode:   exitGranted,
			wantStdout: []string{"flexroles resolve [--json] [--policy POLICY]", "flexroles explain --policy POLICY", "flexroles validate POLICY", "flexroles test [-v] [--coverage] POLICY"},
		},
		{
			name:       "validate -h",
			reason:     "each command's -h prints its usage on stdout, exit 0",
			args:       []string{"validate", "-h"},
			wantCode:   exitGranted,
			wantStdout: []string{"flexroles validate POLICY", "FILE:LINE:COL: FIELD: MESSAGE"},
		},
		{
			name:       "test -h",
			reason:     "each command's -h prints its usage on stdout, exit 0",
			args:       []string{"test", "-h"},
			wantCode:   exitGranted,
			wantStdout: []string{"flexroles test [-v] [--coverage] POLICY", "-v"},
		},
		{
			name:       "explain -h",
			reason:     "each command's -h prints its usage on stdout, exit 0",
			args:       []string{"explain", "-h"},
			wantCode:   exitGranted,
			wantStdout: []string{"--policy POLICY", "--console ROLE", "--sso NAME=VALUE"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli(tt.args...)
			assert.Equal(t, tt.wantCode, code, "exit status; %s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			rest := stdout
			for _, s := range tt.wantStdout {
				i := strings.Index(rest, s)
				if !assert.True(t, i >= 0, "stdout holds %q after the previous substrings; %s\nstdout:\n%s", s, tt.reason, stdout) {
					continue
				}
				rest = rest[i+len(s):]
			}
			for _, s := range tt.notStdout {
				assert.NotContains(t, stdout, s, tt.reason)
			}
			if tt.wantStderr == nil {
				assert.Empty(t, stderr, tt.reason)
			} else {
				assert.Empty(t, stdout, "errors before a decision write nothing to stdout; %s", tt.reason)
			}
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr, s, tt.reason)
			}
		})
	}
}
