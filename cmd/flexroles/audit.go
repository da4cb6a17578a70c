package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/flexroles/flexroles/audit"
	"github.com/flexroles/flexroles/cmd/flexroles/internal/taskrouter"
	"github.com/flexroles/flexroles/internal/jsonvalues"
)

// auditUsage is the usage of the audit command, printed by audit -h.
const auditUsage = `usage:
  flexroles audit [--json] [--policy POLICY --users USERS] [FILE]
  flexroles audit [--json] [--policy POLICY --users USERS] --workspace WSxxx

Checks every TaskRouter worker's attributes for roles that break Flex's
rules or will change at the next login, and reports every finding.

Workers come from FILE, or stdin when FILE is absent or "-": a JSON array of
workers, NDJSON (one worker per line), or TaskRouter ListWorkers responses
({"workers":[...],"meta":{...}}) one after another, with each worker's
"attributes" a JSON string as the API returns it (or an object). With
--workspace they are read live through the TaskRouter API, with
TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and
TWILIO_API_SECRET, from the environment.

A worker that cannot be read is reported (audit.malformed) with its SID and
line, and the audit goes on. With --policy and --users, the IdP export USERS
(JSON or NDJSON of {"email","name","groups","roles","attributes"}, or CSV
with a header naming email, name, groups, roles (in any case; email and
name required) and attribute columns, ";" between several values) also gives the drift: the roles each worker will
get at its next SSO login under POLICY, against what it holds now.

  --json        print each finding as one JSON object per line
  --policy      the policy file for drift (with --users)
  --users       the IdP export for drift (with --policy)
  --workspace   read the workers of this TaskRouter workspace live

Exit status: 0 no finding at error level (warnings allowed), 1 a finding at
error level, 2 bad usage or input that cannot be read to its end. --json
prints findings as workers are read, so on exit 2 it may already have
printed those of the workers before the break; stderr says where it was.
`

// runAudit runs "flexroles audit" with the arguments after the command name
// and returns the exit status.
func runAudit(args []string, stdin io.Reader, stdout, stderr io.Writer, env auditEnv) int {
	var asJSON bool
	var policyPath, usersPath, workspace string
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.BoolVar(&asJSON, "json", false, "print each finding as one JSON object per line")
	fs.StringVar(&policyPath, "policy", "", "the policy file for drift (with --users)")
	fs.StringVar(&usersPath, "users", "", "the IdP export for drift (with --policy)")
	fs.StringVar(&workspace, "workspace", "", "read the workers of this TaskRouter workspace live")
	if code, done := parseCommand(fs, args, auditUsage, stdout, stderr); done {
		return code
	}
	if fs.NArg() > 1 {
		return usageError(stderr, "audit takes at most one FILE, got %s", count(fs.NArg(), "argument"))
	}
	if (policyPath == "") != (usersPath == "") {
		return usageError(stderr, "audit needs --policy and --users together for drift")
	}
	if workspace != "" && fs.NArg() > 0 {
		return usageError(stderr, "audit reads either FILE or --workspace, not both")
	}
	workers := pathArg{"FILE", fs.Arg(0)}
	if workers.path == "" && workspace == "" {
		workers.path = stdinArg // the workers come from standard input
	}
	if msg := oneStdin("audit", pathArg{"--policy", policyPath}, pathArg{"--users", usersPath}, workers); msg != "" {
		return usageError(stderr, "%s", msg)
	}

	var a audit.Auditor
	if policyPath != "" {
		p, name, err := loadPolicyArg(policyPath, stdin)
		if err != nil {
			return policyUnusable(stderr, "audit", name, err)
		}
		uf, err := openUsers(usersPath, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: audit: --users %v\n", err)
			return exitUsage
		}
		users, err := uf.Load()
		uf.Close()
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: audit: --users %v\n", err)
			return exitUsage
		}
		a.Policy, a.Users = p, users
	}

	var src string // where the workers come from, for messages
	var source audit.Source
	switch {
	case workspace != "":
		src = "workspace " + workspace
		cfg := env.live
		cfg.Workspace = workspace
		source = liveSource{cfg: cfg}
	default:
		in, name, closeInput, err := openInput(fs.Arg(0), stdin)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: audit: %v\n", err)
			return exitUsage
		}
		defer closeInput()
		src = name
		source = audit.NewFile(in)
	}

	var out audit.Report
	if asJSON {
		out = audit.NewJSONReport(stdout)
	} else {
		out = audit.NewTableReport()
	}
	var progress *progressLine
	if isTerminal(stderr) {
		progress = &progressLine{w: stderr, start: time.Now()}
	}
	stats, err := a.Run(source, func(f []audit.Finding, workers int) error {
		if progress != nil {
			progress.add(workers, len(f))
		}
		return out.Add(f)
	})
	if progress != nil {
		progress.clear()
	}
	if err == nil {
		err = out.Finish(stdout, stats)
	}
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: audit: %v\n", jsonvalues.InFile(src, err))
		return exitUsage
	}
	if stats.Errors > 0 {
		return exitFailed
	}
	return exitOK
}

// liveSource is the audit.Source of a workspace's workers, read through
// the TaskRouter API; Ctrl-C stops a long read or a wait between retries
// cleanly.
type liveSource struct {
	cfg taskrouter.Config
}

// Workers calls emit with every worker of the workspace (see taskrouter.ReadWorkers).
func (s liveSource) Workers(emit func(audit.Record) error) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return taskrouter.ReadWorkers(ctx, s.cfg, emit)
}

// auditEnv is what the audit takes from the process: the live API settings.
type auditEnv struct {
	live taskrouter.Config
}

// progressLine keeps one line on a terminal's stderr up to date with the
// audit's pace.
type progressLine struct {
	w                 io.Writer
	start, last       time.Time
	workers, findings int
}

// add counts a batch and rewrites the line, at most five times a second.
func (p *progressLine) add(workers, findings int) {
	p.workers += workers
	p.findings += findings
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	rate := float64(p.workers) / now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\raudit: %s, %.0f workers/s, %s so far\033[K", count(p.workers, "worker"), rate, count(p.findings, "finding"))
}

// clear erases the line once it has been written.
func (p *progressLine) clear() {
	if !p.last.IsZero() {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
