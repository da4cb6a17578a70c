package review

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/flexroles/flexroles"
	"github.com/flexroles/flexroles/export"
)

// RenameNote is an attribute the two policies read under different
// names: one of Flex's (roles, email, full_name) or the groups attribute.
type RenameNote struct {
	Std string // roles, email, full_name or groups
	Old string // the name OLD reads
	New string // the name NEW reads
}

// RenameNotes says which attributes the two policies read under
// different names. The export's columns reach each policy under its own
// names, so such a rename shows no change for anyone; yet once NEW ships,
// the IdP must send the new names.
func RenameNotes(old, new *flexroles.Policy) []RenameNote {
	var notes []RenameNote
	for _, std := range []flexroles.FlexAttribute{flexroles.RolesAttribute, flexroles.EmailAttribute, flexroles.FullNameAttribute, flexroles.GroupsAttribute} {
		if o, n := old.AttributeName(std), new.AttributeName(std); o != n {
			notes = append(notes, RenameNote{Std: string(std), Old: o, New: n})
		}
	}
	return notes
}

// Text is the note in words, with quote the way each name is shown.
func (n RenameNote) Text(quote func(string) string) string {
	return "NEW reads " + n.Std + " from the assertion attribute " + quote(n.New) + ", OLD from " + quote(n.Old) +
		": the export's " + n.Std + " reach both, but from the moment NEW ships the identity provider must send " + quote(n.New)
}

// Comparison compares each user's outcome under two policies.
type Comparison struct {
	old, new *flexroles.Policy
	fail     FailOn
	// oldReads and newReads are the attributes each policy reads to grant
	// roles: its groups and roles attributes and those its conditions test.
	oldReads, newReads []string
	// unread says what an export whose users carry none of them lacks, as
	// a cause of NotJudgedBy.
	unread string
	// readSeen says that a user compared so far carries one of them: the
	// export then has what the rules read, and a user without any is
	// judged, as a user in no group.
	readSeen bool
	// Summary counts the users compared so far and their changes.
	Summary Summary
}

// New returns a Comparison of the policies old and new whose changes are
// matched against fail, with the rename notes of the two in its summary.
func New(old, new *flexroles.Policy, fail FailOn) *Comparison {
	c := &Comparison{old: old, new: new, fail: fail, Summary: newSummary(),
		oldReads: grantAttributes(old), newReads: grantAttributes(new)}
	for _, n := range RenameNotes(old, new) {
		c.Summary.Notes = append(c.Summary.Notes, n.Text(strconv.Quote))
	}
	var groups, others []string
	for _, p := range []*flexroles.Policy{old, new} {
		groups = appendNew(groups, p.AttributeName(flexroles.GroupsAttribute))
		others = appendNew(others, p.AttributeName(flexroles.RolesAttribute))
	}
	for _, p := range []*flexroles.Policy{old, new} {
		for _, a := range p.Attributes() {
			if !slices.Contains(groups, a) && !slices.Contains(others, a) {
				c.Summary.Absent = appendNew(c.Summary.Absent, a)
			}
		}
	}
	slices.Sort(c.Summary.Absent)
	c.unread = "no " + quoteAll(groups) + " (nor " + quoteAll(append(others, c.Summary.Absent...)) + ") for the policies' rules"
	return c
}

// grantAttributes lists the attributes policy p reads to grant roles: its
// groups attribute, its roles attribute and every attribute its rules'
// conditions test.
func grantAttributes(p *flexroles.Policy) []string {
	return append([]string{p.AttributeName(flexroles.GroupsAttribute), p.AttributeName(flexroles.RolesAttribute)}, p.Attributes()...)
}

// carriesAny reports whether login l has a value for one of the attributes
// names.
func carriesAny(l flexroles.Login, names []string) bool {
	for _, name := range names {
		if len(l.Attributes[name]) > 0 {
			return true
		}
	}
	return false
}

// appendNew appends s to list unless list holds it.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// quoteAll quotes each name, joined by ", ".
func quoteAll(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = strconv.Quote(n)
	}
	return strings.Join(quoted, ", ")
}

// outcome is a user's decision under one policy.
type outcome struct {
	d   flexroles.Decision
	err error
}

