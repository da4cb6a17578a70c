package flexroles_test

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/flexroles/flexroles"
)

// The properties below hold for every policy and every login. Policies and
// logins are generated from a seed, so a failure names the seed and the
// case to replay; CI runs propertyPolicies × propertyLogins cases.
const (
	propertyPolicies = 300
	propertyLogins   = 60
)

var (
	ssoRoleNames = []string{"admin", "supervisor", "agent", "wfo.full_access", "wfo.team_leader", "wfo.data_analyst",
		"wfo.data_auditor", "wfo.quality_manager", "wfo.quality_process_manager", "wfo.dashboard_viewer"}
	propertyGroups = []string{"CC-Agents", "CC-Leads", "CC-QA", "Offboarded", "CN=Sales,OU=CC,DC=example,DC=com"}
	propertyDepts  = []string{"Support", "Sales", "Quality"}
	consoleNames   = []string{"Owner", "Administrator", "Developer", "Billing Manager", "Support"}
)

// propertyPolicy is a generated policy and what the generator knows of it.
type propertyPolicy struct {
	src            string
	rules          []propertyRule
	deny           []propertyRule
	allow          map[string]bool // nil: no sso.allow
	consoleAllow   map[string]bool // nil: no console.allow
	defaultInsight string
	foldRoles      bool
	foldGroups     bool
	dropUnknown    bool
}

// propertyRule matches a user in any of groups whose department is one of
// depts (any department when depts is empty).
type propertyRule struct {
	groups, depts, grant []string
}

func pick(r *rand.Rand, from []string, min int) []string {
	n := min + r.Intn(len(from)-min+1)
	out := slices.Clone(from)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:n]
}

func genPolicy(r *rand.Rand) propertyPolicy {
	p := propertyPolicy{foldRoles: r.Intn(3) == 0, foldGroups: r.Intn(3) == 0, dropUnknown: r.Intn(3) == 0}
	var b strings.Builder
	b.WriteString("version: 1\nsso:\n")
	fmt.Fprintf(&b, "  case_insensitive_roles: %v\n  case_insensitive_groups: %v\n", p.foldRoles, p.foldGroups)
	if p.dropUnknown {
		b.WriteString("  unknown_roles: drop\n")
	}
	granted := map[string]bool{}
	for i, n := 0, r.Intn(6); i < n; i++ {
		rule := propertyRule{groups: pick(r, propertyGroups, 1)[:1+r.Intn(2)], grant: pick(r, ssoRoleNames, 1)[:1+r.Intn(3)]}
		if r.Intn(2) == 0 {
			rule.depts = pick(r, propertyDepts, 1)
		}
		for _, g := range rule.grant {
			granted[g] = true
		}
		p.rules = append(p.rules, rule)
	}
	if r.Intn(3) == 0 {
		p.defaultInsight = []string{"wfo.dashboard_viewer", "wfo.team_leader"}[r.Intn(2)]
		granted[p.defaultInsight] = true
	}
	if r.Intn(2) == 0 {
		p.allow = map[string]bool{}
		for g := range granted {
			p.allow[g] = true
		}
		for _, g := range pick(r, ssoRoleNames, 1) {
			p.allow[g] = true
		}
		b.WriteString("  allow: [")
		first := true
		for _, g := range ssoRoleNames {
			if p.allow[g] {
				if !first {
					b.WriteString(", ")
				}
				b.WriteString(g)
				first = false
			}
		}
		b.WriteString("]\n")
	}
	if p.defaultInsight != "" {
		fmt.Fprintf(&b, "  default_insights_role: %s\n", p.defaultInsight)
	}
	quote := func(s []string) string { return "['" + strings.Join(s, "', '") + "']" }
	if len(p.rules) > 0 {
		b.WriteString("  rules:\n")
		for i, rule := range p.rules {
			fmt.Fprintf(&b, "    - name: r%d\n      when: {any_group: %s", i, quote(rule.groups))
			if len(rule.depts) > 0 {
				fmt.Fprintf(&b, ", attribute: department, in: %s", quote(rule.depts))
			}
			fmt.Fprintf(&b, "}\n      grant: [%s]\n", strings.Join(rule.grant, ", "))
		}
	}
	if r.Intn(2) == 0 {
		rule := propertyRule{groups: []string{"Offboarded"}}
		p.deny = append(p.deny, rule)
		b.WriteString("  deny:\n    - name: offboarded\n      when: {group: Offboarded}\n")
	}
	if r.Intn(2) == 0 {
		p.consoleAllow = map[string]bool{}
		allow := pick(r, []string{"Owner", "Administrator", "Developer", "Support"}, 1)
		for _, c := range allow {
			p.consoleAllow[c] = true
		}
		fmt.Fprintf(&b, "console:\n  allow: [%s]\n", strings.Join(allow, ", "))
	}
	p.src = b.String()
	return p
}

