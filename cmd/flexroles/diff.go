package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
)

// diffUsage is the usage of the diff command, printed by diff -h.
const diffUsage = `usage:
  flexroles diff [--json | --markdown] [--fail-on CHANGES] --users USERS OLD NEW

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
email, name, groups, roles and attribute columns, ";" between several values.
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

A user refused on one side and granted on the other gains (or loses) every
role and capability of the granted side. A user refused on both sides for
different reasons is reported too, and counts as no gain or loss. A level
that moves is one gain or one loss: dashboards=viewer→editor. Each policy
reads the export's email, name, groups and roles under its own
sso.attributes names; an attribute NEW renames is a note, since the IdP
must then send the new name.

Exit status: 0 no change that --fail-on names, 1 such a change, 2 bad usage,
a policy that does not load, or a users file that cannot be read or holds
no user (the output may then stop part way; stderr says where).
`

// diffMarkdownRows is how many changed users --markdown lists at most: a
// pull-request comment is limited to 65,536 characters.
const diffMarkdownRows = 100

// runDiff runs "flexroles diff" with the arguments after the command name
// and returns the exit status.
func runDiff(args []string, stdout, stderr io.Writer) int {
	var (
		usersPath, failOnText string
		asJSON, asMarkdown    bool
	)
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.StringVar(&usersPath, "users", "", "the IdP export")
	fs.BoolVar(&asJSON, "json", false, "print one JSON document")
	fs.BoolVar(&asMarkdown, "markdown", false, "print Markdown for a pull-request comment")
	fs.StringVar(&failOnText, "fail-on", "", "changes that make diff exit 1")
	pos, code, done := parseInterspersed(fs, args, diffUsage, stdout, stderr)
	if done {
		return code
	}
	switch {
	case len(pos) != 2:
		return usageError(stderr, "diff: want the OLD and NEW policies, got %d arguments", len(pos))
	case usersPath == "":
		return usageError(stderr, "diff: --users is required: the IdP export whose users to compare")
	case asJSON && asMarkdown:
		return usageError(stderr, "diff: --json and --markdown exclude each other")
	}
	fail, err := parseFailOn(failOnText)
	if err != nil {
		return usageError(stderr, "diff: --fail-on: %v", err)
	}
	var policies [2]*flexroles.Policy
	for i, src := range pos {
		p, err := loadPolicySource(src)
		if err != nil {
			fmt.Fprintf(stderr, "flexroles: diff: the policy %s does not load\n", src)
			writeIssues(stderr, src, err)
			return exitUsage
		}
		policies[i] = p
	}
	uf, err := export.Open(usersPath)
	if err != nil {
		fmt.Fprintf(stderr, "flexroles: diff: --users %v\n", err)
		return exitUsage
	}
	defer uf.Close()
	bw := bufio.NewWriter(stdout)
	var out diffWriter
	switch {
	case asJSON:
		out = &diffJSON{w: bw}
	case asMarkdown:
		out = &diffMarkdown{w: bw}
	default:
		out = &diffText{w: bw, users: usersPath}
	}
	d := differ{old: policies[0], new: policies[1], fail: fail, sum: newDiffSummary()}
	notes := renameNotes(policies[0], policies[1])
	for _, n := range notes {
		d.sum.Notes = append(d.sum.Notes, n.text(strconv.Quote))
	}
	out.start(pos[0], pos[1], notes)
	err = uf.Each(func(u *export.User) error {
		d.sum.Users++
		if c := d.compare(u); c != nil {
			out.change(c)
		}
		return nil
	})
	if err != nil {
		_ = bw.Flush()
		fmt.Fprintf(stderr, "flexroles: diff: --users %v\n", err)
		return exitUsage
	}
	out.finish(&d.sum)
	if err := bw.Flush(); err != nil {
		fmt.Fprintf(stderr, "flexroles: diff: %v\n", err)
		return exitUsage
	}
	if len(d.sum.FailedOn) > 0 {
		return exitFailed
	}
	return exitOK
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

// renameNote is an attribute the two policies read under different
// names: one of Flex's (roles, email, full_name) or the groups attribute.
type renameNote struct{ std, old, new string }

// renameNotes says which attributes the two policies read under
// different names. The export's columns reach each policy under its own
// names, so such a rename shows no change for anyone; yet once NEW ships,
// the IdP must send the new names.
func renameNotes(old, new *flexroles.Policy) []renameNote {
	var notes []renameNote
	for _, std := range []string{"roles", "email", "full_name", "groups"} {
		if o, n := old.AttributeName(std), new.AttributeName(std); o != n {
			notes = append(notes, renameNote{std, o, n})
		}
	}
	return notes
}

// text is the note in words, with quote the way each name is shown.
func (n renameNote) text(quote func(string) string) string {
	return "NEW reads " + n.std + " from the assertion attribute " + quote(n.new) + ", OLD from " + quote(n.old) +
		": the export's " + n.std + " reach both, but from the moment NEW ships the identity provider must send " + quote(n.new)
}

// loadPolicySource loads a policy file, or with src "git:REF:PATH" the file
// PATH as it is in the commit REF.
func loadPolicySource(src string) (*flexroles.Policy, error) {
	spec, ok := strings.CutPrefix(src, "git:")
	if !ok {
		return flexroles.LoadPolicyFile(src)
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

// differ compares each user's outcome under two policies.
type differ struct {
	old, new *flexroles.Policy
	fail     failOn
	sum      diffSummary
}

// outcome is a user's decision under one policy.
type outcome struct {
	d   flexroles.Decision
	err error
}

// compare resolves u under both policies and returns the change, or nil
// when the outcome is the same, counting it in the summary.
func (df *differ) compare(u *export.User) *userChange {
	lo, ln := u.Login(df.old), u.Login(df.new)
	var o, n outcome
	o.d, o.err = df.old.Resolve(lo)
	n.d, n.err = df.new.Resolve(ln)
	switch {
	case o.err == nil && n.err == nil:
		if slices.Equal(o.d.Roles, n.d.Roles) {
			return nil
		}
	case o.err != nil && n.err != nil:
		if refusedBy(o.err) == refusedBy(n.err) {
			return nil
		}
	}
	c := &userChange{
		Line:   u.Line,
		Email:  u.Email,
		Gained: []roleChange{},
		Lost:   []roleChange{},
		Old:    sideOf(o, df.old.Fired(lo)),
		New:    sideOf(n, df.new.Fired(ln)),
	}
	var oldRoles, newRoles []flexroles.Role
	if o.err == nil {
		oldRoles = o.d.Roles
	}
	if n.err == nil {
		newRoles = n.d.Roles
	}
	for _, r := range newRoles {
		if !slices.Contains(oldRoles, r) {
			c.Gained = append(c.Gained, roleChange{Role: string(r), From: sourcesOf(r, ln.Attributes[df.new.AttributeName("roles")], n, c.New.fired)})
		}
	}
	for _, r := range oldRoles {
		if !slices.Contains(newRoles, r) {
			c.Lost = append(c.Lost, roleChange{Role: string(r), From: sourcesOf(r, lo.Attributes[df.old.AttributeName("roles")], o, c.Old.fired)})
		}
	}
	c.GainedInsights, c.LostInsights = insightsChanges(o.d.Insights, n.d.Insights)
	switch {
	case o.err == nil && n.err != nil:
		c.Change = changeRefused
	case o.err != nil && n.err == nil:
		c.Change = changeAdmitted
	case o.err != nil:
		c.Change = changeRefusal
	default:
		c.Change = changeRoles
	}
	c.FailedOn = df.fail.matches(c)
	df.sum.add(c)
	return c
}

// The kinds of userChange.
const (
	changeRoles    = "roles"    // granted on both sides, with other roles
	changeRefused  = "refused"  // granted under OLD, refused under NEW
	changeAdmitted = "admitted" // refused under OLD, granted under NEW
	changeRefusal  = "refusal"  // refused on both sides, for different reasons
)

// userChange is one user whose outcome differs between the policies.
type userChange struct {
	Line           int          `json:"line"`
	Email          string       `json:"email"`
	Change         string       `json:"change"` // "roles", "refused", "admitted" or "refusal"
	Old            side         `json:"old"`
	New            side         `json:"new"`
	Gained         []roleChange `json:"gained"`          // roles NEW gives and OLD does not, each with what gives it under NEW
	Lost           []roleChange `json:"lost"`            // roles OLD gives and NEW does not, each with what gave it under OLD
	GainedInsights []string     `json:"gained_insights"` // capabilities, as "play_calls" or "dashboards=editor"
	LostInsights   []string     `json:"lost_insights"`
	FailedOn       []string     `json:"failed_on,omitempty"` // the --fail-on items the change matches
}

// roleChange is a role gained or lost and what gives it on the side that
// has it: rule "NAME", "roles attribute" or "default_insights_role".
type roleChange struct {
	Role string   `json:"role"`
	From []string `json:"from"`
}

// side is a user's outcome under one policy.
type side struct {
	Granted  bool     `json:"granted"`
	Roles    []string `json:"roles"`    // never null
	Insights []string `json:"insights"` // the capabilities, never null
	Rules    []string `json:"rules"`    // the grant rules whose roles were added, never null
	Refused  *refusal `json:"refused,omitempty"`

	fired []flexroles.RuleTrace
}

// refusal is why a login is refused.
type refusal struct {
	Kind    string `json:"kind"` // the error kind, such as "denied" or "missing_attribute"
	By      string `json:"by"`   // deny rule "NAME", sso.allow, or the kind with its Flex code
	Message string `json:"message"`
}

func sideOf(oc outcome, fired []flexroles.RuleTrace) side {
	s := side{Roles: []string{}, Insights: []string{}, Rules: []string{}, fired: fired}
	for _, f := range fired {
		if !f.Deny {
			s.Rules = append(s.Rules, f.Rule)
		}
	}
	if oc.err != nil {
		s.Refused = &refusal{Kind: flexroles.ErrorKindName(oc.err), By: refusedBy(oc.err), Message: oc.err.Error()}
		return s
	}
	s.Granted = true
	s.Roles = oc.d.RoleStrings()
	s.Insights = capabilities(oc.d.Insights)
	return s
}

// refusedBy names what refused a login: deny rule "NAME", the allow list,
// or the error kind with its Flex code.
func refusedBy(err error) string {
	var e *flexroles.Error
	if !errors.As(err, &e) {
		return flexroles.ErrorKindName(err)
	}
	switch {
	case errors.Is(err, flexroles.ErrDenied) && e.Value != "sso.allow" && e.Value != "console.allow":
		return "deny rule " + strconv.Quote(e.Value)
	case errors.Is(err, flexroles.ErrDenied):
		return e.Value
	case e.Code != 0:
		return fmt.Sprintf("%s (%d)", flexroles.ErrorKindName(err), e.Code)
	}
	return flexroles.ErrorKindName(err)
}

// sourcesOf says what gives role r in the granted outcome oc: the grant
// rules that fired and list it, the roles attribute (values rolesValues,
// under the name the policy reads) when it asks for it, and the policy's
// default Insights role. It is never nil.
func sourcesOf(r flexroles.Role, rolesValues []string, oc outcome, fired []flexroles.RuleTrace) []string {
	from := []string{}
	for _, f := range fired {
		if slices.Contains(f.Grant, r) {
			from = append(from, "rule "+strconv.Quote(f.Rule))
		}
	}
	for _, v := range rolesValues {
		if slices.ContainsFunc(strings.Split(v, ","), func(item string) bool { return strings.EqualFold(strings.TrimSpace(item), string(r)) }) {
			from = append(from, "roles attribute")
			break
		}
	}
	if len(from) == 0 && slices.ContainsFunc(oc.d.Reasons, func(rs flexroles.Reason) bool { return rs.Rule == "policy.default_insights_role" }) {
		from = append(from, "default_insights_role")
	}
	return from
}

// capabilities lists what Insights lets a user do, as names --fail-on
// takes, levels after "=": nothing when Insights stays closed.
func capabilities(in flexroles.Insights) []string {
	out := []string{}
	for _, name := range capabilityNames {
		switch level, rank := capabilityLevel(in, name); {
		case rank == 0:
		case level == "yes":
			out = append(out, name)
		default:
			out = append(out, name+"="+level)
		}
	}
	return out
}

// capabilityNames are the capabilities --fail-on takes.
var capabilityNames = []string{"enabled", "play_calls", "export_calls", "assess_calls", "questionnaires", "dashboards"}

// capabilityOrder ranks a capability change as capabilityNames lists the
// capabilities.
func capabilityOrder(cp string) int {
	name, _, _ := strings.Cut(cp, "=")
	return slices.Index(capabilityNames, name)
}

// capabilityLevel returns what Insights allows of one capability: "" and 0
// when nothing, "yes" and 1 for the yes-or-no ones, and for assess_calls
// and dashboards the level and its rank, lowest 1. Nothing is allowed when
// Insights stays closed.
func capabilityLevel(in flexroles.Insights, name string) (string, int) {
	if !in.Enabled {
		return "", 0
	}
	yes := func(b bool) (string, int) {
		if b {
			return "yes", 1
		}
		return "", 0
	}
	switch name {
	case "enabled":
		return "yes", 1
	case "play_calls":
		return yes(in.PlayCalls)
	case "export_calls":
		return yes(in.ExportCalls)
	case "questionnaires":
		return yes(in.Questionnaires)
	case "assess_calls":
		if in.AssessCalls == flexroles.AssessNone {
			return "", 0
		}
		level, _ := in.AssessCalls.MarshalText()
		return string(level), int(in.AssessCalls)
	case "dashboards":
		if in.Dashboards == flexroles.DashboardsNone {
			return "", 0
		}
		return in.Dashboards.String(), int(in.Dashboards)
	}
	return "", 0
}

// insightsChanges compares what Insights allows under OLD and NEW: each
// capability that NEW allows more of is gained, each it allows less of is
// lost. A yes-or-no capability is named alone ("export_calls"); a level is
// named with it ("dashboards=editor" when it comes or goes whole,
// "dashboards=viewer→editor" when it moves). Both lists are never nil.
func insightsChanges(old, new flexroles.Insights) (gained, lost []string) {
	gained, lost = []string{}, []string{}
	for _, name := range capabilityNames {
		from, fromRank := capabilityLevel(old, name)
		to, toRank := capabilityLevel(new, name)
		if fromRank == toRank {
			continue
		}
		what := name
		switch {
		case from != "yes" && from != "" && to != "":
			what += "=" + from + "→" + to
		case from != "yes" && from != "":
			what += "=" + from
		case to != "yes" && to != "":
			what += "=" + to
		}
		if toRank > fromRank {
			gained = append(gained, what)
		} else {
			lost = append(lost, what)
		}
	}
	return gained, lost
}

// failOn is the set of changes --fail-on names.
type failOn struct {
	items []string // as given, each valid
}

// parseFailOn reads --fail-on's comma-separated list.
func parseFailOn(s string) (failOn, error) {
	var f failOn
	if strings.TrimSpace(s) == "" {
		return f, nil
	}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		verb, what, hasWhat := strings.Cut(item, ":")
		switch {
		case !hasWhat && slices.Contains([]string{"any", "refuse", "admit", "gain", "lose"}, item):
		case hasWhat && (verb == "gain" || verb == "lose"):
			if slices.Contains(capabilityNames, what) {
				break
			}
			if _, err := flexroles.ParseRole(what); err != nil {
				var e *flexroles.Error
				if errors.As(err, &e) && e.Suggestion != "" {
					return f, fmt.Errorf("%q: %q is no role (did you mean %q?) nor Insights capability", item, what, e.Suggestion)
				}
				return f, fmt.Errorf("%q: %q is no role nor Insights capability (%s)", item, what, strings.Join(capabilityNames, ", "))
			}
		default:
			return f, fmt.Errorf("unknown item %q: want any, refuse, admit, gain, lose, gain:ROLE, lose:ROLE, gain:CAP or lose:CAP", item)
		}
		if !slices.Contains(f.items, item) {
			f.items = append(f.items, item)
		}
	}
	return f, nil
}

// matches returns the items of f that the change c matches.
func (f failOn) matches(c *userChange) []string {
	var out []string
	for _, item := range f.items {
		verb, what, _ := strings.Cut(item, ":")
		var hit bool
		switch verb {
		case "any":
			hit = true
		case "refuse":
			hit = c.Change == changeRefused
		case "admit":
			hit = c.Change == changeAdmitted
		case "gain", "lose":
			roles, caps := c.Gained, c.GainedInsights
			if verb == "lose" {
				roles, caps = c.Lost, c.LostInsights
			}
			hit = what == "" && len(roles) > 0 ||
				slices.ContainsFunc(roles, func(r roleChange) bool { return r.Role == what }) ||
				slices.ContainsFunc(caps, func(cp string) bool { return cp == what || strings.HasPrefix(cp, what+"=") })
		}
		if hit {
			out = append(out, item)
		}
	}
	return out
}

// diffSummary counts the changes.
type diffSummary struct {
	Users          int            `json:"users"`
	Changed        int            `json:"changed"`
	Gaining        int            `json:"gaining"` // users who gain a role
	Losing         int            `json:"losing"`  // users who lose a role
	NewlyRefused   int            `json:"newly_refused"`
	NewlyAdmitted  int            `json:"newly_admitted"`
	RefusalChanged int            `json:"refusal_changed"` // refused on both sides, for different reasons
	Gain           map[string]int `json:"gain"`            // users per role gained
	Lose           map[string]int `json:"lose"`
	GainInsights   map[string]int `json:"gain_insights"` // users per capability gained
	LoseInsights   map[string]int `json:"lose_insights"`
	RefusedBy      map[string]int `json:"refused_by"`    // newly refused users per what refuses them under NEW
	AdmittedFrom   map[string]int `json:"admitted_from"` // newly admitted users per what refused them under OLD
	FailedOn       map[string]int `json:"failed_on"`     // users per --fail-on item matched
	Notes          []string       `json:"notes"`         // what the users cannot show, such as renamed attributes
}

func newDiffSummary() diffSummary {
	return diffSummary{Gain: map[string]int{}, Lose: map[string]int{}, GainInsights: map[string]int{},
		LoseInsights: map[string]int{}, RefusedBy: map[string]int{}, AdmittedFrom: map[string]int{}, FailedOn: map[string]int{},
		Notes: []string{}}
}

func (s *diffSummary) add(c *userChange) {
	s.Changed++
	if len(c.Gained) > 0 {
		s.Gaining++
	}
	if len(c.Lost) > 0 {
		s.Losing++
	}
	for _, r := range c.Gained {
		s.Gain[r.Role]++
	}
	for _, r := range c.Lost {
		s.Lose[r.Role]++
	}
	for _, cp := range c.GainedInsights {
		s.GainInsights[cp]++
	}
	for _, cp := range c.LostInsights {
		s.LoseInsights[cp]++
	}
	switch c.Change {
	case changeRefused:
		s.NewlyRefused++
		s.RefusedBy[c.New.Refused.By]++
	case changeAdmitted:
		s.NewlyAdmitted++
		s.AdmittedFrom[c.Old.Refused.By]++
	case changeRefusal:
		s.RefusalChanged++
	}
	for _, item := range c.FailedOn {
		s.FailedOn[item]++
	}
}

// diffCount is one count of the summary, for the text and Markdown forms:
// what happens, to which role, capability or cause, and to how many users.
type diffCount struct {
	what  string // "gain", "lose Insights", "newly refused by", …
	item  string // the role, capability or cause: deny rule "x", sso.allow, …
	users int
}

// text is the line's words, such as "gain admin".
func (l diffCount) text() string {
	if l.item == "" {
		return l.what
	}
	return l.what + " " + l.item
}

// lines returns the summary's counts in a stable order: roles gained and
// lost in the canonical role order, capabilities gained and lost, newly
// refused and newly admitted by cause, most users first.
func (s *diffSummary) lines() []diffCount {
	var out []diffCount
	for _, verb := range []string{"gain", "lose"} {
		m := s.Gain
		if verb == "lose" {
			m = s.Lose
		}
		for _, r := range canonicalRoles {
			if n := m[string(r)]; n > 0 {
				out = append(out, diffCount{verb, string(r), n})
			}
		}
	}
	for _, verb := range []string{"gain", "lose"} {
		m := s.GainInsights
		if verb == "lose" {
			m = s.LoseInsights
		}
		caps := sortedCounts(m, verb+" Insights")
		slices.SortStableFunc(caps, func(a, b diffCount) int { return capabilityOrder(a.item) - capabilityOrder(b.item) })
		out = append(out, caps...)
	}
	out = append(out, sortedCounts(s.RefusedBy, "newly refused by")...)
	out = append(out, sortedCounts(s.AdmittedFrom, "newly admitted, were refused by")...)
	return out
}

// sortedCounts returns m's counts as lines of what happens to each key,
// most users first, then by key.
func sortedCounts(m map[string]int, what string) []diffCount {
	out := make([]diffCount, 0, len(m))
	for k, n := range m {
		out = append(out, diffCount{what: what, item: k, users: n})
	}
	slices.SortFunc(out, func(a, b diffCount) int {
		if a.users != b.users {
			return b.users - a.users
		}
		return strings.Compare(a.item, b.item)
	})
	return out
}

// canonicalRoles lists every role in the order a Decision lists them.
var canonicalRoles = []flexroles.Role{flexroles.Admin, flexroles.Supervisor, flexroles.Agent,
	flexroles.ReadTeams, flexroles.ReadOnlyAdmin, flexroles.WFOFullAccess, flexroles.WFOTeamLeader,
	flexroles.WFODataAnalyst, flexroles.WFODataAuditor, flexroles.WFOQualityManager,
	flexroles.WFOQualityProcessManager, flexroles.WFODashboardViewer}

// users counts "1 user" or "n users".
func users(n int) string { return count(n, "user") }
