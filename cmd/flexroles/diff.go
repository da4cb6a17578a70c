package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/review"
)

// diffUsage is the usage of the diff command, printed by diff -h.
const diffUsage = `usage:
  flexroles diff [--json | --markdown] [--fail-on CHANGES] [--allow-unjudged] --users USERS OLD NEW
  flexroles diff [--json | --markdown] [--fail-on CHANGES] --logins DECISIONS [--policy NEXT]

Resolves every user of the IdP export USERS under the policy OLD and under
the policy NEW, as each user's next SSO login would be, and reports each
user whose outcome changes: the roles and Insights capabilities gained and
lost, newly refused or newly admitted, with the rules responsible on each
side. A summary then counts the users per role and capability gained or
lost and per refusal.

OLD and NEW are policy files, or git:REF:PATH for the file at PATH in the
commit REF, read with git in the current directory (PATH from the root of
the repository, or ./PATH from the current directory), so that CI can
compare a branch's policy with main's:

  flexroles diff --users users.csv git:origin/main:policy.yaml policy.yaml

USERS is the export audit --users reads: JSON or NDJSON of
{"email","name","groups","roles","attributes"}, or CSV with a header naming
email, name, groups, roles (in any case; email and name required) and
attribute columns, ";" between several values.
It is read as a stream: an export of any size takes little memory.

  --users     the IdP export (required)
  --json      print one JSON document: {"old","new","changes":[...],"summary":{...}}
  --markdown  print Markdown for a pull-request comment: the summary, then
              the first changed users in a table (at most 100, and no more
              than fit in a comment)
  --fail-on   exit 1 when one of these changes happens (comma-separated):
                any             any user's outcome changes
                refuse          a user is newly refused
                admit           a user is newly admitted
                gain, lose      a user gains (loses) any role
                gain:ROLE       a user gains ROLE, such as gain:admin
                lose:ROLE       a user loses ROLE
                gain:CAP        a user gains an Insights capability: enabled
                lose:CAP        (Insights opens), play_calls, export_calls,
                                assess_calls, questionnaires or dashboards
                                (any level of those two)
              Without it, diff only reports.
  --allow-unjudged
              exit 0 even though some users could not be judged (see
              below); the report still counts them

A user refused under both policies because the export does not give what
Flex needs (no email or name, an invalid value, a role that does not exist
in the roles column) is not judged: no rule of either policy got to decide,
so the review cannot say what the change does to that user. The report
counts such users by cause, with the first of each, and never says "No
change" while there are any; diff then exits 1, since a review over an
export it cannot read is no review. Fix the export, or pass
--allow-unjudged to accept it.

A user refused on one side and granted on the other gains (or loses) every
role and capability of the granted side. A user refused on both sides for
different reasons is reported too, and counts as no gain or loss. A level
that moves is one gain or one loss: dashboards=viewer→editor. Each policy
reads the export's email, name, groups and roles under its own
sso.attributes names; an attribute NEW renames is a note, since the IdP
must then send the new name. A condition attribute that no user of the
export carries is a note too: the rules that test it hold for no one.

With --logins, diff reviews the logins of the bridge's decision log
(decision_log in bridge.yaml, docs/bridge.md) instead of an export: for
each identity's latest login, what Flex received (OLD: in shadow mode the
IdP's roles, in enforce mode the policy's) against the decision the log
records of the policy in force (NEW), in the same report forms:

  flexroles diff --logins decisions.ndjson

With --policy NEXT it resolves those logins again under NEXT instead,
which needs the attribute values the log keeps only when the bridge has
decision_log_attributes: true; a log without them is an error (exit 2).

Exit status: 0 no change that --fail-on names and every user judged, 1 such
a change or users not judged (without --allow-unjudged), 2 bad usage,
a policy that does not load, or a users file that cannot be read or holds
no user (the output may then stop part way; stderr says where).
`

