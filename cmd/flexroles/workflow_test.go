package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/review"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// examplesDir is the repository's examples directory, from this package's.
const examplesDir = "../../examples"

// ghWorkflow is the part of a GitHub Actions workflow that the test reads.
type ghWorkflow struct {
	On struct {
		PullRequest *struct {
			Paths []string `yaml:"paths"`
		} `yaml:"pull_request"`
		PullRequestTarget any `yaml:"pull_request_target"`
	} `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]struct {
		Steps []ghStep `yaml:"steps"`
	} `yaml:"jobs"`
}

// ghStep is one step of a workflow job.
type ghStep struct {
	Uses string            `yaml:"uses"`
	With map[string]any    `yaml:"with"`
	Env  map[string]string `yaml:"env"`
	Run  string            `yaml:"run"`
}

// steps returns the steps of every job, the jobs in name order and each
// job's steps in file order.
func (wf *ghWorkflow) steps() []ghStep {
	names := make([]string, 0, len(wf.Jobs))
	for name := range wf.Jobs {
		names = append(names, name)
	}
	sort.Strings(names)
	var steps []ghStep
	for _, name := range names {
		steps = append(steps, wf.Jobs[name].Steps...)
	}
	return steps
}

// TestWorkflowExample checks the example GitHub Actions workflow
// examples/ci/policy-review.yml, then runs each of its flexroles command
// lines in a git repository set up as the workflow's checkout of a pull
// request would be: the base branch main, reachable as origin/main, holds
// examples/policy.yaml, and the work tree examples/policy-next.yaml.
// It changes the process's current directory, so it must not be parallel.
func TestWorkflowExample(t *testing.T) {
	examples, err := filepath.Abs(examplesDir)
	require.NoError(t, err)
	data, err := os.ReadFile(filepath.Join(examples, "ci", "policy-review.yml"))
	require.NoError(t, err)
	var wf ghWorkflow
	require.NoError(t, yaml.Unmarshal(data, &wf))

	require.NotNil(t, wf.On.PullRequest, "the workflow must run on pull_request")
	require.Nil(t, wf.On.PullRequestTarget, "pull_request_target runs a fork's code with a write token")
	require.Contains(t, wf.On.PullRequest.Paths, "policy.yaml")
	require.Equal(t, "write", wf.Permissions["pull-requests"])
	steps := wf.steps()
	var checkout *ghStep
	for i := range steps {
		if strings.HasPrefix(steps[i].Uses, "actions/checkout@") {
			checkout = &steps[i]
		}
		require.NotContains(t, steps[i].Run, "${{", "pass expressions through env, not inline in a script")
	}
	require.NotNil(t, checkout, "the workflow must check out the repository")
	require.Equal(t, "0", fmt.Sprint(checkout.With["fetch-depth"]), "git:origin/BASE:PATH needs the base branch")

	checkInstall(t, &wf, steps)

	const base = "main"
	cmds := flexrolesCommands(t, steps, base)
	counts := map[string]int{}
	for _, c := range cmds {
		counts[c.args[0]]++
	}
	require.Equal(t, map[string]int{"test": 1, "diff": 1}, counts, "the workflow's flexroles commands")

	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	chdir(t, newPolicyRepo(t, examples, base))
	for _, c := range cmds {
		code, stdout, stderr := cli(c.args...)
		switch c.args[0] {
		case "test":
			require.Equal(t, exitOK, code, "%s\n%s%s", c.line, stdout, stderr)
		case "diff":
			require.Equal(t, 1, code, "%s: policy-next refuses a user\n%s%s", c.line, stdout, stderr)
			require.True(t, strings.HasPrefix(stdout, review.MarkdownMarker+"\n### Flex role policy"), "%s\n%s", c.line, stdout)
			require.Contains(t, stdout, "This change fails the review")
		}
	}
}

// commandPath is the package path of the command, which the workflow
// installs.
const commandPath = "github.com/flexroles/flexroles/cmd/flexroles"

// checkInstall checks how the workflow installs flexroles: a step runs go
// install of this command at the version one of the workflow's env variables
// pins (go install github.com/flexroles/flexroles/cmd/flexroles@"$VAR", as
// the README installs it), before any step runs flexroles.
func checkInstall(t *testing.T, wf *ghWorkflow, steps []ghStep) {
	t.Helper()
	installed := false
	for _, step := range steps {
		for _, line := range strings.Split(step.Run, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "flexroles ") {
				require.True(t, installed, "%s: runs before flexroles is installed", line)
			}
			if !strings.HasPrefix(line, "go install ") {
				continue
			}
			words, err := shellWords(line)
			require.NoError(t, err, line)
			require.Len(t, words, 3, "%s: go install PACKAGE@VERSION", line)
			pkg, version, ok := strings.Cut(words[2], "@")
			require.True(t, ok && pkg == commandPath, "%s: install %s@VERSION", line, commandPath)
			name, ok := strings.CutPrefix(version, "$")
			require.True(t, ok, "%s: the version comes from a variable the workflow sets", line)
			require.NotEmpty(t, wf.Env[strings.Trim(name, "{}")], "the workflow's env must pin %s", version)
			installed = true
		}
	}
	require.True(t, installed, "the workflow must go install %s@VERSION", commandPath)
}

// workflowCommand is one flexroles command line of a workflow's scripts.
type workflowCommand struct {
	line string   // the line as written
	args []string // its arguments after "flexroles", expanded
}

// baseRefExpr matches the expression of a pull request's base branch.
var baseRefExpr = regexp.MustCompile(`\$\{\{\s*github\.base_ref\s*\}\}`)

// flexrolesCommands returns the lines of the steps' run scripts that start
// with "flexroles ", with the base branch base put for ${{ github.base_ref }}
// and for the step's env variables set to it, split into arguments by
// shellWords. It fails the test on a line that does not split or keeps a
// variable it cannot expand.
func flexrolesCommands(t *testing.T, steps []ghStep, base string) []workflowCommand {
	t.Helper()
	var cmds []workflowCommand
	for _, step := range steps {
		for _, line := range strings.Split(step.Run, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "flexroles ") {
				continue
			}
			expanded := baseRefExpr.ReplaceAllLiteralString(line, base)
			for name, value := range step.Env {
				if baseRefExpr.MatchString(value) {
					expanded = strings.ReplaceAll(expanded, "${"+name+"}", base)
					expanded = regexp.MustCompile(`\$`+name+`\b`).ReplaceAllLiteralString(expanded, base)
				}
			}
			words, err := shellWords(expanded)
			require.NoError(t, err, line)
			for _, w := range words {
				require.NotContains(t, w, "$", "%s: a variable the test does not expand", line)
			}
			cmds = append(cmds, workflowCommand{line: line, args: words[1:]})
		}
	}
	return cmds
}

// shellWords splits a one-line shell command into its words as sh would for
// a simple command: single and double quotes and backslashes are removed,
// redirections (> FILE, >> FILE, 2>&1, < FILE) are dropped, and the command
// ends at an unquoted |, &, ; or a # starting a word. Variables are not
// expanded.
func shellWords(line string) ([]string, error) {
	var (
		words    []string
		word     strings.Builder
		inWord   bool // word holds a word, perhaps empty ("")
		redirect bool // the next word is a redirection's target
		quote    rune // the open quote, or 0
	)
	end := func() {
		if inWord && !redirect {
			words = append(words, word.String())
		}
		if inWord {
			redirect = false
		}
		word.Reset()
		inWord = false
	}
	rs := []rune(line)
scan:
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == '\'':
			if r == '\'' {
				quote = 0
			} else {
				word.WriteRune(r)
			}
		case quote == '"':
			switch {
			case r == '"':
				quote = 0
			case r == '\\' && i+1 < len(rs) && strings.ContainsRune("\"\\$`", rs[i+1]):
				i++
				word.WriteRune(rs[i])
			default:
				word.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '\\' && i+1 < len(rs):
			i++
			word.WriteRune(rs[i])
			inWord = true
		case r == ' ' || r == '\t':
			end()
		case r == '>' || r == '<':
			if inWord && strings.Trim(word.String(), "0123456789") == "" {
				word.Reset() // a file descriptor, as the 2 of 2>&1
				inWord = false
			}
			end()
			for i+1 < len(rs) && (rs[i+1] == '>' || rs[i+1] == '&') {
				i++
			}
			redirect = true
		case r == '|' || r == '&' || r == ';' || (r == '#' && !inWord):
			break scan
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	end()
	if redirect {
		return nil, fmt.Errorf("a redirection without a target")
	}
	return words, nil
}