// Compare resolves u's next SSO login under both policies and returns the
// change, or nil when the outcome is the same or the user cannot be judged
// (refused on both sides for an InputProblem, or for the same reason in an
// export none of whose users so far carries any of the attributes the
// policies read to grant roles); it counts the user, and the change or the
// cause, in Summary. Once a user carries one, the users counted for that
// cause are judged after all, and Summary no longer counts them: a user in
// no group of an export that has groups is judged.
func (df *Comparison) Compare(u *export.User) *Change {
	df.Summary.Users++
	lo, ln := u.Login(df.old), u.Login(df.new)
	if !df.readSeen && (carriesAny(lo, df.oldReads) || carriesAny(ln, df.newReads)) {
		// The export gives the rules something to read after all: the
		// users counted as not judged for lacking it were judged.
		df.readSeen = true
		df.Summary.retract(df.unread)
	}
	if len(df.Summary.Absent) > 0 {
		df.Summary.Absent = slices.DeleteFunc(df.Summary.Absent, func(a string) bool {
			return len(lo.Attributes[a]) > 0 || len(ln.Attributes[a]) > 0
		})
	}
	var o, n outcome
	o.d, o.err = df.old.Resolve(lo)
	n.d, n.err = df.new.Resolve(ln)
	switch {
	case o.err == nil && n.err == nil:
		if slices.Equal(o.d.Roles, n.d.Roles) {
			return nil
		}
	case o.err != nil && n.err != nil:
		if cause := InputProblem(n.err, df.new); cause != "" && InputProblem(o.err, df.old) != "" {
			df.Summary.notJudged(cause, u, n.err)
			return nil
		}
		if RefusedBy(o.err) == RefusedBy(n.err) {
			if !df.readSeen {
				df.Summary.notJudged(df.unread, u, n.err)
			}
			return nil
		}
	}
	return df.change(u.Line, u.Email, o, n, sideOf(o, df.old.Fired(lo)), sideOf(n, df.new.Fired(ln)),
		lo.Attributes[df.old.AttributeName(flexroles.RolesAttribute)], ln.Attributes[df.new.AttributeName(flexroles.RolesAttribute)])
}

// change builds the Change of a user whose outcome differs, o under OLD
// and n under NEW, with their sides and the values of the roles attribute
// each side read (for what gives a role), and counts it in Summary.
func (df *Comparison) change(line int, email string, o, n outcome, oldSide, newSide Side, oldRolesValues, newRolesValues []string) *Change {
	c := &Change{
		Line:   line,
		Email:  email,
		Gained: []RoleChange{},
		Lost:   []RoleChange{},
		Old:    oldSide,
		New:    newSide,
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
			c.Gained = append(c.Gained, RoleChange{Role: string(r), From: sourcesOf(r, newRolesValues, n, c.New.fired)})
		}
	}
	for _, r := range oldRoles {
		if !slices.Contains(newRoles, r) {
			c.Lost = append(c.Lost, RoleChange{Role: string(r), From: sourcesOf(r, oldRolesValues, o, c.Old.fired)})
		}
	}
	c.GainedInsights, c.LostInsights = insightsChanges(o.d.Insights, n.d.Insights)
	switch {
	case o.err == nil && n.err != nil:
		c.Change = ChangeRefused
	case o.err != nil && n.err == nil:
		c.Change = ChangeAdmitted
	case o.err != nil:
		c.Change = ChangeRefusal
	default:
		c.Change = ChangeRoles
	}
	c.FailedOn = df.fail.Matches(c)
	df.Summary.add(c)
	return c
}

// The kinds of Change, its Change field.
const (
	ChangeRoles    = "roles"    // granted on both sides, with other roles
	ChangeRefused  = "refused"  // granted under OLD, refused under NEW
	ChangeAdmitted = "admitted" // refused under OLD, granted under NEW
	ChangeRefusal  = "refusal"  // refused on both sides, for different reasons
)

