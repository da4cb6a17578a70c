package main

import (
	"bytes"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUsageErrorIsTheCommands checks that a usage error prints the usage of
// the command that went wrong, not the whole synopsis, and counts in
// words that agree with the number.
func TestUsageErrorIsTheCommands(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		cmd     string // the command whose synopsis lines follow
		message string
	}{
		{[]string{"resolve", "--nope"}, "resolve", "flexroles: resolve: flag provided but not defined: -nope"},
		{[]string{"explain", "--sso", "email=a"}, "explain", "flexroles: explain: no policy given"},
		{[]string{"validate"}, "validate", "flexroles: validate: no policy file given"},
		{[]string{"test", "a", "b"}, "test", `flexroles: test: unexpected argument "b" after the policy file`},
		{[]string{"diff", "--users", "u.csv", "old.yaml"}, "diff", "flexroles: diff: want the OLD and NEW policies, got 1 argument\n"},
		{[]string{"diff", "--users", "u.csv", "a", "b", "c"}, "diff", "got 3 arguments\n"},
		{[]string{"audit", "a", "b"}, "audit", "flexroles: audit takes at most one FILE, got 2 arguments\n"},
		{[]string{"idp-config"}, "idp-config", "flexroles: idp-config: --idp is required"},
		{[]string{"serve", "x"}, "serve", `flexroles: serve: unexpected argument "x"`},
		{[]string{"version", "x"}, "version", `flexroles: version: unexpected argument "x"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := cli(tc.args...)
			require.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			assert.Contains(t, stderr, tc.message)
			var lines []string
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, "  flexroles ") {
					lines = append(lines, l)
				}
			}
			require.NotEmpty(t, lines, "the command's usage follows: %s", stderr)
			for _, l := range lines {
				assert.True(t, strings.HasPrefix(l, "  flexroles "+tc.cmd+" ") || l == "  flexroles "+tc.cmd, "only the %s usage, got %q", tc.cmd, l)
			}
			assert.Contains(t, stderr, `Run "flexroles `+tc.cmd+` -h" for more.`)
		})
	}

	// A usage that spans several lines is printed whole.
	_, _, samlErr := cli("saml", "--nope")
	assert.Contains(t, samlErr, "[--request-id ID] [--now TIME] [RESPONSE]\n", "the saml usage continuation lines")
	assert.NotContains(t, samlErr, "flexroles idp-config")

	// A command line that names no command gets the whole synopsis.
	code, _, stderr := cli("resolv")
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "  flexroles resolve ")
	assert.Contains(t, stderr, "  flexroles audit ")
}

// TestPolicyFromStdin checks that validate and test read the policy from
// standard input when it is "-", as audit and saml read their input.
func TestPolicyFromStdin(t *testing.T) {
	policy := "version: 1\nsso:\n  rules:\n    - {name: agents, when: {group: A}, grant: [agent]}\n" +
		"tests:\n  - name: agent\n    login: {sso: {email: a@x.co, full_name: A, groups: [A]}}\n    want: {roles: [agent]}\n"
	stdinRun := func(input string, args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(args, strings.NewReader(input), &out, &errOut)
		return code, out.String() + errOut.String()
	}
	code, out := stdinRun(policy, "validate", "-")
	assert.Equal(t, exitOK, code, out)
	assert.Equal(t, "stdin: ok (1 rule, 0 deny rules, 1 test)\n", out)

	code, out = stdinRun(policy, "test", "-v", "-")
	assert.Equal(t, exitOK, code, out)
	assert.Equal(t, "--- PASS: agent\nok  stdin  1 passed\n", out)

	code, out = stdinRun("version: 1\nsso:\n  rules:\n    - {name: x, when: {group: A}, grant: [agnt]}\n", "validate", "-")
	assert.Equal(t, exitFailed, code, out)
	assert.Contains(t, out, "stdin:4:", "problems are placed in stdin by line")
	assert.Contains(t, out, `did you mean "agent"?`)
}

// TestVersion checks the version line, from the build information of this
// test binary and from the forms a release and a checkout record.
func TestVersion(t *testing.T) {
	code, stdout, stderr := cli("version")
	require.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `^flexroles \S+.*, go1\.\d+`, stdout)

	code, stdout, _ = cli("version", "-h")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "flexroles version")

	for _, tc := range []struct {
		bi   *debug.BuildInfo
		want string
	}{
		{&debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "v1.4.0"}}, "flexroles v1.4.0, go1.25.0"},
		{&debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "61af79c0123456789abcdef0123456789abcdef0"}, {Key: "vcs.time", Value: "2026-11-30T13:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		}}, "flexroles (devel), commit 61af79c01234 of 2026-11-30T13:00:00Z, modified, go1.25.0"},
		{&debug.BuildInfo{GoVersion: "go1.25.0", Main: debug.Module{Version: "v0.0.0-20261130130000-61af79c01234"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "61af79c0123456789abcdef0123456789abcdef0"}, {Key: "vcs.time", Value: "2026-11-30T13:00:00Z"}, {Key: "vcs.modified", Value: "false"},
		}}, "flexroles v0.0.0-20261130130000-61af79c01234, commit 61af79c01234 of 2026-11-30T13:00:00Z, go1.25.0"},
		{&debug.BuildInfo{Main: debug.Module{}}, "flexroles (devel)"},
	} {
		assert.Equal(t, tc.want, versionLine(tc.bi, true))
	}
	assert.Contains(t, versionLine(nil, false), "no build information")
}
