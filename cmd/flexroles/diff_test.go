package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shipped example policy, its proposed change and the IdP export.
const (
	exampleNext  = "../../examples/policy-next.yaml"
	exampleUsers = "../../examples/users.csv"
)

// TestDiffForms runs the documented diff in each report form: the
// reporter each flag picks, the sources named as given on the command
// line, and the exit status --fail-on gives. The reports themselves are
// package review's tests.
func TestDiffForms(t *testing.T) {
	for _, tt := range []struct {
		name     string
		flags    []string
		wantCode int
		wantOut  []string // the first is the output's beginning
	}{
		{
			name:     "text",
			wantCode: exitOK,
			wantOut: []string{
				"Comparing ../../examples/policy.yaml (old) with ../../examples/policy-next.yaml (new) for the users of ../../examples/users.csv\n\n",
				"- alex.agent@owlbank.example (../../examples/users.csv:2): newly refused by deny rule",
				"\n3 of 9 users change: ",
			},
		},
		{
			name:     "json",
			flags:    []string{"--json", "--fail-on", "refuse"},
			wantCode: exitFailed,
			wantOut:  []string{`{"old":"../../examples/policy.yaml","new":"../../examples/policy-next.yaml","changes":[`, `"failed_on":["refuse"]`},
		},
		{
			name:     "markdown",
			flags:    []string{"--markdown", "--fail-on", "refuse,gain:admin"},
			wantCode: exitFailed,
			wantOut: []string{
				"<!-- flexroles diff -->\n### Flex role policy: `../../examples/policy.yaml` → `../../examples/policy-next.yaml`\n\n",
				"> This change fails the review on `refuse` 1 user.\n",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append(append([]string{"diff"}, tt.flags...), "--users", exampleUsers, examplePolicy, exampleNext)
			code, stdout, stderr := cli(args...)
			require.Equal(t, tt.wantCode, code, "stderr: %s", stderr)
			require.Empty(t, stderr)
			assert.True(t, strings.HasPrefix(stdout, tt.wantOut[0]), "%s", stdout)
			for _, s := range tt.wantOut[1:] {
				assert.Contains(t, stdout, s)
			}
		})
	}
}

// TestDiffFailOn checks that a change --fail-on names is exit 1, and that a
// wrong item is a usage error that says what to write. Which change each
// item names is package review's test.
func TestDiffFailOn(t *testing.T) {
	for _, tt := range []struct {
		failOn     string
		wantCode   int
		wantStderr string
	}{
		{"", exitOK, ""},
		{"gain:admin", exitOK, ""},
		{"refuse", exitFailed, ""},
		{"gain:Admin", exitUsage, `did you mean "admin"`},
		{"refused", exitUsage, `unknown item "refused"`},
	} {
		t.Run(tt.failOn, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli("diff", "--fail-on", tt.failOn, "--users", exampleUsers, examplePolicy, exampleNext)
			require.Equal(t, tt.wantCode, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			switch tt.wantCode {
			case exitUsage:
				assert.Contains(t, stderr, "flexroles: diff: --fail-on: ")
				assert.Contains(t, stderr, tt.wantStderr)
				assert.Empty(t, stdout)
			case exitFailed:
				assert.Contains(t, stdout, "fails on ")
			default:
				assert.NotContains(t, stdout, "fails on ")
			}
		})
	}
}

