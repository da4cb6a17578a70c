package flexroles

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// ErrDenied is a login the organisation's policy refuses: a deny rule
// matched, a role came out that sso.allow does not list, or the Console
// role is not in console.allow. The *Error's RefusedBy says which, and its
// Rule names the deny rule or the setting ("sso.allow", "console.allow");
// its Value is the offending value: the first role sso.allow does not
// list, or the Console role console.allow does not list.
var ErrDenied = errors.New("flexroles: denied by policy")

// MaxPolicySize is the largest policy file LoadPolicy reads; a larger one is
// refused before it is parsed.
const MaxPolicySize = 4 << 20

// Policy is an organisation's role policy on top of Twilio's rules: which
// IdP groups and attributes grant which roles, which logins are refused, and
// which roles and Console roles are allowed at all. Load one with LoadPolicy;
// it is immutable and safe for concurrent use. A nil *Policy means Twilio's
// rules alone.
type Policy struct {
	sso     ssoSettings
	groups  string // attribute name of the IdP groups
	allow   roleSet
	limited bool // sso.allow is set
	// defaultInsights is added for admin or supervisor without a wfo.* role.
	defaultInsights roleSet
	foldGroups      bool
	rules           []policyRule
	deny            []policyRule
	console         uint8 // Console roles allowed, one bit per consoleRoleAt index
	consoleLimited  bool
	tests           []policyTest
	settingLines    [settingCount]int // where each setting Coverage reports is written, 0 when absent
	groupIndex      map[string]int    // every group a rule names, by foldKey when foldGroups, to a bit
	attrNames       []string          // every attribute a condition names, by id
	digest          string            // "sha256:" and the hex SHA-256 of the file's bytes
}

// policyRule is one compiled rule: every condition must hold.
type policyRule struct {
	name      string
	at        position   // of the rule in the file, for load-time checks
	nameAt    position   // of its name's value
	grantAt   []position // of each grant item, in grantRole order
	grantRole []roleSet  // each grant item's role
	field     string     // its YAML path
	deny      bool       // a deny rule: a match refuses the login
	anyGroups [][]string // each inner list needs one match (group, any_group)
	allGroups []string   // every one needed
	attrs     []attrCondition
	anyIDs    [][]int // anyGroups as group ids, compiled at load
	allIDs    []int   // allGroups as group ids
	grant     roleSet
	reason    Reason // built at load time
}

// position is a place in a policy file.
type position struct{ line, column int }

// attrCondition is one attribute condition: some value of the attribute
// equals, is among, or starts with the given values.
type attrCondition struct {
	at     position // of the condition in the file
	name   string
	id     int    // index of name in Policy.attrNames
	op     string // "equals", "in" or "prefix"
	values []string
}

// Resolve applies Twilio's rules and then the policy to l. Twilio's checks
// come first and no policy overrides them; then deny rules, then the allow
// lists, then Flex's need for a Flex role (45050). On error the Decision is
// the zero value.
func (p *Policy) Resolve(l Login) (Decision, error) {
	if p == nil || len(l.Attributes) > MaxAttributes || len(l.ConsoleRoles) > MaxRoleItems {
		return Resolve(l)
	}
	switch l.Source {
	case Console:
		return p.resolveConsole(l)
	case SSO:
		if len(l.ConsoleRoles) > 0 {
			return Resolve(l)
		}
		return p.resolveSSO(l.Attributes)
	}
	return Resolve(l)
}

func (p *Policy) resolveConsole(l Login) (Decision, error) {
	d, err := Resolve(l)
	if err != nil || !p.consoleLimited {
		return d, err
	}
	// Resolve granted the login, so one of its roles opens Flex; the most
	// privileged of them decides, as in Resolve.
	best := consoleRoleCount
	for _, given := range l.ConsoleRoles {
		if c, _ := consoleRoleFold(string(given)); c != BillingManager {
			best = min(best, consoleIndex(c))
		}
	}
	if p.console&(1<<best) != 0 {
		return d, nil
	}
	return Decision{}, &Error{Kind: ErrDenied, Attribute: attrConsoleRole, Value: string(consoleRoleAt(best)),
		RefusedBy: RefusedByConsoleAllow, Rule: SettingConsoleAllow, problem: problemDeniedConsole, console: consoleRefAt(best)}
}

