package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	trt "github.com/flexroles/flexroles/cmd/flexroles/internal/taskroutertest"
	"github.com/flexroles/flexroles/internal/audittest"
	"github.com/flexroles/flexroles/internal/workergen"
)

// auditData is the directory of the audit's test inputs, which the audit package tests read too.
const auditData = "../../audit/testdata"

// auditCLI runs "flexroles audit args..." in-process with stdin and returns
// its exit status and output.
func auditCLI(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(append([]string{"audit"}, args...), strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// The JSON form of findings and the table's summary line, shared with the
// audit package's tests.
type auditFinding = audittest.Finding

var (
	decodeFindings = audittest.DecodeFindings
	summaryLine    = audittest.SummaryLine
)

// findingAt is a finding reduced to what the tests compare: where, who and which
// rule.
type findingAt struct {
	Line int
	SID  string
	Rule string
}

// findingsAt reduces findings to their line, SID and rule, in output order.
func findingsAt(fs []auditFinding) []findingAt {
	out := make([]findingAt, 0, len(fs))
	for _, f := range fs {
		out = append(out, findingAt{f.Line, f.SID, f.Rule})
	}
	return out
}

// writeTemp writes text to a file of a fresh temporary directory and
// returns its path.
func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// TestAuditStdin checks that workers come from stdin when FILE is absent or
// "-", as from the file (the forms themselves are package audit's tests).
func TestAuditStdin(t *testing.T) {
	file := filepath.Join(auditData, "workers.ndjson")
	ndjson, err := os.ReadFile(file)
	require.NoError(t, err)
	for _, asJSON := range []bool{true, false} {
		args := []string{}
		if asJSON {
			args = append(args, "--json")
		}
		code, want, stderr := auditCLI("", append(args, file)...)
		require.Equal(t, exitFailed, code, "an error-level finding is exit 1; stderr: %s", stderr)
		require.NotEmpty(t, want)
		for _, arg := range [][]string{nil, {"-"}} {
			code, stdout, stderr := auditCLI(string(ndjson), append(args, arg...)...)
			assert.Equal(t, exitFailed, code, "stdin %v", arg)
			assert.Empty(t, stderr, "stdin %v", arg)
			assert.Equal(t, want, stdout, "stdin %v gives what the file gives", arg)
		}
	}
}

// TestAuditWholeInputErrors checks that input that cannot be read at all,
// and bad usage, exit 2 with a message on stderr and nothing on stdout.
func TestAuditWholeInputErrors(t *testing.T) {
	workers := filepath.Join(auditData, "workers.ndjson")
	users := filepath.Join(auditData, "users.csv")
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		name       string
		reason     string
		stdin      string
		args       []string
		wantStderr []string
	}{
		{
			name:       "empty input",
			reason:     "usage: no workers at all is no input, not a clean audit",
			wantStderr: []string{"flexroles: audit: stdin: ", "input is empty"},
		},
		{
			name:       "blank input",
			reason:     "white space only is empty input",
			stdin:      " \n\t\r\n\n",
			wantStderr: []string{"input is empty"},
		},
		{
			name:       "not JSON",
			reason:     "usage: input must be JSON workers; hello is not",
			stdin:      "hello\n",
			wantStderr: []string{"flexroles: audit: stdin:1: ", "input is not JSON workers"},
		},
		{
			name:       "not JSON after blank lines",
			reason:     "the message gives the line where the input starts",
			stdin:      "\n\nsid,attributes\n",
			wantStderr: []string{"stdin:3: ", "input is not JSON workers"},
		},
		{
			name:       "a number",
			reason:     "a top-level number is not workers",
			stdin:      "42\n",
			wantStderr: []string{"input is not JSON workers"},
		},
		{
			name:       "unclosed array",
			reason:     "an array without its ] was cut short: the whole input is suspect",
			stdin:      "[\n" + `{"sid":"WK1","attributes":{"roles":["agent"]}}` + ",\n",
			wantStderr: []string{"flexroles: audit: stdin:3: ", "the array of workers is not closed"},
		},
		{
			name:       "unclosed array inside a worker",
			reason:     "an array cut inside its last worker is still an unclosed array",
			stdin:      "[\n" + `{"sid":"WK1","attributes":{"roles":["ag`,
			wantStderr: []string{"the array of workers is not closed"},
		},
		{
			name:       "text after the array",
			reason:     "the array is the whole input",
			stdin:      "[]\nx\n",
			wantStderr: []string{"stdin:2: ", "after the array of workers"},
		},
		{
			name:       "array elements without a comma",
			reason:     "the array's own syntax is broken, not one worker",
			stdin:      "[\n" + `{"sid":"WK1","attributes":{}}` + "\n" + `{"sid":"WK2","attributes":{}}` + "\n]\n",
			wantStderr: []string{"stdin:3: ", "want , or ] between workers"},
		},
		{
			name:       "missing file",
			reason:     "a FILE that cannot be opened is exit 2",
			args:       []string{missing},
			wantStderr: []string{"flexroles: audit: ", missing, "no such file"},
		},
		{
			name:       "two files",
			reason:     "usage: at most one FILE",
			args:       []string{workers, workers},
			wantStderr: []string{"flexroles: audit takes at most one FILE, got 2", "usage:"},
		},
		{
			name:       "--policy without --users",
			reason:     "usage: drift needs both",
			args:       []string{"--policy", examplePolicy, workers},
			wantStderr: []string{"--policy and --users together", "usage:"},
		},
		{
			name:       "--users without --policy",
			reason:     "usage: drift needs both",
			args:       []string{"--users", users, workers},
			wantStderr: []string{"--policy and --users together"},
		},
		{
			name:       "FILE with --workspace",
			reason:     "usage: workers come from FILE or the workspace, not both",
			args:       []string{"--workspace", trt.Workspace, workers},
			wantStderr: []string{"either FILE or --workspace, not both"},
		},
		{
			name:       "unknown flag",
			reason:     "an unknown flag is bad usage",
			args:       []string{"--yaml", workers},
			wantStderr: []string{"flexroles: audit: ", "-yaml"},
		},
		{
			name:       "invalid workspace",
			reason:     "a workspace SID of the wrong form is refused before any request",
			args:       []string{"--workspace", "WS0011"},
			wantStderr: []string{"flexroles: audit: workspace WS0011: ", `invalid workspace sid "WS0011"`},
		},
		{
			name:       "policy that does not load",
			reason:     "a bad --policy is exit 2 with its problems, as for resolve",
			args:       []string{"--policy", missing, "--users", users, workers},
			wantStderr: []string{"flexroles: audit: the policy " + missing + " does not load"},
		},
		{
			name:       "missing users file",
			reason:     "a --users file that cannot be opened is exit 2",
			args:       []string{"--policy", examplePolicy, "--users", missing, workers},
			wantStderr: []string{"flexroles: audit: --users ", missing},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := auditCLI(tt.stdin, tt.args...)
			assert.Equal(t, exitUsage, code, "exit status; %s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			assert.Empty(t, stdout, "nothing is reported when the input cannot be read; %s", tt.reason)
			for _, s := range tt.wantStderr {
				assert.Contains(t, stderr, s, tt.reason)
			}
		})
	}
}

// TestAuditExitStatus checks exit 0 with warnings only or no findings, 1
// with an error-level finding, and the summary of a clean input.
func TestAuditExitStatus(t *testing.T) {
	const (
		clean1   = `{"sid":"WK1","friendly_name":"ana","attributes":"{\"roles\":[\"agent\"],\"email\":\"ana@example.com\"}"}`
		clean2   = `{"sid":"WK2","friendly_name":"lee","attributes":{"roles":["supervisor","wfo.team_leader"]}}`
		adminRaw = `{"sid":"WK3","friendly_name":"root","attributes":"{\"roles\":[\"admin\"]}"}`
		agentWFO = `{"sid":"WK4","friendly_name":"al","attributes":{"roles":["agent","wfo.team_leader"]}}`
		noRoles  = `{"sid":"WK5","friendly_name":"sys","attributes":"{}"}`
	)
	tests := []struct {
		name     string
		reason   string
		input    string
		wantCode int
		want     []findingAt
		summary  string
	}{
		{
			name:     "clean",
			reason:   "usage: no finding at all is exit 0, with the summary only",
			input:    clean1 + "\n" + clean2 + "\n",
			wantCode: exitOK,
			summary:  "2 workers audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:     "clean single worker",
			reason:   "the summary counts one worker in the singular",
			input:    clean1 + "\n",
			wantCode: exitOK,
			summary:  "1 worker audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:     "empty array",
			reason:   "an empty array is a workspace without workers: clean, not an input error",
			input:    "[]\n",
			wantCode: exitOK,
			summary:  "0 workers audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:     "empty page",
			reason:   "a ListWorkers page without workers is clean too",
			input:    `{"workers":[],"meta":{"page":0}}` + "\n",
			wantCode: exitOK,
			summary:  "0 workers audited: 0 with findings, 0 errors, 0 warnings\n",
		},
		{
			name:     "admin without wfo role",
			reason:   "usage: warnings alone are exit 0 (worker.insights.no_wfo is a warning)",
			input:    clean1 + "\n" + adminRaw + "\n",
			wantCode: exitOK,
			want:     []findingAt{{2, "WK3", "worker.insights.no_wfo"}},
			summary:  "2 workers audited: 1 with findings, 0 errors, 1 warning\n",
		},
		{
			name:     "two kinds of warning",
			reason:   "worker.insights.agent_wfo is a warning as well",
			input:    adminRaw + "\n" + agentWFO + "\n",
			wantCode: exitOK,
			want:     []findingAt{{1, "WK3", "worker.insights.no_wfo"}, {2, "WK4", "worker.insights.agent_wfo"}},
			summary:  "2 workers audited: 2 with findings, 0 errors, 2 warnings\n",
		},
		{
			name:     "one error among warnings",
			reason:   "usage: one error-level finding is exit 1",
			input:    adminRaw + "\n" + noRoles + "\n" + clean2 + "\n",
			wantCode: exitFailed,
			want:     []findingAt{{1, "WK3", "worker.insights.no_wfo"}, {2, "WK5", "worker.roles.missing"}},
			summary:  "3 workers audited: 2 with findings, 1 error, 1 warning\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, stdout, stderr := auditCLI(tt.input, "--json")
			require.Equal(t, tt.wantCode, code, "exit status; %s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			assert.Empty(t, stderr, tt.reason)
			got := decodeFindings(t, stdout)
			if tt.want == nil {
				assert.Empty(t, got, tt.reason)
			} else {
				assert.Equal(t, tt.want, findingsAt(got), tt.reason)
			}

			code, stdout, stderr = auditCLI(tt.input)
			assert.Equal(t, tt.wantCode, code, tt.reason)
			assert.Empty(t, stderr, tt.reason)
			if tt.want == nil {
				assert.Equal(t, tt.summary, stdout, "a clean audit prints the summary alone; %s", tt.reason)
			} else {
				assert.True(t, strings.HasSuffix(stdout, "\n\n"+tt.summary), "summary after a blank line; %s\n%s", tt.reason, stdout)
			}
		})
	}
}

// tableGroup is one rule's section of the table output.
type tableGroup struct {
	level, rule string
	count       int
	examples    []tableExample
	more        string // the "… and N more" line, without its indent, or ""
}

// tableExample is one finding listed in the table.
type tableExample struct{ label, message string }

var tableHeader = regexp.MustCompile(`^(error|warning) +(\S+)  \((\d+) findings?\)$`)

// parseTable splits the table output into its rule groups and summary,
// failing the test on any line out of the documented layout.
func parseTable(t *testing.T, out string) ([]tableGroup, string) {
	t.Helper()
	require.True(t, strings.HasSuffix(out, "\n"), "the output ends with a newline")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	summary := lines[len(lines)-1]
	lines = lines[:len(lines)-1]
	var groups []tableGroup
	for i := 0; i < len(lines); {
		m := tableHeader.FindStringSubmatch(lines[i])
		require.NotNil(t, m, "line %d is a group header: %q", i+1, lines[i])
		n, _ := strconv.Atoi(m[3])
		g := tableGroup{level: m[1], rule: m[2], count: n}
		i++
		for i+1 < len(lines) && strings.HasPrefix(lines[i], "    ") && !strings.HasPrefix(lines[i], "    … ") {
			require.False(t, strings.HasPrefix(lines[i], "     "), "a label is indented 4: %q", lines[i])
			require.True(t, strings.HasPrefix(lines[i+1], "        "), "a message is indented 8: %q", lines[i+1])
			g.examples = append(g.examples, tableExample{strings.TrimPrefix(lines[i], "    "), strings.TrimPrefix(lines[i+1], "        ")})
			i += 2
		}
		if i < len(lines) && strings.HasPrefix(lines[i], "    … ") {
			g.more = strings.TrimPrefix(lines[i], "    ")
			i++
		}
		require.Less(t, i, len(lines), "a blank line ends group %s", g.rule)
		require.Equal(t, "", lines[i], "a blank line ends group %s", g.rule)
		i++
		groups = append(groups, g)
	}
	return groups, summary
}

// TestAuditTable checks the default table output: findings grouped by rule,
// errors before warnings, each group with its count and its findings'
// SID, friendly name, line and message, at most 20 of them.
func TestAuditTable(t *testing.T) {
	var in strings.Builder
	// Lines 1-25: admins without a wfo role, one warning each.
	for i := 1; i <= 25; i++ {
		fmt.Fprintf(&in, `{"sid":"WK%032x","friendly_name":"admin%d@example.com","attributes":"{\"roles\":[\"admin\"]}"}`+"\n", i, i)
	}
	// Line 26: an unknown role, two errors.
	in.WriteString(`{"sid":"WK00000000000000000000000000000099","friendly_name":"cy.park@example.com","attributes":{"roles":["Agent"]}}` + "\n")
	// Line 27: no SID nor name, malformed.
	in.WriteString(`{"attributes":42}` + "\n")
	// Line 28: role without roles, an error and a warning.
	in.WriteString(`{"sid":"WK00000000000000000000000000000098","attributes":{"role":"agent"}}` + "\n")
	input := in.String()

	code, stdout, stderr := auditCLI(input)
	require.Equal(t, exitFailed, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	assert.Empty(t, stderr)
	groups, summary := parseTable(t, stdout)
	assert.Equal(t, strings.TrimSuffix(summaryLine(28, 28, 4, 26), "\n"), summary)

	var order []string
	for _, g := range groups {
		order = append(order, g.level+" "+g.rule)
	}
	assert.Equal(t, []string{
		"error audit.malformed",
		"error worker.roles.missing",
		"error worker.roles.no_flex_role",
		"error worker.roles.unknown",
		"warning worker.insights.no_wfo",
		"warning worker.roles.singular",
	}, order, "errors first, then warnings, each by rule id")

	_, jsonOut, _ := auditCLI(input, "--json")
	all := decodeFindings(t, jsonOut)
	byRule := map[string][]auditFinding{}
	for _, f := range all {
		byRule[f.Rule] = append(byRule[f.Rule], f)
	}
	for _, g := range groups {
		fs := byRule[g.rule]
		assert.Equal(t, len(fs), g.count, "count of %s", g.rule)
		shown := min(len(fs), 20)
		require.Len(t, g.examples, shown, "examples of %s", g.rule)
		for i, ex := range g.examples {
			f := fs[i]
			var label []string
			for _, part := range []string{f.SID, f.FriendlyName} {
				if part != "" {
					label = append(label, part)
				}
			}
			label = append(label, "line "+strconv.Itoa(f.Line))
			assert.Equal(t, strings.Join(label, "  "), ex.label, "example %d of %s: SID, friendly name, line, in input order", i, g.rule)
			assert.Equal(t, f.Message, ex.message, "example %d of %s", i, g.rule)
		}
		if len(fs) > 20 {
			assert.Equal(t, fmt.Sprintf("… and %d more; --json lists them all", len(fs)-20), g.more, g.rule)
		} else {
			assert.Empty(t, g.more, g.rule)
		}
	}

	// Spot checks of the exact text.
	assert.Contains(t, stdout, "warning  worker.insights.no_wfo  (25 findings)\n    WK00000000000000000000000000000001  admin1@example.com  line 1\n        admin or supervisor without a wfo.* role")
	assert.Contains(t, stdout, "    WK00000000000000000000000000000014  admin20@example.com  line 20\n")
	assert.NotContains(t, stdout, "admin21@example.com", "the 21st finding of a rule is left to --json")
	assert.Contains(t, stdout, "    … and 5 more; --json lists them all\n\n")
	assert.Contains(t, stdout, "error    audit.malformed  (1 finding)\n    line 27\n        cannot read this worker")
	assert.Contains(t, stdout, "error    worker.roles.unknown  (1 finding)\n    WK00000000000000000000000000000099  cy.park@example.com  line 26\n")
	assert.Contains(t, stdout, "error    worker.roles.missing  (1 finding)\n    WK00000000000000000000000000000098  line 28\n")
}

// TestAuditUsersFileErrors checks that an IdP export that cannot be used is
// exit 2 with the file and line of the problem.
func TestAuditUsersFileErrors(t *testing.T) {
	workers := filepath.Join(auditData, "drift.ndjson")
	tests := []struct {
		name   string
		reason string
		file   string // the users file's name, which gives its form
		text   string
		want   []string // substrings of stderr, after the file's path
	}{
		{
			name:   "duplicate email in CSV",
			reason: "users are keyed by email, compared ignoring case",
			file:   "users.csv",
			text:   "email,name,groups\na@example.com,A,CC-Agents\nb@example.com,B,CC-Agents\nA@Example.com,A2,CC-Leads\n",
			want:   []string{`:4: email "A@Example.com" already given on line 2`},
		},
		{
			name:   "duplicate email in NDJSON",
			reason: "the line of each NDJSON user is its own",
			file:   "users.ndjson",
			text:   `{"email":"a@example.com","name":"A"}` + "\n" + `{"email":"b@example.com","name":"B"}` + "\n" + `{"email":"a@example.com","name":"A2"}` + "\n",
			want:   []string{`:3: email "a@example.com" already given on line 1`},
		},
		{
			name:   "duplicate email in a pretty JSON array",
			reason: "the line of a user in an array is where its object starts",
			file:   "users.json",
			text:   "[\n  {\"email\": \"a@example.com\", \"name\": \"A\"},\n  {\"email\": \"b@example.com\", \"name\": \"B\"},\n  {\"email\": \"a@example.com\", \"name\": \"A2\"}\n]\n",
			want:   []string{`:4: email "a@example.com" already given on line 2`},
		},
		{
			name:   "CSV without an email column",
			reason: "the email column is what workers are matched by",
			file:   "users.csv",
			text:   "mail,name,groups\na@example.com,A,CC-Agents\n",
			want:   []string{`:1: column "mail" is not one the export reads (did you mean "email"?)`},
		},
		{
			name:   "CSV whose full name column is display_name",
			reason: "issue 18: every user's next login would be refused 45050 for its full_name, and drift would blame the workers",
			file:   "users.csv",
			text:   "email,display_name,groups\na@example.com,A,CC-Agents\n",
			want:   []string{`:1: column "display_name" is not one the export reads (did you mean "name"?)`},
		},
		{
			name:   "CSV without a name column",
			reason: "every SSO login needs a full name",
			file:   "users.csv",
			text:   "email,groups\na@example.com,CC-Agents\n",
			want:   []string{":1: the header has no name column"},
		},
		{
			name:   "CSV user without an email",
			reason: "a user without an email can match no worker",
			file:   "users.csv",
			text:   "email,name,groups\na@example.com,A,CC-Agents\n,B,CC-Agents\n",
			want:   []string{":3: user without an email"},
		},
		{
			name:   "unknown field in NDJSON",
			reason: "a misspelt field would silently drop the user's groups",
			file:   "users.ndjson",
			text:   `{"email":"a@example.com","name":"A","groups":["CC-Agents"]}` + "\n" + `{"email":"b@example.com","name":"B","group":["CC-Agents"]}` + "\n",
			want:   []string{":2: ", `unknown field "group"`},
		},
		{
			name:   "unknown field in the first user of a JSON array",
			reason: "the first user's line is where its object starts",
			file:   "users.json",
			text:   "[\n  {\"email\": \"a@example.com\", \"nam\": \"A\"}\n]\n",
			want:   []string{":2: ", `unknown field "nam"`},
		},
		{
			name:   "unknown field in a later user of a JSON array",
			reason: "a later user's line is where its object starts",
			file:   "users.json",
			text:   "[\n  {\"email\": \"a@example.com\", \"name\": \"A\"},\n  {\"email\": \"b@example.com\", \"nam\": \"B\"}\n]\n",
			want:   []string{":3: ", `unknown field "nam"`},
		},
		{
			name:   "empty users file",
			reason: "an empty export would make every worker drift.no_user",
			file:   "users.csv",
			text:   "\n",
			want:   []string{"empty file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeTemp(t, tt.file, tt.text)
			code, stdout, stderr := auditCLI("", "--policy", examplePolicy, "--users", path, workers)
			assert.Equal(t, exitUsage, code, "exit status; %s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			assert.Empty(t, stdout, tt.reason)
			require.Contains(t, stderr, "flexroles: audit: --users "+path, tt.reason)
			rest := stderr[strings.Index(stderr, path)+len(path):]
			for _, s := range tt.want {
				assert.Contains(t, rest, s, tt.reason)
			}
		})
	}
}

// liveAudit runs the audit of the fake TaskRouter f's workspace with the
// credentials of env and returns its exit status and output.
func liveAudit(f *trt.Server, env map[string]string, args ...string) (code int, stdout, stderr string) {
	cfg, _ := f.Config(env)
	cfg.Workspace = "" // the audit takes it from --workspace
	var out, errOut bytes.Buffer
	args = append(append([]string(nil), args...), "--workspace", trt.Workspace)
	code = runAudit(args, strings.NewReader(""), &out, &errOut, auditEnv{live: cfg})
	return code, out.String(), errOut.String()
}

// TestAuditLive checks the audit of a workspace read live from a fake
// TaskRouter, two pages of workers.
func TestAuditLive(t *testing.T) {
	var (
		clean   = trt.Worker{SID: trt.WorkerSID(1), Name: "ana.diaz@example.com", Attributes: `{"roles":["agent"],"email":"ana.diaz@example.com"}`}
		admin   = trt.Worker{SID: trt.WorkerSID(2), Name: "root@example.com", Attributes: `{"roles":["admin"]}`}
		unknown = trt.Worker{SID: trt.WorkerSID(3), Name: "cy.park@example.com", Attributes: `{"roles":["agent","Supervisor"]}`}
		broken  = trt.Worker{SID: trt.WorkerSID(4), Name: "cut@example.com", Attributes: `{"roles":["agent"`}
		lead    = trt.Worker{SID: trt.WorkerSID(5), Name: "lee.lead@example.com", Attributes: `{"roles":["agent"],"email":"lee.lead@example.com"}`}
	)
	type liveFinding struct{ SID, Name, Rule string }
	tests := []struct {
		name     string
		reason   string
		workers  []trt.Worker
		args     []string
		wantCode int
		want     []liveFinding
		summary  string
	}{
		{
			name:     "error on the second page",
			reason:   "every page is audited; an error-level finding is exit 1",
			workers:  []trt.Worker{clean, admin, unknown},
			wantCode: exitFailed,
			want: []liveFinding{
				{admin.SID, admin.Name, "worker.insights.no_wfo"},
				{unknown.SID, unknown.Name, "worker.roles.unknown"},
			},
			summary: summaryLine(3, 2, 1, 1),
		},
		{
			name:     "warnings only",
			reason:   "warnings alone are exit 0, live as from a file",
			workers:  []trt.Worker{clean, admin, clean},
			wantCode: exitOK,
			want:     []liveFinding{{admin.SID, admin.Name, "worker.insights.no_wfo"}},
			summary:  summaryLine(3, 1, 0, 1),
		},
		{
			name:     "attributes that are not JSON",
			reason:   "a live worker whose attributes cannot be read is audit.malformed with its SID, and the audit goes on",
			workers:  []trt.Worker{broken, admin, unknown},
			wantCode: exitFailed,
			want: []liveFinding{
				{broken.SID, broken.Name, "audit.malformed"},
				{admin.SID, admin.Name, "worker.insights.no_wfo"},
				{unknown.SID, unknown.Name, "worker.roles.unknown"},
			},
			summary: summaryLine(3, 3, 2, 1),
		},
		{
			name:     "drift",
			reason:   "drift applies to live workers too",
			workers:  []trt.Worker{clean, lead, admin},
			args:     []string{"--policy", examplePolicy, "--users", filepath.Join(auditData, "users.csv")},
			wantCode: exitFailed,
			want: []liveFinding{
				{lead.SID, lead.Name, "drift.roles"},
				{admin.SID, admin.Name, "worker.insights.no_wfo"},
				{admin.SID, admin.Name, "drift.no_user"},
			},
			summary: summaryLine(3, 2, 1, 2),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := trt.New(t, trt.TokenEnv(), tt.workers, 2)
			code, stdout, stderr := liveAudit(f, trt.TokenEnv(), append([]string{"--json"}, tt.args...)...)
			require.Equal(t, tt.wantCode, code, "exit status; %s\nstdout:\n%s\nstderr:\n%s", tt.reason, stdout, stderr)
			assert.Empty(t, stderr, tt.reason)
			assert.Len(t, f.Seen(), 2, "both pages are read; %s", tt.reason)
			var got []liveFinding
			for _, fd := range decodeFindings(t, stdout) {
				got = append(got, liveFinding{fd.SID, fd.FriendlyName, fd.Rule})
				assert.Zero(t, fd.Line, tt.reason)
			}
			assert.Equal(t, tt.want, got, tt.reason)
			assert.NotContains(t, stdout, `"line"`, "live workers have no line, which JSON omits; %s", tt.reason)

			code, stdout, _ = liveAudit(f, trt.TokenEnv(), tt.args...)
			assert.Equal(t, tt.wantCode, code, tt.reason)
			assert.True(t, strings.HasSuffix(stdout, tt.summary), "summary; %s\n%s", tt.reason, stdout)
			assert.NotContains(t, stdout, "line ", "the table names live workers without a line; %s", tt.reason)
			assert.Contains(t, stdout, "    "+tt.want[0].SID+"  "+tt.want[0].Name+"\n", tt.reason)
		})
	}
}

// TestAuditLiveErrors checks that a live audit that cannot read the
// workspace exits 2, and never shows the credentials.
func TestAuditLiveErrors(t *testing.T) {
	wrongToken := map[string]string{"TWILIO_ACCOUNT_SID": trt.Account, "TWILIO_AUTH_TOKEN": "another0Token"}
	tests := []struct {
		name      string
		reason    string
		env       map[string]string // the credentials sent
		serverEnv map[string]string // the credentials the server expects
		intercept func(int, http.ResponseWriter, *http.Request) bool
		want      []string
	}{
		{
			name: "wrong auth token", reason: "Twilio answers 401: exit 2, and the token sent appears nowhere",
			env: trt.TokenEnv(), serverEnv: wrongToken,
			want: []string{"flexroles: audit: workspace " + trt.Workspace + ": ", "authentication failed", "http 401"},
		},
		{
			name: "wrong api secret", reason: "the same with an API key and secret",
			env: trt.KeyEnv(), serverEnv: trt.TokenEnv(),
			want: []string{"authentication failed", "TWILIO_API_KEY, TWILIO_API_SECRET and TWILIO_ACCOUNT_SID"},
		},
		{
			name: "no credentials", reason: "without credentials no request is sent",
			env: map[string]string{}, serverEnv: trt.TokenEnv(),
			want: []string{"missing twilio credentials"},
		},
		{
			name: "second page fails", reason: "an error after the first page still ends the audit with exit 2",
			env: trt.TokenEnv(), serverEnv: trt.TokenEnv(),
			intercept: func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n == 0 {
					return false
				}
				trt.WriteError(w, http.StatusInternalServerError, 20500, "Internal Server Error")
				return true
			},
			want: []string{"http 500"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := trt.New(t, tt.serverEnv, trt.Workers(), 2)
			f.Intercept = tt.intercept
			for _, args := range [][]string{nil, {"--json"}} {
				code, stdout, stderr := liveAudit(f, tt.env, args...)
				assert.Equal(t, exitUsage, code, "exit status %v; %s\nstdout:\n%s\nstderr:\n%s", args, tt.reason, stdout, stderr)
				for _, s := range tt.want {
					assert.Contains(t, stderr, s, tt.reason)
				}
				for _, secret := range []string{trt.Token, trt.Secret} {
					assert.NotContains(t, stdout, secret, tt.reason)
					assert.NotContains(t, stderr, secret, tt.reason)
				}
				if args == nil {
					assert.Empty(t, stdout, "the table is not printed when reading fails; %s", tt.reason)
				}
			}
		})
	}
}

// TestAuditManyWorkers audits 20,000 generated workers: the counts are
// exact and the table lists at most 20 findings of a rule however many
// there are. It also checks that --json gives findings in input order
// across the batches checked in parallel.
func TestAuditManyWorkers(t *testing.T) {
	const n = 20000
	var buf bytes.Buffer
	require.NoError(t, workergen.Write(&buf, n))
	input := buf.String()

	code, stdout, stderr := auditCLI(input)
	require.Equal(t, exitFailed, code, "stderr:\n%s", stderr)
	assert.Empty(t, stderr)
	assert.True(t, strings.HasSuffix(stdout, "\n20000 workers audited: 2000 with findings, 2000 errors, 2000 warnings\n"), "summary:\n%s", stdout)
	groups, _ := parseTable(t, stdout)
	require.Len(t, groups, 2, "one rule of each level:\n%s", stdout)
	for _, g := range groups {
		assert.Equal(t, 2000, g.count, g.rule)
		assert.Len(t, g.examples, 20, g.rule)
		assert.Equal(t, "… and 1980 more; --json lists them all", g.more, g.rule)
	}
	assert.Equal(t, "worker.roles.unknown", groups[0].rule)
	assert.Equal(t, "worker.insights.no_wfo", groups[1].rule)
	assert.Less(t, len(stdout), 32<<10, "the table stays small")

	// The order is checked on fewer workers, still many batches.
	const m = 5000
	buf.Reset()
	require.NoError(t, workergen.Write(&buf, m))
	code, stdout, _ = auditCLI(buf.String(), "--json")
	require.Equal(t, exitFailed, code)
	got := decodeFindings(t, stdout)
	require.Len(t, got, 2*m/10)
	for i, f := range got {
		// Worker k (from 0) is on line k+1; every tenth, k = 9 mod 10, has
		// an unknown role and then no wfo role.
		k := 10*(i/2) + 9
		want := findingAt{k + 1, fmt.Sprintf("WK%032x", k), "worker.roles.unknown"}
		if i%2 == 1 {
			want.Rule = "worker.insights.no_wfo"
		}
		if !assert.Equal(t, want, findingAt{f.Line, f.SID, f.Rule}, "finding %d, in input order", i) {
			break
		}
	}
}

// TestAuditHelp checks that audit -h prints its usage on stdout.
func TestAuditHelp(t *testing.T) {
	code, stdout, stderr := auditCLI("", "-h")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	for _, s := range []string{"flexroles audit [--json]", "--workspace", "--policy", "--users", "Exit status"} {
		assert.Contains(t, stdout, s)
	}
}

// TestAuditExamples checks that the shipped examples/workers.ndjson shows
// every finding the audit can report, as the README promises, and that
// examples/users.csv shows every kind of drift under examples/policy.yaml.
func TestAuditExamples(t *testing.T) {
	rules := func(args ...string) map[string]int {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(append([]string{"audit", "--json"}, args...), strings.NewReader(""), &out, &errOut)
		require.Equal(t, exitFailed, code, errOut.String())
		seen := map[string]int{}
		for _, f := range decodeFindings(t, out.String()) {
			seen[f.Rule]++
		}
		return seen
	}
	seen := rules("../../examples/workers.ndjson")
	for _, rule := range []string{
		"worker.roles.missing", "worker.roles.singular", "worker.roles.not_array", "worker.roles.unknown",
		"worker.roles.duplicate", "worker.roles.no_flex_role", "worker.readonly.mixed", "worker.console.sso_only_role",
		"worker.insights.agent_wfo", "worker.insights.no_wfo", "worker.contact_uri.unescaped", "worker.contact_uri.mismatch",
		"audit.malformed",
	} {
		assert.Positive(t, seen[rule], "examples/workers.ndjson shows %s", rule)
	}
	drift := rules("--policy", "../../examples/policy.yaml", "--users", "../../examples/users.csv", "../../examples/workers.ndjson")
	for _, rule := range []string{"drift.roles", "drift.refused", "drift.no_user"} {
		assert.Positive(t, drift[rule], "examples/users.csv shows %s", rule)
	}
}

// TestAuditProgressLine checks the progress line a terminal gets: updated
// in place, with workers, pace and findings, and cleared at the end.
func TestAuditProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := &progressLine{w: &b, start: time.Now().Add(-2 * time.Second)}
	p.add(1000, 3)
	require.Contains(t, b.String(), "\raudit: 1000 workers, ")
	assert.Contains(t, b.String(), " workers/s, 3 findings so far\033[K")
	n := b.Len()
	p.add(10, 0)
	assert.Equal(t, n, b.Len(), "no redraw within 200 ms")
	p.clear()
	assert.True(t, strings.HasSuffix(b.String(), "\r\033[K"), "the line is cleared before the report")
	assert.False(t, isTerminal(&b), "a buffer is not a terminal")
}
