package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/flexroles/flexroles/internal/jsonvalues"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/internal/rawjson"
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
with a header naming email, name, groups, roles and attribute columns, ";"
between several values) also gives the drift: the roles each worker will
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

// Rule ids the audit adds to CheckWorker's.
const (
	ruleMalformed   = "audit.malformed"
	ruleDriftRoles  = "drift.roles"
	ruleDriftRefuse = "drift.refused"
	ruleDriftNoUser = "drift.no_user"
)

// finding is one thing the audit reports about one worker.
type finding struct {
	Line         int    `json:"line,omitempty"`
	SID          string `json:"sid,omitempty"`
	FriendlyName string `json:"friendly_name,omitempty"`
	Rule         string `json:"rule"`
	Level        string `json:"level"` // "error" or "warning"
	Message      string `json:"message"`
}

const (
	levelError   = "error"
	levelWarning = "warning"
)

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
		return usageError(stderr, "audit takes at most one FILE, got %d", fs.NArg())
	}
	if (policyPath == "") != (usersPath == "") {
		return usageError(stderr, "audit needs --policy and --users together for drift")
	}
	if workspace != "" && fs.NArg() > 0 {
		return usageError(stderr, "audit reads either FILE or --workspace, not both")
	}

	var a auditor
	if policyPath != "" {
		p, err := flexroles.LoadPolicyFile(policyPath)
		if err != nil {
			return policyUnusable(stderr, "audit", policyPath, err)
		}
		users, err := export.Load(usersPath)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: audit: --users %v\n", err)
			return exitUsage
		}
		a.policy, a.users = p, users
	}

	var src string // where the workers come from, for messages
	var source workerSource
	switch {
	case workspace != "":
		src = "workspace " + workspace
		cfg := env.live
		cfg.Workspace = workspace
		source.live = func(emit func(workerRecord) error) error {
			// Ctrl-C stops a long read or a wait between retries cleanly.
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			return readLiveWorkers(ctx, cfg, emit)
		}
	default:
		in, name, closeInput, err := openInput(fs.Arg(0), stdin)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: audit: %v\n", err)
			return exitUsage
		}
		defer closeInput()
		src = name
		source.values = jsonvalues.NewReader(in)
	}

	var out reportWriter
	if asJSON {
		out = &jsonReport{w: stdout}
	} else {
		out = newTableReport()
	}
	var progress *progressLine
	if isTerminal(stderr) {
		progress = &progressLine{w: stderr, start: time.Now()}
	}
	stats, err := a.run(source, func(f []finding, workers int) error {
		if progress != nil {
			progress.add(workers, len(f))
		}
		return out.add(f)
	})
	if progress != nil {
		progress.clear()
	}
	if err == nil {
		err = out.finish(stdout, stats)
	}
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: audit: %v\n", jsonvalues.InFile(src, err))
		return exitUsage
	}
	if stats.errors > 0 {
		return exitFailed
	}
	return exitOK
}

// auditEnv is what the audit takes from the process: the live API settings.
type auditEnv struct {
	live liveConfig
}

// auditor checks workers, and their drift when it has a policy and users.
type auditor struct {
	policy *flexroles.Policy
	users  map[string]*export.User
}

// auditStats counts what an audit saw.
type auditStats struct {
	workers, withFindings, errors, warnings int
}

// check appends the findings for one worker record.
func (a *auditor) check(rec *workerRecord, out []finding) ([]finding, bool) {
	n := len(out)
	add := func(rule, level, msg string) {
		rec.names()
		out = append(out, finding{Line: rec.Line, SID: rec.SID, FriendlyName: rec.FriendlyName, Rule: rule, Level: level, Message: msg})
	}
	if rec.Err != nil {
		add(ruleMalformed, levelError, "cannot read this worker: "+rec.Err.Error())
		return out, true
	}
	reasons, err := flexroles.CheckWorker(rec.Attributes)
	if err != nil {
		add(ruleMalformed, levelError, "cannot read this worker's attributes: "+strings.TrimPrefix(err.Error(), "flexroles: "))
		return out, true
	}
	for _, r := range reasons {
		level := levelError
		if r.Warning {
			level = levelWarning
		}
		add(r.Rule, level, r.Message)
	}
	if a.users != nil {
		if rule, level, msg := a.drift(rec.Attributes); rule != "" {
			add(rule, level, msg)
		}
	}
	return out, len(out) > n
}

