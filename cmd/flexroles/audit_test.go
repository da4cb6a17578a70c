package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	trt "github.com/flexroles/flexroles/cmd/flexroles/internal/taskroutertest"
	"github.com/flexroles/flexroles/internal/audittest"
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
var (
	decodeFindings = audittest.DecodeFindings
	summaryLine    = audittest.SummaryLine
)

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
// and bad usage, exit 2 with a message on stderr and nothing on stdout; an
// input's error is prefixed with where it was. What each input's error
// says is package audit's TestInputErrors.
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
			wantStderr: []string{"flexroles: audit: stdin: "},
		},
		{
			name:       "not JSON",
			reason:     "usage: input must be JSON workers; hello is not",
			stdin:      "hello\n",
			wantStderr: []string{"flexroles: audit: stdin:1: "},
		},
		{
			name:       "unclosed array",
			reason:     "an array without its ] was cut short: the whole input is suspect",
			stdin:      "[\n" + `{"sid":"WK1","attributes":{"roles":["agent"]}}` + ",\n",
			wantStderr: []string{"flexroles: audit: stdin:3: "},
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

// TestAuditExitStatus checks exit 0 with warnings only or no findings and
// 1 with an error-level finding, in both forms. The findings and the
// summary are package audit's TestLevels.
func TestAuditExitStatus(t *testing.T) {
	const (
		clean1   = `{"sid":"WK1","friendly_name":"ana","attributes":"{\"roles\":[\"agent\"],\"email\":\"ana@example.com\"}"}`
		clean2   = `{"sid":"WK2","friendly_name":"lee","attributes":{"roles":["supervisor","wfo.team_leader"]}}`
		adminRaw = `{"sid":"WK3","friendly_name":"root","attributes":"{\"roles\":[\"admin\"]}"}`
		noRoles  = `{"sid":"WK5","friendly_name":"sys","attributes":"{}"}`
	)
	tests := []struct {
		name     string
		reason   string
		input    string
		wantCode int
	}{
		{
			name:     "clean",
			reason:   "usage: no finding at all is exit 0",
			input:    clean1 + "\n" + clean2 + "\n",
			wantCode: exitOK,
		},
		{
			name:     "empty array",
			reason:   "an empty array is a workspace without workers: clean, not an input error",
			input:    "[]\n",
			wantCode: exitOK,
		},
		{
			name:     "admin without wfo role",
			reason:   "usage: warnings alone are exit 0 (worker.insights.no_wfo is a warning)",
			input:    clean1 + "\n" + adminRaw + "\n",
			wantCode: exitOK,
		},
		{
			name:     "one error among warnings",
			reason:   "usage: one error-level finding is exit 1",
			input:    adminRaw + "\n" + noRoles + "\n" + clean2 + "\n",
			wantCode: exitFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, args := range [][]string{{"--json"}, nil} {
				code, stdout, stderr := auditCLI(tt.input, args...)
				require.Equal(t, tt.wantCode, code, "exit status %v; %s\nstdout:\n%s\nstderr:\n%s", args, tt.reason, stdout, stderr)
				assert.Empty(t, stderr, tt.reason)
			}
		})
	}
}

// TestAuditUsersFileErrors checks that an IdP export that cannot be used is
// exit 2 with the file and line of the problem. The error of each kind of
// export is package export's TestLoadErrors.
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
			name:   "unknown field in NDJSON",
			reason: "a misspelt field would silently drop the user's groups",
			file:   "users.ndjson",
			text:   `{"email":"a@example.com","name":"A","groups":["CC-Agents"]}` + "\n" + `{"email":"b@example.com","name":"B","group":["CC-Agents"]}` + "\n",
			want:   []string{":2: ", `unknown field "group"`},
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

// TestAuditHelp checks that audit -h prints its usage on stdout.
func TestAuditHelp(t *testing.T) {
	code, stdout, stderr := auditCLI("", "-h")
	assert.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	for _, s := range []string{"flexroles audit [--json]", "--workspace", "--policy", "--users", "Exit status"} {
		assert.Contains(t, stdout, s)
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