// consoleIndex returns the index of c in consoleRoleAt, or consoleRoleCount.
func consoleIndex(c ConsoleRole) int {
	for i := range consoleRoleCount {
		if consoleRoleAt(i) == c {
			return i
		}
	}
	return consoleRoleCount
}

func (p *Policy) resolveSSO(attrs map[string][]string) (Decision, error) {
	var buf [4]uint64
	var valBuf [8][]string
	got, in, vals, err := p.ssoInput(attrs, buf[:0], valBuf[:0])
	if err != nil {
		return Decision{}, err
	}
	for i := range p.deny {
		if p.deny[i].failing(in, vals, p.foldGroups) < 0 {
			return Decision{}, &Error{Kind: ErrDenied, RefusedBy: RefusedByDenyRule, Rule: p.deny[i].name,
				problem: problemDeniedRule}
		}
	}
	var reasonBuf [16]Reason
	extra := reasonBuf[:0]
	for i := range p.rules {
		if p.rules[i].failing(in, vals, p.foldGroups) < 0 {
			got.set |= p.rules[i].grant
			extra = append(extra, p.rules[i].reason)
		}
	}
	if p.defaultInsights != 0 && got.set&insightsGate != 0 && got.set&wfoRoles == 0 {
		got.set |= p.defaultInsights
		extra = append(extra, reasonDefaultInsights)
	}
	if p.limited {
		if outside := got.set &^ p.allow; outside != 0 {
			return Decision{}, &Error{Kind: ErrDenied, Attribute: p.sso.name(slotRoles), Value: string(outside.first()),
				RefusedBy: RefusedBySSOAllow, Rule: SettingSSOAllow, problem: problemDeniedAllow, roles: outside}
		}
	}
	return decideSSO(attrs, got, &p.sso, extra)
}

// ssoInput applies Twilio's checks and the limits on what the policy reads
// to an SSO login's attributes, and returns the roles Twilio's rules found,
// the user's groups as bits and the values of the attributes the conditions
// test, in buf and valBuf when they are large enough.
func (p *Policy) ssoInput(attrs map[string][]string, buf []uint64, valBuf [][]string) (ssoRoles, groupBits, [][]string, error) {
	got, err := parseSSO(attrs, &p.sso)
	if err != nil {
		return got, nil, nil, err
	}
	if err := checkValues(p.groups, attrs[p.groups]); err != nil {
		return got, nil, nil, err
	}
	for _, name := range p.attrNames {
		if err := checkValues(name, attrs[name]); err != nil {
			return got, nil, nil, err
		}
	}
	return got, p.userGroups(attrs[p.groups], buf), p.attributeValues(attrs, valBuf), nil
}

// groupBits is the set of a user's groups that the policy's rules name, one
// bit per group id.
type groupBits []uint64

func (g groupBits) has(id int) bool { return id/64 < len(g) && g[id/64]&(1<<(id%64)) != 0 }

// userGroups returns the groups of a user as bits, in buf when it is large
// enough. Groups are taken one per value as sent, never split: AD group DNs
// hold commas.
func (p *Policy) userGroups(groups []string, buf []uint64) groupBits {
	words := (len(p.groupIndex) + 63) / 64
	if cap(buf) < words {
		buf = make([]uint64, 0, words)
	}
	bits := groupBits(buf[:words])
	clear(bits)
	for _, g := range groups {
		if p.foldGroups {
			g = foldKey(g)
		}
		if id, ok := p.groupIndex[g]; ok {
			bits[id/64] |= 1 << (id % 64)
		}
	}
	return bits
}

