package flexroles_test

import (
	"testing"

	"github.com/flexroles/flexroles"
)

// TestResolveAllocatesOnce holds Resolve to what docs/performance.md says of
// it: one allocation per login, one block holding the roles and the reasons,
// each sized exactly.
func TestResolveAllocatesOnce(t *testing.T) {
	logins := map[string]flexroles.Login{
		"Console Owner":   {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Owner}},
		"Console Support": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support}},
		"Console Developer asking for admin": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Developer},
			Attributes: map[string][]string{"roles": {"admin"}}},
		"Console Support asking for the pair": {Source: flexroles.Console, ConsoleRoles: []flexroles.ConsoleRole{flexroles.Support},
			Attributes: map[string][]string{"roles": {"flex.readteams, flex.readonlyadmin"}}},
		"SSO agent":      limitSSO(func(map[string][]string) {}),
		"SSO admin, wfo": limitSSO(func(a map[string][]string) { a["roles"] = []string{"admin", "wfo.full_access"} }),
		"SSO three roles": limitSSO(func(a map[string][]string) {
			a["roles"] = []string{"supervisor", "wfo.team_leader", "wfo.dashboard_viewer"}
		}),
		"SSO four roles split": limitSSO(func(a map[string][]string) {
			a["roles"] = []string{"admin, supervisor, wfo.team_leader, wfo.dashboard_viewer"}
		}),
		"SSO duplicate": limitSSO(func(a map[string][]string) { a["roles"] = []string{"agent", "agent"} }),
	}
	for name, l := range logins {
		if _, err := flexroles.Resolve(l); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := testing.AllocsPerRun(20, func() { _, _ = flexroles.Resolve(l) }); n != 1 {
			t.Errorf("%s: %v allocations per login, want 1", name, n)
		}
	}
}
