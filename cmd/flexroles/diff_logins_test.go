package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/internal/mdtext"
	"github.com/flexroles/flexroles/sso/bridge/demo"
	"github.com/flexroles/flexroles/sso/samltest"
)

// demoLogins runs the bridge demo on a copy of the examples, with extra
// lines added to its bridge.yaml, signs in as each user of users.csv, and
// returns the directory, which then holds decisions.ndjson.
func demoLogins(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"bridge.yaml", "policy.yaml", "policy-next.yaml", "users.csv", "users-roles.csv"} {
		data := readFile(t, filepath.Join("..", "..", "examples", name))
		if name == "bridge.yaml" {
			data += extra
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{Config: filepath.Join(dir, "bridge.yaml"), Listener: ln, Ready: func(u string) { ready <- u }})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the demo returned %v", err)
		}
	}()
	var start string
	select {
	case start = <-ready:
	case err := <-done:
		t.Fatalf("the demo did not start: %v", err)
	}
	f, err := os.Open(filepath.Join(dir, "users.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = export.Read(f, func(u *export.User) error {
		_, err := samltest.NewBrowser(nil).SignIn(start+"flex/login", strings.SplitN(u.Email, "@", 2)[0])
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDiffLoginsIsDiff: the logins of the example users through a bridge
// enforcing policy.yaml, reviewed with --logins --policy policy-next.yaml,
// give the changes and counts that diff --users gives for the same users
// and policies; without --policy, a log of enforce mode shows no change.
func TestDiffLoginsIsDiff(t *testing.T) {
	dir := demoLogins(t, "decision_log: decisions.ndjson\ndecision_log_attributes: true\n")
	log := filepath.Join(dir, "decisions.ndjson")

	type report struct {
		Changes []map[string]any `json:"changes"`
		Summary map[string]any   `json:"summary"`
	}
	run := func(args ...string) report {
		t.Helper()
		code, stdout, stderr := cli(args...)
		if code != exitOK {
			t.Fatalf("%q: exit %d\n%s", args, code, stderr)
		}
		var r report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, stdout)
		}
		for _, c := range r.Changes {
			delete(c, "line") // the log's line, the export's line
		}
		return r
	}
	fromLogins := run("diff", "--json", "--logins", log, "--policy", filepath.Join(dir, "policy-next.yaml"))
	fromUsers := run("diff", "--json", "--users", filepath.Join(dir, "users.csv"), filepath.Join(dir, "policy.yaml"), filepath.Join(dir, "policy-next.yaml"))
	if len(fromUsers.Changes) == 0 {
		t.Fatal("the example policies change nobody: the comparison proves nothing")
	}
	a, _ := json.MarshalIndent(fromLogins.Changes, "", " ")
	b, _ := json.MarshalIndent(fromUsers.Changes, "", " ")
	if string(a) != string(b) {
		t.Errorf("the changes differ:\n--logins %s\n--users %s", a, b)
	}
	for _, k := range []string{"users", "changed", "gaining", "losing", "newly_refused", "newly_admitted", "gain", "lose", "gain_insights", "lose_insights", "refused_by", "admitted_from"} {
		x, _ := json.Marshal(fromLogins.Summary[k])
		y, _ := json.Marshal(fromUsers.Summary[k])
		if string(x) != string(y) {
			t.Errorf("summary %s: --logins %s, --users %s", k, x, y)
		}
	}

	code, stdout, stderr := cli("diff", "--logins", log)
	if code != exitOK || !strings.Contains(stdout, "No change: the 9 users of "+log+" keep their outcome.") ||
		!strings.HasPrefix(stdout, "Comparing what Flex received (old) with the policy in force (sha256:") {
		t.Errorf("an enforce-mode log against its own policy: exit %d\n%s%s", code, stdout, stderr)
	}

	// The same log without its attributes cannot be resolved again.
	bare := filepath.Join(dir, "bare.ndjson")
	lines := strings.Split(strings.TrimSpace(readFile(t, log)), "\n")
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "attributes")
		out, _ := json.Marshal(m)
		lines[i] = string(out)
	}
	if err := os.WriteFile(bare, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = cli("diff", "--logins", bare, "--policy", filepath.Join(dir, "policy-next.yaml"))
	if code != exitUsage || stdout != "" || !strings.Contains(stderr, "decision_log_attributes: true") || !strings.Contains(stderr, "line 1") {
		t.Errorf("--policy on a log without attributes: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
}

// TestDiffLoginsUsage: --logins takes no OLD and NEW nor --users, --policy
// needs --logins, and a file that is not a decision log is named by line.
func TestDiffLoginsUsage(t *testing.T) {
	notLog := filepath.Join(t.TempDir(), "users.ndjson")
	if err := os.WriteFile(notLog, []byte(`{"email":"a@example.com","name":"A"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"diff", "--logins", notLog, "a.yaml", "b.yaml"}, exitUsage, "takes no OLD and NEW"},
		{[]string{"diff", "--logins", notLog, "--users", "u.csv"}, exitUsage, "--logins and --users exclude each other"},
		{[]string{"diff", "--policy", "p.yaml", "--users", "u.csv", "a", "b"}, exitUsage, "--policy goes with --logins"},
		{[]string{"diff", "--logins", notLog}, exitUsage, `line 1: no "time" field: is this a flexroles decision log?`},
		{[]string{"diff", "--logins", "-", "--policy", "-"}, exitUsage, "standard input"},
	} {
		code, _, stderr := cli(tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d\n%s\nwant %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// docsBlock returns the first fenced block of kind lang after heading in
// docs/bridge.md, exactly as written there (mdtext.Block).
func docsBlock(t *testing.T, heading, lang string) string {
	t.Helper()
	block, err := mdtext.Block(readFile(t, filepath.Join("..", "..", "docs", "bridge.md")), heading, lang)
	if err != nil {
		t.Fatal("docs/bridge.md has " + err.Error())
	}
	return block
}

// TestRollingAPolicyOut follows docs/bridge.md "Rolling a policy out" as
// written: the example users sign in through the demo bridge with the
// documented shadow configuration added to its bridge.yaml, and each
// documented review command runs in its directory, on the log it wrote.
func TestRollingAPolicyOut(t *testing.T) {
	const heading = "## Rolling a policy out"
	config, sh := docsBlock(t, heading, "yaml"), docsBlock(t, heading, "sh")
	dir := demoLogins(t, config)
	t.Chdir(dir)
	commands := strings.Split(strings.TrimSpace(sh), "\n")
	if len(commands) < 4 {
		t.Fatalf("the section documents %d commands", len(commands))
	}
	for _, line := range commands {
		args, err := shellWords(line)
		if err != nil || len(args) == 0 || args[0] != "flexroles" {
			t.Fatalf("%q is not a flexroles command", line)
		}
		code, stdout, stderr := cli(args[1:]...)
		want := exitOK
		if strings.Contains(line, "--fail-on") {
			want = exitFailed // the example users would lose roles and be refused
		}
		if code != want || stdout == "" {
			t.Errorf("%s: exit %d, want %d\n%s%s", line, code, want, stdout, stderr)
		}
		if !strings.Contains(stdout, "lee.lead@owlbank.example") {
			t.Errorf("%s: the review does not show the team lead whose IdP sends only agent:\n%s", line, stdout)
		}
	}
}

// TestDiffLoginsSeveralPolicies: a log whose logins several policies
// decided (a reload during the day) names each by its digest.
func TestDiffLoginsSeveralPolicies(t *testing.T) {
	line := func(identity, digest string) string {
		return `{"time":"2026-12-06T09:00:00Z","id":"0000000000000001","mode":"enforce","identity":"` + identity + `","outcome":"granted",` +
			`"flex":{"granted":true,"roles":["agent"],"rules":[]},"policy":{"granted":true,"roles":["agent"],"rules":[]},"policy_digest":"` + digest + `"}` + "\n"
	}
	log := filepath.Join(t.TempDir(), "decisions.ndjson")
	a, b := "sha256:"+strings.Repeat("a", 64), "sha256:"+strings.Repeat("b", 64)
	if err := os.WriteFile(log, []byte(line("x@example.com", a)+line("y@example.com", b)+line("z@example.com", a)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli("diff", "--logins", log)
	if want := "Comparing what Flex received (old) with the policies in force (sha256:aaaaaaaaaaaa…, sha256:bbbbbbbbbbbb…) (new)"; code != exitOK || !strings.HasPrefix(stdout, want) {
		t.Errorf("exit %d\n%s%s\nwant it to start %q", code, stdout, stderr, want)
	}
}
