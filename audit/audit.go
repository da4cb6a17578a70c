package audit

import (
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
	"github.com/flexroles/flexroles/internal/jsonvalues"
)

// Rule ids the audit adds to flexroles.CheckWorker's.
const (
	RuleMalformed    = "audit.malformed" // the worker, or its attributes, cannot be read
	RuleDriftRoles   = "drift.roles"
	RuleDriftRefused = "drift.refused"
	RuleDriftNoUser  = "drift.no_user"
)

// Finding is one thing the audit reports about one worker.
type Finding struct {
	Line         int    `json:"line,omitempty"`
	SID          string `json:"sid,omitempty"`
	FriendlyName string `json:"friendly_name,omitempty"`
	Rule         string `json:"rule"`
	Level        string `json:"level"` // "error" or "warning"
	Message      string `json:"message"`
}

// Levels of a finding: an error is a worker Flex will not serve as it is
// (or whose roles the next login changes); a warning asks for a look.
const (
	LevelError   = "error"
	LevelWarning = "warning"
)

// Auditor checks workers, and their drift when it has a policy and users.
type Auditor struct {
	// Policy and Users, both set or both nil, add the drift: the roles
	// each worker's next SSO login gives, against those it holds.
	Policy *flexroles.Policy
	Users  map[string]*export.User // by EmailKey, as export.Load returns them
}

// Stats counts what an audit saw.
type Stats struct {
	Workers      int // workers read, malformed ones included
	WithFindings int // workers with at least one finding
	Errors       int // findings at LevelError
	Warnings     int // findings at LevelWarning
}

// check appends the findings for one worker record.
func (a *Auditor) check(rec *Record, out []Finding) ([]Finding, bool) {
	n := len(out)
	add := func(rule, level, msg string) {
		rec.names()
		out = append(out, Finding{Line: rec.Line, SID: rec.SID, FriendlyName: rec.FriendlyName, Rule: rule, Level: level, Message: msg})
	}
	if rec.Err != nil {
		add(RuleMalformed, LevelError, "cannot read this worker: "+rec.Err.Error())
		return out, true
	}
	reasons, err := flexroles.CheckWorker(rec.Attributes)
	if err != nil {
		add(RuleMalformed, LevelError, "cannot read this worker's attributes: "+strings.TrimPrefix(err.Error(), "flexroles: "))
		return out, true
	}
	for _, r := range reasons {
		level := LevelError
		if r.Warning {
			level = LevelWarning
		}
		add(r.Rule, level, r.Message)
	}
	if a.Users != nil {
		if rule, level, msg := a.drift(rec.Attributes); rule != "" {
			add(rule, level, msg)
		}
	}
	return out, len(out) > n
}

// drift compares a worker's roles with those its next SSO login gives.
func (a *Auditor) drift(attributes []byte) (rule, level, msg string) {
	var email string
	var held []string
	var members map[string]json.RawMessage
	_ = json.Unmarshal(attributes, &members) // CheckWorker accepted them
	email = strings.TrimSpace(jsonString(members["email"]))
	var roles []json.RawMessage
	_ = json.Unmarshal(members["roles"], &roles) // not an array: no roles
	for _, e := range roles {
		if e[0] == '"' {
			held = append(held, jsonString(e))
		}
	}
	for _, r := range held {
		if flexroles.Role(r).ConsoleOnly() {
			return "", "", "" // a Console Support worker: the IdP export does not decide it
		}
	}
	u := a.Users[strings.ToLower(email)]
	if u == nil {
		if email == "" {
			return RuleDriftNoUser, LevelWarning, "the worker has no email, so no IdP user matches it; its next SSO login cannot be predicted"
		}
		return RuleDriftNoUser, LevelWarning, "no user of the IdP export has the email " + strconv.Quote(email) + ": the user may have left the IdP, or logs in from the Console"
	}
	d, err := a.Policy.Resolve(u.Login(a.Policy))
	if err != nil {
		return RuleDriftRefused, LevelError, "the next SSO login of " + strconv.Quote(email) + " is refused: " + strings.TrimPrefix(err.Error(), "flexroles: ")
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
	return RuleDriftRoles, LevelError, b.String()
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

// Source is where an audit's workers come from. Workers calls emit with each
// worker in input order and returns the first error of its input or of
// emit; a worker that cannot be read is a Record with Err set, and the
// reading goes on. File reads a file or stdin; the command's live reader
// reads a TaskRouter workspace through the API.
type Source interface {
	Workers(emit func(Record) error) error
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
	records  []Record
	scratch  []byte // decoded attributes of records
	findings []Finding
	stats    Stats
	done     chan struct{}
}

// Run reads the workers of src, checks them on every CPU and hands each
// batch's findings to report, in input order, with the number of workers
// the batch held. It returns the counts of the whole audit, and the first
// error of src or of report, after which it stops reading. A fixed number
// of batches circulate, so memory stays flat however many workers there
// are.
func (a *Auditor) Run(src Source, report func([]Finding, int) error) (Stats, error) {
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
			b.stats, b.done = Stats{}, make(chan struct{})
			if cap(b.arena) < arenaSize {
				b.arena = make([]byte, 0, arenaSize)
			}
			return nil
		}
		var err error
		if f, ok := src.(*File); ok {
			err = readValues(f.values, take, func() *auditBatch { return b }, send)
		} else {
			err = src.Workers(func(rec Record) error {
				if err := take(); err != nil {
					return err
				}
				b.records = append(b.records, rec)
				if len(b.records) >= batchSize {
					send()
				}
				return nil
			})
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

	var total Stats
	var err error
	for b := range ordered {
		<-b.done
		if err == nil {
			total.add(b.stats)
			err = report(b.findings, b.stats.Workers)
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

// add adds the counts of o to s.
func (s *Stats) add(o Stats) {
	s.Workers += o.Workers
	s.WithFindings += o.WithFindings
	s.Errors += o.Errors
	s.Warnings += o.Warnings
}

// checkBatch decodes a batch's values and checks every worker in it.
func (a *Auditor) checkBatch(b *auditBatch) {
	b.scratch = b.scratch[:0]
	for _, v := range b.values {
		b.records, b.scratch = decodeValue(v, b.records, b.scratch)
	}
	for i := range b.records {
		n := len(b.findings)
		var any bool
		b.findings, any = a.check(&b.records[i], b.findings)
		b.stats.Workers++
		if any {
			b.stats.WithFindings++
		}
		for _, f := range b.findings[n:] {
			if f.Level == LevelError {
				b.stats.Errors++
			} else {
				b.stats.Warnings++
			}
		}
	}
}