// failing returns the index of the first condition of r that does not hold
// for a user in groups in with attribute values vals, or -1 when r matches. Conditions count
// in the order any_group lists (group and any_group), all_groups, attributes.
func (r *policyRule) failing(in groupBits, vals [][]string, fold bool) int {
	n := 0
	for _, ids := range r.anyIDs {
		ok := false
		for _, id := range ids {
			if in.has(id) {
				ok = true
				break
			}
		}
		if !ok {
			return n
		}
		n++
	}
	for _, id := range r.allIDs {
		if !in.has(id) {
			return n
		}
		n++
	}
	for i := range r.attrs {
		if !r.attrs[i].holds(vals[r.attrs[i].id], fold) {
			return n
		}
		n++
	}
	return -1
}

// foldKey maps each rune of s to the least rune of its case-folding orbit,
// so that two strings have the same key exactly when strings.EqualFold
// says they are equal, the way attribute values are compared.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

// attributeValues returns the values of every attribute the rules test, by
// id, in buf when it is large enough: one map look-up per attribute name.
func (p *Policy) attributeValues(attrs map[string][]string, buf [][]string) [][]string {
	for _, name := range p.attrNames {
		buf = append(buf, attrs[name])
	}
	return buf
}

// compileGroups gives every group the rules name a bit, and every attribute
// they test an id, so that matching a login costs one map look-up per group
// of the user and per attribute name, then bit tests.
func (p *Policy) compileGroups() {
	p.groupIndex = map[string]int{}
	id := func(g string) int {
		if p.foldGroups {
			g = foldKey(g)
		}
		i, ok := p.groupIndex[g]
		if !ok {
			i = len(p.groupIndex)
			p.groupIndex[g] = i
		}
		return i
	}
	for _, list := range [...][]policyRule{p.rules, p.deny} {
		for i := range list {
			r := &list[i]
			for _, any := range r.anyGroups {
				ids := make([]int, len(any))
				for j, g := range any {
					ids[j] = id(g)
				}
				r.anyIDs = append(r.anyIDs, ids)
			}
			for _, g := range r.allGroups {
				r.allIDs = append(r.allIDs, id(g))
			}
			for j := range r.attrs {
				name := r.attrs[j].name
				k := slices.Index(p.attrNames, name)
				if k < 0 {
					k = len(p.attrNames)
					p.attrNames = append(p.attrNames, name)
				}
				r.attrs[j].id = k
			}
		}
	}
}

func (c *attrCondition) holds(values []string, fold bool) bool {
	for _, v := range values {
		for _, w := range c.values {
			switch c.op {
			case "prefix":
				if strings.HasPrefix(v, w) || fold && len(v) >= len(w) && strings.EqualFold(v[:len(w)], w) {
					return true
				}
			default:
				if v == w || fold && strings.EqualFold(v, w) {
					return true
				}
			}
		}
	}
	return false
}

// PolicyIssue is one problem in a policy file.
type PolicyIssue struct {
	Line, Column int    // 1-based position in the YAML file, 0 if unknown
	Field        string // YAML path such as "sso.rules[2].grant[0]"
	Message      string
}

// PolicyError lists every problem LoadPolicy found in a policy file.
type PolicyError struct {
	File   string
	Issues []PolicyIssue

	err error // the I/O error behind the issues, if any
}

// Unwrap returns the I/O error that kept the policy from being read, such as
// fs.ErrNotExist wrapped in *fs.PathError, or nil.
func (e *PolicyError) Unwrap() error { return e.err }

// Error lists the problems one per line, each as file:line:column: field:
// message, leaving out what is unknown.
func (e *PolicyError) Error() string {
	var b strings.Builder
	b.WriteString("flexroles: invalid policy")
	if e.File != "" {
		b.WriteString(" " + e.File)
	}
	b.WriteString(": " + strconv.Itoa(len(e.Issues)) + " problem")
	if len(e.Issues) != 1 {
		b.WriteString("s")
	}
	for _, is := range e.Issues {
		b.WriteString("\n  ")
		if e.File != "" {
			b.WriteString(e.File + ":")
		}
		if is.Line > 0 {
			b.WriteString(strconv.Itoa(is.Line) + ":")
			if is.Column > 0 {
				b.WriteString(strconv.Itoa(is.Column) + ":")
			}
		}
		if e.File != "" || is.Line > 0 {
			b.WriteString(" ")
		}
		if is.Field != "" {
			b.WriteString(is.Field + ": ")
		}
		b.WriteString(is.Message)
	}
	return b.String()
}

