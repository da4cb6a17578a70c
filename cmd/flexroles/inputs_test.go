package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cliIn runs the command line args as cli does, with stdin as its
// standard input.
func cliIn(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// TestStdinArgs gives "-" for each path argument of the commands that
// take one, with the input on standard input, and two "-" where a command
// has several path arguments: standard input can be read once.
func TestStdinArgs(t *testing.T) {
	readFile := func(path string) string {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		return string(data)
	}
	policy, users := readFile(examplePolicy), readFile(exampleUsers)
	workers := auditData + "/workers.json"
	const badPolicy = "version: 1\nsso:\n  allow: [agnt]\n"
	const entraPolicy = "version: 1\nsso:\n  attributes:\n" +
		"    roles: http://schemas.microsoft.com/ws/2008/06/identity/claims/role\n" +
		"    email: http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress\n" +
		"    full_name: http://schemas.microsoft.com/identity/claims/displayname\n"
	agent := []string{"--sso", "email=a@x.co", "--sso", "full_name=A", "--sso", "groups=CC-Agents"}
	for _, tt := range []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{name: "diff --users -", stdin: users,
			args:       []string{"diff", "--users", "-", examplePolicy, exampleNext},
			wantCode:   exitOK, // without --fail-on, diff only reports
			wantStdout: []string{"for the users of stdin\n", "(stdin:"}},
		{name: "diff OLD -", stdin: policy,
			args:       []string{"diff", "--users", exampleUsers, "-", examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{"Comparing stdin (old) with " + examplePolicy + " (new)", "No change: the 9 users"}},
		{name: "diff NEW - that does not load", stdin: badPolicy,
			args:       []string{"diff", "--users", exampleUsers, examplePolicy, "-"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: diff: the policy stdin does not load\n", "stdin:3:"}},
		{name: "diff - -", stdin: policy,
			args:       []string{"diff", "--users", exampleUsers, "-", "-"},
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: diff: OLD and NEW both read standard input ("-"), which can be read once`}},
		{name: "diff - - --users -", stdin: policy,
			args:       []string{"diff", "--users", "-", "-", "-"},
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: diff: OLD, NEW and --users all read standard input`}},
		{name: "resolve --policy -", stdin: policy,
			args:       append([]string{"resolve", "--policy", "-"}, agent...),
			wantCode:   exitGranted,
			wantStdout: []string{"agent"}},
		{name: "resolve --policy - that does not load", stdin: badPolicy,
			args:       append([]string{"resolve", "--policy", "-"}, agent...),
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: resolve: the policy stdin does not load; pipe it to "flexroles validate -"` + "\n", "stdin:3:"}},
		{name: "explain --policy -", stdin: policy,
			args:       append([]string{"explain", "--policy", "-"}, agent...),
			wantCode:   exitGranted,
			wantStdout: []string{"stdin", `"agents"`}},
		{name: "idp-config --policy -", stdin: policy,
			args:       []string{"idp-config", "--idp", "okta", "--policy", "-"},
			wantCode:   exitOK,
			wantStdout: []string{"department"}},
		{name: "audit --users -", stdin: readFile(auditData + "/users.csv"),
			args:     []string{"audit", "--policy", examplePolicy, "--users", "-", workers},
			wantCode: exitFailed},
		{name: "audit --policy -", stdin: policy,
			args:     []string{"audit", "--policy", "-", "--users", auditData + "/users.csv", workers},
			wantCode: exitFailed},
		{name: "audit --users - and workers from stdin", stdin: users,
			args:       []string{"audit", "--policy", examplePolicy, "--users", "-"},
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: audit: --users and FILE both read standard input ("-")`}},
		{name: "serve --policy - too large", stdin: strings.Repeat("#\n", 400<<10),
			args:       []string{"serve", "--policy", "-"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: serve: --policy stdin: larger than 768 KiB"}},
		{name: "serve --policy - --idp-metadata -",
			args:       []string{"serve", "--policy", "-", "--idp-metadata", "-"},
			wantCode:   exitUsage,
			wantStderr: []string{"flexroles: serve: --policy and --idp-metadata both read standard input"}},
		{name: "saml --idp-metadata -", stdin: readFile(samlData + "/idp-metadata.xml"),
			args:       []string{"saml", "--idp-metadata", "-", "--flex-account", "AC0123456789abcdef0123456789abcdef", "--now", "2026-11-25T10:00:00Z", samlData + "/entra.txt"},
			wantCode:   exitRefused, // verified, then refused: roles under a claim URI
			wantStdout: []string{"signature: valid"}},
		{name: "saml --policy -", stdin: entraPolicy, // reads Entra's claim names
			args:       []string{"saml", "--policy", "-", samlData + "/entra.txt"},
			wantCode:   exitGranted,
			wantStdout: []string{"supervisor"}},
		{name: "saml --policy - with the response on stdin",
			args:       []string{"saml", "--policy", "-"},
			wantCode:   exitUsage,
			wantStderr: []string{`flexroles: saml: --policy and RESPONSE both read standard input ("-")`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := cliIn(tt.stdin, tt.args...)
			assert.Equal(t, tt.wantCode, code, "%s\n%s", stdout, stderr)
			for _, want := range tt.wantStdout {
				assert.Contains(t, stdout, want)
			}
			for _, want := range tt.wantStderr {
				assert.Contains(t, stderr, want)
			}
		})
	}
}