// TestDiffCases checks what the command adds to a review: the exit
// status and stderr of users not judged and of --allow-unjudged, flags in
// any place, and bad input of every kind. What the reports say of each
// case is package review's TestReviewCases.
func TestDiffCases(t *testing.T) {
	dir := t.TempDir()
	const denyAll = "../../review/testdata/deny-leads.yaml" // agents, refusing leads and the offboarded
	bad := writePolicy(t, dir, "bad.yaml", badPolicy)
	dup := filepath.Join(dir, "dup.csv")
	require.NoError(t, os.WriteFile(dup, []byte("email,name,groups\na@x.co,A,CC-Agents\nA@X.CO,A,CC-Agents\n"), 0o600))
	noEmail := filepath.Join(dir, "noemail.csv")
	require.NoError(t, os.WriteFile(noEmail, []byte("email,name\n,A\n"), 0o600))
	empty := filepath.Join(dir, "empty.csv")
	require.NoError(t, os.WriteFile(empty, []byte("email,name,groups\n"), 0o600))
	oneLine := filepath.Join(dir, "oneline.json")
	require.NoError(t, os.WriteFile(oneLine, []byte(`[{"email":"a@x.co","name":"A"},{"email":"A@X.co ","name":"A"}]`), 0o600))
	badJSON := filepath.Join(dir, "bad.ndjson")
	require.NoError(t, os.WriteFile(badJSON, []byte(`{"email":"a@x.co","name":"A"}`+"\n"+`{"email":"b@x.co","nme":"B"}`+"\n"), 0o600))

	displayName := filepath.Join(dir, "display_name.csv")
	require.NoError(t, os.WriteFile(displayName, []byte("email,display_name,groups\na@x.co,A,CC-Agents\n"), 0o600))
	noNames := filepath.Join(dir, "nonames.ndjson")
	require.NoError(t, os.WriteFile(noNames, []byte(
		`{"email":"a@x.co","groups":["CC-Agents"]}`+"\n"+
			`{"email":"b@x.co","groups":["CC-Agents"]}`+"\n"+
			`{"email":"l@x.co","name":"L","groups":["CC-Leads"]}`+"\n"+
			`{"email":"c@x.co","name":"C","roles":["agnt"]}`+"\n"), 0o600))
	noNamesOnly := filepath.Join(dir, "nonames-only.ndjson")
	require.NoError(t, os.WriteFile(noNamesOnly, []byte(
		`{"email":"a@x.co","groups":["CC-Agents"]}`+"\n"+`{"email":"l@x.co","name":"L","groups":["CC-Agents"]}`+"\n"), 0o600))

	groupMembership := filepath.Join(dir, "group-membership.csv")
	require.NoError(t, os.WriteFile(groupMembership, []byte("email,name,Group Membership\na@x.co,A,CC-Agents\nk@x.co,K,Offboarded\n"), 0o600))
	deptOnly := filepath.Join(dir, "dept.csv")
	require.NoError(t, os.WriteFile(deptOnly, []byte("email,name,dept\na@x.co,A,Quality\nk@x.co,K,Sales\n"), 0o600))

	for _, tt := range []struct {
		name       string
		reason     string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name:       "no groups column",
			reason:     "finding: an export without the column the rules read refused every user 45050 on both sides and diff said No change with status 0",
			args:       []string{"diff", "--fail-on", "gain:admin,refuse", "--users", groupMembership, examplePolicy, exampleNext},
			wantCode:   exitFailed,
			wantStderr: []string{"flexroles: diff: 2 of 2 users could not be judged"},
		},
		{
			name:       "a condition column under another name",
			reason:     "dept is not the department the rules test: with no groups either, nobody can be judged",
			args:       []string{"diff", "--fail-on", "gain:admin,refuse", "--users", deptOnly, examplePolicy, exampleNext},
			wantCode:   exitFailed,
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:       "display_name column",
			reason:     "issue 18: a users file whose full name column is display_name made every user 45050 under both policies and the review passed; the header is refused with a did-you-mean",
			args:       []string{"diff", "--fail-on", "gain:admin,refuse", "--users", displayName, examplePolicy, denyAll},
			wantCode:   exitUsage,
			wantStderr: []string{displayName + `:1: column "display_name" is not one the export reads (did you mean "name"?)`},
		},
		{
			name:       "users without names are not judged",
			reason:     "issue 18: users refused on both sides for what the export lacks are neither changed nor unchanged; the review fails",
			args:       []string{"diff", "--fail-on", "gain:admin,refuse", "--users", noNames, examplePolicy, denyAll},
			wantCode:   exitFailed,
			wantStderr: []string{"flexroles: diff: 3 of 4 users could not be judged: the export does not give what Flex or the policies need (see the report); fix it, or pass --allow-unjudged\n"},
		},
		{
			name:       "no change among the judged is not No change",
			reason:     "users not judged fail the review though no user judged changes",
			args:       []string{"diff", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitFailed,
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:       "allow-unjudged",
			reason:     "the loudly named flag accepts the export; the report still counts the users",
			args:       []string{"diff", "--allow-unjudged", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitOK,
			wantStdout: []string{"Not judged: 1 of 2 users"},
		},
		{
			name:       "not judged in Markdown",
			args:       []string{"diff", "--markdown", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitFailed,
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:       "not judged in JSON",
			args:       []string{"diff", "--json", "--users", noNamesOnly, examplePolicy, examplePolicy},
			wantCode:   exitFailed,
			wantStderr: []string{"--allow-unjudged"},
		},
		{
			name:     "same policy in Markdown",
			reason:   "--fail-on any fails on no change",
			args:     []string{"diff", "--markdown", "--fail-on", "any", "--users", exampleUsers, examplePolicy, examplePolicy},
			wantCode: exitOK,
		},
		{
			name:       "empty export",
			reason:     "an export with no users proves nothing: fail closed",
			args:       []string{"diff", "--users", empty, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{empty + ": no users: the export is empty"},
		},
		{
			name:       "duplicate on one line",
			reason:     "a JSON array on one line, as APIs export it: the duplicate is still found",
			args:       []string{"diff", "--users", oneLine, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{oneLine + `:1: email "A@X.co " already given on line 1`},
		},
		{
			name:       "flags after the policies",
			reason:     "as in the issue: flexroles diff OLD NEW --users FILE",
			args:       []string{"diff", examplePolicy, exampleNext, "--users", exampleUsers, "--fail-on", "admit"},
			wantCode:   exitFailed,
			wantStdout: []string{"fails on admit: 1 user\n"},
		},
		{
			name:       "no users file",
			args:       []string{"diff", examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{"diff: --users is required"},
		},
		{
			name:       "one policy",
			args:       []string{"diff", "--users", exampleUsers, examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{"want the OLD and NEW policies, got 1 argument\n"},
		},
		{
			name:       "two formats",
			args:       []string{"diff", "--json", "--markdown", "--users", exampleUsers, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{"--json and --markdown exclude each other"},
		},
		{
			name:       "invalid new policy",
			reason:     "the policy's problems with their positions, as validate prints them",
			args:       []string{"diff", "--users", exampleUsers, examplePolicy, bad},
			wantCode:   exitUsage,
			wantStderr: []string{"the policy " + bad + " does not load", bad + ":6:15: sso.rules[0].grant[0]: unknown role"},
		},
		{
			name:       "missing policy",
			args:       []string{"diff", "--users", exampleUsers, filepath.Join(dir, "nope.yaml"), examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{"nope.yaml: open: no such file"},
		},
		{
			name:       "bad git source",
			args:       []string{"diff", "--users", exampleUsers, "git:main", examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{"want git:REF:PATH"},
		},
		{
			name:       "git ref that is an option",
			reason:     "a ref starting with '-' would reach git as an option",
			args:       []string{"diff", "--users", exampleUsers, "git:--output=/tmp/x:policy.yaml", examplePolicy},
			wantCode:   exitUsage,
			wantStderr: []string{`the git ref "--output=/tmp/x" starts with '-'`},
		},
		{
			name:       "duplicate email",
			reason:     "emails compare ignoring case, as audit reads the export",
			args:       []string{"diff", "--users", dup, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{dup + `:3: email "A@X.CO" already given on line 2`},
		},
		{
			name:       "user without an email",
			args:       []string{"diff", "--users", noEmail, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{noEmail + ":2: user without an email"},
		},
		{
			name:       "unknown field",
			args:       []string{"diff", "--users", badJSON, examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{badJSON + `:2: json: unknown field "nme"`},
		},
		{
			name:       "missing users file",
			args:       []string{"diff", "--users", filepath.Join(dir, "nope.csv"), examplePolicy, exampleNext},
			wantCode:   exitUsage,
			wantStderr: []string{"nope.csv: no such file"},
		},
		{
			name:       "help",
			args:       []string{"diff", "-h"},
			wantCode:   exitOK,
			wantStdout: []string{"flexroles diff [--json | --markdown] [--fail-on CHANGES] [--allow-unjudged] --users USERS OLD NEW", "git:REF:PATH"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := cli(tt.args...)
			require.Equal(t, tt.wantCode, code, "%s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			for _, s := range tt.wantStdout {
				assert.Contains(t, stdout, s, tt.reason)
			}
			if strings.Contains(stdout, "ot judged") {
				assert.NotContains(t, stdout, "No change", "never while users were not judged")
			}
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr, s, tt.reason)
			}
			if tt.wantStderr == nil {
				assert.Empty(t, stderr)
			}
		})
	}
}

// TestDiffGit compares a policy as committed with the working copy through
// git:REF:PATH, the way CI compares a branch with main.
func TestDiffGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	next, err := os.ReadFile(exampleNext)
	require.NoError(t, err)
	old, err := os.ReadFile(examplePolicy)
	require.NoError(t, err)
	users, err := filepath.Abs(exampleUsers)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "policy.yaml"), old, 0o600))
	gitRun := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "user.email=t@x.co", "-c", "user.name=T", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	gitRun("init", "-q")
	gitRun("add", "sub/policy.yaml")
	gitRun("commit", "-q", "-m", "policy")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sub", "policy.yaml"), next, 0o600))

	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(filepath.Join(dir, "sub")))
	t.Cleanup(func() { _ = os.Chdir(wd) })

	code, stdout, stderr := cli("diff", "--users", users, "git:HEAD:./policy.yaml", "policy.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Comparing git:HEAD:./policy.yaml (old) with policy.yaml (new)")
	assert.Contains(t, stdout, "3 of 9 users change")

	code, stdout, stderr = cli("diff", "--users", users, "git:HEAD:sub/policy.yaml", "git:HEAD:sub/policy.yaml")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "No change", "a path from the root of the repository")

	code, _, stderr = cli("diff", "--users", users, "git:no-such-branch:policy.yaml", "policy.yaml")
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "git cat-file blob no-such-branch:policy.yaml: fatal:", "git's own message says what is wrong")

	require.NoError(t, os.WriteFile("broken.yaml", []byte("version: 1\nsso: {rules: [{name: a, when: {group: G}, grant: [supervisr]}]}\n"), 0o600))
	gitRun("add", "sub/broken.yaml")
	gitRun("commit", "-q", "-m", "broken")
	code, _, stderr = cli("diff", "--users", users, "git:HEAD:sub/broken.yaml", "policy.yaml")
	require.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, `git:HEAD:sub/broken.yaml:2:`, "problems name the git source and their position")
	assert.Contains(t, stderr, `unknown role "supervisr"`)
}

// TestDocsShowRealOutput runs the commands docs/policy.md shows, from the
// repository's root, and compares their output with what it shows.
func TestDocsShowRealOutput(t *testing.T) {
	doc, err := os.ReadFile("../../docs/policy.md")
	require.NoError(t, err)
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir("../.."))
	t.Cleanup(func() { _ = os.Chdir(wd) })
	shown := 0
	for _, block := range strings.Split(string(doc), "```\n$ flexroles ")[1:] {
		command, rest, _ := strings.Cut(block, "\n")
		want, _, ok := strings.Cut(rest, "```")
		require.True(t, ok, "an unclosed block: %s", command)
		_, stdout, stderr := cli(strings.Fields(command)...)
		require.Empty(t, stderr, command)
		assert.Equal(t, want, stdout, "docs/policy.md shows other output for: flexroles %s", command)
		shown++
	}
	require.Equal(t, 2, shown, "the coverage report and the diff")
}