func genLogin(r *rand.Rand) flexroles.Login {
	if r.Intn(4) == 0 {
		return flexroles.Login{Source: flexroles.Console, ConsoleRoles: func() []flexroles.ConsoleRole {
			var out []flexroles.ConsoleRole
			for _, c := range pick(r, consoleNames, 0)[:r.Intn(3)] {
				out = append(out, flexroles.ConsoleRole(c))
			}
			return out
		}()}
	}
	attrs := map[string][]string{"email": {"ana@example.com"}, "full_name": {"Ana Diaz"}}
	switch r.Intn(10) {
	case 0:
		delete(attrs, "email")
	case 1:
		attrs["full_name"] = []string{"Ana", "Diaz"}
	}
	if r.Intn(4) != 0 {
		pool := append(slices.Clone(ssoRoleNames), "Agent", "SUPERVISOR", "flex.readonlyadmin", "nope", " agent, admin ", "")
		attrs["roles"] = pick(r, pool, 0)[:r.Intn(4)]
	}
	var groups []string
	for _, g := range pick(r, propertyGroups, 0)[:r.Intn(4)] {
		if r.Intn(4) == 0 {
			g = strings.ToLower(g)
		}
		groups = append(groups, g)
	}
	if groups != nil {
		attrs["groups"] = groups
	}
	if r.Intn(2) == 0 {
		d := propertyDepts[r.Intn(len(propertyDepts))]
		if r.Intn(4) == 0 {
			d = strings.ToUpper(d)
		}
		attrs["department"] = []string{d}
	}
	return flexroles.Login{Source: flexroles.SSO, Attributes: attrs}
}

// matches reports whether rule matches a user in groups from department
// depts, by the policy's case rule.
func (p *propertyPolicy) matches(rule propertyRule, attrs map[string][]string) bool {
	eq := func(a, b string) bool { return a == b || p.foldGroups && strings.EqualFold(a, b) }
	anyEq := func(want, have []string) bool {
		for _, w := range want {
			for _, h := range have {
				if eq(w, h) {
					return true
				}
			}
		}
		return false
	}
	return anyEq(rule.groups, attrs["groups"]) && (len(rule.depts) == 0 || anyEq(rule.depts, attrs["department"]))
}

// asked returns the known roles the roles attribute names, by the policy's
// case rule.
func (p *propertyPolicy) asked(attrs map[string][]string) map[string]bool {
	out := map[string]bool{}
	for _, v := range attrs["roles"] {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			for _, role := range ssoRoleNames {
				if item == role || p.foldRoles && strings.EqualFold(item, role) {
					out[role] = true
				}
			}
		}
	}
	return out
}

var knownKinds = []error{flexroles.ErrMissingAttribute, flexroles.ErrInvalidAttribute, flexroles.ErrUnknownRole,
	flexroles.ErrConsoleOnlyRole, flexroles.ErrSSOOnlyRole, flexroles.ErrNoFlexAccess, flexroles.ErrInvalidLogin, flexroles.ErrDenied}

