package review

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/decisionlog"
)

// Login is one login of a bridge's decision log: its line and record.
type Login struct {
	Line   int
	Record *decisionlog.Record
}

// LatestLogins reads a decision log (package decisionlog) and returns each
// identity's latest login: the one with the latest time, the later line on
// a tie, so that the logs of several instances can be concatenated. They
// come in the order of their lines.
func LatestLogins(r io.Reader) ([]Login, error) {
	at := map[string]int{}
	var out []Login
	err := decisionlog.Read(r, func(line int, rec *decisionlog.Record) error {
		i, seen := at[rec.Identity]
		switch {
		case !seen:
			at[rec.Identity] = len(out)
			out = append(out, Login{Line: line, Record: rec})
		case !rec.Time.Before(out[i].Record.Time):
			out[i] = Login{Line: line, Record: rec}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Login) int { return a.Line - b.Line })
	return out, nil
}

// ErrNoAttributes is a login whose decision log line keeps no attributes,
// compared under another policy: the bridge writes them only with
// decision_log_attributes: true.
var ErrNoAttributes = errors.New("flexroles: the decision log keeps no attributes for this login; the bridge writes them with decision_log_attributes: true")

// NewLogins returns a Comparison of what Flex received at the logins of a
// bridge's decision log (OLD) with what a policy decides (NEW): with next
// nil, the decision the log records, the policy in force's; otherwise
// next's decision on the attributes the log keeps. Compare it with
// CompareLogin; Compare is for exports.
func NewLogins(next *flexroles.Policy, fail FailOn) *Comparison {
	return &Comparison{new: next, fail: fail, Summary: newSummary()}
}

// CompareLogin compares one login of a decision log as the Comparison from
// NewLogins says, and returns the change, or nil when the login's outcome
// is the same on both sides: the same roles, or refused by the same rule
// (RefusedBy). Under next, a login without attributes is an error that
// wraps ErrNoAttributes, and nothing is counted.
func (df *Comparison) CompareLogin(l Login) (*Change, error) {
	rec := l.Record
	o, oldSide, err := recorded(rec.Flex)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", l.Line, err)
	}
	var n outcome
	var newSide Side
	var newRolesValues []string
	if df.new == nil {
		if n, newSide, err = recorded(rec.Policy); err != nil {
			return nil, fmt.Errorf("line %d: %w", l.Line, err)
		}
	} else {
		if rec.Attributes == nil {
			return nil, fmt.Errorf("line %d (%s): %w", l.Line, rec.Identity, ErrNoAttributes)
		}
		login := flexroles.Login{Source: flexroles.SSO, Attributes: rec.Attributes, Identity: rec.Identity}
		n.d, n.err = df.new.Resolve(login)
		newSide = sideOf(n, df.new.Fired(login))
		newRolesValues = rec.Attributes[df.new.AttributeName(flexroles.RolesAttribute)]
	}
	df.Summary.Users++
	switch {
	case o.err == nil && n.err == nil && slices.Equal(o.d.Roles, n.d.Roles):
		return nil, nil
	case o.err != nil && n.err != nil && oldSide.Refused.By == newSide.Refused.By:
		return nil, nil
	}
	var oldRolesValues []string
	if rec.Mode == "shadow" {
		oldRolesValues = oldSide.Roles // Flex received the IdP's roles attribute
	}
	return df.change(l.Line, rec.Identity, o, n, oldSide, newSide, oldRolesValues, newRolesValues), nil
}

// errRecordedRefusal stands for a refusal that a log recorded: its Side
// says what refused.
var errRecordedRefusal = errors.New("flexroles: refused")

// recorded is a decision of a log line as an outcome and its Side.
func recorded(d decisionlog.Decision) (outcome, Side, error) {
	s := Side{Roles: []string{}, Insights: []string{}, Rules: []string{}}
	for _, r := range d.Rules {
		t := flexroles.RuleTrace{Rule: r.Name, Matched: true}
		for _, g := range r.Grant {
			t.Grant = append(t.Grant, flexroles.Role(g))
		}
		s.fired = append(s.fired, t)
		s.Rules = append(s.Rules, r.Name)
	}
	if !d.Granted {
		s.Refused = &Refusal{Kind: d.Refused.Kind, By: d.Refused.By, Message: d.Refused.Message}
		return outcome{err: errRecordedRefusal}, s, nil
	}
	roles := make([]flexroles.Role, 0, len(d.Roles))
	for _, r := range d.Roles {
		role, err := flexroles.ParseRole(r)
		if err != nil {
			return outcome{}, s, err
		}
		roles = append(roles, role)
	}
	dec := flexroles.Decision{Roles: roles, Insights: flexroles.InsightsFor(roles)}
	if d.DefaultInsights != "" {
		dec.Reasons = []flexroles.Reason{{Rule: flexroles.RulePolicyDefaultInsights}}
	}
	s.Granted = true
	s.Roles = dec.RoleStrings()
	if s.Roles == nil {
		s.Roles = []string{}
	}
	s.Insights = capabilities(dec.Insights)
	return outcome{d: dec}, s, nil
}