// newPolicyRepo makes a git repository in a temporary directory and returns
// its path. Its branch base, also reachable as origin/base, commits the
// examples' policy.yaml and users.csv at the root; then the work tree's
// policy.yaml is replaced with policy-next.yaml, as a pull request's.
func newPolicyRepo(t *testing.T, examples, base string) string {
	t.Helper()
	dir := t.TempDir()
	copyFile(t, filepath.Join(examples, "policy.yaml"), filepath.Join(dir, "policy.yaml"))
	copyFile(t, filepath.Join(examples, "users.csv"), filepath.Join(dir, "users.csv"))
	git(t, dir, "init", "-q", "-b", base)
	git(t, dir, "add", "policy.yaml", "users.csv")
	git(t, dir, "-c", "user.email=ci@example.com", "-c", "user.name=CI", "-c", "commit.gpgsign=false",
		"commit", "-q", "--no-verify", "-m", "policy")
	git(t, dir, "update-ref", "refs/remotes/origin/"+base, "HEAD")
	copyFile(t, filepath.Join(examples, "policy-next.yaml"), filepath.Join(dir, "policy.yaml"))
	return dir
}

// git runs git with args in dir and fails the test if it fails.
func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), "git %s\n%s", strings.Join(args, " "), out.String())
}

// copyFile copies the file src to dst, replacing dst.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, data, 0o600))
}

// chdir makes dir the process's current directory until the test ends, as
// git:REF:PATH runs git there. The test must not be parallel.
func chdir(t *testing.T, dir string) {
	t.Helper()
	prev, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() {
		if err := os.Chdir(prev); err != nil {
			t.Errorf("restore the current directory: %v", err)
		}
	})
}
