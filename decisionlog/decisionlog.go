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