// Change is one user whose outcome differs between the policies; it
// encodes as one of JSONReporter's "changes".
type Change struct {
	Line           int          `json:"line"`
	Email          string       `json:"email"`
	Change         string       `json:"change"` // "roles", "refused", "admitted" or "refusal"
	Old            Side         `json:"old"`
	New            Side         `json:"new"`
	Gained         []RoleChange `json:"gained"`          // roles NEW gives and OLD does not, each with what gives it under NEW
	Lost           []RoleChange `json:"lost"`            // roles OLD gives and NEW does not, each with what gave it under OLD
	GainedInsights []string     `json:"gained_insights"` // capabilities, as "play_calls" or "dashboards=editor"
	LostInsights   []string     `json:"lost_insights"`
	FailedOn       []string     `json:"failed_on,omitempty"` // the --fail-on items the change matches
}

// RoleChange is a role gained or lost and what gives it on the Side that
// has it: rule "NAME", "roles attribute" or "default_insights_role".
type RoleChange struct {
	Role string   `json:"role"`
	From []string `json:"from"`
}

// Side is a user's outcome under one policy.
type Side struct {
	Granted  bool     `json:"granted"`
	Roles    []string `json:"roles"`    // never null
	Insights []string `json:"insights"` // the capabilities, never null
	Rules    []string `json:"rules"`    // the grant rules whose roles were added, never null
	Refused  *Refusal `json:"refused,omitempty"`

	fired []flexroles.RuleTrace
}

// Refusal is why a login is refused.
type Refusal struct {
	Kind    string `json:"kind"` // the error kind, such as "denied" or "missing_attribute"
	By      string `json:"by"`   // deny rule "NAME", sso.allow, or the kind with its Flex code
	Message string `json:"message"`
}

// sideOf is the outcome oc, with the rules that fired, as a Side.
func sideOf(oc outcome, fired []flexroles.RuleTrace) Side {
	s := Side{Roles: []string{}, Insights: []string{}, Rules: []string{}, fired: fired}
	for _, f := range fired {
		if !f.Deny {
			s.Rules = append(s.Rules, f.Rule)
		}
	}
	if oc.err != nil {
		s.Refused = &Refusal{Kind: flexroles.ErrorKindName(oc.err), By: RefusedBy(oc.err), Message: oc.err.Error()}
		return s
	}
	s.Granted = true
	s.Roles = oc.d.RoleStrings()
	s.Insights = capabilities(oc.d.Insights)
	return s
}

// RefusedBy names what refused a login, as Refusal.By: deny rule "NAME",
// sso.allow or console.allow, or the error kind with its Flex code.
func RefusedBy(err error) string {
	var e *flexroles.Error
	if !errors.As(err, &e) {
		return flexroles.ErrorKindName(err)
	}
	switch {
	case e.RefusedBy == flexroles.RefusedByDenyRule:
		return "deny rule " + strconv.Quote(e.DenyRule())
	case e.RefusedBy != flexroles.RefusedByTwilio:
		return e.RefusedBy.String()
	case e.Code != 0:
		return fmt.Sprintf("%s (%d)", flexroles.ErrorKindName(err), e.Code)
	}
	return flexroles.ErrorKindName(err)
}

// InputProblem names the problem of the export's data that refuses a
// login before policy p's rules can judge it, or returns "" when err is a
// judgement, the policy's or Twilio's, on a login that carries what Flex
// needs. The problems, by the attribute p reads:
//
//   - email or full_name absent or empty: `missing_attribute "full_name"`
//     (Flex error 45050); a user whose roles and rules give no Flex role
//     is judged, not a problem of the data;
//   - any attribute with several values where Flex takes one, bytes that
//     are not text, a typed value that does not fit: `invalid_attribute "email"`;
//   - a value of the roles attribute that is no role, or the Console-only
//     pair: `unknown_role in "roles"`, `console_only_role in "roles"`.
func InputProblem(err error, p *flexroles.Policy) string {
	var e *flexroles.Error
	if !errors.As(err, &e) {
		return ""
	}
	kind := flexroles.ErrorKindName(err)
	switch {
	case errors.Is(err, flexroles.ErrMissingAttribute) && (e.Attribute == p.AttributeName(flexroles.EmailAttribute) || e.Attribute == p.AttributeName(flexroles.FullNameAttribute)):
		return kind + " " + strconv.Quote(e.Attribute)
	case errors.Is(err, flexroles.ErrInvalidAttribute):
		return kind + " " + strconv.Quote(e.Attribute)
	case (errors.Is(err, flexroles.ErrUnknownRole) || errors.Is(err, flexroles.ErrConsoleOnlyRole)) && e.Attribute == p.AttributeName(flexroles.RolesAttribute):
		return kind + " in " + strconv.Quote(e.Attribute)
	}
	return ""
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
	if slices.Contains(flexroles.SplitRoles(rolesValues), string(r)) {
		from = append(from, "roles attribute")
	}
	if len(from) == 0 && slices.ContainsFunc(oc.d.Reasons, func(rs flexroles.Reason) bool { return rs.Rule == flexroles.RulePolicyDefaultInsights }) {
		from = append(from, "default_insights_role")
	}
	return from
}