// drift compares a worker's roles with those its next SSO login gives.
func (a *auditor) drift(attributes []byte) (rule, level, msg string) {
	var email string
	var held []string
	rawjson.Members(attributes, func(k, v []byte) bool {
		switch {
		case rawjson.Equal(k, "email") && rawjson.IsString(v):
			email = strings.TrimSpace(string(rawjson.AppendUnquote(nil, v)))
		case rawjson.Equal(k, "roles"):
			rawjson.Elements(v, func(e []byte) bool {
				if rawjson.IsString(e) {
					held = append(held, string(rawjson.AppendUnquote(nil, e)))
				}
				return true
			})
		}
		return true
	})
	for _, r := range held {
		if r == string(flexroles.ReadOnlyAdmin) || r == string(flexroles.ReadTeams) {
			return "", "", "" // a Console Support worker: the IdP export does not decide it
		}
	}
	u := a.users[strings.ToLower(email)]
	if u == nil {
		if email == "" {
			return ruleDriftNoUser, levelWarning, "the worker has no email, so no IdP user matches it; its next SSO login cannot be predicted"
		}
		return ruleDriftNoUser, levelWarning, "no user of the IdP export has the email " + strconv.Quote(email) + ": the user may have left the IdP, or logs in from the Console"
	}
	d, err := a.policy.Resolve(u.Login(a.policy))
	if err != nil {
		return ruleDriftRefuse, levelError, "the next SSO login of " + strconv.Quote(email) + " is refused: " + strings.TrimPrefix(err.Error(), "flexroles: ")
	}
	gain, lose := roleChanges(held, d.RoleStrings())
	if len(gain) == 0 && len(lose) == 0 {
		return "", "", ""
	}
	var b strings.Builder
	b.WriteString("the next SSO login rewrites roles to [" + strings.Join(d.RoleStrings(), ", ") + "]:")
	if len(gain) > 0 {
		b.WriteString(" gains " + strings.Join(gain, ", "))
		if len(lose) > 0 {
			b.WriteString(";")
		}
	}
	if len(lose) > 0 {
		b.WriteString(" loses " + strings.Join(lose, ", "))
	}
	return ruleDriftRoles, levelError, b.String()
}

