package bridge

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/decisionlog"
	"github.com/flexroles/flexroles/review"
)

// decisionLog writes the decision log: one line per decided login, each
// with one Write under the mutex, so that concurrent logins never
// interleave their lines, to a file opened with O_APPEND, so that each line
// goes at the end even when the file was truncated or another writer
// appends to it.
type decisionLog struct {
	path string // "-" for standard output

	mu  sync.Mutex
	out io.Writer
	f   *os.File // nil for standard output
}

// openDecisionLog opens path for appending, creating it (mode 0600: the
// lines name users) if it does not exist; "-" is standard output.
func openDecisionLog(path string) (*decisionLog, error) {
	l := &decisionLog{path: path}
	if path == "-" {
		l.out = os.Stdout
		return l, nil
	}
	f, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	l.out, l.f = f, f
	return l, nil
}

func openAppend(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600) //nolint:gosec // G304: the decision_log the configuration names
	if err != nil {
		return nil, errors.New("flexroles: decision_log: " + err.Error())
	}
	return f, nil
}

// write appends one line.
func (l *decisionLog) write(line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := l.out.Write(line)
	return err
}

// reopen opens the file again at its path, for rotation: the lines after
// it go to the new file; the old one is closed. On error the old file
// stays in use.
func (l *decisionLog) reopen() error {
	if l.path == "-" {
		return nil
	}
	f, err := openAppend(l.path)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.f
	l.out, l.f = f, f
	l.mu.Unlock()
	return old.Close()
}