// capabilities lists what Insights lets a user do, as names --fail-on
// takes, levels after "=": nothing when Insights stays closed.
func capabilities(in flexroles.Insights) []string {
	out := []string{}
	for _, c := range flexroles.Capabilities() {
		if level := in.Level(c); level > 0 {
			out = append(out, capabilityName(c, level))
		}
	}
	return out
}

// capabilityName names capability c at level, above 0: the capability
// alone when it is yes or no ("export_calls"), with its level when it has
// levels ("dashboards=editor").
func capabilityName(c flexroles.Capability, level int) string {
	if !c.Graded() {
		return string(c)
	}
	return string(c) + "=" + c.LevelName(level)
}

// capabilityOrder ranks a capability change as flexroles.Capabilities
// lists the capabilities.
func capabilityOrder(cp string) int {
	name, _, _ := strings.Cut(cp, "=")
	return slices.Index(flexroles.Capabilities(), flexroles.Capability(name))
}

// insightsChanges compares what Insights allows under OLD and NEW: each
// capability that NEW allows more of is gained, each it allows less of is
// lost. A yes-or-no capability is named alone ("export_calls"); a level is
// named with it ("dashboards=editor" when it comes or goes whole,
// "dashboards=viewer→editor" when it moves). Both lists are never nil.
func insightsChanges(old, new flexroles.Insights) (gained, lost []string) {
	gained, lost = []string{}, []string{}
	for _, c := range flexroles.Capabilities() {
		from, to := old.Level(c), new.Level(c)
		var what string
		switch {
		case from == to:
			continue
		case c.Graded() && from > 0 && to > 0:
			what = string(c) + "=" + c.LevelName(from) + "→" + c.LevelName(to)
		default:
			what = capabilityName(c, max(from, to))
		}
		if to > from {
			gained = append(gained, what)
		} else {
			lost = append(lost, what)
		}
	}
	return gained, lost
}

// FailOn is a set of changes that fail a review, as ParseFailOn reads them.
type FailOn struct {
	items []string // as given, each valid
}