// LoadPolicy reads a policy in YAML and checks it whole: every problem is
// reported at once in a *PolicyError, and no Policy is returned then. Files
// over MaxPolicySize, YAML anchors and aliases, unknown keys and duplicate
// keys are refused.
func LoadPolicy(r io.Reader) (*Policy, error) {
	return loadPolicy(r, "")
}

// LoadPolicyFile is LoadPolicy on the file at path; its issues name the file.
func LoadPolicyFile(path string) (*Policy, error) {
	f, err := os.Open(path) //nolint:gosec // G304: LoadPolicyFile reads the file its caller names
	if err != nil {
		msg := err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			msg = pe.Op + ": " + pe.Err.Error() // the path is the PolicyError's File
		}
		return nil, &PolicyError{File: path, Issues: []PolicyIssue{{Message: msg}}, err: err}
	}
	defer f.Close()
	return loadPolicy(f, path)
}

func loadPolicy(r io.Reader, file string) (*Policy, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPolicySize+1))
	if err != nil {
		return nil, &PolicyError{File: file, Issues: []PolicyIssue{{Message: "reading the policy: " + err.Error()}}, err: err}
	}
	if len(data) > MaxPolicySize {
		return nil, &PolicyError{File: file, Issues: []PolicyIssue{{Message: "the policy is larger than " +
			strconv.Itoa(MaxPolicySize>>20) + " MiB; a role policy never needs that much"}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &PolicyError{File: file, Issues: []PolicyIssue{{Line: 1, Column: 1, Message: "the policy is empty; it needs at least \"version: 1\""}}}
	}
	p, issues := compilePolicy(data)
	if len(issues) > 0 {
		return nil, &PolicyError{File: file, Issues: issues}
	}
	sum := sha256.Sum256(data)
	p.digest = "sha256:" + hex.EncodeToString(sum[:])
	return p, nil
}

// Digest names the policy by its bytes: "sha256:" and the hex SHA-256 of
// what LoadPolicy or LoadPolicyFile read, so that a log line or a metric
// says which policy decided, and two files with the same bytes have the
// same digest. A nil Policy has the digest "".
func (p *Policy) Digest() string {
	if p == nil {
		return ""
	}
	return p.digest
}

// AttributeName returns the name of the assertion attribute the policy reads
// for a (RolesAttribute, EmailAttribute, FullNameAttribute or
// GroupsAttribute): the policy's sso.attributes entry, or a's own name when
// the policy leaves it alone or p is nil. Any other a gives "". Tools that
// build logins from an IdP export use it to put each value where the
// policy looks for it.
func (p *Policy) AttributeName(a FlexAttribute) string {
	var s ssoSettings
	groups := attrGroups
	if p != nil {
		s, groups = p.sso, p.groups
	}
	if a == GroupsAttribute {
		return groups
	}
	return s.meant(string(a))
}

// Roles returns the roles an SSO login can end up with under the policy, in
// canonical order: its sso.allow list when it has one, else (and for a nil
// Policy) every role SSO can give: admin, supervisor, agent and the seven
// wfo.* roles. IdP set-up, such as one Entra ID app role per role, starts
// from this list.
func (p *Policy) Roles() []Role {
	if p != nil && p.limited {
		return p.allow.list()
	}
	return (flexUIRoles | wfoRoles).list()
}

// DefaultInsightsRole returns the policy's sso.default_insights_role, the
// wfo.* role added for an SSO admin or supervisor without one, or "" when
// the policy sets none or p is nil.
func (p *Policy) DefaultInsightsRole() Role {
	if p == nil || p.defaultInsights == 0 {
		return ""
	}
	return p.defaultInsights.list()[0]
}

// Attributes returns, in name order, the assertion attributes the policy's
// conditions read besides the groups attribute (department, location, …),
// so that an IdP can be set up to send them; nil for a nil Policy.
func (p *Policy) Attributes() []string {
	if p == nil || len(p.attrNames) == 0 {
		return nil
	}
	out := slices.Clone(p.attrNames)
	slices.Sort(out)
	return out
}