// runDiff runs "flexroles diff" with the arguments after the command name
// and returns the exit status.
func runDiff(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		usersPath, failOnText string
		loginsPath, nextPath  string
		asJSON, asMarkdown    bool
		allowUnjudged         bool
	)
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.StringVar(&usersPath, "users", "", "the IdP export")
	fs.BoolVar(&asJSON, "json", false, "print one JSON document")
	fs.BoolVar(&asMarkdown, "markdown", false, "print Markdown for a pull-request comment")
	fs.StringVar(&failOnText, "fail-on", "", "changes that make diff exit 1")
	fs.BoolVar(&allowUnjudged, "allow-unjudged", false, "exit 0 even though some users could not be judged")
	fs.StringVar(&loginsPath, "logins", "", "the bridge's decision log")
	fs.StringVar(&nextPath, "policy", "", "with --logins, the policy to resolve the logins under")
	pos, code, done := parseInterspersed(fs, args, diffUsage, stdout, stderr)
	if done {
		return code
	}
	if loginsPath != "" || nextPath != "" {
		switch {
		case loginsPath == "":
			return usageError(stderr, "diff: --policy goes with --logins: the policy to resolve a decision log's logins under")
		case usersPath != "":
			return usageError(stderr, "diff: --logins and --users exclude each other: review the logins of a decision log or the users of an export")
		case len(pos) != 0:
			return usageError(stderr, "diff: --logins compares what Flex received with the policy's decision, and takes no OLD and NEW; --policy NEXT compares with NEXT instead")
		case asJSON && asMarkdown:
			return usageError(stderr, "diff: --json and --markdown exclude each other")
		}
		fail, err := review.ParseFailOn(failOnText)
		if err != nil {
			return usageError(stderr, "diff: --fail-on: %v", err)
		}
		return runDiffLogins(loginsPath, nextPath, fail, asJSON, asMarkdown, stdin, stdout, stderr)
	}
	switch {
	case len(pos) != 2:
		return usageError(stderr, "diff: want the OLD and NEW policies, got %s", count(len(pos), "argument"))
	case usersPath == "":
		return usageError(stderr, "diff: --users is required: the IdP export whose users to compare")
	case asJSON && asMarkdown:
		return usageError(stderr, "diff: --json and --markdown exclude each other")
	}
	if msg := oneStdin("diff", pathArg{"OLD", pos[0]}, pathArg{"NEW", pos[1]}, pathArg{"--users", usersPath}); msg != "" {
		return usageError(stderr, "%s", msg)
	}
	fail, err := review.ParseFailOn(failOnText)
	if err != nil {
		return usageError(stderr, "diff: --fail-on: %v", err)
	}
	var policies [2]*flexroles.Policy
	for i, src := range pos {
		p, err := loadPolicySource(src, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: diff: the policy %s does not load\n", sourceName(src))
			writeIssues(stderr, sourceName(src), err)
			return exitUsage
		}
		policies[i] = p
	}
	uf, err := openUsers(usersPath, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: diff: --users %v\n", err)
		return exitUsage
	}
	defer uf.Close()
	bw := bufio.NewWriter(stdout)
	out := newReporter(bw, asJSON, asMarkdown, sourceName(usersPath))
	d := review.New(policies[0], policies[1], fail)
	out.Start(sourceName(pos[0]), sourceName(pos[1]), review.RenameNotes(policies[0], policies[1]))
	err = uf.Each(func(u *export.User) error {
		if c := d.Compare(u); c != nil {
			out.Change(c)
		}
		return nil
	})
	if err != nil {
		_ = bw.Flush()
		fmt.Fprintf(stderr, "flexroles: diff: --users %v\n", err)
		return exitUsage
	}
	out.Finish(&d.Summary)
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "flexroles: diff: %v\n", err)
		return exitUsage
	}
	if s := &d.Summary; s.NotJudged > 0 && !allowUnjudged {
		fmt.Fprintf(stderr, "flexroles: diff: %d of %s could not be judged: the export does not give what Flex or the policies need (see the report); fix it, or pass --allow-unjudged\n",
			s.NotJudged, count(s.Users, "user"))
		return exitFailed
	}
	if len(d.Summary.FailedOn) > 0 {
		return exitFailed
	}
	return exitOK
}

// newReporter is the reporter diff prints with: JSON, Markdown or text,
// whose positions name the file users.
func newReporter(bw *bufio.Writer, asJSON, asMarkdown bool, users string) review.Reporter {
	switch {
	case asJSON:
		return review.NewJSONReporter(bw)
	case asMarkdown:
		return review.NewMarkdownReporter(bw)
	}
	return review.NewTextReporter(bw, users)
}

// parseInterspersed parses args with fs allowing flags after the positional
// arguments, as in "diff OLD NEW --users FILE", and returns the positional
// arguments in order. Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) ([]string, int, bool) {
	var pos []string
	for {
		if code, done := parseCommand(fs, args, usage, stdout, stderr); done {
			return nil, code, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, false
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), 0, false
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// loadPolicySource loads a policy file, standard input for src "-", or
// with src "git:REF:PATH" the file PATH as it is in the commit REF.
func loadPolicySource(src string, stdin io.Reader) (*flexroles.Policy, error) {
	spec, ok := strings.CutPrefix(src, "git:")
	if !ok {
		p, _, err := loadPolicyArg(src, stdin)
		return p, err
	}
	ref, path, ok := strings.Cut(spec, ":")
	if !ok || ref == "" || path == "" {
		return nil, errors.New("want git:REF:PATH, such as git:origin/main:policy.yaml")
	}
	if strings.HasPrefix(ref, "-") {
		return nil, fmt.Errorf("the git ref %q starts with '-'", ref)
	}
	var out, errOut limitedBuffer
	out.max, errOut.max = flexroles.MaxPolicySize+1, 4096
	cmd := exec.Command("git", "cat-file", "blob", ref+":"+path) //nolint:gosec // G204: the ref and path the user named; a leading '-' is refused
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errOut.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("git cat-file blob %s:%s: %s", ref, path, msg)
	}
	p, err := flexroles.LoadPolicy(&out)
	var pe *flexroles.PolicyError
	if errors.As(err, &pe) {
		pe.File = src
	}
	return p, err
}

// limitedBuffer keeps the first max bytes written to it and discards the
// rest, so that a command's output cannot take unbounded memory.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}