// ParseFailOn reads a comma-separated list of the changes that fail a
// review (see the package doc); "" fails on nothing.
func ParseFailOn(s string) (FailOn, error) {
	var f FailOn
	if strings.TrimSpace(s) == "" {
		return f, nil
	}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		verb, what, hasWhat := strings.Cut(item, ":")
		switch {
		case !hasWhat && slices.Contains([]string{"any", "refuse", "admit", "gain", "lose"}, item):
		case hasWhat && (verb == "gain" || verb == "lose"):
			if flexroles.Capability(what).Known() {
				break
			}
			if _, err := flexroles.ParseRole(what); err != nil {
				var e *flexroles.Error
				if errors.As(err, &e) && e.Suggestion != "" {
					return f, fmt.Errorf("%q: %q is no role (did you mean %q?) nor Insights capability", item, what, e.Suggestion)
				}
				return f, fmt.Errorf("%q: %q is no role nor Insights capability (%s)", item, what, capabilityList())
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

// Matches returns the items of f that the change c matches.
func (f FailOn) Matches(c *Change) []string {
	var out []string
	for _, item := range f.items {
		verb, what, _ := strings.Cut(item, ":")
		var hit bool
		switch verb {
		case "any":
			hit = true
		case "refuse":
			hit = c.Change == ChangeRefused
		case "admit":
			hit = c.Change == ChangeAdmitted
		case "gain", "lose":
			roles, caps := c.Gained, c.GainedInsights
			if verb == "lose" {
				roles, caps = c.Lost, c.LostInsights
			}
			hit = what == "" && len(roles) > 0 ||
				slices.ContainsFunc(roles, func(r RoleChange) bool { return r.Role == what }) ||
				slices.ContainsFunc(caps, func(cp string) bool { return cp == what || strings.HasPrefix(cp, what+"=") })
		}
		if hit {
			out = append(out, item)
		}
	}
	return out
}

// Summary counts the users compared and their changes; it encodes as the
// "summary" of JSONReporter.
type Summary struct {
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
	// Absent lists, in name order, the attributes the policies' conditions
	// test that no user compared so far carries: the rules that test them
	// cannot hold for anyone in the export.
	Absent []string `json:"absent_attributes"`
	// NotJudged counts the users refused under both policies for an
	// InputProblem of the export, or for the same reason while carrying
	// none of the attributes the policies read to grant roles: neither
	// policy's rules could judge them, so they are neither changed nor
	// unchanged.
	NotJudged      int                   `json:"not_judged"`
	NotJudgedBy    map[string]int        `json:"not_judged_by"`    // those users per InputProblem
	NotJudgedFirst map[string]JudgedUser `json:"not_judged_first"` // the first of them per InputProblem, with NEW's error
}

// JudgedUser is one user of the export and why a policy refuses it.
type JudgedUser struct {
	Line    int    `json:"line"`
	Email   string `json:"email"`
	Message string `json:"message"`
}

// Judged is the number of users the review could judge: compared, less
// those NotJudged.
func (s *Summary) Judged() int { return s.Users - s.NotJudged }

// notJudged counts the user u, whom both policies refuse for the
// InputProblem cause, err being NEW's error.
// retract takes back the users counted as not judged for cause.
func (s *Summary) retract(cause string) {
	s.NotJudged -= s.NotJudgedBy[cause]
	delete(s.NotJudgedBy, cause)
	delete(s.NotJudgedFirst, cause)
}

func (s *Summary) notJudged(cause string, u *export.User, err error) {
	s.NotJudged++
	s.NotJudgedBy[cause]++
	if _, ok := s.NotJudgedFirst[cause]; !ok {
		s.NotJudgedFirst[cause] = JudgedUser{Line: u.Line, Email: u.Email, Message: err.Error()}
	}
}

// newSummary returns a Summary with every map made and no notes.
func newSummary() Summary {
	return Summary{Gain: map[string]int{}, Lose: map[string]int{}, GainInsights: map[string]int{},
		LoseInsights: map[string]int{}, RefusedBy: map[string]int{}, AdmittedFrom: map[string]int{}, FailedOn: map[string]int{},
		Notes: []string{}, Absent: []string{}, NotJudgedBy: map[string]int{}, NotJudgedFirst: map[string]JudgedUser{}}
}

// add counts the change c.
func (s *Summary) add(c *Change) {
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
	case ChangeRefused:
		s.NewlyRefused++
		s.RefusedBy[c.New.Refused.By]++
	case ChangeAdmitted:
		s.NewlyAdmitted++
		s.AdmittedFrom[c.Old.Refused.By]++
	case ChangeRefusal:
		s.RefusalChanged++
	}
	for _, item := range c.FailedOn {
		s.FailedOn[item]++
	}
}

// diffCount is one plural of the summary, for the text and Markdown forms:
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
func (s *Summary) lines() []diffCount {
	var out []diffCount
	for _, verb := range []string{"gain", "lose"} {
		m := s.Gain
		if verb == "lose" {
			m = s.Lose
		}
		roles := sortedCounts(m, verb)
		slices.SortStableFunc(roles, func(a, b diffCount) int { return roleOrder(a.item) - roleOrder(b.item) })
		out = append(out, roles...)
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

// roleOrder ranks a role gained or lost in the order a Decision lists
// roles, as the core's list of every role an SSO login can get gives it
// (a review compares SSO logins); anything else would come last.
func roleOrder(role string) int {
	all := (*flexroles.Policy)(nil).Roles()
	if i := slices.Index(all, flexroles.Role(role)); i >= 0 {
		return i
	}
	return len(all)
}

// users counts "1 user" or "n users".
func users(n int) string { return plural(n, "user") }

// plural returns n and noun, with an "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// capabilityList lists the capabilities --fail-on takes, comma-separated.
func capabilityList() string {
	names := make([]string, 0, len(flexroles.Capabilities()))
	for _, c := range flexroles.Capabilities() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}