// checkProperties checks every property of one decision of policy pp (p
// loaded from it) for login l.
func checkProperties(t *testing.T, pp *propertyPolicy, p *flexroles.Policy, l flexroles.Login, d flexroles.Decision, err error) {
	t.Helper()
	if err != nil {
		require.Zero(t, d, "an error comes with the zero Decision")
		var e *flexroles.Error
		require.True(t, errors.As(err, &e), "errors are *Error: %v", err)
		require.True(t, slices.ContainsFunc(knownKinds, func(k error) bool { return errors.Is(err, k) }), "unknown kind: %v", err)
		if errors.Is(err, flexroles.ErrDenied) && e.Value == "offboarded" {
			fired := p.Fired(l)
			require.Len(t, fired, 1, "Fired names the deny rule that refused, alone")
			require.Equal(t, "offboarded", fired[0].Rule)
			require.True(t, fired[0].Deny && fired[0].Matched)
		}
		return
	}
	// Known roles only, canonical order, no duplicates.
	last := -1
	for _, role := range d.Roles {
		i := slices.Index(canonicalOrder, role)
		require.True(t, i > last, "roles %v: unknown, out of order or repeated", d.Roles)
		last = i
	}
	require.Equal(t, flexroles.InsightsFor(d.Roles), d.Insights)
	require.NotEmpty(t, d.Reasons)
	if l.Source == flexroles.Console {
		require.Nil(t, p.Fired(l), "no policy rule fires for a Console login")
		// Twilio's rules under every policy: one of the two Console sets,
		// Support alone gets exactly the pair, and no granular role.
		admin := []flexroles.Role{flexroles.Admin, flexroles.WFOFullAccess}
		pair := []flexroles.Role{flexroles.ReadTeams, flexroles.ReadOnlyAdmin}
		require.True(t, slices.Equal(d.Roles, admin) || slices.Equal(d.Roles, pair), "Console roles %v", d.Roles)
		supportOnly := !slices.ContainsFunc(l.ConsoleRoles, func(c flexroles.ConsoleRole) bool {
			return c == flexroles.Owner || c == flexroles.Administrator || c == flexroles.Developer
		})
		if supportOnly {
			require.Equal(t, pair, d.Roles)
		}
		if pp.consoleAllow != nil {
			// The most privileged Console role decides, and console.allow lists it.
			decides := "Support"
			for _, c := range []flexroles.ConsoleRole{flexroles.Developer, flexroles.Administrator, flexroles.Owner} {
				if slices.Contains(l.ConsoleRoles, c) {
					decides = string(c)
				}
			}
			require.True(t, pp.consoleAllow[decides], "console.allow lacks %s, the role that decides", decides)
		}
		return
	}
	// SSO: a Flex UI role, never the read-only pair.
	require.True(t, d.Has(flexroles.Admin) || d.Has(flexroles.Supervisor) || d.Has(flexroles.Agent), "no Flex role: %v", d.Roles)
	require.False(t, d.Has(flexroles.ReadTeams) || d.Has(flexroles.ReadOnlyAdmin), "read-only pair over SSO: %v", d.Roles)
	// A deny always wins.
	for _, rule := range pp.deny {
		require.False(t, pp.matches(rule, l.Attributes), "deny rule matched, yet %v", d.Roles)
	}
	// No escalation: each role was asked for, granted by a matching rule, or
	// the default Insights role; and every matching rule's grant is there.
	from := pp.asked(l.Attributes)
	var fired []string
	for _, f := range p.Fired(l) {
		require.False(t, f.Deny, "a deny rule fired for a granted login")
		fired = append(fired, f.Rule)
	}
	var matching []string
	for i, rule := range pp.rules {
		if pp.matches(rule, l.Attributes) {
			matching = append(matching, fmt.Sprintf("r%d", i))
			for _, g := range rule.grant {
				from[g] = true
				require.True(t, d.Has(flexroles.Role(g)), "rule grants %s, decision %v", g, d.Roles)
			}
		}
	}
	require.Equal(t, matching, fired, "Fired lists every matching grant rule, in file order")
	if pp.defaultInsight != "" {
		from[pp.defaultInsight] = true
	}
	for _, role := range d.Roles {
		require.True(t, from[string(role)], "%s came from nowhere: %v", role, l.Attributes)
		if pp.allow != nil {
			require.True(t, pp.allow[string(role)], "%s is outside sso.allow", role)
		}
	}
}

func TestPolicyProperties(t *testing.T) {
	for seed := int64(0); seed < propertyPolicies; seed++ {
		r := rand.New(rand.NewSource(seed))
		pp := genPolicy(r)
		p, err := flexroles.LoadPolicy(strings.NewReader(pp.src))
		require.NoError(t, err, "seed %d:\n%s", seed, pp.src)
		for i := 0; i < propertyLogins; i++ {
			l := genLogin(r)
			d, err := p.Resolve(l)
			again, err2 := p.Resolve(l)
			require.Equal(t, d, again, "seed %d login %d: same input, same output", seed, i)
			require.Equal(t, err, err2, "seed %d login %d", seed, i)
			func() {
				defer func() {
					if t.Failed() {
						t.Logf("seed %d login %d: %q\npolicy:\n%s", seed, i, l.Attributes, pp.src)
					}
				}()
				checkProperties(t, &pp, p, l, d, err)
			}()
		}
	}
}

// TestPolicyPropertiesConcurrent shares each of a few generated policies
// between 64 goroutines: every answer must be the one a sequential call
// gives. Run under -race, it also shows Resolve writes nothing shared.
func TestPolicyPropertiesConcurrent(t *testing.T) {
	for seed := int64(1000); seed < 1005; seed++ {
		r := rand.New(rand.NewSource(seed))
		pp := genPolicy(r)
		p, err := flexroles.LoadPolicy(strings.NewReader(pp.src))
		require.NoError(t, err)
		logins := make([]flexroles.Login, 50)
		want := make([]flexroles.Decision, len(logins))
		wantErr := make([]error, len(logins))
		for i := range logins {
			logins[i] = genLogin(r)
			want[i], wantErr[i] = p.Resolve(logins[i])
		}
		var wg sync.WaitGroup
		failures := make(chan string, 64)
		for g := 0; g < 64; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for k := range logins {
					i := (k + g) % len(logins)
					d, err := p.Resolve(logins[i])
					if fmt.Sprint(d, err) != fmt.Sprint(want[i], wantErr[i]) {
						failures <- fmt.Sprintf("goroutine %d login %d: %v %v, sequentially %v %v", g, i, d, err, want[i], wantErr[i])
						return
					}
				}
			}(g)
		}
		wg.Wait()
		close(failures)
		for f := range failures {
			t.Error(f)
		}
	}
}