// roleChanges returns the roles in next but not held, and in held but not
// next, each in the order given.
func roleChanges(held, next []string) (gain, lose []string) {
	for _, r := range next {
		if !contains(held, r) {
			gain = append(gain, r)
		}
	}
	for _, r := range held {
		if !contains(next, r) && !contains(lose, r) {
			lose = append(lose, r)
		}
	}
	return gain, lose
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// workerSource is where an audit's workers come from: a file or stdin
// split into values, or the live API.
type workerSource struct {
	values *jsonvalues.Reader
	live   func(emit func(workerRecord) error) error
}

// A batch carries at most batchSize input values, or batchBytes of them,
// whichever comes first, so that batches of ListWorkers pages (a thousand
// workers each) stay as small as batches of single workers; arenaSize is
// the room its values' bytes usually take.
const (
	batchSize  = 512
	batchBytes = 1 << 20
	arenaSize  = 1 << 20
)

// auditBatch is a run of consecutive input, checked by one goroutine. Its
// buffers are reused once its findings are reported.
type auditBatch struct {
	values   []jsonvalues.Value
	bytes    int    // the size of values
	arena    []byte // the bytes of values
	records  []workerRecord
	scratch  []byte // decoded attributes of records
	findings []finding
	stats    auditStats
	done     chan struct{}
}

// run reads workers from src and checks them on every CPU, handing each
// batch's findings to report in input order. A fixed number of batches
// circulate, so memory stays flat however many workers there are.
func (a *auditor) run(src workerSource, report func([]finding, int) error) (auditStats, error) {
	procs := runtime.GOMAXPROCS(0)
	free := make(chan *auditBatch, 2*procs+2)
	for i := 0; i < cap(free); i++ {
		free <- &auditBatch{}
	}
	work := make(chan *auditBatch, cap(free))
	ordered := make(chan *auditBatch, cap(free))
	stop := make(chan struct{})
	readErr := make(chan error, 1)

	go func() {
		defer close(work)
		defer close(ordered)
		var b *auditBatch
		send := func() {
			if b != nil {
				work <- b
				ordered <- b
				b = nil
			}
		}
		take := func() error {
			if b != nil {
				return nil
			}
			select {
			case b = <-free:
			case <-stop:
				return errStopped
			}
			b.values, b.arena, b.records, b.findings, b.bytes = b.values[:0], b.arena[:0], b.records[:0], b.findings[:0], 0
			b.stats, b.done = auditStats{}, make(chan struct{})
			if cap(b.arena) < arenaSize {
				b.arena = make([]byte, 0, arenaSize)
			}
			return nil
		}
		var err error
		if src.live != nil {
			err = src.live(func(rec workerRecord) error {
				if err := take(); err != nil {
					return err
				}
				b.records = append(b.records, rec)
				if len(b.records) >= batchSize {
					send()
				}
				return nil
			})
		} else {
			err = readValues(src.values, take, func() *auditBatch { return b }, send)
		}
		send()
		readErr <- err
	}()

	for i := 0; i < procs; i++ {
		go func() {
			for b := range work {
				a.checkBatch(b)
				close(b.done)
			}
		}()
	}

	var total auditStats
	var err error
	for b := range ordered {
		<-b.done
		if err == nil {
			total.add(b.stats)
			err = report(b.findings, b.stats.workers)
			if err != nil {
				close(stop)
			}
		}
		free <- b
	}
	if rerr := <-readErr; err == nil && !errors.Is(rerr, errStopped) {
		err = rerr
	}
	return total, err
}

// readValues fills batches with the values of vr, their bytes in the
// batch's arena when they fit.
func readValues(vr *jsonvalues.Reader, take func() error, batch func() *auditBatch, send func()) error {
	for {
		if err := take(); err != nil {
			return err
		}
		b := batch()
		room := b.arena[len(b.arena):]
		v, err := vr.Next(room)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n := len(v.Data); n > 0 && n <= cap(room) && &v.Data[0] == &room[:1][0] {
			b.arena = b.arena[:len(b.arena)+n]
		}
		b.values = append(b.values, v)
		if b.bytes += len(v.Data); len(b.values) >= batchSize || b.bytes >= batchBytes {
			send()
		}
	}
}

// errStopped ends reading once reporting has failed.
var errStopped = errors.New("audit stopped")

func (s *auditStats) add(o auditStats) {
	s.workers += o.workers
	s.withFindings += o.withFindings
	s.errors += o.errors
	s.warnings += o.warnings
}

// checkBatch decodes a batch's values and checks every worker in it.
func (a *auditor) checkBatch(b *auditBatch) {
	b.scratch = b.scratch[:0]
	for _, v := range b.values {
		b.records, b.scratch = decodeValue(v, b.records, b.scratch)
	}
	for i := range b.records {
		n := len(b.findings)
		var any bool
		b.findings, any = a.check(&b.records[i], b.findings)
		b.stats.workers++
		if any {
			b.stats.withFindings++
		}
		for _, f := range b.findings[n:] {
			if f.Level == levelError {
				b.stats.errors++
			} else {
				b.stats.warnings++
			}
		}
	}
}

// reportWriter prints findings as they come and a summary at the end.
type reportWriter interface {
	add([]finding) error
	finish(w io.Writer, s auditStats) error
}

// jsonReport writes each finding as one JSON object per line.
type jsonReport struct {
	w   io.Writer
	buf []byte
}

func (r *jsonReport) add(fs []finding) error {
	r.buf = r.buf[:0]
	for i := range fs {
		b, err := json.Marshal(&fs[i])
		if err != nil {
			return err
		}
		r.buf = append(append(r.buf, b...), '\n')
	}
	_, err := r.w.Write(r.buf)
	return err
}

func (r *jsonReport) finish(io.Writer, auditStats) error { return nil }

// maxExamples is how many findings of one rule the table lists; --json
// gives them all.
const maxExamples = 20

// tableReport groups findings by rule, errors first, with counts.
type tableReport struct {
	groups map[string]*ruleGroup
}

// ruleGroup is one rule's findings: how many, and the first few.
type ruleGroup struct {
	rule, level string
	count       int
	examples    []finding
}

func newTableReport() *tableReport { return &tableReport{groups: map[string]*ruleGroup{}} }

func (r *tableReport) add(fs []finding) error {
	for _, f := range fs {
		g := r.groups[f.Rule]
		if g == nil {
			g = &ruleGroup{rule: f.Rule, level: f.Level}
			r.groups[f.Rule] = g
		}
		g.count++
		if len(g.examples) < maxExamples {
			g.examples = append(g.examples, f)
		}
	}
	return nil
}

func (r *tableReport) finish(w io.Writer, s auditStats) error {
	groups := make([]*ruleGroup, 0, len(r.groups))
	for _, g := range r.groups {
		groups = append(groups, g)
	}
	sortGroups(groups)
	var b strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&b, "%-7s  %s  (%s)\n", g.level, g.rule, count(g.count, "finding"))
		for _, f := range g.examples {
			b.WriteString("    " + workerLabel(f) + "\n        " + f.Message + "\n")
		}
		if g.count > len(g.examples) {
			fmt.Fprintf(&b, "    … and %d more; --json lists them all\n", g.count-len(g.examples))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s audited: %d with findings, %s, %s\n",
		count(s.workers, "worker"), s.withFindings, count(s.errors, "error"), count(s.warnings, "warning"))
	_, err := io.WriteString(w, b.String())
	return err
}

