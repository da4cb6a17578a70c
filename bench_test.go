package flexroles_test

import (
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
	"refused_45050": {Source: flexroles.SSO, Attributes: map[string][]string{
		"roles": {"agent"}, "full_name": {"Ana Diaz"},
	}},
}

// BenchmarkResolve measures Resolve on a Console login, an SSO login and two
// refusals, with reasons and Insights filled in.
func BenchmarkResolve(b *testing.B) {
	for _, name := range []string{"console_support", "sso_supervisor", "refused_unknown", "refused_45050"} {
		l := benchLogins[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				_, _ = flexroles.Resolve(l)
			}
		})
	}
}
