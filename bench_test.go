package flexroles_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flexroles/flexroles"
)

var benchLogins = map[string]flexroles.Login{
	"console_support": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}},
	"sso_supervisor": {Source: flexroles.SSO, Attributes: map[string][]string{
		"roles": {"supervisor", "wfo.team_leader", "wfo.quality_manager"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"},
		"department": {"Support"}, "groups": {"CC-Leads"},
	}},
	"refused_unknown": {Source: flexroles.SSO, Attributes: map[string][]string{
		"roles": {"supervisor", "Admin"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"},
	}},
	"refused_console_only": {Source: flexroles.SSO, Attributes: map[string][]string{
		"roles": {"supervisor", "wfo.team_leader", "flex.readonlyadmin"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"},
	}},
	"refused_45050": {Source: flexroles.SSO, Attributes: map[string][]string{
		"roles": {"agent"}, "full_name": {"Ana Diaz"},
	}},
}

// BenchmarkResolve measures Resolve on a Console login, an SSO login and two
// refusals, with reasons and Insights filled in.
func BenchmarkResolve(b *testing.B) {
	for _, name := range []string{"console_support", "sso_supervisor", "refused_unknown", "refused_console_only", "refused_45050"} {
		l := benchLogins[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, _ = flexroles.Resolve(l)
			}
		})
	}
}

// policyWithRules returns a policy of n grant rules over 2n distinct
// groups, and an SSO login in 20 groups as IdPs send them: 3 that rules
// name (the last rules, so every rule is tried) and 17 that none does.
func policyWithRules(b *testing.B, n int) (*flexroles.Policy, flexroles.Login) {
	b.Helper()
	var src strings.Builder
	src.WriteString("version: 1\nsso:\n  rules:\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&src, "    - name: r%d\n      when: {any_group: [G%d, H%d], attribute: department, in: [Support, Sales]}\n      grant: [%s]\n",
			i, i, i, []string{"agent", "supervisor, wfo.team_leader", "wfo.quality_manager"}[i%3])
	}
	src.WriteString("  deny:\n    - name: offboarded\n      when: {group: Offboarded}\n")
	p, err := flexroles.LoadPolicy(strings.NewReader(src.String()))
	if err != nil {
		b.Fatal(err)
	}
	groups := make([]string, 0, 20)
	for i := 0; i < 17; i++ {
		groups = append(groups, fmt.Sprintf("CN=Staff-%d,OU=Groups,DC=example,DC=com", i))
	}
	groups = append(groups, fmt.Sprintf("G%d", n-1), fmt.Sprintf("H%d", n-2), fmt.Sprintf("G%d", n-3))
	return p, flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"email": {"ana@example.com"}, "full_name": {"Ana Diaz"}, "groups": groups, "department": {"Sales"},
	}}
}

// BenchmarkPolicyResolve shows how (*Policy).Resolve grows with the number
// of rules, for a user in 20 groups.
func BenchmarkPolicyResolve(b *testing.B) {
	for _, n := range []int{10, 50, 100, 1000} {
		p, l := policyWithRules(b, n)
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := p.Resolve(l); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadPolicy measures loading and checking a 1,000-rule policy.
func BenchmarkLoadPolicy(b *testing.B) {
	var src strings.Builder
	src.WriteString("version: 1\nsso:\n  rules:\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&src, "    - name: r%d\n      when: {any_group: [G%d, H%d], attribute: department, in: [Support, Sales]}\n      grant: [agent]\n", i, i, i)
	}
	data := src.String()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := flexroles.LoadPolicy(strings.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

// typicalWorker is a worker's attributes as Flex and a contact centre leave
// them: roles, the SAML attributes, routing and a few custom keys.
const typicalWorker = `{"roles":["agent"],"email":"jane.doe@example.com","full_name":"Jane Doe",` +
	`"contact_uri":"client:jane_2Edoe_40example_2Ecom","routing":{"skills":["sales","support"],"levels":{"sales":5,"support":3}},` +
	`"disabled_skills":{"skills":[],"levels":{}},"department":"Sales","location":"EU-West","team_name":"North","channel_capacity":{"chat":3}}`

func BenchmarkWorkerAttributes(b *testing.B) {
	l := flexroles.Login{Source: flexroles.SSO, Attributes: map[string][]string{
		"roles": {"supervisor", "wfo.team_leader"}, "email": {"jane.doe@example.com"}, "full_name": {"Jane Doe"},
		"department": {"Sales"}, "skill.int": {"7"}, "languages.stringarray": {"en,fr"},
	}}
	d, err := flexroles.Resolve(l)
	if err != nil {
		b.Fatal(err)
	}
	current := []byte(typicalWorker)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := flexroles.WorkerAttributes(current, l, d); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckWorker(b *testing.B) {
	for _, bc := range []struct{ name, attrs string }{
		{"clean", typicalWorker},
		{"findings", `{"roles":["supervisor","wfo.dashboards_viewer"],"email":"a@example.com","contact_uri":"client:a.b"}`},
	} {
		b.Run(bc.name, func(b *testing.B) {
			attrs := []byte(bc.attrs)
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := flexroles.CheckWorker(attrs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkResolvePlain resolves logins with exactly what Flex reads, as the
// peers harness sends them, so its profile shows Resolve's own costs.
func BenchmarkResolvePlain(b *testing.B) {
	logins := map[string]flexroles.Login{
		"sso_supervisor_3roles": {Source: flexroles.SSO, Attributes: map[string][]string{
			"roles": {"supervisor", "wfo.team_leader", "wfo.dashboard_viewer"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"},
		}},
		"console_support": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}},
		"sso_invalid_role": {Source: flexroles.SSO, Attributes: map[string][]string{
			"roles": {"supervisor", "wfo.team_leader", "flex.readonlyadmin"}, "email": {"ana@example.com"}, "full_name": {"Ana Diaz"},
		}},
	}
	for _, name := range []string{"sso_supervisor_3roles", "console_support", "sso_invalid_role"} {
		l := logins[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, _ = flexroles.Resolve(l)
			}
		})
	}
}

// BenchmarkResolveOverLimits is the cost of refusing a login over the
// limits: the limits come before the roles are split, so a roles value
// longer than MaxValueSize, or more than MaxAttributeValues values, is
// refused without reading one item (docs/performance.md).
func BenchmarkResolveOverLimits(b *testing.B) {
	logins := map[string]flexroles.Login{
		"value_too_long": limitSSO(func(a map[string][]string) {
			a["roles"] = []string{strings.Repeat("a,", flexroles.MaxValueSize/2+1)}
		}),
		"too_many_values": limitSSO(func(a map[string][]string) {
			a["roles"] = strings.Split(strings.Repeat("agent ", flexroles.MaxAttributeValues), " ")
		}),
	}
	for _, name := range []string{"value_too_long", "too_many_values"} {
		l := logins[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, _ = flexroles.Resolve(l)
			}
		})
	}
}