// workerLabel names a worker in the table: SID, friendly name and line.
func workerLabel(f finding) string {
	parts := make([]string, 0, 3)
	if f.SID != "" {
		parts = append(parts, f.SID)
	}
	if f.FriendlyName != "" {
		parts = append(parts, f.FriendlyName)
	}
	if f.Line > 0 {
		parts = append(parts, "line "+strconv.Itoa(f.Line))
	}
	if len(parts) == 0 {
		return "(worker)"
	}
	return strings.Join(parts, "  ")
}

// sortGroups orders rule groups errors first, then by rule id.
func sortGroups(gs []*ruleGroup) {
	less := func(a, b *ruleGroup) bool {
		if a.level != b.level {
			return a.level == levelError
		}
		return a.rule < b.rule
	}
	for i := 1; i < len(gs); i++ {
		for j := i; j > 0 && less(gs[j], gs[j-1]); j-- {
			gs[j], gs[j-1] = gs[j-1], gs[j]
		}
	}
}

// progressLine keeps one line on a terminal's stderr up to date with the
// audit's pace.
type progressLine struct {
	w                 io.Writer
	start, last       time.Time
	workers, findings int
}

func (p *progressLine) add(workers, findings int) {
	p.workers += workers
	p.findings += findings
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last = now
	rate := float64(p.workers) / now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "\raudit: %d workers, %.0f workers/s, %d findings so far\033[K", p.workers, rate, p.findings)
}

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