func (l *decisionLog) close() error {
	if l == nil || l.path == "-" {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.Close()
}

// ReopenLog reopens the decision log at its path, so that a log rotated by
// moving the file goes on in a new file; the command calls it on SIGHUP.
// Without a decision log, or with standard output, it does nothing. On
// error, which it also logs, the bridge goes on writing to the file it had
// open.
func (b *Bridge) ReopenLog() error {
	if b.decisions == nil {
		return nil
	}
	err := b.decisions.reopen()
	if err != nil {
		b.log.Error("the decision log could not be reopened; writing on to the file open before", "error", err.Error())
	}
	return err
}

// errNoAuthnContext stands, in the decision log, for a login whose IdP did
// not authenticate the user with a class Flex requested: Flex receives a
// NoAuthnContext Response, and no roles.
var errNoAuthnContext = errors.New("the identity provider did not authenticate the user with an authentication context Flex requested; Flex received a NoAuthnContext response")

// redactedIdentity is the prefix of an identity the decision log keeps
// out with redact_identity.
const redactedIdentity = "hmac-sha256:"

// record notes the login's outcome (outcomeGranted, outcomeRefused with
// the error that refused it, or outcomeError), writes its line to the
// decision log, if there is one, and counts a shadow-mode login in the
// metrics; id is the login's correlation id. It is called once per decided
// login, before the answer is written, so that the line is there when the
// browser has its page.
func (b *Bridge) record(id string, dc *decision, outcome string, refused error, user string) {
	dc.outcome = outcome
	if refused != nil {
		dc.sendErr = refused
	}
	agree := false
	if b.cfg.Mode == ModeShadow {
		agree = dc.agree()
		b.stats.shadow(agree, dc.disagreements())
	}
	observe := b.observe.Load()
	if b.decisions == nil && observe == nil {
		return
	}
	var flexFired []flexroles.RuleTrace // in shadow mode no rule gave Flex its roles
	if b.cfg.Mode != ModeShadow {
		flexFired = dc.policyFired
	}
	rec := decisionlog.Record{
		Time:         time.Now().UTC(),
		ID:           id,
		Mode:         string(b.cfg.Mode),
		Identity:     b.decisionIdentity(user),
		Outcome:      dc.outcome,
		Flex:         b.side(dc.send, dc.sendErr, flexFired, dc),
		Policy:       b.side(dc.byPolicy, dc.policyErr, dc.policyFired, dc),
		PolicyDigest: dc.policy.Digest(),
	}
	if dc.outcome != outcomeGranted && dc.sendErr == nil {
		// The bridge failed after deciding: Flex received nothing.
		rec.Flex = decisionlog.Decision{Roles: []string{}, Rules: []decisionlog.Rule{},
			Refused: &decisionlog.Refusal{Kind: "internal", By: "the bridge", Message: "the bridge failed while answering this sign-in"}}
	}
	if b.cfg.Mode == ModeShadow {
		rec.Agree = &agree
	}
	if b.cfg.DecisionLogAttributes {
		rec.Attributes = dc.login.Attributes
	}
	if b.decisions != nil {
		line, err := json.Marshal(rec)
		if err == nil {
			err = b.decisions.write(append(line, '\n'))
		}
		if err != nil {
			b.stats.decisionLogFailure()
			b.log.Error("the decision log could not be written; the login goes on", "id", id, "error", err.Error())
		}
	}
	if observe != nil {
		(*observe)(cloneRecord(rec))
	}
}

// OnDecision makes the bridge call f with each login that reached the
// policy's decision (rule 4), as its decision-log line holds it (rule 8),
// whether or not a decision_log is written: Identity is the user, or with
// redact_identity the pseudonym; Attributes are there with
// decision_log_attributes only. f is called once per login, after the
// line is written and before the answer, on the request's goroutine, so
// it must be safe for concurrent use and quick: the browser waits for it.
// f receives a copy: what it changes reaches neither Flex, nor the logs,
// nor the decision. A later call replaces f; nil removes it. Set it before
// the bridge serves, for a record of every login.
func (b *Bridge) OnDecision(f func(decisionlog.Record)) {
	if f == nil {
		b.observe.Store(nil)
		return
	}
	b.observe.Store(&f)
}

// cloneRecord is a copy of rec that shares no slice, map or pointer with
// it.
func cloneRecord(rec decisionlog.Record) decisionlog.Record {
	out := rec
	out.Flex, out.Policy = cloneDecision(rec.Flex), cloneDecision(rec.Policy)
	if rec.Agree != nil {
		agree := *rec.Agree
		out.Agree = &agree
	}
	if rec.Attributes != nil {
		out.Attributes = make(map[string][]string, len(rec.Attributes))
		for name, values := range rec.Attributes {
			out.Attributes[name] = slices.Clone(values)
		}
	}
	return out
}

func cloneDecision(d decisionlog.Decision) decisionlog.Decision {
	out := d
	out.Roles = slices.Clone(d.Roles)
	out.Rules = make([]decisionlog.Rule, len(d.Rules))
	for i, r := range d.Rules {
		out.Rules[i] = decisionlog.Rule{Name: r.Name, Grant: slices.Clone(r.Grant)}
	}
	if d.Refused != nil {
		refused := *d.Refused
		out.Refused = &refused
	}
	return out
}

// side is one decision as the log records it.
func (b *Bridge) side(d flexroles.Decision, err error, fired []flexroles.RuleTrace, dc *decision) decisionlog.Decision {
	s := decisionlog.Decision{Roles: []string{}, Rules: []decisionlog.Rule{}}
	switch {
	case errors.Is(err, errNoAuthnContext):
		s.Refused = &decisionlog.Refusal{Kind: "authn_context", By: "authn_context", Message: err.Error()}
		return s
	case err != nil:
		s.Refused = &decisionlog.Refusal{Kind: flexroles.ErrorKindName(err), By: review.RefusedBy(err), Message: b.loggedMessage(err, dc)}
		return s
	}
	s.Granted = true
	s.Roles = append(s.Roles, d.RoleStrings()...)
	for _, r := range d.Reasons {
		if r.Rule == flexroles.RulePolicyDefaultInsights {
			s.DefaultInsights = string(dc.policy.DefaultInsightsRole())
		}
	}
	for _, f := range fired {
		if f.Deny {
			continue
		}
		grant := make([]string, len(f.Grant))
		for i, r := range f.Grant {
			grant[i] = string(r)
		}
		s.Rules = append(s.Rules, decisionlog.Rule{Name: f.Rule, Grant: grant})
	}
	return s
}

// loggedMessage is err's message with a value of the user's attributes,
// other than roles, as "[redacted]", unless the log keeps the attributes
// anyway.
func (b *Bridge) loggedMessage(err error, dc *decision) string {
	var fe *flexroles.Error
	if b.cfg.DecisionLogAttributes || !errors.As(err, &fe) || fe.Value == "" || fe.RefusedBy != flexroles.RefusedByTwilio {
		return err.Error()
	}
	if fe.Attribute == string(flexroles.RolesAttribute) || fe.Attribute == dc.policy.AttributeName(flexroles.RolesAttribute) || fe.Attribute == b.cfg.ShadowRolesAttribute {
		return err.Error()
	}
	redacted := *fe
	redacted.Value = "[redacted]"
	return redacted.Error()
}

// decisionIdentity is the identity the decision log names: the user, or
// with redact_identity a keyed pseudonym of it.
func (b *Bridge) decisionIdentity(user string) string {
	if user == "" {
		user = "(none)"
	}
	if !b.cfg.RedactIdentity {
		return user
	}
	mac := hmac.New(sha256.New, b.pseudonymKey)
	mac.Write([]byte(strings.ToLower(user)))
	return redactedIdentity + hex.EncodeToString(mac.Sum(nil)[:16])
}

// derivedKey is a key for one purpose, label, derived from key, so that
// the state key's bytes serve nothing else.
func derivedKey(key []byte, label string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(label))
	return mac.Sum(nil)
}
