// Package decisionlog is the format of the flexroles bridge's decision log:
// one JSON object a line (NDJSON) for each login the bridge decided, in
// enforce and in shadow mode, and Read, which reads such a log back.
//
// The rules, in order:
//
//  1. A line is a Record. Every field is always present but agree and
//     attributes, and in a Decision refused (a refusal only) and
//     default_insights; roles, rules and grant are arrays, never null. An unknown
//     field, a missing one or a value of the wrong type makes the line,
//     and so the log, unreadable: Read says which line.
//  2. flex is what Flex received: the roles of the assertion the bridge
//     posted (granted), or the refusal that sent Flex nothing. policy is
//     the policy's decision on the same login. In enforce mode the two
//     differ only when a pass-through value of the wrong type refused a
//     login the policy granted; in shadow mode flex is the upstream IdP's
//     roles as Twilio's rules read them and policy is only recorded.
//  3. agree is present in shadow mode only: true when both sides grant the
//     same roles or both refuse.
//  4. identity is the verified NameID (or the email when there is none);
//     with the bridge's redact_identity it is "hmac-sha256:" and 32 hex
//     digits, a pseudonym keyed by the bridge's state key, so that the
//     review still counts each person once without naming anyone.
//  5. attributes, every attribute of the verified assertion with its
//     values, is present only when the bridge's decision_log_attributes is
//     true. Those values are personal data.
//
// For example, a shadow-mode line for a user whose IdP sends roles
// [agent] and whom the policy's rule "team leads" would make a supervisor:
//
//	{"time":"2026-12-06T20:15:04.211Z","id":"6f1c…","mode":"shadow","identity":"lee.lead@owlbank.example",
//	 "outcome":"granted","flex":{"granted":true,"roles":["agent"],"rules":[]},
//	 "policy":{"granted":true,"roles":["supervisor","agent","wfo.team_leader"],"rules":[{"name":"team leads","grant":["supervisor","wfo.team_leader"]}]},
//	 "policy_digest":"sha256:…","agree":false}
//
// (one line in the file). docs/decision-log.schema.json is the JSON Schema
// of a line.
package decisionlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Record is one line of the decision log: one login the bridge decided.
type Record struct {
	Time     time.Time `json:"time"`     // when the bridge answered, UTC
	ID       string    `json:"id"`       // the correlation id, as on the page and in the bridge's log
	Mode     string    `json:"mode"`     // "enforce" or "shadow"
	Identity string    `json:"identity"` // the NameID or email, or its pseudonym (rule 4)
	Outcome  string    `json:"outcome"`  // "granted", "refused" or "error", for what Flex received
	Flex     Decision  `json:"flex"`     // what Flex received
	Policy   Decision  `json:"policy"`   // the policy's decision
	// PolicyDigest names the policy that decided: "sha256:" and the hex
	// SHA-256 of its file.
	PolicyDigest string `json:"policy_digest"`
	// Agree, in shadow mode only, says whether the policy's decision is
	// what Flex received: the same roles, or both refused.
	Agree *bool `json:"agree,omitempty"`
	// Attributes are the verified assertion's attributes, with
	// decision_log_attributes only.
	Attributes map[string][]string `json:"attributes,omitempty"`
}

// Outcomes of a Record.
const (
	Granted = "granted" // Flex received an assertion
	Refused = "refused" // Flex received nothing: the page says why
	Error   = "error"   // the bridge failed after deciding; Flex received nothing
)

// Decision is one side of a Record: the roles granted, with the grant
// rules that fired, or the refusal.
type Decision struct {
	Granted bool     `json:"granted"`
	Roles   []string `json:"roles"` // canonical order; empty when refused
	// Rules are the policy's grant rules that fired, in file order, each
	// with what it grants; always empty on the flex side in shadow mode.
	Rules []Rule `json:"rules"`
	// DefaultInsights is the policy's default_insights_role when it added
	// it to the roles (an admin or supervisor without a wfo.* role).
	DefaultInsights string   `json:"default_insights,omitempty"`
	Refused         *Refusal `json:"refused,omitempty"`
}

// Rule is a grant rule that fired, with the roles it grants.
type Rule struct {
	Name  string   `json:"name"`
	Grant []string `json:"grant"`
}

// Refusal is why a side refused the login.
type Refusal struct {
	// Kind is the flexroles error kind, such as "denied" or
	// "unknown_role", or "authn_context": Flex received a NoAuthnContext
	// response, the IdP not having authenticated the user as Flex asked.
	Kind string `json:"kind"`
	// By names what refused: deny rule "NAME", sso.allow, or the kind with
	// its Flex error code, such as missing_attribute (45050).
	By      string `json:"by"`
	Message string `json:"message"` // values of attributes other than roles are "[redacted]" unless the log keeps attributes
}

// MaxLine bounds one line of a decision log that Read accepts: a line with
// attributes holds at most what a verified assertion does.
const MaxLine = 4 << 20

// LineError is a line of a decision log that Read could not use.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the cause.
func (e *LineError) Unwrap() error { return e.Err }

// Read calls each for every Record of the log r, in order, with its line
// number; blank lines are skipped. A line that is not a Record (rule 1)
// stops it with a *LineError, as does an error each returns.
func Read(r io.Reader, each func(line int, rec *Record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		rec, err := decode(text)
		if err != nil {
			return &LineError{Line: n, Err: err}
		}
		if err := each(n, rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return &LineError{Line: n + 1, Err: fmt.Errorf("longer than %d bytes", MaxLine)}
		}
		return err
	}
	return nil
}

// decode reads one line strictly.
func decode(text []byte) (*Record, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(text, &raw); err != nil {
		return nil, errors.New("not a JSON object: " + err.Error())
	}
	for _, f := range []string{"time", "id", "mode", "identity", "outcome", "flex", "policy", "policy_digest"} {
		if _, ok := raw[f]; !ok {
			return nil, fmt.Errorf("no %q field: is this a flexroles decision log?", f)
		}
	}
	d := json.NewDecoder(bytes.NewReader(text))
	d.DisallowUnknownFields()
	var rec Record
	if err := d.Decode(&rec); err != nil {
		return nil, err
	}
	switch {
	case rec.Mode != "enforce" && rec.Mode != "shadow":
		return nil, fmt.Errorf("mode %q is neither enforce nor shadow", rec.Mode)
	case rec.Outcome != Granted && rec.Outcome != Refused && rec.Outcome != Error:
		return nil, fmt.Errorf("outcome %q is not granted, refused or error", rec.Outcome)
	case rec.Identity == "":
		return nil, errors.New("the identity is empty")
	}
	for _, side := range []*Decision{&rec.Flex, &rec.Policy} {
		if side.Granted == (side.Refused != nil) {
			return nil, errors.New("a decision is granted and refused, or neither")
		}
	}
	return &rec, nil
}
